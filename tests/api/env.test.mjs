// Environment values of a project: typed CRUD, validation and secrets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  MASK,
  api as rawApi,
  createProject,
  expectError,
  expectFieldError,
  expectList,
  expectStatus,
  missingIdLike,
  readLogs,
  startWithRoot,
  uniq,
} from './fixtures.mjs';

let server;
let dir;
let rootToken;
let project;
const seen = []; // every response text of this file, checked for secrets at the end
const secrets = []; // every secret value sent

const api = async (...args) => {
  const res = await rawApi(...args);
  seen.push(res.text);
  return res;
};
const logs0 = () => readLogs(dir);
const envPath = (key = '') => `/api/projects/${project.id}/env${key ? '/' + encodeURIComponent(key) : ''}`;
const post = (body) => api(server, 'POST', envPath(), { token: rootToken, body });
const get = (key) => api(server, 'GET', envPath(key), { token: rootToken });
const put = (key, body) => api(server, 'PUT', envPath(key), { token: rootToken, body });

function secretValue(prefix = 'sek') {
  const v = `${prefix}-${randomBytes(12).toString('hex')}`;
  secrets.push(v);
  return v;
}

before(async () => {
  ({ server, dir, rootToken } = await startWithRoot({ env: { M3M_LOGGING_LEVEL: 'debug' }, keepDir: true }));
  project = await createProject(server, rootToken, {});
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const TYPED = [
  ['STR_VAL', 'string', 'hello world'],
  ['TEXT_VAL', 'text', 'line one\nline two\n\ttabbed "quoted" ünïcödé\n'],
  ['JSON_VAL', 'json', { a: [1, null], b: { c: 'd' }, e: true }],
  ['JSON_ARRAY', 'json', [1, 'two', null]],
  ['JSON_SCALAR', 'json', 'just a string'],
  ['INT_VAL', 'integer', 42],
  ['INT_NEG', 'integer', -7],
  ['FLOAT_VAL', 'float', 1.5],
  ['FLOAT_INTEGRAL', 'float', 2],
  ['BOOL_TRUE', 'boolean', true],
  ['BOOL_FALSE', 'boolean', false],
  ['EMPTY_STR', 'string', ''],
];

test('every type round-trips typed through create, get and list', async () => {
  for (const [key, type, value] of TYPED) {
    const res = await post({ key, type, value });
    expectStatus(res, 201, `create ${key}`);
    assert.equal(res.body.key, key);
    assert.equal(res.body.type, type);
    assert.deepEqual(res.body.value, value, `${key} value on create`);
    assert.equal(res.body.secret, false);
    assert.equal(typeof res.body.updated_at, 'string');

    const got = await get(key);
    expectStatus(got, 200, `get ${key}`);
    assert.deepEqual(got.body.value, value, `${key} value on get`);
    assert.equal(got.body.type, type);
  }
  const got = await get('INT_VAL');
  assert.equal(typeof got.body.value, 'number', 'an integer is a JSON number');
  assert.equal(got.body.value, 42);
  assert.equal(typeof (await get('FLOAT_VAL')).body.value, 'number');
  assert.equal(typeof (await get('BOOL_TRUE')).body.value, 'boolean');

  const items = expectList(await api(server, 'GET', envPath() + '?per_page=100', { token: rootToken }));
  for (const [key, type, value] of TYPED) {
    const item = items.find((i) => i.key === key);
    assert.ok(item, `${key} is listed`);
    assert.equal(item.type, type);
    assert.deepEqual(item.value, value, `${key} value in the list`);
  }
});

test('update changes the value (type kept when omitted) and may change the type', async () => {
  expectStatus(await post({ key: 'UPD_INT', type: 'integer', value: 1 }), 201);
  const a = await put('UPD_INT', { value: 43 });
  expectStatus(a, 200);
  assert.equal(a.body.value, 43);
  assert.equal(a.body.type, 'integer');
  expectFieldError(await put('UPD_INT', { value: 'abc' }), 'value', 'a string into an integer');
  assert.equal((await get('UPD_INT')).body.value, 43, 'a refused update changes nothing');
  const b = await put('UPD_INT', { type: 'boolean', value: false });
  expectStatus(b, 200);
  assert.equal(b.body.type, 'boolean');
  assert.equal(b.body.value, false);
  const c = await put('UPD_INT', { type: 'json', value: { nested: [1, 2, { x: null }] } });
  expectStatus(c, 200);
  assert.deepEqual((await get('UPD_INT')).body.value, { nested: [1, 2, { x: null }] });
  expectFieldError(await put('UPD_INT', { type: 'date', value: 'x' }), 'type', 'an unknown type on update');
});

test('delete is 204, then the key is 404', async () => {
  expectStatus(await post({ key: 'TO_DELETE', type: 'string', value: 'x' }), 201);
  const del = await api(server, 'DELETE', envPath('TO_DELETE'), { token: rootToken });
  expectStatus(del, 204);
  expectError(await get('TO_DELETE'), 404, 'NOT_FOUND', 'get after delete');
  expectError(await api(server, 'DELETE', envPath('TO_DELETE'), { token: rootToken }), 404, 'NOT_FOUND', 'delete twice');
  expectError(await get('NEVER_EXISTED'), 404, 'NOT_FOUND', 'unknown key');
  // The key is free again.
  expectStatus(await post({ key: 'TO_DELETE', type: 'integer', value: 5 }), 201, 're-create');
});

test('a value that does not match its type is 400 naming value', async () => {
  const cases = [
    ['integer', 'abc'],
    ['integer', 1.5],
    ['integer', '42x'],
    ['integer', true],
    ['integer', null],
    ['float', 'x1.5'],
    ['float', false],
    ['boolean', 'yes'],
    ['boolean', 1],
    ['string', 123],
    ['string', { a: 1 }],
    ['text', ['a']],
  ];
  for (const [type, value] of cases) {
    const res = await post({ key: uniq('BAD_'), type, value });
    expectFieldError(res, 'value', `${type} ${JSON.stringify(value)}`);
  }
  expectFieldError(await post({ key: uniq('NOVAL_'), type: 'string' }), 'value', 'no value');
});

test('keys are [A-Za-z_][A-Za-z0-9_]* up to 128 characters', async () => {
  for (const key of ['1abc', 'a-b', 'has space', 'dot.key', '', 'k'.repeat(129), 'ключ']) {
    expectFieldError(await post({ key, type: 'string', value: 'v' }), 'key', `key ${JSON.stringify(key)}`);
  }
  expectFieldError(await post({ type: 'string', value: 'v' }), 'key', 'no key');
  expectFieldError(await post({ key: 7, type: 'string', value: 'v' }), 'key', 'numeric key');
  for (const key of ['_private', 'camelCase', 'A1_B2', 'k'.repeat(128)]) {
    expectStatus(await post({ key, type: 'string', value: 'v' }), 201, `key ${key.slice(0, 20)}`);
  }
});

test('an unknown or missing type is 400 naming type', async () => {
  for (const type of ['date', 'INTEGER', '', 5]) {
    expectFieldError(await post({ key: uniq('T_'), type, value: 'v' }), 'type', `type ${JSON.stringify(type)}`);
  }
});

test('POST without a type is 400 naming type (type is not optional on create)', async () => {
  expectFieldError(await post({ key: uniq('T_'), value: 'v' }), 'type', 'no type');
});

test('a duplicate key is 409 CONFLICT; keys are per project', async () => {
  expectStatus(await post({ key: 'DUP_KEY', type: 'string', value: 'a' }), 201);
  expectError(await post({ key: 'DUP_KEY', type: 'integer', value: 1 }), 409, 'CONFLICT', 'same key');
  assert.equal((await get('DUP_KEY')).body.value, 'a');
  const other = await createProject(server, rootToken, {});
  const res = await api(server, 'POST', `/api/projects/${other.id}/env`, { token: rootToken, body: { key: 'DUP_KEY', type: 'string', value: 'b' } });
  expectStatus(res, 201, 'the same key in another project');
  assert.equal((await get('DUP_KEY')).body.value, 'a', 'projects do not share values');
});

test('malformed JSON is 400 INVALID_ARGUMENT', async () => {
  expectError(await post('{"key":"X","type":"string","value":'), 400, 'INVALID_ARGUMENT');
});

test('an unknown project is 404', async () => {
  const res = await api(server, 'GET', `/api/projects/${missingIdLike(project.id)}/env`, { token: rootToken });
  expectError(res, 404, 'NOT_FOUND');
});

test('a secret is masked in create, get, list and update responses', async () => {
  const s1 = secretValue('token');
  const created = await post({ key: 'API_TOKEN', type: 'string', value: s1, secret: true });
  expectStatus(created, 201);
  assert.equal(created.body.value, MASK);
  assert.equal(created.body.secret, true);
  assert.equal(created.body.type, 'string');

  const got = await get('API_TOKEN');
  expectStatus(got, 200);
  assert.equal(got.body.value, MASK);
  assert.equal(got.body.secret, true);

  const items = expectList(await api(server, 'GET', envPath() + '?per_page=200', { token: rootToken }));
  assert.equal(items.find((i) => i.key === 'API_TOKEN')?.value, MASK);

  const s2 = secretValue('rotated');
  const upd = await put('API_TOKEN', { value: s2 });
  expectStatus(upd, 200);
  assert.equal(upd.body.value, MASK);
  assert.equal(upd.body.secret, true, 'an update without `secret` keeps it secret');
  assert.equal((await get('API_TOKEN')).body.value, MASK);

  // Typed secrets are masked too.
  const n = 900000000 + Math.floor(Math.random() * 99999999);
  secrets.push(String(n));
  const num = await post({ key: 'SECRET_NUM', type: 'integer', value: n, secret: true });
  expectStatus(num, 201);
  assert.equal(num.body.value, MASK);
  assert.equal(num.body.type, 'integer');
  const js = secretValue('jsonsecret');
  const jsonRes = await post({ key: 'SECRET_JSON', type: 'json', value: { password: js }, secret: true });
  expectStatus(jsonRes, 201);
  assert.equal(jsonRes.body.value, MASK);

  // Making an existing value secret masks it from then on.
  const s3 = secretValue('later');
  expectStatus(await post({ key: 'LATER_SECRET', type: 'string', value: 'public' }), 201);
  const later = await put('LATER_SECRET', { value: s3, secret: true });
  expectStatus(later, 200);
  assert.equal(later.body.value, MASK);
  assert.equal((await get('LATER_SECRET')).body.value, MASK);
});

test('a refused secret value is not echoed in the error', async () => {
  const bad = secretValue('notanint');
  const res = await post({ key: 'SECRET_BAD', type: 'integer', value: bad, secret: true });
  expectFieldError(res, 'value');
  assert.ok(!res.text.includes(bad), `the error does not echo the secret: ${res.text}`);
  const s = secretValue('good');
  expectStatus(await post({ key: 'SECRET_OK', type: 'string', value: s, secret: true }), 201);
  const badUpd = await put('SECRET_OK', { type: 'integer', value: secretValue('alsobad') });
  expectFieldError(badUpd, 'value');
});

test('the API key of the project reads env values, secrets masked', async () => {
  const key = project.api_key;
  const list = await api(server, 'GET', envPath(), { apiKey: key });
  const items = expectList(list);
  assert.ok(items.length > 0);
  const tok = items.find((i) => i.key === 'API_TOKEN');
  if (tok) assert.equal(tok.value, MASK);
  const created = await api(server, 'POST', envPath(), { apiKey: key, body: { key: 'FROM_KEY', type: 'integer', value: 7 } });
  expectStatus(created, 201);
  expectStatus(await api(server, 'DELETE', envPath('FROM_KEY'), { apiKey: key }), 204);
});

test('secret values never appear in any response body, the server output or the log files', async () => {
  assert.ok(secrets.length >= 5, 'the secret tests ran first');
  await server.stop(); // flushes the log files (the folder is kept until after())
  const output = server.output();
  assert.match(logs0(), /\/api\/projects\/[^ ]+\/env/, 'the log files hold the env requests (the check below is not vacuous)');
  const logs = logs0();
  for (const s of secrets) {
    for (const [i, text] of seen.entries()) assert.ok(!text.includes(s), `secret ${s} leaked in response #${i}: ${text.slice(0, 300)}`);
    assert.ok(!output.includes(s), `secret ${s} leaked in the server output`);
    assert.ok(!logs.includes(s), `secret ${s} leaked in ${dir}/logs`);
  }
});
