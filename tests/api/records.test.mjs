// Records (docs/models.md, "Records" and "Field types and values"): typed
// validation of every field type, required/nullable/default, unknown and
// read-only keys, unique and composite-unique indexes, refs and their delete
// policies, expand and fields, partial updates, 404s and bad bodies. Every
// refused request is checked to have changed nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  createModel,
  createProject,
  expectError,
  expectStatus,
  listAllRecords,
  modelsPath,
  recordsPath,
  sleep,
  startWithRoot,
} from './fixtures.mjs';

let server;
let rootToken;
let project;

const MAX_BODY = 1024 * 1024;

const path = (model, id) => recordsPath(project.id, model, id);
const post = (model, body) => api(server, 'POST', path(model), { token: rootToken, body });
const getRec = (model, id, q = '') => api(server, 'GET', path(model, id) + q, { token: rootToken });
const put = (model, id, body) => api(server, 'PUT', path(model, id), { token: rootToken, body });
const patch = (model, id, body) => api(server, 'PATCH', path(model, id), { token: rootToken, body });
const del = (model, id) => api(server, 'DELETE', path(model, id), { token: rootToken });
const all = (model) => listAllRecords(server, rootToken, project.id, model);
const created = async (model, body) => expectStatus(await post(model, body), 201, `create in ${model}: ${JSON.stringify(body).slice(0, 200)}`).body;

// 400 INVALID_ARGUMENT whose error.fields has `key` (exactly); returns error.fields.
function refused(res, key, what = '') {
  const err = expectError(res, 400, 'INVALID_ARGUMENT', what);
  assert.ok(Object.hasOwn(err.fields, key), `${what ? what + ': ' : ''}error.fields has "${key}" (got ${JSON.stringify(err.fields)})`);
  assert.equal(typeof err.fields[key], 'string');
  return err.fields;
}

// Runs `fn` (which makes refused requests) and asserts the model's records are exactly as before.
async function unchanged(model, fn) {
  const snapshot = await all(model);
  await fn();
  assert.deepEqual(await all(model), snapshot, `no record of ${model} changed`);
}

const ID = /^[a-z0-9]{15}$/;
const UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

before(async () => {
  ({ server, rootToken } = await startWithRoot({ env: { M3M_SERVER_MAX_BODY: '1MB' } }));
  project = await createProject(server, rootToken);
  const mk = (body) => createModel(server, rootToken, project.id, body);
  await mk({ name: 'types', fields: [
    { key: 's', type: 'string' },
    { key: 'txt', type: 'text' },
    { key: 'i', type: 'integer' },
    { key: 'f', type: 'float' },
    { key: 'num', type: 'number' },
    { key: 'b', type: 'bool' },
    { key: 'doc', type: 'document' },
    { key: 'file', type: 'file' },
    { key: 'd', type: 'date' },
    { key: 'dt', type: 'datetime' },
    { key: 'mail', type: 'email' },
    { key: 'link', type: 'url' },
    { key: 'sel', type: 'select', values: ['a', 'b', 'c'] },
    { key: 'multi', type: 'select', values: ['x', 'y', 'z'], multiple: true },
  ] });
  await mk({ name: 'rules', fields: [
    { key: 'name', type: 'string', min_length: 2, max_length: 5 },
    { key: 'code', type: 'string', pattern: '^[A-Z]{3}$' },
    { key: 'hasx', type: 'text', pattern: 'x' },
    { key: 'redos', type: 'text', pattern: '^(a|aa)*c' },
    { key: 'qty', type: 'integer', min: 1, max: 10 },
    { key: 'price', type: 'float', min: 0, max: 99.5 },
    { key: 'site', type: 'url', max_length: 30 },
    { key: 'mail', type: 'email', min_length: 8 },
  ] });
  await mk({ name: 'req', fields: [
    { key: 'must', type: 'string', required: true },
    { key: 'tags', type: 'select', values: ['p', 'q'], multiple: true, required: true },
    { key: 'nn', type: 'bool', nullable: false },
    { key: 'seven', type: 'integer', nullable: false, default: 7 },
    { key: 'status', type: 'select', values: ['new', 'done'], default: 'new' },
    { key: 'note', type: 'string' },
  ] });
  await mk({ name: 'people', fields: [{ key: 'email', type: 'email', unique: true }, { key: 'nick', type: 'string' }] });
  await mk({ name: 'subs', fields: [{ key: 'user', type: 'string' }, { key: 'bot', type: 'string' }, { key: 'n', type: 'integer' }],
    indexes: [{ fields: ['user', 'bot'], unique: true }] });
  await mk({ name: 'authors', fields: [{ key: 'name', type: 'string' }] });
  await mk({ name: 'books', fields: [
    { key: 'title', type: 'string' },
    { key: 'author', type: 'ref', model: 'authors' }, // restrict (the default)
    { key: 'editor', type: 'ref', model: 'authors', on_delete: 'set_null' },
    { key: 'fans', type: 'ref', model: 'authors', multiple: true, on_delete: 'set_null' },
    { key: 'critics', type: 'ref', model: 'authors', multiple: true, on_delete: 'restrict' },
  ] });
  await mk({ name: 'chapters', fields: [{ key: 'title', type: 'string' }, { key: 'book', type: 'ref', model: 'books', on_delete: 'cascade' }] });
  await mk({ name: 'shelves', fields: [{ key: 'label', type: 'string' }, { key: 'books', type: 'ref', model: 'books', multiple: true, on_delete: 'cascade' }] });
});
after(async () => {
  await server?.stop();
});

