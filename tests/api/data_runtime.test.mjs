// The runtime `database` module through a deployed service: CRUD, filters
// with params, object filters, compare-and-set, upsert, transactions, errors
// carrying code and fields, and the project's typed declarations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, createProject, deploy, expectList, expectStatus, startRunning, startWithRoot } from './fixtures.mjs';
import { DRIVER } from './harness.mjs';

let server, rootToken, project;

const code = `
const orders = database.collection('orders');
const json = (fn) => (ctx) => { try { return fn(ctx) } catch (e) { return router.response(500, { thrown: e.message, code: e.code, fields: e.fields, name: e.constructor.name }) } };
service.start(() => {
  router.post('/insert', json((ctx) => orders.insert(ctx.body)));
  router.get('/find', json((ctx) => database.orders.find(ctx.query.f, { params: { min: Number(ctx.query.min || 0), s: ctx.query.s || '' }, sort: ctx.query.sort || '-total', limit: Number(ctx.query.limit || 100), skip: Number(ctx.query.skip || 0) }).map((r) => r.title)));
  router.post('/findObj', json((ctx) => orders.find(ctx.body, { sort: 'title' }).map((r) => r.title)));
  router.get('/one/:id', json((ctx) => orders.findOne(ctx.params.id)));
  router.get('/none', json(() => ({ found: orders.findOne({ title: 'no such title' }) })));
  router.get('/count', json((ctx) => orders.count(ctx.query.f || null)));
  router.post('/cas/:id', json((ctx) => orders.update({ id: ctx.params.id, status: 'new' }, { status: 'sending' })));
  router.post('/update/:id', json((ctx) => orders.update(ctx.params.id, ctx.body)));
  router.post('/deleteWhere', json((ctx) => orders.delete(ctx.body.filter)));
  router.post('/upsert', json((ctx) => orders.upsert({ title: ctx.body.title }, ctx.body)));
  router.post('/tx-ok', json(() => database.transaction(() => { orders.insert({ title: 'tx-a', total: 1 }); orders.insert({ title: 'tx-b', total: 1 }); return 'done' })));
  router.post('/tx-fail', json(() => database.transaction(() => { orders.insert({ title: 'tx-c', total: 1 }); throw new RangeError('changed my mind') })));
  router.post('/tx-async', json(() => database.transaction(async () => { orders.insert({ title: 'tx-d', total: 1 }) })));
  router.post('/tx-invalid', json(() => database.transaction(() => { orders.insert({ title: 'tx-e', total: 1 }); orders.insert({ total: -1 }) })));
  router.get('/unknown', json(() => database.nope.find()));
  router.get('/awaited', async () => (await orders.count(null)) >= 0);
  router.get('/badopts', json(() => orders.find(null, { limit: 5000 })));
});
`;

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
  expectStatus(await api(server, 'POST', `/api/projects/${project.id}/models`, { token: rootToken, body: { name: 'orders', fields: [
    { key: 'title', type: 'string', required: true, unique: true },
    { key: 'total', type: 'float', min: 0, indexed: true },
    { key: 'status', type: 'select', values: ['new', 'sending', 'sent'], default: 'new' },
  ] } }), 201);
  const version = await deploy(server, rootToken, project.id, code);
  await startRunning(server, rootToken, project.id, version);
});
after(async () => { await server?.stop(); });

const call = (path, body, method = body === undefined ? 'GET' : 'POST') => callRoute(server, project.slug, path, { method, body });

test('insert returns the stored record; the REST API sees it and JS sees API writes', async () => {
  const r = expectStatus(await call('/insert', { title: 'a', total: 12 }), 200).body;
  assert.match(r.id, /^[a-z0-9]{15}$/);
  assert.equal(r.status, 'new');
  assert.ok(r.created && r.updated);
  const viaApi = expectStatus(await api(server, 'GET', `/api/projects/${project.id}/models/orders/data/${r.id}`, { token: rootToken }), 200).body;
  assert.deepEqual(viaApi, r);
  expectStatus(await api(server, 'POST', `/api/projects/${project.id}/models/orders/data`, { token: rootToken, body: { title: 'b', total: 3 } }), 201);
  expectStatus(await call('/insert', { title: 'c', total: 30 }), 200);
  assert.deepEqual(expectStatus(await call('/find?f=' + encodeURIComponent('total > {:min}') + '&min=5'), 200).body, ['c', 'a']);
  assert.deepEqual((await call('/find?f=&sort=title&limit=2&skip=1')).body, ['b', 'c']);
  assert.deepEqual(expectStatus(await call('/findObj', { total: { $gte: 3, $lt: 20 } }), 200).body, ['a', 'b']);
  assert.deepEqual((await call('/findObj', { $or: [{ title: 'a' }, { title: { $in: ['c'] } }] })).body, ['a', 'c']);
  assert.equal((await call('/one/' + r.id)).body.title, 'a');
  assert.deepEqual((await call('/none')).body, { found: null }, 'findOne → null');
  assert.equal((await call('/count')).body, 3);
  assert.equal((await call('/count?f=' + encodeURIComponent("title ~ 'A'"))).body, 1);
  assert.equal((await call('/awaited')).body, true, 'await on a sync result works');
});

