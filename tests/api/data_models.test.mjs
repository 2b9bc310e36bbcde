// Data models (schemas): CRUD, validation with field paths, permissions and
// schema changes on models that hold data (docs/models.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, createProject, createUserAndLogin, expectError, expectFieldError, expectList, expectStatus, startWithRoot, uniq,
} from './fixtures.mjs';

let server, rootToken, project;
const base = (p = project) => `/api/projects/${p.id}/models`;
const createModel = (body, token = rootToken, p = project) => api(server, 'POST', base(p), { token, body });

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
});
after(async () => { await server?.stop(); });

const everyType = [
  { key: 's', type: 'string', required: true, min_length: 1, max_length: 20, pattern: '^[a-z ]+$', unique: true },
  { key: 'txt', type: 'text' },
  { key: 'i', type: 'integer', min: 0, max: 100, default: 5, indexed: true },
  { key: 'f', type: 'number' },
  { key: 'b', type: 'bool', nullable: false, default: false },
  { key: 'doc', type: 'document' },
  { key: 'file', type: 'file' },
  { key: 'd', type: 'date' },
  { key: 'dt', type: 'datetime' },
  { key: 'mail', type: 'email' },
  { key: 'link', type: 'url' },
  { key: 'tags', type: 'select', values: ['a', 'b'], multiple: true },
  { key: 'self', type: 'ref', model: 'things', on_delete: 'set_null' },
];

test('create a model with every field type; get by id and by name; list is paged', async () => {
  const res = expectStatus(await createModel({ name: 'things', description: 'All of them', fields: everyType,
    indexes: [{ fields: ['txt', 'i'], unique: true }],
    table_config: { columns: ['s', 'i'], filters: ['tags'], sort_columns: ['i'], default_sort: '-created' },
    form_config: { field_order: ['s', 'txt'], hidden_fields: ['doc'], field_views: { txt: 'tiptap' } } }), 201);
  const m = res.body;
  assert.equal(m.name, 'things');
  assert.equal(m.fields.length, everyType.length);
  assert.equal(m.fields.find((f) => f.key === 'f').type, 'float', '"number" is an alias of float');
  assert.equal(m.fields.find((f) => f.key === 'self').on_delete, 'set_null');
  assert.deepEqual(m.indexes, [{ fields: ['txt', 'i'], unique: true }]);
  assert.equal(m.form_config.field_views.txt, 'tiptap');
  assert.ok(!('column' in m.fields[0]), 'storage details stay inside');
  expectStatus(await api(server, 'GET', `${base()}/${m.id}`, { token: rootToken }), 200);
  const byName = expectStatus(await api(server, 'GET', `${base()}/things`, { token: rootToken }), 200);
  assert.equal(byName.body.id, m.id);
  const items = expectList(await api(server, 'GET', `${base()}?per_page=1`, { token: rootToken }));
  assert.equal(items.length, 1);
});

test('bad definitions: every mistake is reported with its path', async () => {
  expectError(await createModel({ name: 'things', fields: [] }), 409, 'CONFLICT');
  expectFieldError(await createModel({ fields: [] }), 'name');
  for (const name of ['1abc', 'has space', 'a-b', '', 'x'.repeat(64), 'collection', 'transaction'])
    expectFieldError(await createModel({ name, fields: [] }), 'name', `name ${JSON.stringify(name)}`);
  const res = await createModel({ name: uniq('m').replace(/-/g, '_'), fields: [
    { key: 'ok', type: 'string' },
    { key: 'ok', type: 'string' },
    { key: 'id', type: 'string' },
    { key: 'flag', type: 'bool', min: 1 },
    { key: 'sel', type: 'select' },
    { key: 'r', type: 'ref', model: 'missing' },
    { key: 'w', type: 'wat' },
    { key: 'n', type: 'integer', default: 'five' },
    { key: 'p', type: 'string', pattern: '([' },
    { key: 'x', type: 'string', colour: 'red' },
    { key: 'dd', type: 'document', unique: true },
    { key: 'mm', type: 'select', values: ['a'], multiple: true, unique: true },
    { key: 'sn', type: 'ref', model: 'things', required: true, on_delete: 'set_null' },
  ], indexes: [{ fields: ['nope'] }] });
  const err = expectError(res, 400, 'INVALID_ARGUMENT');
  for (const path of ['fields.1.key', 'fields.2.key', 'fields.3.min', 'fields.4.values', 'fields.5.model', 'fields.6.type',
    'fields.7.default', 'fields.8.pattern', 'fields.9.colour', 'fields.10.unique', 'fields.11.unique', 'fields.12.on_delete',
    'indexes.0.fields.0'])
    assert.ok(path in err.fields, `${path} in ${JSON.stringify(err.fields)}`);
  expectError(await api(server, 'POST', base(), { token: rootToken, body: '{"name": ' }), 400, 'INVALID_ARGUMENT');
  expectError(await api(server, 'POST', base(), { token: rootToken, body: '[1]' }), 400, 'INVALID_ARGUMENT');
});