// ---- shape and round-trip ---------------------------------------------------

test('a record: 15-character id, created = updated in UTC, every field key present (null when unset); GET returns the same', async () => {
  const r = await created('types', { s: 'hello' });
  assert.match(r.id, ID);
  assert.match(r.created, UTC_MS);
  assert.equal(r.created, r.updated);
  assert.ok(Math.abs(Date.parse(r.created) - Date.now()) < 60_000, 'created is now');
  for (const k of ['txt', 'i', 'f', 'num', 'b', 'doc', 'file', 'd', 'dt', 'mail', 'link', 'sel', 'multi']) {
    assert.ok(Object.hasOwn(r, k), `key ${k} present`);
    assert.equal(r[k], null, `${k} is null when unset`);
  }
  assert.equal(r.s, 'hello');
  assert.deepEqual(expectStatus(await getRec('types', r.id), 200).body, r);
  const other = await created('types', {});
  assert.notEqual(other.id, r.id);
});

test('accepted values of every type come back typed and exact', async () => {
  const body = {
    s: 'ünïcödé "quoted" \\ back',
    txt: 'line one\nline two\n\ttabbed',
    i: -42,
    f: 1.5,
    num: -0.25,
    b: false,
    doc: { a: { b: [1, null, { c: [] }], d: null }, e: 'ü', f: 1.5, g: true, h: {}, i: [[[]]] },
    file: 'docs/sub dir/a.txt',
    d: '2024-02-29',
    dt: '2026-11-24T12:00:00.123Z',
    mail: 'someone.else+tag@sub.example.org',
    link: 'https://m3m.dev/x?y=1#z',
    sel: 'b',
    multi: ['z', 'x'],
  };
  const r = await created('types', body);
  for (const [k, v] of Object.entries(body)) assert.deepEqual(r[k], v, `${k} round-trips`);
  assert.deepEqual(expectStatus(await getRec('types', r.id), 200).body, r);
  // Integral floats and plain integers are fine for float fields.
  const g = await created('types', { f: 3, num: 0, i: 0 });
  assert.equal(g.f, 3);
  assert.equal(g.num, 0);
  assert.equal(g.i, 0);
  assert.equal((await created('types', { b: true })).b, true);
  assert.equal((await created('types', { link: 'http://localhost:8080/' })).link, 'http://localhost:8080/');
});

test('document: objects, arrays, scalars and nested nulls round-trip unchanged', async () => {
  const docs = [
    { a: 1, nested: { deeper: { deepest: [1, 'two', null, false, { x: null }] } }, empty: {}, list: [] },
    [1, 'two', null, [null], { k: [] }],
    'just a string',
    0,
    -1.5,
    false,
    true,
    { 'key with spaces': 'v', 'ü': 'ß', '': 'empty key' },
    { big: 9007199254740991, small: -9007199254740991, frac: 0.1 },
  ];
  for (const doc of docs) {
    const r = await created('types', { doc });
    assert.deepEqual(r.doc, doc, `create ${JSON.stringify(doc)}`);
    assert.deepEqual(expectStatus(await getRec('types', r.id), 200).body.doc, doc, `get ${JSON.stringify(doc)}`);
  }
  // null is the absent value.
  assert.equal((await created('types', { doc: null })).doc, null);
});

