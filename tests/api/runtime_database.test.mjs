// The runtime `database` module (docs/models.md, "Runtime `database`")
// exercised through a deployed project's routes: insert/find/findOne/count/
// update/delete/upsert, string and object filters, transactions (commit,
// rollback, async refused, savepoints), errors carrying code and fields, the
// same records through the REST API, compare-and-set under concurrency, and
// the project's models in GET /api/runtime/types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createModel,
  createProject,
  createUserAndLogin,
  deploy,
  expectError,
  expectStatus,
  listAllRecords,
  recordsPath,
  startRunning,
  startWithRoot,
  uniq,
} from './fixtures.mjs';
import { DRIVER } from './harness.mjs';

let server;
let rootToken;
let project;

// Every route answers 200 {ok: <result>} or, when the call threw, 200 {caught: {...}}.
const CODE = `
const orders = database.collection('orders');
const describeError = (e) => ({
  isError: e instanceof Error, name: e && e.name, message: e && e.message,
  code: e && e.code === undefined ? null : e.code, fields: e && e.fields === undefined ? null : e.fields,
});
const wrap = (fn) => async (ctx) => {
  try { return { ok: await fn(ctx) }; } catch (e) { return { caught: describeError(e) }; }
};
service.start(() => {
  router.post('/insert', wrap((ctx) => orders.insert(ctx.body)));
  router.post('/insert-many', wrap((ctx) => {
    for (let i = 0; i < ctx.body.count; i++) database.collection(ctx.body.model).insert({ k: i });
    return ctx.body.count;
  }));
  router.post('/find', wrap((ctx) => orders.find(ctx.body.filter, ctx.body.options)));
  router.post('/find-in', wrap((ctx) => database.collection(ctx.body.model).find(ctx.body.filter, ctx.body.options)));
  router.post('/find-one', wrap((ctx) => orders.findOne(ctx.body.filter)));
  router.post('/count', wrap((ctx) => ctx.body.filter === undefined ? orders.count() : orders.count(ctx.body.filter)));
  router.post('/update', wrap((ctx) => orders.update(ctx.body.target, ctx.body.patch)));
  router.post('/delete', wrap((ctx) => orders.delete(ctx.body.filter)));
  router.post('/upsert', wrap((ctx) => orders.upsert(ctx.body.filter, ctx.body.data)));
  router.post('/cas/:id', wrap((ctx) => orders.update({ id: ctx.params.id, status: 'new' }, { status: 'paid' })));
  router.get('/shortcut', wrap(() => ({ same: database.orders.count() === orders.count(), count: database.orders.count(),
    titles: database.orders.find(null, { sort: 'title' }).map((r) => r.title) })));
  router.get('/awaited', wrap(async () => {
    const n = await orders.count();
    const all = await orders.find(null, { limit: 1000 });
    const none = await orders.findOne({ title: 'no such title at all' });
    return { n, len: all.length, none };
  }));
  router.get('/unknown', wrap(() => database.collection('no_such_model').find()));
  router.get('/unknown-insert', wrap(() => database.collection('no_such_model').insert({ a: 1 })));
  router.post('/tx', wrap((ctx) => {
    const b = ctx.body;
    if (b.mode === 'commit') {
      database.transaction(() => { orders.insert({ title: b.prefix + '-1', total: 1 }); orders.insert({ title: b.prefix + '-2', total: 2 }); });
      return 'committed';
    }
    if (b.mode === 'throw') {
      database.transaction(() => {
        orders.insert({ title: b.prefix + '-1', total: 1 });
        orders.update(b.id, { total: 999 });
        throw new RangeError('changed my mind');
      });
      return 'not reached';
    }
    if (b.mode === 'async') {
      database.transaction(async () => { orders.insert({ title: b.prefix + '-1', total: 1 }); });
      return 'not reached';
    }
    if (b.mode === 'invalid') {
      database.transaction(() => { orders.insert({ title: b.prefix + '-1', total: 1 }); orders.insert({ title: b.prefix + '-2', total: -5 }); });
      return 'not reached';
    }
    if (b.mode === 'caught-inside') {
      // A failed write caught inside the transaction: the transaction itself still commits.
      database.transaction(() => {
        orders.insert({ title: b.prefix + '-1', total: 1 });
        try { orders.insert({ title: b.prefix + '-1', total: 1 }); } catch (e) { if (e.code !== 'UNIQUE_VIOLATION') throw e; }
      });
      return 'committed';
    }
    if (b.mode === 'nested') {
      database.transaction(() => {
        orders.insert({ title: b.prefix + '-outer', total: 1 });
        try {
          database.transaction(() => { orders.insert({ title: b.prefix + '-inner', total: 1 }); throw new Error('inner'); });
        } catch (e) { if (e.message !== 'inner') throw e; }
        database.transaction(() => { orders.insert({ title: b.prefix + '-inner-ok', total: 1 }); });
      });
      return 'committed';
    }
    return 'unknown mode';
  }));
});
`;