test('auth and permissions: 401 without a token, a stranger is refused, the API key works', async () => {
  expectError(await api(server, 'GET', base()), 401, 'UNAUTHENTICATED');
  const stranger = await createUserAndLogin(server, rootToken);
  const res = await api(server, 'GET', base(), { token: stranger.token });
  assert.ok([403, 404].includes(res.status), `stranger refused: ${res.status}`);
  const other = await createProject(server, rootToken);
  expectList(await api(server, 'GET', base(other), { apiKey: other.api_key }));
  const cross = await api(server, 'GET', base(project), { apiKey: other.api_key });
  assert.ok([403, 404].includes(cross.status), `another project's key is refused: ${cross.status}`);
  expectError(await api(server, 'GET', `${base()}/nope`, { token: rootToken }), 404, 'NOT_FOUND');
});

test('schema changes keep data: add with default, rename, remove, convert, refuse what does not fit', async () => {
  const name = 'shop_' + uniq('m').replace(/-/g, '_');
  expectStatus(await createModel({ name, fields: [
    { key: 'title', type: 'string' }, { key: 'qty', type: 'string' }, { key: 'price', type: 'integer' },
    { key: 'gone', type: 'string' }] }), 201);
  const data = `${base()}/${name}/data`;
  for (const [title, qty] of [['a', '1'], ['b', '2'], ['c', 'three']])
    expectStatus(await api(server, 'POST', data, { token: rootToken, body: { title, qty, price: 3, gone: 'x' } }), 201);
  const change = (fields, extra = {}) => api(server, 'PUT', `${base()}/${name}`, { token: rootToken, body: { fields, ...extra } });

  // qty string → integer: one of three does not parse → refused with the count, nothing changes.
  const refused = expectError(await change([{ key: 'title', type: 'string' }, { key: 'qty', type: 'integer' },
    { key: 'price', type: 'integer' }, { key: 'gone', type: 'string' }]), 400, 'INVALID_ARGUMENT');
  assert.match(refused.fields['fields.1.type'], /^1 of 3 records cannot be converted from string to integer/);
  let list = expectList(await api(server, 'GET', `${data}?sort=title`, { token: rootToken }));
  assert.deepEqual(list.map((r) => r.qty), ['1', '2', 'three']);

  // A new required field without default on a model with data is refused.
  expectFieldError(await change([{ key: 'title', type: 'string' }, { key: 'must', type: 'string', required: true }]),
    'fields.1.default');

  // Rename title→name, price integer→float, drop gone, add note with a default.
  const ok = expectStatus(await change([{ key: 'name', old_key: 'title', type: 'string', required: true },
    { key: 'qty', type: 'string' }, { key: 'price', type: 'float' }, { key: 'note', type: 'text', default: 'n/a' }],
  { table_config: { columns: ['name', 'price'] } }), 200);
  assert.deepEqual(ok.body.fields.map((f) => f.key), ['name', 'qty', 'price', 'note']);
  list = expectList(await api(server, 'GET', `${data}?sort=name`, { token: rootToken }));
  assert.deepEqual(list.map((r) => [r.name, r.qty, r.price, r.note, 'gone' in r, 'title' in r]),
    [['a', '1', 3, 'n/a', false, false], ['b', '2', 3, 'n/a', false, false], ['c', 'three', 3, 'n/a', false, false]]);

  // Unique on duplicate data is refused; on distinct data it holds afterwards.
  expectFieldError(await change([{ key: 'name', type: 'string' }, { key: 'qty', type: 'string' },
    { key: 'price', type: 'float', unique: true }, { key: 'note', type: 'text' }]), 'fields.2.unique');
  // A composite unique index the data breaks names the index.
  expectFieldError(await change([{ key: 'name', type: 'string' }, { key: 'qty', type: 'string' },
    { key: 'price', type: 'float' }, { key: 'note', type: 'text' }], { indexes: [{ fields: ['price', 'note'], unique: true }] }),
  'indexes.0');
  expectStatus(await change([{ key: 'name', type: 'string', unique: true }, { key: 'qty', type: 'string' },
    { key: 'price', type: 'float' }, { key: 'note', type: 'text' }]), 200);
  expectError(await api(server, 'POST', data, { token: rootToken, body: { name: 'a' } }), 409, 'UNIQUE_VIOLATION');

  // Tightening an option the data breaks is refused, naming the option and the count.
  const tight = expectError(await change([{ key: 'name', type: 'string', max_length: 0 }, { key: 'qty', type: 'string', pattern: '^[0-9]+$' },
    { key: 'price', type: 'float', max: 2 }, { key: 'note', type: 'text' }]), 400, 'INVALID_ARGUMENT');
  assert.match(tight.fields['fields.0.max_length'], /^3 of 3 records do not satisfy it/);
  assert.match(tight.fields['fields.1.pattern'], /^1 of 3 records do not satisfy it/);
  assert.match(tight.fields['fields.2.max'], /^3 of 3 records/);
  assert.deepEqual(Object.keys(tight.fields).sort(), ['fields.0.max_length', 'fields.1.pattern', 'fields.2.max']);
  list = expectList(await api(server, 'GET', `${data}?sort=name`, { token: rootToken }));
  assert.deepEqual(list.map((r) => [r.name, r.qty, r.price]), [['a', '1', 3], ['b', '2', 3], ['c', 'three', 3]], 'nothing changed');

  // Delete the model: its records go with it.
  expectStatus(await api(server, 'DELETE', `${base()}/${name}`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', data, { token: rootToken }), 404, 'NOT_FOUND');
});

test('a model referenced by another cannot be deleted; renaming it keeps the refs working', async () => {
  const a = 'au_' + uniq('m').replace(/-/g, '_');
  const b = 'bk_' + uniq('m').replace(/-/g, '_');
  expectStatus(await createModel({ name: a, fields: [{ key: 'n', type: 'string' }] }), 201);
  expectStatus(await createModel({ name: b, fields: [{ key: 'author', type: 'ref', model: a }] }), 201);
  expectError(await api(server, 'DELETE', `${base()}/${a}`, { token: rootToken }), 409, 'CONFLICT');
  const renamed = a + '_x';
  expectStatus(await api(server, 'PUT', `${base()}/${a}`, { token: rootToken, body: { name: renamed } }), 200);
  const bm = expectStatus(await api(server, 'GET', `${base()}/${b}`, { token: rootToken }), 200).body;
  assert.equal(bm.fields[0].model, renamed);
  const au = expectStatus(await api(server, 'POST', `${base()}/${renamed}/data`, { token: rootToken, body: { n: 'x' } }), 201);
  expectStatus(await api(server, 'POST', `${base()}/${b}/data`, { token: rootToken, body: { author: au.body.id } }), 201);
});

test('deleting the project removes its models and their records', async () => {
  const p = await createProject(server, rootToken);
  expectStatus(await createModel({ name: 'temp', fields: [{ key: 'n', type: 'string' }] }, rootToken, p), 201);
  expectStatus(await api(server, 'POST', `${base(p)}/temp/data`, { token: rootToken, body: { n: 'x' } }), 201);
  expectStatus(await api(server, 'DELETE', `/api/projects/${p.id}`, { token: rootToken }), 204);
  const res = await api(server, 'GET', `${base(p)}/temp/data`, { token: rootToken });
  assert.equal(res.status, 404, 'gone with its project');
});