test('integer: no fractions, no strings; 64-bit values are exact', async () => {
  await unchanged('types', async () => {
    for (const v of [1.5, '5', true, [1], { v: 1 }, -0.001]) refused(await post('types', { i: v }), 'i', `i = ${JSON.stringify(v)}`);
  });
  for (const v of [9007199254740991, -9007199254740991, 2 ** 53, 2 ** 40 + 1]) {
    const r = await created('types', { i: v });
    assert.equal(r.i, v, `${v} exact`);
    assert.equal(expectStatus(await getRec('types', r.id), 200).body.i, v);
  }
  // Beyond 2^53 the JSON text must still carry the exact 64-bit value.
  for (const big of ['4611686018427387905', '9223372036854775807', '-9223372036854775808']) {
    const res = expectStatus(await api(server, 'POST', path('types'), { token: rootToken, body: `{"i": ${big}}` }), 201, big);
    assert.match(res.text, new RegExp(`"i"\\s*:\\s*${big}\\b`), `${big} is exact in the response`);
    const back = await getRec('types', res.body.id);
    assert.match(back.text, new RegExp(`"i"\\s*:\\s*${big}\\b`), `${big} is exact when read back`);
  }
  // Out of the 64-bit range.
  refused(await api(server, 'POST', path('types'), { token: rootToken, body: '{"i": 9223372036854775808}' }), 'i', '2^63');
});

test('float, bool, string, select: wrong JSON types are refused; no implicit conversion', async () => {
  await unchanged('types', async () => {
    for (const v of ['1.5', true, [1]]) refused(await post('types', { f: v }), 'f', `f = ${JSON.stringify(v)}`);
    for (const v of ['1', {}]) refused(await post('types', { num: v }), 'num', `num = ${JSON.stringify(v)}`);
    for (const v of [1, 0, 'true', 'false', []]) refused(await post('types', { b: v }), 'b', `b = ${JSON.stringify(v)}`);
    for (const v of [5, true, ['a'], { a: 1 }]) refused(await post('types', { s: v }), 's', `s = ${JSON.stringify(v)}`);
    for (const v of [5, false]) refused(await post('types', { txt: v }), 'txt', `txt = ${JSON.stringify(v)}`);
    for (const v of ['d', 'A', '', 1, ['a']]) refused(await post('types', { sel: v }), 'sel', `sel = ${JSON.stringify(v)}`);
    for (const v of [['x', 'x'], ['w'], 'x', ['x', 1], [['x']]]) refused(await post('types', { multi: v }), 'multi', `multi = ${JSON.stringify(v)}`);
  });
  // An empty multi-value array is fine when not required.
  assert.deepEqual((await created('types', { multi: [] })).multi, []);
});