const call = async (p, body) => {
  const res = await callRoute(server, project.slug, p, { method: body === undefined ? 'GET' : 'POST', body });
  expectStatus(res, 200, `route ${p} ${JSON.stringify(body)?.slice(0, 200)}`);
  return res.body;
};
// The result of a call that must succeed.
const ok = async (p, body) => {
  const b = await call(p, body);
  assert.ok(!b.caught, `${p} ${JSON.stringify(body)} threw: ${JSON.stringify(b.caught)}`);
  assert.ok(Object.hasOwn(b, 'ok'), `${p}: ${JSON.stringify(b)}`);
  return b.ok;
};
// The error of a call that must throw.
const caught = async (p, body) => {
  const b = await call(p, body);
  assert.ok(b.caught, `${p} ${JSON.stringify(body)} should throw, returned ${JSON.stringify(b.ok)?.slice(0, 300)}`);
  return b.caught;
};
const rest = (model = 'orders', id) => recordsPath(project.id, model, id);
const titles = (records) => records.map((r) => r.title);
const restTitles = async (filter) =>
  titles(await listAllRecords(server, rootToken, project.id, 'orders', filter ? { filter, sort: 'title' } : { sort: 'title' }));

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
  await createModel(server, rootToken, project.id, { name: 'customers', fields: [{ key: 'name', type: 'string' }] });
  await createModel(server, rootToken, project.id, { name: 'orders', fields: [
    { key: 'title', type: 'string', required: true, unique: true },
    { key: 'total', type: 'float', min: 0, indexed: true },
    { key: 'status', type: 'select', values: ['new', 'paid', 'sent'], default: 'new' },
    { key: 'customer', type: 'ref', model: 'customers', on_delete: 'set_null' },
    { key: 'meta', type: 'document' },
  ] });
  await createModel(server, rootToken, project.id, { name: 'many', fields: [{ key: 'k', type: 'integer' }] });
  const version = await deploy(server, rootToken, project.id, CODE);
  await startRunning(server, rootToken, project.id, version);
});
after(async () => {
  await server?.stop();
});

// ---- insert, read, REST interplay -------------------------------------------

test('insert returns the stored record; REST reads the same record; JS reads what REST wrote', async () => {
  const r = await ok('/insert', { title: 'js-a', total: 12, meta: { deep: [1, null, { x: 'y' }] } });
  assert.match(r.id, /^[a-z0-9]{15}$/);
  assert.equal(r.title, 'js-a');
  assert.equal(r.total, 12);
  assert.equal(r.status, 'new', 'default applied');
  assert.equal(r.customer, null, 'every key present');
  assert.deepEqual(r.meta, { deep: [1, null, { x: 'y' }] });
  assert.ok(typeof r.created === 'string' && typeof r.updated === 'string', 'created and updated are set');
  const viaRest = expectStatus(await api(server, 'GET', rest('orders', r.id), { token: rootToken }), 200).body;
  assert.deepEqual(viaRest, r);

  const fromRest = expectStatus(await api(server, 'POST', rest(), { token: rootToken, body: { title: 'rest-b', total: 3, status: 'paid' } }), 201).body;
  assert.deepEqual(await ok('/find-one', { filter: { id: fromRest.id } }), fromRest);
  assert.deepEqual(await ok('/find-one', { filter: `id = '${fromRest.id}'` }), fromRest, 'findOne with a string filter');

  // A JS update is visible through REST, a REST update through JS.
  assert.equal(await ok('/update', { target: fromRest.id, patch: { total: 4 } }), 1);
  assert.equal(expectStatus(await api(server, 'GET', rest('orders', fromRest.id), { token: rootToken }), 200).body.total, 4);
  expectStatus(await api(server, 'PATCH', rest('orders', r.id), { token: rootToken, body: { total: 13 } }), 200);
  assert.equal((await ok('/find-one', { filter: { id: r.id } })).total, 13);

  // Clean up.
  assert.equal(await ok('/delete', { filter: { title: { $in: ['js-a', 'rest-b'] } } }), 2);
  expectError(await api(server, 'GET', rest('orders', r.id), { token: rootToken }), 404, 'NOT_FOUND');
});