test('errors are catchable and carry code and fields', async () => {
  const bad = (await call('/insert', { total: -1, bogus: 1 })).body;
  assert.equal(bad.code, 'INVALID_ARGUMENT');
  assert.deepEqual(Object.keys(bad.fields).sort(), ['bogus', 'title', 'total']);
  assert.equal(bad.name, 'TypeError');
  const dup = (await call('/insert', { title: 'a' })).body;
  assert.equal(dup.code, 'UNIQUE_VIOLATION');
  assert.deepEqual(Object.keys(dup.fields), ['title']);
  assert.equal((await call('/unknown')).body.code, 'NOT_FOUND');
  const filterErr = (await call('/find?f=' + encodeURIComponent('total >'))).body;
  assert.match(filterErr.fields.filter, /^position 7: /);
  const noParam = (await call('/find?f=' + encodeURIComponent('title = {:nope}'))).body;
  assert.ok('params.nope' in noParam.fields, JSON.stringify(noParam));
  assert.ok('options.limit' in (await call('/badopts')).body.fields);
});

test('update by id or filter returns the count; compare-and-set has exactly one winner under concurrency', async () => {
  const r = expectStatus(await call('/insert', { title: 'cas', total: 1 }), 200).body;
  const results = await Promise.all(Array.from({ length: 20 }, () => call('/cas/' + r.id, {})));
  const wins = results.map((x) => x.body);
  assert.equal(wins.filter((x) => x === 1).length, 1, `one winner: ${wins}`);
  assert.equal(wins.filter((x) => x === 0).length, 19);
  assert.equal((await call('/update/' + r.id, { status: 'sent' })).body, 1);
  assert.equal((await call('/update/zzzzzzzzzzzzzzz', { status: 'sent' })).body, 0);
  assert.equal((await call('/one/' + r.id)).body.status, 'sent');
  assert.equal((await call('/update/' + r.id, { status: 'bogus' })).body.code, 'INVALID_ARGUMENT');
});

test('upsert inserts then updates; delete by filter returns the count', async () => {
  const first = (await call('/upsert', { title: 'u1', total: 1 })).body;
  const second = (await call('/upsert', { title: 'u1', total: 2 })).body;
  assert.equal(second.id, first.id);
  assert.equal(second.total, 2);
  await call('/upsert', { title: 'u2', total: 2 });
  assert.equal((await call('/deleteWhere', { filter: "title ~ 'u'" })).body, 2);
  assert.equal((await call('/deleteWhere', { filter: "title ~ 'u'" })).body, 0);
});

test('transactions commit together or not at all', async () => {
  const first = (await call('/tx-ok', {})).body;
  if (DRIVER === 'mongodb' && first?.code === 'UNAVAILABLE') {
    // MongoDB without a replica set (FerretDB): refused, documented, nothing written.
    assert.match(first.thrown ?? first.message ?? '', /needs multi-document transactions/);
    for (const route of ['/tx-fail', '/tx-async', '/tx-invalid']) assert.equal((await call(route, {})).body.code, 'UNAVAILABLE', route);
    const left = expectList(await api(server, 'GET', `/api/projects/${project.id}/models/orders/data?filter=${encodeURIComponent("title ~ 'tx-'")}`, { token: rootToken }));
    assert.deepEqual(left, [], 'a refused transaction wrote nothing');
    return;
  }
  assert.equal(first, 'done');
  const failed = (await call('/tx-fail', {})).body;
  assert.equal(failed.thrown, 'changed my mind');
  assert.equal(failed.name, 'RangeError', 'the callback\'s own exception is rethrown');
  const asyncFn = (await call('/tx-async', {})).body;
  assert.equal(asyncFn.name, 'TypeError');
  const invalid = (await call('/tx-invalid', {})).body;
  assert.equal(invalid.code, 'INVALID_ARGUMENT');
  const titles = expectList(await api(server, 'GET', `/api/projects/${project.id}/models/orders/data?filter=${encodeURIComponent("title ~ 'tx-'")}&sort=title`, { token: rootToken })).map((r) => r.title);
  assert.deepEqual(titles, ['tx-a', 'tx-b'], 'only the committed transaction left records');
});

test('the editor types include the project\'s models', async () => {
  const res = expectStatus(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: rootToken }), 200);
  assert.match(res.text, /interface OrdersRecord extends M3MRecord \{/);
  assert.match(res.text, /title: string;/);
  assert.match(res.text, /status: "new" \| "sending" \| "sent" \| null;/);
  assert.match(res.text, /orders: M3MCollection<OrdersRecord>;/);
  assert.match(res.text, /declare const database: M3MModels/);
  const plain = expectStatus(await api(server, 'GET', '/api/runtime/types', { token: rootToken }), 200);
  assert.doesNotMatch(plain.text, /OrdersRecord/);
  const other = await createProject(server, rootToken);
  const denied = await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { apiKey: other.api_key });
  assert.ok([403, 404].includes(denied.status), `another project's key: ${denied.status}`);
});