test('date: a real calendar date as YYYY-MM-DD', async () => {
  for (const d of ['2024-02-29', '2026-12-31', '2000-01-01']) assert.equal((await created('types', { d })).d, d);
  await unchanged('types', async () => {
    for (const d of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10', '2026-04-31', '2026-1-1', '26-01-01', '2026-11-24T00:00:00Z', 'today', 20261124, ''])
      refused(await post('types', { d }), 'd', `d = ${JSON.stringify(d)}`);
  });
});

test('datetime: any offset accepted, returned as UTC Z with milliseconds; invalid ones refused', async () => {
  const cases = [
    ['2026-11-24T15:00:00+03:00', '2026-11-24T12:00:00.000Z'],
    ['2026-11-24T12:00:00Z', '2026-11-24T12:00:00.000Z'],
    ['2026-11-24T06:30:00.5-05:30', '2026-11-24T12:00:00.500Z'],
    ['2026-11-24T01:00:00+02:00', '2026-11-23T23:00:00.000Z'],
    ['2024-02-29T23:59:59.999Z', '2024-02-29T23:59:59.999Z'],
  ];
  for (const [input, want] of cases) {
    const r = await created('types', { dt: input });
    assert.equal(r.dt, want, `${input}`);
    assert.equal(expectStatus(await getRec('types', r.id), 200).body.dt, want, `${input} read back`);
  }
  await unchanged('types', async () => {
    for (const dt of ['tomorrow', '2026-02-30T00:00:00Z', '2026-11-24T25:00:00Z', '2026-11-24T12:00:00+25:00', 1764000000000, true, ''])
      refused(await post('types', { dt }), 'dt', `dt = ${JSON.stringify(dt)}`);
  });
});

test('email, url and file values', async () => {
  await unchanged('types', async () => {
    for (const mail of ['nope', 'a@b', '@b.io', 'a b@c.io', 'a@b c.io', 'a@@b.io', 5]) refused(await post('types', { mail }), 'mail', `mail = ${JSON.stringify(mail)}`);
    for (const link of ['ftp://x.io/', 'https://', 'example.com', 'javascript:alert(1)', '//x.io/a', 'http:/x.io', 7])
      refused(await post('types', { link }), 'link', `link = ${JSON.stringify(link)}`);
    for (const file of ['../etc/passwd', 'a/../../b', '/abs/path', 'a\\b', 'a\u0000b', 'x'.repeat(1025), 3])
      refused(await post('types', { file }), 'file', `file = ${JSON.stringify(file).slice(0, 40)}`);
  });
  assert.equal((await created('types', { file: 'x'.repeat(1024) })).file.length, 1024, '1024 bytes is allowed');
});

test('min, max, min_length, max_length (in code points) and pattern', async () => {
  await unchanged('rules', async () => {
    for (const qty of [0, 11, -1]) refused(await post('rules', { qty }), 'qty', `qty ${qty}`);
    for (const price of [-0.01, 99.51, 1000]) refused(await post('rules', { price }), 'price', `price ${price}`);
    for (const name of ['a', 'abcdef', '😀', 'éééééé']) refused(await post('rules', { name }), 'name', `name ${name}`);
    for (const code of ['abc', 'ABCD', 'AB', ' ABC']) refused(await post('rules', { code }), 'code', `code ${code}`);
    refused(await post('rules', { hasx: 'abc' }), 'hasx', 'pattern must match somewhere');
    refused(await post('rules', { site: `https://example.com/${'p'.repeat(20)}` }), 'site', 'url max_length');
    refused(await post('rules', { mail: 'a@b.io' }), 'mail', 'email min_length');
  });
  for (const qty of [1, 10]) assert.equal((await created('rules', { qty })).qty, qty, `qty ${qty} (bounds are inclusive)`);
  for (const price of [0, 99.5]) assert.equal((await created('rules', { price })).price, price, `price ${price}`);
  for (const name of ['ab', 'abcde', 'ééééé', '😀😀', '😀😀😀😀😀']) assert.equal((await created('rules', { name })).name, name, `name ${name}`);
  assert.equal((await created('rules', { code: 'ABC' })).code, 'ABC');
  assert.equal((await created('rules', { code: '' })).code, '', 'pattern is checked only on non-empty values');
  assert.equal((await created('rules', { hasx: 'a x b' })).hasx, 'a x b', 'pattern matches anywhere without anchors');
});

// Regression (fuzz.json_body): std::regex backtracked without limit, so this
// pattern against 40 characters held a server thread for minutes.
test('a catastrophic pattern ends in a clear 400, not a hung request', async () => {
  const started = Date.now();
  await unchanged('rules', async () => {
    const res = await post('rules', { redos: `${'a'.repeat(40)}bc` });
    refused(res, 'redos', 'pattern too complex');
    assert.match(res.body.error.fields.redos, /too complex/);
    refused(await post('rules', { redos: `${'a'.repeat(100000)}b` }), 'redos', 'long value, no stack overflow');
  });
  assert.equal((await created('rules', { redos: 'aaac' })).redos, 'aaac', 'the pattern still works on ordinary values');
  assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
});

test('required, nullable and default', async () => {
  const ok = { must: 'x', tags: ['p'], nn: true };
  const r = await created('req', ok);
  assert.equal(r.seven, 7, 'non-nullable default applied');
  assert.equal(r.status, 'new', 'default applied when the key is missing');
  assert.equal(r.note, null);
  assert.equal((await created('req', { ...ok, status: null })).status, null, 'an explicit null is kept (nullable)');
  assert.equal((await created('req', { ...ok, status: 'done', seven: 8 })).seven, 8);

  await unchanged('req', async () => {
    const { must, ...noMust } = ok;
    refused(await post('req', noMust), 'must', 'required missing');
    refused(await post('req', { ...ok, must: null }), 'must', 'required null');
    refused(await post('req', { ...ok, must: '' }), 'must', 'required empty string');
    refused(await post('req', { ...ok, tags: [] }), 'tags', 'required empty multi-value');
    const { nn, ...noNn } = ok;
    refused(await post('req', noNn), 'nn', 'non-nullable without default, missing');
    refused(await post('req', { ...ok, nn: null }), 'nn', 'non-nullable null');
    refused(await post('req', { ...ok, seven: null }), 'seven', 'non-nullable null with a default');
    // Updates: required and non-nullable stay enforced.
    refused(await patch('req', r.id, { must: null }), 'must');
    refused(await patch('req', r.id, { must: '' }), 'must');
    refused(await put('req', r.id, { nn: null }), 'nn');
    refused(await put('req', r.id, { seven: null }), 'seven');
  });
});

test('unknown keys and the read-only id, created, updated are 400 on create and update', async () => {
  const r = await created('types', { s: 'base' });
  await unchanged('types', async () => {
    const f = refused(await post('types', { s: 'x', bogus: 1 }), 'bogus');
    assert.match(f.bogus, /unknown field/);
    refused(await post('types', { expand: {} }), 'expand');
    for (const k of ['id', 'created', 'updated']) {
      const v = k === 'id' ? 'abcdefghijklmno' : '2026-01-01T00:00:00.000Z';
      refused(await post('types', { s: 'x', [k]: v }), k, `create with ${k}`);
      refused(await put('types', r.id, { s: 'x', [k]: v }), k, `PUT with ${k}`);
      refused(await patch('types', r.id, { s: 'x', [k]: v }), k, `PATCH with ${k}`);
    }
    refused(await put('types', r.id, { nope: 1 }), 'nope');
  });
});

test('every failing field is listed at once, and nothing is stored', async () => {
  await unchanged('types', async () => {
    const err = expectError(await post('types', {
      s: 1, i: 1.5, f: 'x', b: 'yes', d: '2026-02-30', dt: 'later', mail: 'nope', link: 'ftp://x', sel: 'zz', multi: ['x', 'x'],
      file: '../x', bogus: true, id: 'x',
    }), 400, 'INVALID_ARGUMENT');
    for (const k of ['s', 'i', 'f', 'b', 'd', 'dt', 'mail', 'link', 'sel', 'multi', 'file', 'bogus', 'id']) {
      assert.ok(Object.hasOwn(err.fields, k), `${k} in ${JSON.stringify(err.fields)}`);
    }
  });
  await unchanged('rules', async () => {
    const err = expectError(await post('rules', { qty: 0, price: -1, name: 'x', code: 'no' }), 400, 'INVALID_ARGUMENT');
    assert.deepEqual(Object.keys(err.fields).sort(), ['code', 'name', 'price', 'qty']);
  });
});

// ---- unique ---------------------------------------------------------------

test('a unique field: a second equal value is 409 UNIQUE_VIOLATION naming it; nulls do not collide', async () => {
  const a = await created('people', { email: 'ann@example.com', nick: 'ann' });
  await created('people', { email: null, nick: 'n1' });
  await created('people', { nick: 'n2' });
  await unchanged('people', async () => {
    const e = expectError(await post('people', { email: 'ann@example.com', nick: 'again' }), 409, 'UNIQUE_VIOLATION');
    assert.deepEqual(Object.keys(e.fields), ['email']);
    const b = (await all('people')).find((x) => x.nick === 'n1');
    const e2 = expectError(await patch('people', b.id, { email: 'ann@example.com' }), 409, 'UNIQUE_VIOLATION', 'update onto a taken value');
    assert.ok(Object.hasOwn(e2.fields, 'email'));
  });
  // Updating a record to its own value is not a violation.
  assert.equal(expectStatus(await put('people', a.id, { email: 'ann@example.com', nick: 'ann2' }), 200).body.nick, 'ann2');
  // After a delete the value is free.
  expectStatus(await del('people', a.id), 204);
  await created('people', { email: 'ann@example.com' });
});

test('a composite unique index: the same pair is 409 naming both fields; other pairs are fine', async () => {
  await created('subs', { user: 'u1', bot: 'b1', n: 1 });
  await created('subs', { user: 'u1', bot: 'b2', n: 2 });
  await created('subs', { user: 'u2', bot: 'b1', n: 3 });
  await created('subs', { user: null, bot: 'b1', n: 4 });
  await created('subs', { user: null, bot: 'b1', n: 5 });
  await unchanged('subs', async () => {
    const e = expectError(await post('subs', { user: 'u1', bot: 'b1', n: 9 }), 409, 'UNIQUE_VIOLATION');
    assert.deepEqual(Object.keys(e.fields).sort(), ['bot', 'user']);
    const second = (await all('subs')).find((x) => x.n === 2);
    const e2 = expectError(await patch('subs', second.id, { bot: 'b1' }), 409, 'UNIQUE_VIOLATION', 'update into a taken pair');
    assert.deepEqual(Object.keys(e2.fields).sort(), ['bot', 'user']);
  });
});

// ---- refs -------------------------------------------------------------------

test('a ref must name an existing record of its target model (400 on that field)', async () => {
  const a = await created('authors', { name: 'A' });
  const notAnAuthor = await created('chapters', { title: 'not an author' });
  await unchanged('books', async () => {
    refused(await post('books', { author: 'zzzzzzzzzzzzzzz' }), 'author', 'missing id');
    refused(await post('books', { author: notAnAuthor.id }), 'author', "another model's record");
    refused(await post('books', { author: [a.id] }), 'author', 'an array for a single ref');
    refused(await post('books', { author: 5 }), 'author', 'a number');
    refused(await post('books', { fans: [a.id, 'zzzzzzzzzzzzzzz'] }), 'fans', 'one of many missing');
    refused(await post('books', { fans: [a.id, a.id] }), 'fans', 'duplicates in a multiple ref');
    refused(await post('books', { fans: a.id }), 'fans', 'a string for a multiple ref');
  });
  const b = await created('books', { title: 'ok', author: a.id, fans: [a.id] });
  assert.equal(b.author, a.id);
  assert.deepEqual(b.fans, [a.id]);
  await unchanged('books', async () => {
    refused(await patch('books', b.id, { editor: 'zzzzzzzzzzzzzzz' }), 'editor', 'on update');
  });
  // Clean up so later tests can delete authors freely.
  expectStatus(await del('books', b.id), 204);
});

test('on_delete restrict (single and multiple): 409 CONFLICT and nothing changes; allowed once unreferenced', async () => {
  const a = await created('authors', { name: 'restricted' });
  const c = await created('authors', { name: 'critic' });
  const b = await created('books', { title: 'R', author: a.id, critics: [c.id] });
  const authorsBefore = await all('authors');
  const booksBefore = await all('books');
  expectError(await del('authors', a.id), 409, 'CONFLICT', 'single restrict');
  expectError(await del('authors', c.id), 409, 'CONFLICT', 'multiple restrict');
  assert.deepEqual(await all('authors'), authorsBefore);
  assert.deepEqual(await all('books'), booksBefore);
  expectStatus(await patch('books', b.id, { author: null, critics: [] }), 200);
  expectStatus(await del('authors', a.id), 204);
  expectStatus(await del('authors', c.id), 204);
  expectStatus(await del('books', b.id), 204);
});

test('on_delete set_null: a single ref becomes null, a multiple ref loses the id', async () => {
  const keep = await created('authors', { name: 'keep' });
  const gone = await created('authors', { name: 'gone' });
  const b1 = await created('books', { title: 'S1', editor: gone.id, fans: [keep.id, gone.id] });
  const b2 = await created('books', { title: 'S2', editor: keep.id, fans: [gone.id] });
  expectStatus(await del('authors', gone.id), 204);
  expectError(await getRec('authors', gone.id), 404, 'NOT_FOUND');
  const r1 = expectStatus(await getRec('books', b1.id), 200).body;
  assert.equal(r1.editor, null);
  assert.deepEqual(r1.fans, [keep.id]);
  assert.equal(r1.title, 'S1');
  const r2 = expectStatus(await getRec('books', b2.id), 200).body;
  assert.equal(r2.editor, keep.id, 'another id is untouched');
  assert.deepEqual(r2.fans, []);
  for (const b of [b1, b2]) expectStatus(await del('books', b.id), 204);
  expectStatus(await del('authors', keep.id), 204);
});

test('on_delete cascade (single and multiple): the referencing records are deleted too, the others stay', async () => {
  const b1 = await created('books', { title: 'C1' });
  const b2 = await created('books', { title: 'C2' });
  const ch1 = await created('chapters', { title: 'ch1', book: b1.id });
  const ch2 = await created('chapters', { title: 'ch2', book: b2.id });
  const chNone = await created('chapters', { title: 'none' });
  const sh1 = await created('shelves', { label: 'has b1', books: [b2.id, b1.id] });
  const sh2 = await created('shelves', { label: 'only b2', books: [b2.id] });
  expectStatus(await del('books', b1.id), 204);
  expectError(await getRec('chapters', ch1.id), 404, 'NOT_FOUND', 'single ref cascade');
  expectError(await getRec('shelves', sh1.id), 404, 'NOT_FOUND', 'multiple ref cascade');
  expectStatus(await getRec('chapters', ch2.id), 200);
  expectStatus(await getRec('chapters', chNone.id), 200);
  assert.deepEqual(expectStatus(await getRec('shelves', sh2.id), 200).body.books, [b2.id]);
  expectStatus(await del('books', b2.id), 204);
  expectError(await getRec('chapters', ch2.id), 404, 'NOT_FOUND');
  expectError(await getRec('shelves', sh2.id), 404, 'NOT_FOUND');
});

test('expand adds the referenced records one level deep (single and multiple); fields= selects keys', async () => {
  const a1 = await created('authors', { name: 'A1' });
  const a2 = await created('authors', { name: 'A2' });
  const book = await created('books', { title: 'E', author: a1.id, editor: null, fans: [a2.id, a1.id] });
  const ch = await created('chapters', { title: 'E-ch', book: book.id });

  const got = expectStatus(await getRec('books', book.id, '?expand=author,fans'), 200).body;
  assert.equal(got.author, a1.id, 'the ref itself stays an id');
  assert.deepEqual(got.expand.author, a1);
  assert.deepEqual(got.expand.fans.map((x) => x.name).sort(), ['A1', 'A2']);
  for (const x of got.expand.fans) assert.deepEqual(x, x.id === a1.id ? a1 : a2, 'whole records');

  const deep = expectStatus(await getRec('chapters', ch.id, '?expand=book'), 200).body;
  assert.equal(deep.expand.book.id, book.id);
  assert.equal(deep.expand.book.title, 'E');
  assert.ok(!('expand' in deep.expand.book), 'one level only');

  const plain = expectStatus(await getRec('books', book.id), 200).body;
  assert.ok(!('expand' in plain), 'no expand without asking');

  // In a list.
  const q = new URLSearchParams({ filter: `id = '${book.id}'`, expand: 'author,fans' });
  const listed = expectStatus(await api(server, 'GET', `${path('books')}?${q}`, { token: rootToken }), 200).body.items;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].expand.author.name, 'A1');
  assert.equal(listed[0].expand.fans.length, 2);

  // fields=: only those keys; expand kept when asked for.
  const sel = expectStatus(await getRec('books', book.id, '?fields=id,title'), 200).body;
  assert.deepEqual(Object.keys(sel).sort(), ['id', 'title']);
  const selExp = expectStatus(await getRec('books', book.id, '?fields=title,author&expand=author'), 200).body;
  assert.deepEqual(Object.keys(selExp).sort(), ['author', 'expand', 'title']);
  assert.equal(selExp.expand.author.name, 'A1');
  const lq = new URLSearchParams({ filter: `id = '${book.id}'`, fields: 'title,created' });
  const lsel = expectStatus(await api(server, 'GET', `${path('books')}?${lq}`, { token: rootToken }), 200).body.items;
  assert.deepEqual(Object.keys(lsel[0]).sort(), ['created', 'title']);

  expectStatus(await del('chapters', ch.id), 204);
  expectStatus(await del('books', book.id), 204);
  for (const a of [a1, a2]) expectStatus(await del('authors', a.id), 204);
});