// ---- find / findOne / count -------------------------------------------------

test('find: string filter with params, sort, limit and skip; the same with an object filter', async () => {
  const rows = [['f-a', 12, 'new'], ['f-b', 3, 'new'], ['f-c', 30, 'paid'], ['f-d', 15, 'new'], ['f-e', 0, 'sent']];
  for (const [title, total, status] of rows) await ok('/insert', { title, total, status });
  const str = await ok('/find', { filter: "total > {:min} && status = {:s} && title ~ 'f-'", options: { params: { min: 10, s: 'new' }, sort: '-total', limit: 20, skip: 0 } });
  assert.deepEqual(titles(str), ['f-d', 'f-a']);
  const obj = await ok('/find', { filter: { total: { $gt: 10 }, status: 'new', title: { $contains: 'f-' } }, options: { sort: '-total' } });
  assert.deepEqual(obj, str, 'object filter, same records');

  assert.deepEqual(titles(await ok('/find', { filter: "title ~ 'f-'", options: { sort: 'title', limit: 2, skip: 1 } })), ['f-b', 'f-c']);
  assert.deepEqual(titles(await ok('/find', { filter: "title ~ 'f-'", options: { sort: '-total', limit: 1 } })), ['f-c']);
  assert.deepEqual(titles(await ok('/find', { filter: "title ~ 'f-'", options: { sort: 'title', skip: 4 } })), ['f-e']);
  assert.deepEqual(await ok('/find', { filter: "title ~ 'f-' && total > 1000" }), [], 'no match → []');

  // Params are values, never syntax.
  assert.deepEqual(await ok('/find', { filter: 'title = {:t}', options: { params: { t: "f-a' || title ~ 'f" } } }), []);
  assert.deepEqual(titles(await ok('/find', { filter: 'title = {:t}', options: { params: { t: 'f-a' } } })), ['f-a']);

  // Object filter operators against their string equivalents.
  const pairs = [
    [{ title: { $contains: 'f-' }, total: { $gte: 12, $lte: 15 } }, "title ~ 'f-' && total >= 12 && total <= 15"],
    [{ title: { $contains: 'f-' }, total: { $lt: 12 } }, "title ~ 'f-' && total < 12"],
    [{ title: { $contains: 'f-' }, status: { $ne: 'new' } }, "title ~ 'f-' && status != 'new'"],
    [{ title: { $in: ['f-a', 'f-e', 'nope'] } }, "title = 'f-a' || title = 'f-e'"],
    [{ title: { $contains: 'f-', $nin: ['f-a', 'f-b'] } }, "title ~ 'f-' && title != 'f-a' && title != 'f-b'"],
    [{ title: { $contains: 'f-' }, status: { $eq: 'paid' } }, "title ~ 'f-' && status = 'paid'"],
    [{ title: { $contains: 'F-', $notContains: 'c' } }, "title ~ 'f-' && title !~ 'c'"],
    [{ $or: [{ title: 'f-a' }, { total: { $gt: 20 }, title: { $contains: 'f-' } }] }, "title = 'f-a' || (total > 20 && title ~ 'f-')"],
    [{ $and: [{ title: { $contains: 'f-' } }, { $or: [{ status: 'sent' }, { status: 'paid' }] }] }, "title ~ 'f-' && (status = 'sent' || status = 'paid')"],
    [{ title: { $contains: 'f-' }, customer: null }, "title ~ 'f-' && customer = null"],
  ];
  for (const [o, s] of pairs) {
    const a = titles(await ok('/find', { filter: o, options: { sort: 'title' } }));
    const b = titles(await ok('/find', { filter: s, options: { sort: 'title' } }));
    assert.deepEqual(a, b, `${JSON.stringify(o)} ≡ ${s}`);
    assert.deepEqual(a, await restTitles(s), `JS and REST agree on ${s}`);
  }
  assert.ok((await ok('/find', { filter: { $or: [{ title: 'f-a' }, { title: 'f-b' }] } })).length === 2);

  // findOne and count.
  assert.equal((await ok('/find-one', { filter: { title: 'f-c' } })).total, 30);
  assert.equal(await ok('/find-one', { filter: { title: 'no such' } }), null, 'findOne → null');
  assert.equal(await ok('/find-one', { filter: "title = 'no such'" }), null);
  assert.equal(await ok('/count', { filter: "title ~ 'f-'" }), 5);
  assert.equal(await ok('/count', { filter: { title: { $contains: 'f-' }, status: 'new' } }), 3);
  assert.equal(await ok('/count', { filter: 'status = "sent" && title ~ "f-"' }), 1);
  assert.equal(await ok('/count', {}), (await listAllRecords(server, rootToken, project.id, 'orders')).length, 'count() counts all');

  assert.equal(await ok('/delete', { filter: "title ~ 'f-'" }), 5);
});

