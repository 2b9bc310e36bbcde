// Records: typed validation, unique and composite-unique indexes, refs and
// their delete policies, expand/fields, partial updates, and the filter
// language over the API (docs/models.md).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createProject, expectError, expectFieldError, expectList, expectStatus, startWithRoot } from './fixtures.mjs';

let server, rootToken, project;
const models = () => `/api/projects/${project.id}/models`;
const data = (m) => `${models()}/${m}/data`;
const post = (m, body) => api(server, 'POST', data(m), { token: rootToken, body });
const list = (m, q = {}) => api(server, 'GET', `${data(m)}?${new URLSearchParams(q)}`, { token: rootToken });
const ids = async (m, filter, sort = 'n') => expectList(await list(m, { filter, sort, perPage: 500 })).map((r) => r.n);

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
  const mk = (body) => api(server, 'POST', models(), { token: rootToken, body }).then((r) => expectStatus(r, 201, body.name));
  await mk({ name: 'items', fields: [
    { key: 'n', type: 'integer', required: true },
    { key: 'title', type: 'string', max_length: 10 },
    { key: 'price', type: 'float', min: 0 },
    { key: 'ok', type: 'bool' },
    { key: 'meta', type: 'document' },
    { key: 'tags', type: 'select', values: ['red', 'green', 'vip'], multiple: true },
    { key: 'at', type: 'datetime' },
    { key: 'day', type: 'date' },
    { key: 'mail', type: 'email' },
    { key: 'site', type: 'url' },
    { key: 'code', type: 'string', pattern: '^[A-Z]{3}$' },
    { key: 'status', type: 'select', values: ['new', 'done'], default: 'new' },
    { key: 'path', type: 'file' },
  ] });
  await mk({ name: 'users', fields: [{ key: 'name', type: 'string', unique: true }] });
  await mk({ name: 'subs', fields: [{ key: 'user', type: 'string' }, { key: 'bot', type: 'string' }],
    indexes: [{ fields: ['user', 'bot'], unique: true }] });
  await mk({ name: 'authors', fields: [{ key: 'name', type: 'string' }] });
  await mk({ name: 'books', fields: [
    { key: 'title', type: 'string' },
    { key: 'author', type: 'ref', model: 'authors' },                                   // restrict
    { key: 'editor', type: 'ref', model: 'authors', on_delete: 'set_null' },
    { key: 'fans', type: 'ref', model: 'authors', multiple: true, on_delete: 'set_null' },
  ] });
  await mk({ name: 'chapters', fields: [{ key: 'book', type: 'ref', model: 'books', on_delete: 'cascade' }] });
  const rows = [
    { n: 1, title: 'Apple', price: 10.5, ok: true, meta: { src: 'web', deep: { a: [1, null, { b: 'c' }] } }, tags: ['red', 'vip'], at: '2026-11-01T10:00:00Z' },
    { n: 2, title: 'banana', price: 3, ok: false, meta: { src: 'app' }, tags: ['green'], at: '2026-11-01T12:30:00+03:00' },
    { n: 3, title: 'Cherry pie', tags: [], at: '2026-11-02T00:00:00Z' },
    { n: 4, title: null, price: 0 },
  ];
  for (const r of rows) expectStatus(await post('items', r), 201);
});
after(async () => { await server?.stop(); });

test('values round-trip with their types; datetimes come back as UTC', async () => {
  const r = expectStatus(await post('items', { n: 2 ** 53, title: 'x', meta: { a: [1, { b: null }], c: null }, at: '2026-11-24T15:00:00+03:00',
    day: '2024-02-29', mail: 'a@b.io', site: 'https://m3m.dev/x?y=1', code: 'ABC', path: 'docs/a.txt' }), 201).body;
  assert.match(r.id, /^[a-z0-9]{15}$/);
  assert.ok(r.created.endsWith('Z') && r.created === r.updated);
  assert.equal(r.n, 2 ** 53);
  assert.deepEqual(r.meta, { a: [1, { b: null }], c: null });
  assert.equal(r.at, '2026-11-24T12:00:00.000Z');
  assert.equal(r.status, 'new', 'default applied');
  assert.equal(r.price, null);
  const back = expectStatus(await api(server, 'GET', `${data('items')}/${r.id}`, { token: rootToken }), 200).body;
  assert.deepEqual(back, r);
  expectStatus(await api(server, 'DELETE', `${data('items')}/${r.id}`, { token: rootToken }), 204);
});

