// Record writes through the API share commits (group commit, docs/models.md
// "Concurrent writes"): many simultaneous creates, updates and deletes must
// each get the answer of their own write, only after it is committed, with
// failures (unique violations, bad refs, missing records) confined to the
// request that caused them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createModel, createProject, expectError, expectStatus, listAllRecords, recordsPath, startWithRoot } from './fixtures.mjs';

let server;
let rootToken;
let project;

const path = (model, id) => recordsPath(project.id, model, id);
const post = (model, body, apiKey) => api(server, 'POST', path(model), apiKey ? { apiKey, body } : { token: rootToken, body });
const all = (model) => listAllRecords(server, rootToken, project.id, model);

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
  const mk = (body) => createModel(server, rootToken, project.id, body);
  await mk({ name: 'tickets', fields: [{ key: 'code', type: 'string', unique: true }, { key: 'n', type: 'integer' }] });
  await mk({ name: 'owners', fields: [{ key: 'name', type: 'string' }] });
  await mk({ name: 'pets', fields: [{ key: 'name', type: 'string' }, { key: 'owner', type: 'ref', model: 'owners', on_delete: 'restrict' }] });
});

after(async () => {
  await server?.stop();
});

test('200 simultaneous creates: each answered 201 with its own record, all stored, readable at once', async () => {
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => post('tickets', { code: `c${i}`, n: i })));
  const byN = new Map();
  for (const [i, r] of results.entries()) {
    const rec = expectStatus(r, 201, `create ${i}`).body;
    assert.equal(rec.n, i, 'the answer carries the record this request created');
    assert.equal(rec.code, `c${i}`);
    byN.set(i, rec);
  }
  assert.equal(new Set([...byN.values()].map((r) => r.id)).size, 200, 'distinct ids');
  // Answered only after the commit: every id is there for the next request.
  const reads = await Promise.all([...byN.values()].map((r) => api(server, 'GET', path('tickets', r.id), { token: rootToken })));
  for (const r of reads) expectStatus(r, 200, 'read after create');
  assert.equal((await all('tickets')).length, 200);
});

test('simultaneous creates of one unique value: exactly one 201, the rest 409 UNIQUE_VIOLATION; the others in the same commits unharmed', async () => {
  const reqs = [];
  for (let i = 0; i < 60; ++i) reqs.push(post('tickets', i % 3 === 0 ? { code: 'same', n: i } : { code: `u${i}`, n: i }));
  const results = await Promise.all(reqs);
  const sameOk = results.filter((r, i) => i % 3 === 0 && r.status === 201);
  assert.equal(sameOk.length, 1, 'one winner for the shared value');
  for (const [i, r] of results.entries()) {
    if (i % 3 !== 0) expectStatus(r, 201, `distinct value ${i}`);
    else if (r.status !== 201) assert.deepEqual(Object.keys(expectError(r, 409, 'UNIQUE_VIOLATION').fields), ['code']);
  }
  const stored = await all('tickets');
  assert.equal(stored.filter((t) => t.code === 'same').length, 1);
  assert.equal(stored.filter((t) => /^u\d+$/.test(t.code)).length, 40);
});

test('bad input among simultaneous creates: 400 with its fields for the bad ones only', async () => {
  const owner = expectStatus(await post('owners', { name: 'ann' }), 201).body;
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      post('pets', i % 4 === 1 ? { name: `p${i}`, owner: 'nosuchrecord000' } : i % 4 === 2 ? { name: 5, owner: owner.id } : { name: `p${i}`, owner: owner.id }),
    ),
  );
  for (const [i, r] of results.entries()) {
    if (i % 4 === 1) assert.ok(Object.hasOwn(expectError(r, 400, 'INVALID_ARGUMENT').fields, 'owner'), `bad ref ${i}`);
    else if (i % 4 === 2) assert.ok(Object.hasOwn(expectError(r, 400, 'INVALID_ARGUMENT').fields, 'name'), `wrong type ${i}`);
    else expectStatus(r, 201, `good ${i}`);
  }
  assert.equal((await all('pets')).length, 20);
});