// ---- updates ----------------------------------------------------------------

test('PUT and PATCH are partial: only the keys sent change; updated moves, created does not', async () => {
  const r = await created('types', { s: 'one', i: 1, doc: { k: [1] }, multi: ['x'] });
  await sleep(15);
  const p1 = expectStatus(await put('types', r.id, { s: 'two' }), 200).body;
  assert.equal(p1.s, 'two');
  assert.equal(p1.i, 1);
  assert.deepEqual(p1.doc, { k: [1] });
  assert.deepEqual(p1.multi, ['x']);
  assert.equal(p1.id, r.id);
  assert.equal(p1.created, r.created);
  assert.match(p1.updated, UTC_MS);
  assert.ok(Date.parse(p1.updated) > Date.parse(r.updated), `updated moves forward: ${r.updated} → ${p1.updated}`);
  await sleep(15);
  const p2 = expectStatus(await patch('types', r.id, { i: 2, doc: null }), 200).body;
  assert.equal(p2.s, 'two');
  assert.equal(p2.i, 2);
  assert.equal(p2.doc, null, 'null clears a value');
  assert.equal(p2.created, r.created);
  assert.ok(Date.parse(p2.updated) > Date.parse(p1.updated));
  assert.deepEqual(expectStatus(await getRec('types', r.id), 200).body, p2, 'GET returns the updated record');

  // A refused update changes nothing (updated included).
  await unchanged('types', async () => {
    refused(await put('types', r.id, { s: 'three', i: 'x' }), 'i');
    refused(await patch('types', r.id, { s: 'three', d: '2026-02-30' }), 'd');
  });
  assert.equal(expectStatus(await getRec('types', r.id), 200).body.s, 'two');
});