test('wrong values are refused, every failing field at once, nothing stored', async () => {
  const before = expectList(await list('items')).length;
  const err = expectError(await post('items', { n: 1.5, title: 'much too long title', price: -1, ok: 'yes', tags: ['red', 'red'],
    at: 'tomorrow', day: '2026-02-30', mail: 'nope', site: 'ftp://x', code: 'abc', status: 'x', path: '../etc/passwd', bogus: 1, id: 'x' }),
  400, 'INVALID_ARGUMENT');
  for (const k of ['n', 'title', 'price', 'ok', 'tags', 'at', 'day', 'mail', 'site', 'code', 'status', 'path', 'bogus', 'id'])
    assert.ok(k in err.fields, `${k} in ${JSON.stringify(err.fields)}`);
  expectFieldError(await post('items', { n: '5' }), 'n', 'no implicit conversion');
  expectFieldError(await post('items', {}), 'n', 'required');
  expectFieldError(await post('items', { n: 1, path: '/abs' }), 'path');
  expectFieldError(await post('items', { n: 1, path: 'a\\b' }), 'path');
  expectError(await api(server, 'POST', data('items'), { token: rootToken, body: '{"n": 1' }), 400, 'INVALID_ARGUMENT');
  expectError(await api(server, 'POST', data('items'), { token: rootToken, body: '[]' }), 400, 'INVALID_ARGUMENT');
  const huge = await api(server, 'POST', data('items'), { token: rootToken, body: JSON.stringify({ n: 1, title: 'x'.repeat(12 * 1024 * 1024) }) });
  assert.equal(huge.status, 413);
  assert.equal(expectList(await list('items')).length, before, 'nothing stored');
  expectError(await post('nomodel', { n: 1 }), 404, 'NOT_FOUND');
  expectError(await api(server, 'GET', `${data('items')}/zzzzzzzzzzzzzzz`, { token: rootToken }), 404, 'NOT_FOUND');
});

test('unique and composite unique: 409 UNIQUE_VIOLATION naming the fields; refused updates change nothing', async () => {
  expectStatus(await post('users', { name: 'ann' }), 201);
  const dup = expectError(await post('users', { name: 'ann' }), 409, 'UNIQUE_VIOLATION');
  assert.deepEqual(Object.keys(dup.fields), ['name']);
  expectStatus(await post('subs', { user: 'u1', bot: 'b1' }), 201);
  const other = expectStatus(await post('subs', { user: 'u1', bot: 'b2' }), 201).body;
  expectStatus(await post('subs', { user: 'u2', bot: 'b1' }), 201);
  const err = expectError(await post('subs', { user: 'u1', bot: 'b1' }), 409, 'UNIQUE_VIOLATION');
  assert.deepEqual(Object.keys(err.fields).sort(), ['bot', 'user']);
  expectError(await api(server, 'PUT', `${data('subs')}/${other.id}`, { token: rootToken, body: { bot: 'b1' } }), 409, 'UNIQUE_VIOLATION');
  const still = expectStatus(await api(server, 'GET', `${data('subs')}/${other.id}`, { token: rootToken }), 200).body;
  assert.equal(still.bot, 'b2');
});

test('partial updates with PUT and PATCH; updated moves, created stays; read-only system fields', async () => {
  const r = expectStatus(await post('items', { n: 50, title: 'up' }), 201).body;
  await new Promise((res) => setTimeout(res, 5));
  const u = expectStatus(await api(server, 'PATCH', `${data('items')}/${r.id}`, { token: rootToken, body: { price: 2 } }), 200).body;
  assert.equal(u.title, 'up');
  assert.equal(u.price, 2);
  assert.equal(u.created, r.created);
  assert.ok(u.updated > r.updated);
  expectStatus(await api(server, 'PUT', `${data('items')}/${r.id}`, { token: rootToken, body: { title: 'up2' } }), 200);
  expectFieldError(await api(server, 'PUT', `${data('items')}/${r.id}`, { token: rootToken, body: { created: 'x' } }), 'created');
  expectFieldError(await api(server, 'PUT', `${data('items')}/${r.id}`, { token: rootToken, body: { n: null } }), 'n');
  expectError(await api(server, 'PUT', `${data('items')}/zzzzzzzzzzzzzzz`, { token: rootToken, body: { title: 'x' } }), 404, 'NOT_FOUND');
  expectStatus(await api(server, 'DELETE', `${data('items')}/${r.id}`, { token: rootToken }), 204);
  expectError(await api(server, 'DELETE', `${data('items')}/${r.id}`, { token: rootToken }), 404, 'NOT_FOUND');
});