test('find: default limit 100; expand; a filter error carries fields.filter with the position', async () => {
  assert.equal(await ok('/insert-many', { model: 'many', count: 130 }), 130);
  assert.equal((await ok('/find-in', { model: 'many', filter: null })).length, 100, 'default limit 100');
  assert.equal((await ok('/find-in', { model: 'many', filter: null, options: { limit: 1000 } })).length, 130);
  assert.deepEqual((await ok('/find-in', { model: 'many', filter: 'k >= 125', options: { sort: '-k' } })).map((r) => r.k), [129, 128, 127, 126, 125]);

  const cust = expectStatus(await api(server, 'POST', rest('customers'), { token: rootToken, body: { name: 'Carol' } }), 201).body;
  const o = await ok('/insert', { title: 'exp-1', total: 1, customer: cust.id });
  const [found] = await ok('/find', { filter: { id: o.id }, options: { expand: 'customer' } });
  assert.equal(found.customer, cust.id);
  assert.deepEqual(found.expand?.customer, cust, 'expand adds the referenced record');

  const err = await caught('/find', { filter: 'total >' });
  assert.equal(err.code, 'INVALID_ARGUMENT');
  assert.match(err.fields.filter, /^position \d+/);
  assert.equal((await caught('/find', { filter: 'nope = 1' })).code, 'INVALID_ARGUMENT');
  assert.equal((await caught('/find', { filter: "total = 'x'" })).code, 'INVALID_ARGUMENT');
  assert.equal((await caught('/find', { filter: { nope: 1 } })).code, 'INVALID_ARGUMENT', 'unknown key in an object filter');
  assert.equal((await caught('/find', { filter: { total: { $bogus: 1 } } })).code, 'INVALID_ARGUMENT', 'unknown operator');
  assert.equal((await caught('/find', { filter: null, options: { sort: 'nope' } })).code, 'INVALID_ARGUMENT', 'unknown sort key');
  assert.equal(await ok('/delete', { filter: { id: o.id } }), 1);
});

test('calls are synchronous, and awaiting their result works too', async () => {
  const r = await ok('/awaited');
  assert.equal(typeof r.n, 'number');
  assert.equal(r.len, r.n);
  assert.equal(r.none, null);
});

test('database.orders is the same collection as database.collection("orders")', async () => {
  await ok('/insert', { title: 'sc-1' });
  const r = await ok('/shortcut');
  assert.equal(r.same, true);
  assert.ok(r.titles.includes('sc-1'));
  assert.equal(r.count, r.titles.length);
  assert.equal(await ok('/delete', { filter: { title: 'sc-1' } }), 1);
});

// ---- update, delete, upsert -------------------------------------------------