// ---- 404s and bodies --------------------------------------------------------

test('unknown model or record is 404 for every method', async () => {
  const r = await created('types', { s: 'x' });
  const missing = 'zzzzzzzzzzzzzzz';
  for (const [method, p, body] of [
    ['GET', recordsPath(project.id, 'no_such_model')],
    ['POST', recordsPath(project.id, 'no_such_model'), { s: 'x' }],
    ['GET', recordsPath(project.id, 'no_such_model', r.id)],
    ['PUT', recordsPath(project.id, 'no_such_model', r.id), { s: 'x' }],
    ['PATCH', recordsPath(project.id, 'no_such_model', r.id), { s: 'x' }],
    ['DELETE', recordsPath(project.id, 'no_such_model', r.id)],
    ['GET', path('types', missing)],
    ['PUT', path('types', missing), { s: 'x' }],
    ['PATCH', path('types', missing), { s: 'x' }],
    ['DELETE', path('types', missing)],
    ['GET', path('rules', r.id)], // a record of another model
    ['DELETE', path('rules', r.id)],
  ]) {
    expectError(await api(server, method, p, { token: rootToken, body }), 404, 'NOT_FOUND', `${method} ${p}`);
  }
  expectStatus(await getRec('types', r.id), 200, 'untouched');
  // The model can be named by id as well.
  const m = expectStatus(await api(server, 'GET', modelsPath(project.id, 'types'), { token: rootToken }), 200).body;
  assert.equal(expectStatus(await api(server, 'GET', recordsPath(project.id, m.id, r.id), { token: rootToken }), 200).body.id, r.id);
  // Delete: 204, then 404.
  expectStatus(await del('types', r.id), 204);
  expectError(await getRec('types', r.id), 404, 'NOT_FOUND');
  expectError(await del('types', r.id), 404, 'NOT_FOUND');
});

