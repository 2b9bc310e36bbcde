// Data models (docs/models.md, "Models"): CRUD, the paged list, name and
// field validation with field paths, auth and project access, and schema
// changes on models that already hold records.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  createModel,
  createProject,
  createRecord,
  createUserAndLogin,
  expectError,
  expectFieldError,
  expectList,
  expectStatus,
  listAllRecords,
  modelsPath,
  recordsPath,
  startWithRoot,
  uniq,
} from './fixtures.mjs';

let server;
let rootToken;
let project;

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
});
after(async () => {
  await server?.stop();
});

// A fresh identifier-safe model name.
const mname = (prefix = 'm') => uniq(prefix);
const post = (body, { token = rootToken, apiKey, p = project } = {}) =>
  api(server, 'POST', modelsPath(p.id), apiKey ? { apiKey, body } : { token, body });
const get = (model, { token = rootToken, p = project } = {}) => api(server, 'GET', modelsPath(p.id, model), { token });
const put = (model, body, { token = rootToken, p = project } = {}) => api(server, 'PUT', modelsPath(p.id, model), { token, body });
const del = (model, { token = rootToken, p = project } = {}) => api(server, 'DELETE', modelsPath(p.id, model), { token });
const rec = (model, body, p = project) => createRecord(server, rootToken, p.id, model, body);
const all = (model, p = project) => listAllRecords(server, rootToken, p.id, model);

// error.fields of a 400 INVALID_ARGUMENT.
function fieldsOf(res, what) {
  return expectError(res, 400, 'INVALID_ARGUMENT', what).fields;
}