test('update by id → 1 or 0; by filter → the number changed; compare-and-set returns 1 then 0', async () => {
  const a = await ok('/insert', { title: 'u-a', total: 1 });
  const b = await ok('/insert', { title: 'u-b', total: 2 });
  await ok('/insert', { title: 'u-c', total: 3, status: 'sent' });
  assert.equal(await ok('/update', { target: a.id, patch: { total: 5 } }), 1);
  assert.equal((await ok('/find-one', { filter: { id: a.id } })).total, 5);
  assert.equal(await ok('/update', { target: 'zzzzzzzzzzzzzzz', patch: { total: 5 } }), 0, 'an unknown id → 0');

  // By filter: a string and an object.
  assert.equal(await ok('/update', { target: "title ~ 'u-' && status = 'new'", patch: { status: 'paid' } }), 2);
  assert.equal(await ok('/update', { target: { title: { $contains: 'u-' }, status: 'paid' }, patch: { status: 'new' } }), 2);
  assert.deepEqual(await restTitles("title ~ 'u-' && status = 'new'"), ['u-a', 'u-b']);

  // Compare-and-set.
  assert.equal(await ok('/cas/' + b.id, {}), 1);
  assert.equal(await ok('/cas/' + b.id, {}), 0, 'the second compare-and-set finds nothing to change');
  const after = expectStatus(await api(server, 'GET', rest('orders', b.id), { token: rootToken }), 200).body;
  assert.equal(after.status, 'paid');
  assert.ok(Date.parse(after.updated) >= Date.parse(b.updated));
  assert.equal(after.created, b.created);

  // A refused patch throws and changes nothing.
  const e = await caught('/update', { target: a.id, patch: { status: 'bogus', total: -1 } });
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.deepEqual(Object.keys(e.fields).sort(), ['status', 'total']);
  const e2 = await caught('/update', { target: { title: { $contains: 'u-' } }, patch: { total: -1 } });
  assert.equal(e2.code, 'INVALID_ARGUMENT');
  assert.deepEqual((await listAllRecords(server, rootToken, project.id, 'orders', { filter: "title ~ 'u-'", sort: 'title' })).map((r) => r.total), [5, 2, 3]);

  assert.equal(await ok('/delete', { filter: "title ~ 'u-'" }), 3);
});

test('delete by filter returns the count deleted', async () => {
  for (const t of ['d-1', 'd-2', 'd-3']) await ok('/insert', { title: t, total: 1, status: t === 'd-3' ? 'sent' : 'new' });
  assert.equal(await ok('/delete', { filter: "title ~ 'd-' && status = 'new'" }), 2);
  assert.equal(await ok('/delete', { filter: "title ~ 'd-' && status = 'new'" }), 0, 'nothing left to delete');
  assert.deepEqual(await restTitles("title ~ 'd-'"), ['d-3']);
  assert.equal(await ok('/delete', { filter: { title: 'd-3' } }), 1);
  assert.deepEqual(await restTitles("title ~ 'd-'"), []);
});

test('upsert inserts when nothing matches and updates the match otherwise', async () => {
  const first = await ok('/upsert', { filter: { title: 'up-1' }, data: { title: 'up-1', total: 5 } });
  assert.match(first.id, /^[a-z0-9]{15}$/);
  assert.equal(first.total, 5);
  const second = await ok('/upsert', { filter: { title: 'up-1' }, data: { title: 'up-1', total: 7 } });
  assert.equal(second.id, first.id, 'the same record');
  assert.equal(second.total, 7);
  assert.equal(second.created, first.created);
  const third = await ok('/upsert', { filter: "title = 'up-1'", data: { total: 8 } });
  assert.equal(third.id, first.id);
  assert.equal(third.total, 8);
  assert.equal(await ok('/count', { filter: "title = 'up-1'" }), 1);
  const e = await caught('/upsert', { filter: { title: 'up-2' }, data: { title: 'up-2', total: -1 } });
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.equal(await ok('/count', { filter: "title = 'up-2'" }), 0);
  assert.equal(await ok('/delete', { filter: "title ~ 'up-'" }), 1);
});

// ---- errors -----------------------------------------------------------------