test('bad JSON and non-object bodies are 400; a body over server.max_body is 413; nothing is stored', async () => {
  const r = await created('types', { s: 'body' });
  await unchanged('types', async () => {
    for (const raw of ['{"s": ', '{s: 1}', '[1]', '"str"', '5', 'null', '{"s": "a"} trailing']) {
      expectError(await api(server, 'POST', path('types'), { token: rootToken, body: raw }), 400, 'INVALID_ARGUMENT', `create ${raw}`);
      expectError(await api(server, 'PUT', path('types', r.id), { token: rootToken, body: raw }), 400, 'INVALID_ARGUMENT', `PUT ${raw}`);
      expectError(await api(server, 'PATCH', path('types', r.id), { token: rootToken, body: raw }), 400, 'INVALID_ARGUMENT', `PATCH ${raw}`);
    }
    const huge = JSON.stringify({ doc: { blob: 'x'.repeat(2 * MAX_BODY) } });
    expectError(await api(server, 'POST', path('types'), { token: rootToken, body: huge }), 413, 'PAYLOAD_TOO_LARGE', 'create');
    expectError(await api(server, 'PUT', path('types', r.id), { token: rootToken, body: huge }), 413, 'PAYLOAD_TOO_LARGE', 'PUT');
  });
  // Just under the limit is stored whole.
  const blob = 'y'.repeat(MAX_BODY / 2);
  const big = await created('types', { doc: { blob } });
  assert.equal(expectStatus(await getRec('types', big.id), 200).body.doc.blob, blob);
});