test('simultaneous updates and deletes: each answered for its own record; missing ones 404; restrict 409', async () => {
  const tickets = (await all('tickets')).filter((t) => /^c\d+$/.test(t.code)).slice(0, 50);
  const [owner] = await all('owners');
  const reqs = tickets.map((t, i) =>
    i % 2 === 0
      ? api(server, 'PATCH', path('tickets', t.id), { token: rootToken, body: { n: 1000 + i } })
      : api(server, 'DELETE', path('tickets', t.id), { token: rootToken }),
  );
  reqs.push(api(server, 'DELETE', path('tickets', 'nosuchrecord000'), { token: rootToken }));
  reqs.push(api(server, 'PATCH', path('tickets', 'nosuchrecord000'), { token: rootToken, body: { n: 1 } }));
  reqs.push(api(server, 'DELETE', path('owners', owner.id), { token: rootToken }));
  const results = await Promise.all(reqs);
  for (const [i, t] of tickets.entries()) {
    if (i % 2 === 0) assert.equal(expectStatus(results[i], 200, `patch ${i}`).body.n, 1000 + i);
    else expectStatus(results[i], 204, `delete ${i}`);
  }
  expectError(results[tickets.length], 404, 'NOT_FOUND');
  expectError(results[tickets.length + 1], 404, 'NOT_FOUND');
  expectError(results[tickets.length + 2], 409, 'CONFLICT', 'owner still referenced (restrict)');
  const after = new Map((await all('tickets')).map((t) => [t.id, t]));
  for (const [i, t] of tickets.entries()) {
    if (i % 2 === 0) assert.equal(after.get(t.id)?.n, 1000 + i);
    else assert.equal(after.has(t.id), false);
  }
  assert.equal((await all('owners')).length, 1);
});

test('writes with the project API key and without access take the same path', async () => {
  const key = project.api_key;
  assert.equal(typeof key, 'string');
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => post('owners', { name: `k${i}` }, key)));
  for (const r of results) expectStatus(r, 201);
  expectError(await post('owners', { name: 'x' }, 'm3m_wrongkey'), 401, 'UNAUTHENTICATED');
  expectError(await api(server, 'POST', path('owners'), { body: { name: 'x' } }), 401, 'UNAUTHENTICATED');
  expectError(await api(server, 'POST', recordsPath(project.id, 'nosuchmodel'), { token: rootToken, body: {} }), 404, 'NOT_FOUND');
  expectError(await api(server, 'POST', path('owners'), { token: rootToken, body: '[1,2]', headers: { 'content-type': 'application/json' } }), 400, 'INVALID_ARGUMENT');
  assert.equal((await all('owners')).filter((o) => /^k\d+$/.test(o.name)).length, 20);
});

test('schema changes during simultaneous creates: no write fails or misses a field added meanwhile', async () => {
  const mk = await api(server, 'POST', `/api/projects/${project.id}/models`, { token: rootToken, body: { name: 'evolving', fields: [{ key: 'title', type: 'string' }] } });
  expectStatus(mk, 201);
  let fields = [{ key: 'title', type: 'string' }];
  const creates = [];
  const changes = [];
  for (let step = 0; step < 5; ++step) {
    for (let i = 0; i < 30; ++i) creates.push(post('evolving', { title: `s${step}-${i}` }));
    fields = [...fields, { key: `f${step}`, type: 'integer', default: step + 100 }];
    changes.push(api(server, 'PUT', `/api/projects/${project.id}/models/evolving`, { token: rootToken, body: { fields } }));
    await changes[changes.length - 1];
  }
  for (const r of await Promise.all(changes)) expectStatus(r, 200, 'schema change');
  for (const r of await Promise.all(creates)) expectStatus(r, 201, 'create during schema changes');
  const stored = await all('evolving');
  assert.equal(stored.length, 150);
  for (const rec of stored)
    for (let step = 0; step < 5; ++step) assert.equal(rec[`f${step}`], step + 100, `${rec.title}.f${step} has the default`);
});