test('a validation error is a catchable Error with code INVALID_ARGUMENT and fields like the API', async () => {
  const e = await caught('/insert', { total: -1, status: 'nope', bogus: 1 });
  assert.equal(e.isError, true, 'an Error');
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.deepEqual(Object.keys(e.fields).sort(), ['bogus', 'status', 'title', 'total']);
  for (const v of Object.values(e.fields)) assert.equal(typeof v, 'string');
  // The same body through the API: the same field keys.
  const viaApi = expectError(await api(server, 'POST', rest(), { token: rootToken, body: { total: -1, status: 'nope', bogus: 1 } }), 400, 'INVALID_ARGUMENT');
  assert.deepEqual(Object.keys(viaApi.fields).sort(), Object.keys(e.fields).sort());
  assert.equal((await caught('/insert', { title: 'x', total: '5' })).code, 'INVALID_ARGUMENT', 'no implicit conversion in JS either');
  assert.equal((await caught('/insert', { title: 'x', id: 'abcdefghijklmno' })).code, 'INVALID_ARGUMENT', 'id is read-only');
  assert.equal((await caught('/insert', { title: 'x', customer: 'zzzzzzzzzzzzzzz' })).fields.customer !== undefined, true, 'a missing ref');
  assert.deepEqual(await restTitles("title = 'x'"), [], 'nothing stored');
});

test('UNIQUE_VIOLATION is catchable with the field; an unknown model throws NOT_FOUND', async () => {
  await ok('/insert', { title: 'uniq-1' });
  const e = await caught('/insert', { title: 'uniq-1' });
  assert.equal(e.isError, true);
  assert.equal(e.code, 'UNIQUE_VIOLATION');
  assert.deepEqual(Object.keys(e.fields), ['title']);
  const u = await ok('/insert', { title: 'uniq-2' });
  assert.equal((await caught('/update', { target: u.id, patch: { title: 'uniq-1' } })).code, 'UNIQUE_VIOLATION');
  assert.equal(await ok('/count', { filter: "title ~ 'uniq-'" }), 2);
  assert.equal(await ok('/delete', { filter: "title ~ 'uniq-'" }), 2);

  const nf = await caught('/unknown');
  assert.equal(nf.code, 'NOT_FOUND');
  assert.equal(nf.isError, true);
  assert.equal((await caught('/unknown-insert')).code, 'NOT_FOUND');
});

// ---- transactions -------------------------------------------------------------

// MongoDB without a replica set (FerretDB here) has no multi-document
// transactions: there database.transaction is refused, documented, and
// writes nothing. Each transaction test asserts that instead.
let refusedTransactions = null;
async function transactionsRefused(mode, prefix) {
  if (refusedTransactions === null) refusedTransactions = DRIVER === 'mongodb' && (await call('/tx', { mode: 'commit', prefix: uniq('probe') })).caught?.code === 'UNAVAILABLE';
  if (!refusedTransactions) return false;
  const e = await caught('/tx', { mode, prefix });
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, /database\.transaction needs multi-document transactions: this MongoDB server is standalone/);
  assert.deepEqual(await restTitles(`title ~ '${prefix}'`), [], 'a refused transaction wrote nothing');
  return true;
}

test('transaction: commits when fn returns', async () => {
  if (await transactionsRefused('commit', uniq('txcr'))) return;
  const prefix = uniq('txc');
  assert.equal(await ok('/tx', { mode: 'commit', prefix }), 'committed');
  assert.deepEqual(await restTitles(`title ~ '${prefix}'`), [`${prefix}-1`, `${prefix}-2`]);
});

test('transaction: rolls back every write when fn throws, and rethrows the error', async () => {
  if (await transactionsRefused('invalid', uniq('txtr'))) return;
  const base = await ok('/insert', { title: uniq('txbase'), total: 1 });
  const prefix = uniq('txt');
  const e = await caught('/tx', { mode: 'throw', prefix, id: base.id });
  assert.equal(e.message, 'changed my mind');
  assert.equal(e.name, 'RangeError', "fn's own error is rethrown");
  assert.deepEqual(await restTitles(`title ~ '${prefix}'`), [], 'the insert was rolled back');
  assert.equal(expectStatus(await api(server, 'GET', rest('orders', base.id), { token: rootToken }), 200).body.total, 1, 'the update was rolled back');
  // A failed write inside rolls back the earlier ones too.
  const p2 = uniq('txi');
  assert.equal((await caught('/tx', { mode: 'invalid', prefix: p2 })).code, 'INVALID_ARGUMENT');
  assert.deepEqual(await restTitles(`title ~ '${p2}'`), []);
  assert.equal(await ok('/delete', { filter: { id: base.id } }), 1);
});