test('refs: must exist; restrict, set_null (single and multiple) and cascade; expand and fields', async () => {
  const a1 = expectStatus(await post('authors', { name: 'A1' }), 201).body;
  const a2 = expectStatus(await post('authors', { name: 'A2' }), 201).body;
  expectFieldError(await post('books', { author: 'zzzzzzzzzzzzzzz' }), 'author');
  expectFieldError(await post('books', { fans: [a1.id, 'zzzzzzzzzzzzzzz'] }), 'fans');
  const book = expectStatus(await post('books', { title: 'B', author: a1.id, editor: a2.id, fans: [a1.id, a2.id] }), 201).body;
  const ch = expectStatus(await post('chapters', { book: book.id }), 201).body;

  const got = expectStatus(await api(server, 'GET', `${data('books')}/${book.id}?expand=author,fans&fields=title,author`, { token: rootToken }), 200).body;
  assert.deepEqual(Object.keys(got).sort(), ['author', 'expand', 'title']);
  assert.equal(got.expand.author.name, 'A1');
  assert.deepEqual(got.expand.fans.map((x) => x.name), ['A1', 'A2']);
  expectFieldError(await api(server, 'GET', `${data('books')}?expand=title`, { token: rootToken }), 'expand');

  // a1 is the author (restrict): refused, nothing changes.
  expectError(await api(server, 'DELETE', `${data('authors')}/${a1.id}`, { token: rootToken }), 409, 'CONFLICT');
  assert.equal(expectStatus(await api(server, 'GET', `${data('books')}/${book.id}`, { token: rootToken }), 200).body.fans.length, 2);
  // a2 is editor and fan (set_null): editor null, removed from fans.
  expectStatus(await api(server, 'DELETE', `${data('authors')}/${a2.id}`, { token: rootToken }), 204);
  const after2 = expectStatus(await api(server, 'GET', `${data('books')}/${book.id}`, { token: rootToken }), 200).body;
  assert.equal(after2.editor, null);
  assert.deepEqual(after2.fans, [a1.id]);
  // Deleting the book cascades to its chapter.
  expectStatus(await api(server, 'DELETE', `${data('books')}/${book.id}`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', `${data('chapters')}/${ch.id}`, { token: rootToken }), 404, 'NOT_FOUND');
});

test('filters: every operator, precedence, nulls, multi-value, document paths, datetimes', async () => {
  assert.deepEqual(await ids('items', 'n = 2'), [2]);
  assert.deepEqual(await ids('items', 'n != 2'), [1, 3, 4]);
  assert.deepEqual(await ids('items', 'price > 3'), [1]);
  assert.deepEqual(await ids('items', 'price >= 3'), [1, 2]);
  assert.deepEqual(await ids('items', 'price < 3'), [4]);
  assert.deepEqual(await ids('items', 'price <= 3'), [2, 4]);
  assert.deepEqual(await ids('items', "title ~ 'AN'"), [2]);
  assert.deepEqual(await ids('items', "title !~ 'an'"), [1, 3, 4], '!~ matches null too');
  assert.deepEqual(await ids('items', 'title = null'), [4]);
  assert.deepEqual(await ids('items', 'price != null && ok = true'), [1]);
  assert.deepEqual(await ids('items', "(price > 5 || title ~ 'pie') && n < 3"), [1]);
  assert.deepEqual(await ids('items', "price > 5 || title ~ 'pie' && n < 3"), [1], '&& binds tighter: 1 || (3 && false)');
  assert.deepEqual(await ids('items', "tags ?= 'vip'"), [1]);
  assert.deepEqual(await ids('items', "tags ?~ 'ee'"), [2]);
  assert.deepEqual(await ids('items', "meta.src = 'app'"), [2]);
  // 09:45Z: item 1 (10:00Z) is later although its text "10:00" sorts before "11:45"; item 2 is 09:30Z.
  assert.deepEqual(await ids('items', "at > '2026-11-01T11:45:00+02:00'"), [1, 3], 'chronological across offsets');
  assert.deepEqual(await ids('items', "at >= '2026-11-02'"), [3]);
  assert.deepEqual(await ids('items', 'at < @now'), [1, 2, 3]);
  assert.deepEqual(await ids('items', "'b' < title"), [2], 'value on the left');
});

test('sort, paging, skipTotal; bad filters and sorts are 400 with a position; injection stays data', async () => {
  const items = expectList(await list('items', { sort: '-price,n', perPage: 2, page: 1 }));
  assert.deepEqual(items.map((r) => r.n), [1, 2]);
  const p2 = expectStatus(await list('items', { sort: '-price,n', perPage: 2, page: 2 }), 200).body;
  assert.deepEqual(p2.items.map((r) => r.n), [4, 3], 'nulls sort last descending');
  assert.equal(p2.total_items, 4);
  assert.equal(p2.total_pages, 2);
  const skip = expectStatus(await list('items', { skipTotal: 'true', perPage: 500 }), 200).body;
  assert.equal(skip.total_items, -1);
  assert.equal(skip.total_pages, -1);
  expectFieldError(await list('items', { perPage: 501 }), 'per_page');
  const bad = expectFieldError(await list('items', { filter: 'n >' }), 'filter');
  assert.match(bad.fields.filter, /^position 3: /);
  expectFieldError(await list('items', { filter: 'nope = 1' }), 'filter');
  expectFieldError(await list('items', { filter: "n = '1'" }), 'filter');
  expectFieldError(await list('items', { sort: 'nope' }), 'sort');
  expectFieldError(await list('items', { sort: 'n;drop' }), 'sort');
  expectFieldError(await list('items', { fields: 'n,nope' }), 'fields');
  for (const filter of ["title = 'x' OR 1=1 --", "title = \"a'; DROP TABLE items; --\"", "title = 'a\\' || 1=1'"]) {
    const res = await list('items', { filter });
    assert.ok(res.status === 400 || (res.status === 200 && res.body.items.length === 0), `${filter}: ${res.status}`);
  }
  assert.equal(expectList(await list('items', { perPage: 500 })).length, 4, 'the table is intact');
});