function assertHasPath(fields, path, what = '') {
  assert.ok(Object.hasOwn(fields, path), `${what ? what + ': ' : ''}error.fields has "${path}" (got ${JSON.stringify(fields)})`);
  assert.equal(typeof fields[path], 'string', `error.fields["${path}"] is a message`);
  assert.ok(fields[path].length > 0, `error.fields["${path}"] is not empty`);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

// ---- create, get, list ----------------------------------------------------

test('create with every field type and every option: 201, echoed back, readable by id and by name', async () => {
  const target = mname('target');
  await createModel(server, rootToken, project.id, { name: target, fields: [{ key: 'label', type: 'string' }] });
  const name = mname('every');
  const fields = [
    { key: 's', type: 'string', required: true, min_length: 1, max_length: 20, pattern: '^[a-z ]+$', unique: true, indexed: true },
    { key: 'txt', type: 'text', min_length: 0, max_length: 5000, pattern: 'x', default: 'xx' },
    { key: 'i', type: 'integer', min: -5, max: 100, default: 5, indexed: true, nullable: false },
    { key: 'f', type: 'float', min: 0, max: 1.5, unique: true },
    { key: 'num', type: 'number' },
    { key: 'b', type: 'bool', nullable: false, default: false },
    { key: 'doc', type: 'document', default: { a: [1, null] } },
    { key: 'file', type: 'file', indexed: true },
    { key: 'd', type: 'date', default: '2026-01-31' },
    { key: 'dt', type: 'datetime', indexed: true },
    { key: 'mail', type: 'email', max_length: 100, unique: true },
    { key: 'link', type: 'url', min_length: 10, pattern: '^https://' },
    { key: 'status', type: 'select', values: ['new', 'paid', 'sent'], default: 'new', indexed: true },
    { key: 'tags', type: 'select', values: ['a', 'b'], multiple: true, required: true },
    { key: 'other', type: 'ref', model: target, on_delete: 'cascade' },
    { key: 'others', type: 'ref', model: target, multiple: true, on_delete: 'set_null' },
    { key: 'parent', type: 'ref', model: name, on_delete: 'restrict' },
  ];
  const body = {
    name,
    description: 'Every type, every option',
    fields,
    indexes: [{ fields: ['txt', 'i'], unique: true }, { fields: ['dt'] }],
    table_config: { columns: ['s', 'i'], filters: ['status'], sort_columns: ['i'], default_sort: '-created' },
    form_config: { field_order: ['s', 'txt'], hidden_fields: ['doc'], field_views: { txt: 'textarea' } },
  };
  const res = expectStatus(await post(body), 201, 'create');
  const m = res.body;
  assert.equal(typeof m.id, 'string');
  assert.ok(m.id.length > 0);
  assert.equal(m.project_id, project.id);
  assert.equal(m.name, name);
  assert.equal(m.description, 'Every type, every option');
  assert.match(m.created_at, ISO);
  assert.match(m.updated_at, ISO);
  assert.deepEqual(m.fields.map((f) => f.key), fields.map((f) => f.key), 'fields keep their order');
  for (const sent of fields) {
    const got = m.fields.find((f) => f.key === sent.key);
    for (const [opt, v] of Object.entries(sent)) {
      if (sent.key === 'num' && opt === 'type') {
        assert.ok(['float', 'number'].includes(got.type), `"number" is the float alias: ${got.type}`);
        continue;
      }
      assert.deepEqual(got[opt], v, `field ${sent.key}.${opt}`);
    }
  }
  assert.deepEqual(m.indexes.map((x) => [x.fields, !!x.unique]), [[['txt', 'i'], true], [['dt'], false]]);
  assert.deepEqual(m.table_config, body.table_config);
  assert.deepEqual(m.form_config, body.form_config);

  const byId = expectStatus(await get(m.id), 200, 'get by id').body;
  const byName = expectStatus(await get(name), 200, 'get by name').body;
  assert.deepEqual(byId, m);
  assert.deepEqual(byName, m);

  // The ref target's name is what the field stores.
  assert.equal(byId.fields.find((f) => f.key === 'other').model, target);
  assert.equal(byId.fields.find((f) => f.key === 'parent').model, name);
});

test('a model with no fields is fine; description defaults to empty; names are case-sensitive; 63 characters is the limit', async () => {
  const name = mname('Empty');
  const m = expectStatus(await post({ name, fields: [] }), 201).body;
  assert.deepEqual(m.fields, []);
  assert.equal(m.description, '');
  const lower = name.toLowerCase();
  expectStatus(await post({ name: lower, fields: [] }), 201, 'the lower-case twin is another name');
  expectError(await get(name.toUpperCase()), 404, 'NOT_FOUND', 'lookup by name is case-sensitive');
  const long = 'L' + 'x'.repeat(62);
  expectStatus(await post({ name: long, fields: [] }), 201, '63 characters');
  expectStatus(await get(long), 200);
});

test('the list is paged with the standard envelope; per_page/perPage and search work', async () => {
  const p = await createProject(server, rootToken);
  const tag = uniq('zz');
  const names = [`alpha_${tag}`, `beta_${tag}`, `gamma_${tag}`];
  for (const name of names) await createModel(server, rootToken, p.id, { name, fields: [{ key: 'x', type: 'string' }] });

  const all3 = expectList(await api(server, 'GET', modelsPath(p.id), { token: rootToken }));
  assert.deepEqual(all3.map((m) => m.name).sort(), names);
  for (const m of all3) {
    assert.equal(m.project_id, p.id);
    assert.ok(Array.isArray(m.fields), 'list items are whole models');
  }

  const page1 = expectStatus(await api(server, 'GET', `${modelsPath(p.id)}?per_page=2&page=1`, { token: rootToken }), 200).body;
  assert.equal(page1.items.length, 2);
  assert.equal(page1.page, 1);
  assert.equal(page1.per_page, 2);
  assert.equal(page1.total_items, 3);
  assert.equal(page1.total_pages, 2);
  const page2 = expectStatus(await api(server, 'GET', `${modelsPath(p.id)}?perPage=2&page=2`, { token: rootToken }), 200).body;
  assert.equal(page2.items.length, 1, 'perPage is the alias of per_page');
  assert.equal(page2.page, 2);
  assert.equal(page2.per_page, 2);
  const seen = [...page1.items, ...page2.items].map((m) => m.name).sort();
  assert.deepEqual(seen, names, 'the pages cover every model once');

  const found = expectList(await api(server, 'GET', `${modelsPath(p.id)}?search=beta`, { token: rootToken }));
  assert.deepEqual(found.map((m) => m.name), [`beta_${tag}`]);

  // Another project's models are not listed.
  const other = expectList(await api(server, 'GET', `${modelsPath(project.id)}?per_page=100`, { token: rootToken }));
  assert.ok(!other.some((m) => names.includes(m.name)), 'lists are per project');
});

// ---- validation -----------------------------------------------------------

test('a duplicate name is 409 CONFLICT naming fields.name; the same name in another project is fine', async () => {
  const name = mname('dup');
  await createModel(server, rootToken, project.id, { name, fields: [] });
  const err = expectError(await post({ name, fields: [{ key: 'x', type: 'string' }] }), 409, 'CONFLICT');
  assertHasPath(err.fields, 'name');
  const model = expectStatus(await get(name), 200).body;
  assert.deepEqual(model.fields, [], 'the refused create changed nothing');
  const p2 = await createProject(server, rootToken);
  await createModel(server, rootToken, p2.id, { name, fields: [] });

  // Renaming onto an existing name is the same conflict.
  const other = mname('dup');
  await createModel(server, rootToken, project.id, { name: other, fields: [] });
  const e2 = expectError(await put(other, { name }), 409, 'CONFLICT');
  assertHasPath(e2.fields, 'name');
  expectStatus(await get(other), 200, 'still under its own name');
});

test('invalid and reserved model names are 400 fields.name, and nothing is created', async () => {
  const bad = ['1abc', '_abc', 'has space', 'a-b', 'a.b', 'é', '', 'x'.repeat(64), 'collection', 'transaction', 42, null, ['a']];
  for (const name of bad) {
    const res = await post({ name, fields: [] });
    assertHasPath(fieldsOf(res, `name ${JSON.stringify(name)}`), 'name', `name ${JSON.stringify(name)}`);
    if (typeof name === 'string' && name) {
      assert.equal((await get(name)).status, 404, `${JSON.stringify(name)} was not created`);
    }
  }
  assertHasPath(fieldsOf(await post({ fields: [] }), 'no name'), 'name');
});

test('invalid field definitions are 400 with the path of each problem, all at once', async () => {
  const name = mname('bad');
  const res = await post({
    name,
    fields: [
      { key: 'ok', type: 'string' }, //                                   0
      { key: 'ok', type: 'integer' }, //                                  1 duplicate key
      { key: 'flag', type: 'bool', min: 1 }, //                           2 option not of bool
      { key: 'sel', type: 'select' }, //                                  3 no values
      { key: 'r', type: 'ref', model: 'no_such_model' }, //               4 missing target
      { key: 'w', type: 'wat' }, //                                       5 unknown type
      { key: '9lives', type: 'string' }, //                               6 bad key
      { key: 'id', type: 'string' }, //                                   7 reserved
    ],
  });
  const f = fieldsOf(res, 'many mistakes');
  for (const p of ['fields.1.key', 'fields.2.min', 'fields.3.values', 'fields.4.model', 'fields.5.type', 'fields.6.key', 'fields.7.key']) {
    assertHasPath(f, p);
  }
  assert.match(f['fields.2.min'], /not an option of type bool/);
  assert.ok(!Object.keys(f).some((k) => k.startsWith('fields.0.')), `the valid field 0 is not blamed: ${JSON.stringify(f)}`);
  expectError(await get(name), 404, 'NOT_FOUND', 'nothing created');
});

test('each field rule on its own: keys, reserved keys, types, options by type, select values, refs', async () => {
  const cases = [
    // [fields, expected path]
    [[{ key: 'a-b', type: 'string' }], 'fields.0.key'],
    [[{ key: '', type: 'string' }], 'fields.0.key'],
    [[{ key: 'k'.repeat(64), type: 'string' }], 'fields.0.key'],
    [[{ type: 'string' }], 'fields.0.key'],
    [[{ key: 'x', type: 'string' }, { key: 'created', type: 'string' }], 'fields.1.key'],
    [[{ key: 'updated', type: 'datetime' }], 'fields.0.key'],
    [[{ key: 'expand', type: 'document' }], 'fields.0.key'],
    [[{ key: 'id', type: 'string' }], 'fields.0.key'],
    [[{ key: 'x' }], 'fields.0.type'],
    [[{ key: 'x', type: 'varchar' }], 'fields.0.type'],
    [[{ key: 'x', type: 'string' }, { key: 'y', type: 'bool', min: 1 }], 'fields.1.min'],
    [[{ key: 'x', type: 'integer', min_length: 1 }], 'fields.0.min_length'],
    [[{ key: 'x', type: 'float', max_length: 1 }], 'fields.0.max_length'],
    [[{ key: 'x', type: 'integer', pattern: '^a' }], 'fields.0.pattern'],
    [[{ key: 'x', type: 'string', values: ['a'] }], 'fields.0.values'],
    [[{ key: 'x', type: 'string', multiple: true }], 'fields.0.multiple'],
    [[{ key: 'x', type: 'string', model: 'y' }], 'fields.0.model'],
    [[{ key: 'x', type: 'integer', on_delete: 'cascade' }], 'fields.0.on_delete'],
    [[{ key: 'x', type: 'string', min: 1 }], 'fields.0.min'],
    [[{ key: 'x', type: 'date', max: 1 }], 'fields.0.max'],
    [[{ key: 'x', type: 'document', unique: true }], 'fields.0.unique'],
    [[{ key: 'x', type: 'document', indexed: true }], 'fields.0.indexed'],
    [[{ key: 'x', type: 'select', values: ['a', 'b'], multiple: true, unique: true }], 'fields.0.unique'],
    [[{ key: 'x', type: 'select' }], 'fields.0.values'],
    [[{ key: 'x', type: 'select', values: [] }], 'fields.0.values'],
    [[{ key: 'x', type: 'select', values: ['a', 'a'] }], 'fields.0.values'],
    [[{ key: 'x', type: 'select', values: ['a', 1] }], 'fields.0.values'],
    [[{ key: 'x', type: 'select', values: ['a'], default: 'b' }], 'fields.0.default'],
    [[{ key: 'x', type: 'ref' }], 'fields.0.model'],
    [[{ key: 'x', type: 'ref', model: 'no_such_model' }], 'fields.0.model'],
    [[{ key: 'x', type: 'ref', model: 'collection' }], 'fields.0.model'],
    [[{ key: 'x', type: 'integer', default: 'five' }], 'fields.0.default'],
    [[{ key: 'x', type: 'integer', default: 1.5 }], 'fields.0.default'],
    [[{ key: 'x', type: 'date', default: '2026-02-30' }], 'fields.0.default'],
    [[{ key: 'x', type: 'string', pattern: '([' }], 'fields.0.pattern'],
  ];
  for (const [fields, path] of cases) {
    const name = mname('rule');
    const res = await post({ name, fields });
    assertHasPath(fieldsOf(res, JSON.stringify(fields)), path, JSON.stringify(fields));
    assert.equal((await get(name)).status, 404, `${JSON.stringify(fields)}: nothing created`);
  }

  // A ref to a model of another project is a missing model.
  const p2 = await createProject(server, rootToken);
  const foreign = mname('foreign');
  await createModel(server, rootToken, p2.id, { name: foreign, fields: [] });
  assertHasPath(fieldsOf(await post({ name: mname('rule'), fields: [{ key: 'x', type: 'ref', model: foreign }] })), 'fields.0.model');

  // An index naming an unknown field.
  expectFieldError(await post({ name: mname('rule'), fields: [{ key: 'a', type: 'string' }], indexes: [{ fields: ['a', 'nope'] }] }), 'indexes');
});

test('malformed bodies are 400', async () => {
  expectError(await api(server, 'POST', modelsPath(project.id), { token: rootToken, body: '{"name": ' }), 400, 'INVALID_ARGUMENT');
  expectError(await api(server, 'POST', modelsPath(project.id), { token: rootToken, body: '[1]' }), 400, 'INVALID_ARGUMENT');
  expectFieldError(await post({ name: mname('x'), fields: 'title' }), 'fields');
  expectFieldError(await post({ name: mname('x'), fields: [{ key: 'a', type: 'string' }], indexes: 'a' }), 'indexes');
});

// ---- auth and access --------------------------------------------------------

test('without credentials every model endpoint is 401', async () => {
  const name = mname('auth');
  await createModel(server, rootToken, project.id, { name, fields: [{ key: 'x', type: 'string' }] });
  const r = await rec(name, { x: 'v' });
  const calls = [
    ['GET', modelsPath(project.id)],
    ['POST', modelsPath(project.id), { name: mname('no'), fields: [] }],
    ['GET', modelsPath(project.id, name)],
    ['PUT', modelsPath(project.id, name), { description: 'x' }],
    ['GET', recordsPath(project.id, name)],
    ['POST', recordsPath(project.id, name), { x: 'v' }],
    ['GET', recordsPath(project.id, name, r.id)],
    ['PUT', recordsPath(project.id, name, r.id), { x: 'changed' }],
    ['PATCH', recordsPath(project.id, name, r.id), { x: 'changed' }],
    ['DELETE', recordsPath(project.id, name, r.id)],
    ['DELETE', modelsPath(project.id, name)],
  ];
  for (const [method, p, body] of calls) {
    expectError(await api(server, method, p, { body }), 401, 'UNAUTHENTICATED', `${method} ${p}`);
    expectError(await api(server, method, p, { body, token: 'not-a-token' }), 401, 'UNAUTHENTICATED', `${method} ${p} bad token`);
  }
  expectStatus(await get(name), 200, 'still there');
  assert.equal((await get(name)).body.description, '', 'unchanged');
  assert.deepEqual(await all(name), [r], 'the records are unchanged');
});

test("another user's project is 403 PERMISSION_DENIED (as in permissions.test.mjs); a member and the API key work", async () => {
  const name = mname('acl');
  const model = await createModel(server, rootToken, project.id, { name, fields: [{ key: 'x', type: 'string' }] });
  const r = await rec(name, { x: 'v' });
  const stranger = await createUserAndLogin(server, rootToken, {});
  const calls = [
    ['GET', modelsPath(project.id)],
    ['POST', modelsPath(project.id), { name: mname('no'), fields: [] }],
    ['GET', modelsPath(project.id, name)],
    ['PUT', modelsPath(project.id, name), { description: 'hacked' }],
    ['GET', recordsPath(project.id, name)],
    ['POST', recordsPath(project.id, name), { x: 'v' }],
    ['GET', recordsPath(project.id, name, r.id)],
    ['PUT', recordsPath(project.id, name, r.id), { x: 'hacked' }],
    ['PATCH', recordsPath(project.id, name, r.id), { x: 'hacked' }],
    ['DELETE', recordsPath(project.id, name, r.id)],
    ['DELETE', modelsPath(project.id, name)],
  ];
  for (const [method, p, body] of calls) {
    expectError(await api(server, method, p, { token: stranger.token, body }), 403, 'PERMISSION_DENIED', `stranger ${method} ${p}`);
  }
  // Another project's API key acts on its own project only.
  const other = await createProject(server, rootToken);
  for (const [method, p, body] of calls) {
    expectError(await api(server, method, p, { apiKey: other.api_key, body }), 403, 'PERMISSION_DENIED', `other key ${method} ${p}`);
  }
  const still = expectStatus(await get(name), 200).body;
  assert.equal(still.description, '', 'the refused PUT changed nothing');
  assert.deepEqual(await all(name), [r], 'the refused record calls changed nothing');
  assert.equal(still.id, model.id);

  // A project that does not exist is 404.
  expectError(await api(server, 'GET', modelsPath('00000000-0000-4000-8000-000000000000'), { token: rootToken }), 404, 'NOT_FOUND');

  // A member with access works.
  const member = await createUserAndLogin(server, rootToken, { project_ids: [project.id] });
  expectStatus(await api(server, 'GET', modelsPath(project.id, name), { token: member.token }), 200, 'member reads');

  // The project's own API key: the full lifecycle.
  const kname = mname('bykey');
  const k = project.api_key;
  const created = expectStatus(await post({ name: kname, fields: [{ key: 'x', type: 'string' }] }, { apiKey: k }), 201).body;
  assert.equal(created.project_id, project.id);
  expectList(await api(server, 'GET', modelsPath(project.id), { apiKey: k }));
  expectStatus(await api(server, 'GET', modelsPath(project.id, created.id), { apiKey: k }), 200);
  const changed = expectStatus(await api(server, 'PUT', modelsPath(project.id, kname), { apiKey: k, body: { description: 'by key' } }), 200).body;
  assert.equal(changed.description, 'by key');
  expectStatus(await api(server, 'POST', recordsPath(project.id, kname), { apiKey: k, body: { x: 'v' } }), 201);
  expectStatus(await api(server, 'DELETE', modelsPath(project.id, kname), { apiKey: k }), 204);
  expectError(await get(kname), 404, 'NOT_FOUND');
});

// ---- PUT: partial changes ---------------------------------------------------

test('PUT is partial: only the keys sent change; rename by name; unknown model is 404', async () => {
  const name = mname('part');
  const m = await createModel(server, rootToken, project.id, {
    name,
    description: 'first',
    fields: [{ key: 'a', type: 'string', max_length: 5 }, { key: 'b', type: 'integer' }],
    table_config: { columns: ['a'] },
  });
  const d = expectStatus(await put(name, { description: 'second' }), 200).body;
  assert.equal(d.description, 'second');
  assert.deepEqual(d.fields, m.fields, 'fields untouched');
  assert.deepEqual(d.table_config, m.table_config, 'table_config untouched');
  assert.equal(d.created_at, m.created_at);

  const tc = expectStatus(await put(m.id, { table_config: { columns: ['b'], default_sort: '-b' } }), 200).body;
  assert.deepEqual(tc.table_config.columns, ['b']);
  assert.equal(tc.description, 'second');

  const newName = mname('renamed');
  const r = expectStatus(await put(name, { name: newName }), 200).body;
  assert.equal(r.name, newName);
  assert.equal(r.id, m.id);
  expectStatus(await get(newName), 200);
  expectError(await get(name), 404, 'NOT_FOUND', 'the old name is gone');
  assertHasPath(fieldsOf(await put(newName, { name: 'transaction' })), 'name');

  expectError(await put(mname('ghost'), { description: 'x' }), 404, 'NOT_FOUND');
  expectError(await del(mname('ghost')), 404, 'NOT_FOUND');
  expectError(await get('00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
});

// ---- schema changes on data -------------------------------------------------

// A model with records {title, qty (string), price (integer), note}.
async function seeded(extra = []) {
  const name = mname('shop');
  await createModel(server, rootToken, project.id, {
    name,
    fields: [
      { key: 'title', type: 'string' },
      { key: 'qty', type: 'string' },
      { key: 'price', type: 'integer' },
      { key: 'note', type: 'text' },
      ...extra,
    ],
  });
  const rows = [
    { title: 'a', qty: '1', price: 3, note: 'n1' },
    { title: 'b', qty: '2', price: 4, note: null },
    { title: 'c', qty: '-7', price: 3, note: 'n3' },
  ];
  for (const r of rows) await rec(name, r);
  const fields = [
    { key: 'title', type: 'string' },
    { key: 'qty', type: 'string' },
    { key: 'price', type: 'integer' },
    { key: 'note', type: 'text' },
    ...extra,
  ];
  return { name, fields, before: await all(name) };
}

const withField = (fields, key, patch) => fields.map((f) => (f.key === key ? { ...f, ...patch } : f));

test('adding a field: existing records get its default (or null)', async () => {
  const { name, fields, before } = await seeded();
  const res = expectStatus(await put(name, { fields: [...fields, { key: 'stock', type: 'integer', default: 10 }, { key: 'memo', type: 'string' }] }), 200);
  assert.deepEqual(res.body.fields.map((f) => f.key), ['title', 'qty', 'price', 'note', 'stock', 'memo']);
  const after = await all(name);
  assert.equal(after.length, before.length);
  for (const r of after) {
    assert.equal(r.stock, 10, 'the default fills existing records');
    assert.equal(r.memo, null, 'no default: null');
    const old = before.find((x) => x.id === r.id);
    for (const k of ['title', 'qty', 'price', 'note', 'created']) assert.deepEqual(r[k], old[k], `${k} unchanged`);
  }
  // A new record gets the default too.
  assert.equal((await rec(name, { title: 'd' })).stock, 10);
});

test('adding a required or non-nullable field without a default to a model with records is 400; with a default it works', async () => {
  const { name, fields, before } = await seeded();
  for (const extra of [{ key: 'must', type: 'string', required: true }, { key: 'must', type: 'integer', nullable: false }]) {
    const f = fieldsOf(await put(name, { fields: [...fields, extra] }), JSON.stringify(extra));
    assert.ok(Object.keys(f).some((k) => k.startsWith('fields.4')), `names the new field fields.4…: ${JSON.stringify(f)}`);
  }
  const m = expectStatus(await get(name), 200).body;
  assert.deepEqual(m.fields.map((x) => x.key), ['title', 'qty', 'price', 'note'], 'refused: the model is unchanged');
  assert.deepEqual(await all(name), before, 'refused: the data is unchanged');

  expectStatus(await put(name, { fields: [...fields, { key: 'must', type: 'string', required: true, default: 'x' }] }), 200);
  assert.deepEqual((await all(name)).map((r) => r.must), ['x', 'x', 'x']);

  // On an empty model no default is needed.
  const empty = mname('empty');
  await createModel(server, rootToken, project.id, { name: empty, fields: [] });
  expectStatus(await put(empty, { fields: [{ key: 'must', type: 'string', required: true }] }), 200, 'empty model');
});

test('rename with old_key keeps the values under the new key', async () => {
  const { name, fields, before } = await seeded();
  const next = fields.map((f) => (f.key === 'title' ? { key: 'label', old_key: 'title', type: 'string' } : f));
  const res = expectStatus(await put(name, { fields: next }), 200);
  assert.deepEqual(res.body.fields.map((f) => f.key), ['label', 'qty', 'price', 'note']);
  assert.ok(!res.body.fields.some((f) => 'old_key' in f), 'old_key is an instruction, not stored');
  const after = await all(name);
  for (const r of after) {
    const old = before.find((x) => x.id === r.id);
    assert.equal(r.label, old.title, 'value kept under the new key');
    assert.ok(!('title' in r), 'the old key is gone');
    assert.equal(r.price, old.price);
  }
  // Filters and new records use the new key.
  const hit = expectList(await api(server, 'GET', `${recordsPath(project.id, name)}?filter=${encodeURIComponent("label = 'b'")}`, { token: rootToken }));
  assert.equal(hit.length, 1);
  expectFieldError(await api(server, 'POST', recordsPath(project.id, name), { token: rootToken, body: { title: 'x' } }), 'title');
});

test('removing a field drops it and nothing else changes', async () => {
  const { name, fields, before } = await seeded();
  expectStatus(await put(name, { fields: fields.filter((f) => f.key !== 'note') }), 200);
  const after = await all(name);
  assert.equal(after.length, before.length);
  for (const r of after) {
    const old = before.find((x) => x.id === r.id);
    const { note, ...rest } = old;
    assert.ok(!('note' in r), 'the removed key is gone');
    assert.deepEqual(r, rest, 'every other value, id, created and updated unchanged');
  }
  expectFieldError(await api(server, 'POST', recordsPath(project.id, name), { token: rootToken, body: { note: 'x' } }), 'note');
  // Adding it back does not resurrect the dropped values.
  expectStatus(await put(name, { fields }), 200);
  assert.deepEqual((await all(name)).map((r) => r.note), [null, null, null]);
});

test('a type change that cannot convert every record is refused with the count; nothing changes', async () => {
  const { name, fields, before } = await seeded();
  await rec(name, { title: 'x', qty: 'three', price: 1 });
  await rec(name, { title: 'y', qty: '4.5', price: 1 });
  const snapshot = await all(name);
  const model = expectStatus(await get(name), 200).body;
  const f = fieldsOf(await put(name, { fields: withField(fields, 'qty', { type: 'integer' }) }), 'string → integer');
  assertHasPath(f, 'fields.1.type');
  assert.match(f['fields.1.type'], /^2 of 5 records cannot be converted from string to integer/);
  assert.deepEqual(expectStatus(await get(name), 200).body, model, 'the model is unchanged');
  assert.deepEqual(await all(name), snapshot, 'the data is unchanged');
  assert.equal(before.length, 3);

  // The whole change is one transaction: a valid rename next to a refused conversion does not apply either.
  const mixed = withField(fields, 'qty', { type: 'integer' }).map((x) => (x.key === 'title' ? { key: 'label', old_key: 'title', type: 'string' } : x));
  fieldsOf(await put(name, { fields: mixed }), 'rename + bad conversion');
  assert.deepEqual(expectStatus(await get(name), 200).body.fields.map((x) => x.key), ['title', 'qty', 'price', 'note']);
  assert.deepEqual(await all(name), snapshot);

  // float → integer with a fraction is not exact.
  const nf = mname('fl');
  await createModel(server, rootToken, project.id, { name: nf, fields: [{ key: 'v', type: 'float' }] });
  await rec(nf, { v: 2 });
  const fractional = await rec(nf, { v: 2.5 });
  const e = fieldsOf(await put(nf, { fields: [{ key: 'v', type: 'integer' }] }), 'float 2.5 → integer');
  assert.match(e['fields.0.type'], /^1 of 2 records cannot be converted from float to integer/);
  // The message names the first failing record and its value, so it can be found and fixed.
  assert.ok(e['fields.0.type'].includes(`(first: record ${fractional.id}: 2.5 cannot be converted)`), e['fields.0.type']);
  assert.deepEqual((await all(nf)).map((r) => r.v), [2, 2.5]);
});

test('convertible type changes apply: integer→float, string→integer (all parse), integer→string, select→multiple', async () => {
  const { name, fields } = await seeded();
  // integer → float: values kept, fractions accepted afterwards.
  expectStatus(await put(name, { fields: withField(fields, 'price', { type: 'float' }) }), 200, 'integer → float');
  assert.deepEqual((await all(name)).map((r) => r.price), [3, 4, 3]);
  const r = await rec(name, { title: 'frac', price: 1.25 });
  assert.equal(r.price, 1.25);
  expectStatus(await api(server, 'DELETE', recordsPath(project.id, name, r.id), { token: rootToken }), 204);

  // string → integer when every value parses.
  const f2 = withField(withField(fields, 'price', { type: 'float' }), 'qty', { type: 'integer' });
  expectStatus(await put(name, { fields: f2 }), 200, 'string → integer');
  const after = await all(name);
  assert.deepEqual(after.map((x) => x.qty), [1, 2, -7]);
  for (const x of after) assert.equal(typeof x.qty, 'number');
  expectFieldError(await api(server, 'POST', recordsPath(project.id, name), { token: rootToken, body: { qty: '5' } }), 'qty');

  // integer → string (anything → string).
  expectStatus(await put(name, { fields: withField(f2, 'qty', { type: 'string' }) }), 200, 'integer → string');
  assert.deepEqual((await all(name)).map((x) => x.qty), ['1', '2', '-7']);

  // select → multiple select wraps each value in an array.
  const sel = mname('sel');
  await createModel(server, rootToken, project.id, { name: sel, fields: [{ key: 's', type: 'select', values: ['a', 'b'] }] });
  await rec(sel, { s: 'a' });
  await rec(sel, { s: 'b' });
  expectStatus(await put(sel, { fields: [{ key: 's', type: 'select', values: ['a', 'b'], multiple: true }] }), 200, 'single → multiple');
  assert.deepEqual((await all(sel)).map((x) => x.s), [['a'], ['b']]);
});

// Option changes that existing records break: [field, patch, its index].
const TIGHTEN = [
  ['price', { unique: true }, 2, 'unique'], // price holds 3, 4, 3
  ['price', { max: 3 }, 2, 'max'],
  ['qty', { max_length: 1 }, 1, 'max_length'], // "-7" is 2 characters
  ['note', { required: true }, 3, 'required'], // one note is null
];

test('tightening options against existing data (unique on duplicates, max, max_length, required) is refused and changes nothing', async () => {
  const { name, fields } = await seeded();
  const snapshot = await all(name);
  const model = expectStatus(await get(name), 200).body;
  for (const [key, patch] of TIGHTEN) {
    fieldsOf(await put(name, { fields: withField(fields, key, patch) }), `${key} ${JSON.stringify(patch)}`);
    assert.deepEqual(expectStatus(await get(name), 200).body, model, `${key} ${JSON.stringify(patch)}: the model is unchanged`);
  }
  assert.deepEqual(await all(name), snapshot, 'the data is unchanged');

  // unique on distinct values applies and holds afterwards.
  expectStatus(await put(name, { fields: withField(fields, 'title', { unique: true }) }), 200);
  expectError(await api(server, 'POST', recordsPath(project.id, name), { token: rootToken, body: { title: 'a' } }), 409, 'UNIQUE_VIOLATION');
});

test('a refused option change names fields.<i>.<option> with the number of records', async () => {
  const { name, fields } = await seeded();
  for (const [key, patch, i, option] of TIGHTEN) {
    const f = fieldsOf(await put(name, { fields: withField(fields, key, patch) }), `${key} ${JSON.stringify(patch)}`);
    assertHasPath(f, `fields.${i}.${option}`, `${key} ${JSON.stringify(patch)}`);
    assert.match(f[`fields.${i}.${option}`], /^\d+ (of \d+ )?records?\b/, `the message starts with the count: ${f[`fields.${i}.${option}`]}`);
  }
});

test('delete a model: 204, then the model and its records are 404, and the name is free again', async () => {
  const name = mname('gone');
  const m = await createModel(server, rootToken, project.id, { name, fields: [{ key: 'x', type: 'string' }] });
  const r = await rec(name, { x: 'v' });
  expectStatus(await del(name), 204);
  expectError(await get(name), 404, 'NOT_FOUND');
  expectError(await get(m.id), 404, 'NOT_FOUND');
  expectError(await api(server, 'GET', recordsPath(project.id, name), { token: rootToken }), 404, 'NOT_FOUND');
  expectError(await api(server, 'GET', recordsPath(project.id, m.id, r.id), { token: rootToken }), 404, 'NOT_FOUND');
  expectError(await del(name), 404, 'NOT_FOUND', 'a second delete');

  const again = await createModel(server, rootToken, project.id, { name, fields: [{ key: 'x', type: 'string' }] });
  assert.notEqual(again.id, m.id);
  assert.deepEqual(await all(name), [], 'the new model starts empty');
  expectError(await api(server, 'GET', recordsPath(project.id, name, r.id), { token: rootToken }), 404, 'NOT_FOUND');
});