test('transaction: an async fn is a TypeError and rolls back', async () => {
  if (await transactionsRefused('async', uniq('txar'))) return;
  const prefix = uniq('txa');
  const e = await caught('/tx', { mode: 'async', prefix });
  assert.equal(e.name, 'TypeError');
  assert.deepEqual(await restTitles(`title ~ '${prefix}'`), [], 'the write before the first await was rolled back');
});

test('transaction: a failed write caught inside does not abort it; nested calls are savepoints', async () => {
  if (await transactionsRefused('caught-inside', uniq('txkr'))) return;
  const p1 = uniq('txk');
  assert.equal(await ok('/tx', { mode: 'caught-inside', prefix: p1 }), 'committed');
  assert.deepEqual(await restTitles(`title ~ '${p1}'`), [`${p1}-1`]);
  const p2 = uniq('txn');
  assert.equal(await ok('/tx', { mode: 'nested', prefix: p2 }), 'committed');
  assert.deepEqual(await restTitles(`title ~ '${p2}'`), [`${p2}-inner-ok`, `${p2}-outer`], 'the inner rollback undid only its own insert');
});

// ---- concurrency ------------------------------------------------------------

test('20 parallel compare-and-sets on one record: exactly one wins', async () => {
  for (let round = 0; round < 3; round++) {
    const r = await ok('/insert', { title: uniq('cas'), total: 1 });
    const results = await Promise.all(Array.from({ length: 20 }, () => call('/cas/' + r.id, {})));
    const values = results.map((b) => b.ok);
    assert.equal(values.filter((v) => v === 1).length, 1, `round ${round}: exactly one winner: ${JSON.stringify(values)}`);
    assert.equal(values.filter((v) => v === 0).length, 19, `round ${round}: the others change nothing`);
    assert.equal(expectStatus(await api(server, 'GET', rest('orders', r.id), { token: rootToken }), 200).body.status, 'paid');
  }
});

// ---- editor types -----------------------------------------------------------

test('GET /api/runtime/types?project_id= adds the record interface of each model, with its field keys', async () => {
  const res = expectStatus(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: rootToken }), 200);
  const dts = res.text;
  // An interface declaring every field key of orders.
  const blocks = [...dts.matchAll(/interface\s+([A-Za-z_$][\w$]*)[^{]*\{([^}]*)\}/g)];
  const has = (body, key) => new RegExp(`(^|[\\s;{])${key}\\??\\s*:`).test(body);
  const orders = blocks.find(([, , body]) => ['title', 'total', 'status', 'customer', 'meta'].every((k) => has(body, k)));
  assert.ok(orders, `an interface with title, total, status, customer, meta:\n${dts.slice(-3000)}`);
  const iface = orders[1];
  assert.match(dts, new RegExp(`\\borders\\??\\s*:\\s*[^;\\n]*\\b${iface}\\b`), `database.orders is typed with ${iface}`);
  const customers = blocks.find(([, , body]) => has(body, 'name') && !has(body, 'title'));
  assert.ok(customers, 'customers has its interface too');
  assert.match(dts, /\bid\b/);

  // A new model appears at once.
  await createModel(server, rootToken, project.id, { name: 'late_arrival', fields: [{ key: 'zebra_stripes', type: 'integer' }] });
  const again = expectStatus(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: rootToken }), 200).text;
  assert.match(again, /zebra_stripes\??\s*:/);
  assert.match(again, /late_arrival/);

  // Without project_id: no project models.
  const plain = expectStatus(await api(server, 'GET', '/api/runtime/types', { token: rootToken }), 200).text;
  assert.doesNotMatch(plain, /zebra_stripes/);
  // Someone without access to the existing project: 403 (docs/api.md), and no declarations of it.
  const stranger = await createUserAndLogin(server, rootToken, {});
  const denied = expectError(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: stranger.token }), 403, 'PERMISSION_DENIED');
  assert.doesNotMatch(JSON.stringify(denied), /zebra_stripes/);
  const other = await createProject(server, rootToken);
  expectError(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { apiKey: other.api_key }), 403, 'PERMISSION_DENIED', "another project's key");
  expectError(await api(server, 'GET', '/api/runtime/types?project_id=00000000-0000-4000-8000-000000000000', { token: rootToken }), 404, 'NOT_FOUND');
  // The project's own key may read its declarations.
  assert.match(expectStatus(await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { apiKey: project.api_key }), 200).text, /zebra_stripes/);
});
