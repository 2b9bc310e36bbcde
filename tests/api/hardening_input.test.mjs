// Issue 14 regressions about input the server must refuse without harm:
// deeply nested JSON everywhere it enters, numbers out of range, oversized
// sorts, blank filters, control characters in names, storage path spellings,
// secrets in logs, the database's file modes, integer options' type.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  api, callRoute, createModel, createProject, deploy, expectError, expectFieldError, expectList, expectStatus, modelsPath,
  readLogs, readRunLog, recordsPath, startRunning, startWithRoot,
} from './fixtures.mjs';

let server, dir, rootToken, project;
before(async () => {
  ({ server, dir, rootToken } = await startWithRoot());
  project = await createProject(server, rootToken);
});
after(async () => { await server?.stop(); });

const nested = (depth, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);
const nestedObj = (depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const alive = async () => expectStatus(await api(server, 'GET', '/api/health'), 200, 'server still answers');

test('JSON nested 100,000 deep is a 400 naming the limit on every door, and the server lives', async () => {
  const P = `/api/projects/${project.id}`;
  const deep = nested(100_000);
  const cases = [
    ['POST', `${P}/env`, `{"key":"DEEP","type":"json","value":${deep}}`],
    ['POST', `${P}/env`, `{"key":"DEEP","type":"json","value":${nestedObj(100_000)}}`],
    ['POST', '/api/projects', `{"name":"x","slug":"deep-x","extra":${deep}}`],
    ['POST', modelsPath(project.id), `{"name":"deep","fields":[{"key":"d","type":"document","default":${deep}}]}`],
    ['POST', modelsPath(project.id), `{"name":"deep","fields":[{"key":"t","type":"string"}],"table_config":${deep}}`],
  ];
  for (const [method, p, body] of cases) {
    const err = expectError(await api(server, method, p, { token: rootToken, body }), 400, 'INVALID_ARGUMENT', `${method} ${p}`);
    assert.match(err.message, /deeper than 256 levels/, err.message);
  }
  await alive();
});

test('JSON at the depth limit is accepted; one level more is refused', async () => {
  const P = `/api/projects/${project.id}/env`;
  // the value sits one level below the body object
  expectStatus(await api(server, 'POST', P, { token: rootToken, body: `{"key":"AT_LIMIT","type":"json","value":${nested(255)}}` }), 201);
  const got = expectStatus(await api(server, 'GET', `${P}/AT_LIMIT`, { token: rootToken }), 200).body;
  let v = got.value, depth = 0;
  while (Array.isArray(v)) { v = v[0]; depth++; }
  assert.equal(depth, 255);
  expectError(await api(server, 'POST', P, { token: rootToken, body: `{"key":"PAST","type":"json","value":${nested(256)}}` }), 400, 'INVALID_ARGUMENT');
});

test('a record document nested past the limit is refused before it reaches the writer', async () => {
  await createModel(server, rootToken, project.id, { name: 'docs', fields: [{ key: 'doc', type: 'document' }] });
  const res = await api(server, 'POST', recordsPath(project.id, 'docs'), { token: rootToken, body: `{"doc":${nestedObj(100_000)}}` });
  expectError(res, 400, 'INVALID_ARGUMENT');
  expectStatus(await api(server, 'POST', recordsPath(project.id, 'docs'), { token: rootToken, body: { doc: { a: [1, { b: 2 }] } } }), 201);
  assert.equal(expectList(await api(server, 'GET', recordsPath(project.id, 'docs'), { token: rootToken })).length, 1);
  await alive();
});

test('numbers out of range are 400, not 500', async () => {
  const P = `/api/projects/${project.id}`;
  for (const [p, body] of [
    [`${P}/env`, '{"key":"BIG","type":"float","value":1e309}'],
    [`${P}/env`, '{"key":"BIG","type":"json","value":[-1e400]}'],
    ['/api/projects', '{"name":"n","slug":"n-x","color":1e309}'],
  ]) {
    const err = expectError(await api(server, 'POST', p, { token: rootToken, body }), 400, 'INVALID_ARGUMENT', p);
    assert.match(err.message, /out of range/);
  }
  // 2^63 parses as an unsigned number: not a 64-bit integer
  expectFieldError(await api(server, 'POST', `${P}/env`, { token: rootToken, body: '{"key":"I","type":"integer","value":9223372036854775808}' }), 'value');
  expectFieldError(await api(server, 'POST', `${P}/env`, { token: rootToken, body: '{"key":"I","type":"integer","value":18446744073709551615}' }), 'value');
  expectStatus(await api(server, 'POST', `${P}/env`, { token: rootToken, body: '{"key":"I","type":"integer","value":9223372036854775807}' }), 201);
  expectStatus(await api(server, 'POST', `${P}/env`, { token: rootToken, body: '{"key":"J","type":"integer","value":-9223372036854775808}' }), 201);
});

test('a sort of thousands of keys and a blank filter are 400', async () => {
  await createModel(server, rootToken, project.id, { name: 'rows', fields: [{ key: 'n', type: 'integer' }] });
  const base = recordsPath(project.id, 'rows');
  expectFieldError(await api(server, 'GET', `${base}?sort=${Array(5000).fill('n').join(',')}`, { token: rootToken }), 'sort');
  expectFieldError(await api(server, 'GET', `${base}?sort=${Array(17).fill('-n').join(',')}`, { token: rootToken }), 'sort');
  expectList(await api(server, 'GET', `${base}?sort=${Array(16).fill('-n').join(',')}`, { token: rootToken }));
  for (const f of ['', '%20%20'])
    expectFieldError(await api(server, 'GET', `${base}?filter=${f}`, { token: rootToken }), 'filter', `filter=${f}`);
  expectList(await api(server, 'GET', base, { token: rootToken }));
});

test('control characters, DEL, C1 and bidi overrides are refused in names and one-line values', async () => {
  const bad = ['a\u0000b', 'a\u0007b', 'tab\tname', 'a\u007fb', 'a\u0085b', 'evil\u202Egnp.exe', 'a\u2066b'];
  for (const s of bad) {
    const what = JSON.stringify(s);
    expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: s, slug: 'ctl-x' } }), 'name', `project ${what}`);
    expectFieldError(await api(server, 'PUT', `/api/projects/${project.id}`, { token: rootToken, body: { name: s } }), 'name', `rename ${what}`);
    expectFieldError(await api(server, 'PUT', '/api/users/me', { token: rootToken, body: { name: s } }), 'name', `user ${what}`);
    expectFieldError(await api(server, 'POST', `/api/projects/${project.id}/env`, { token: rootToken, body: { key: 'CTL', type: 'string', value: s } }), 'value', `env ${what}`);
    expectFieldError(await api(server, 'POST', `/api/projects/${project.id}/storage/file`, { token: rootToken, body: { path: `${s}.txt`, content: 'x' } }), 'path', `storage ${what}`);
  }
  // type text takes any content
  expectStatus(await api(server, 'POST', `/api/projects/${project.id}/env`, { token: rootToken, body: { key: 'CTL_TEXT', type: 'text', value: 'a\tb\u0085\u202E\nc' } }), 201);
  // ordinary Unicode is fine
  expectStatus(await api(server, 'PUT', '/api/users/me', { token: rootToken, body: { name: 'Анна ✓ 李' } }), 200);
  expectStatus(await api(server, 'POST', `/api/projects/${project.id}/storage/file`, { token: rootToken, body: { path: 'отчёт ✓.txt', content: 'x' } }), 201);
  assert.equal((await api(server, 'GET', `/api/projects/${project.id}`, { token: rootToken })).body.name, project.name, 'name unchanged');
});

test('storage paths: one spelling of the root, no empty segments, REST and runtime agree', async () => {
  const S = `/api/projects/${project.id}/storage`;
  expectStatus(await api(server, 'POST', `${S}/file`, { token: rootToken, body: { path: 'ok/a.txt', content: 'A' } }), 201);
  expectStatus(await api(server, 'GET', `${S}/download/ok/a.txt`, { token: rootToken }), 200);
  for (const p of ['ok//a.txt', '/ok/a.txt'])
    expectFieldError(await api(server, 'GET', `${S}/download/${p}`, { token: rootToken }), 'path', `download ${p}`);
  expectList(await api(server, 'GET', S, { token: rootToken }));
  expectList(await api(server, 'GET', `${S}?path=`, { token: rootToken }));
  for (const p of ['/', '.', '/ok'])
    expectFieldError(await api(server, 'GET', `${S}?path=${encodeURIComponent(p)}`, { token: rootToken }), 'path', `list ${p}`);
  expectFieldError(await api(server, 'POST', `${S}/links`, { token: rootToken, body: { path: '/ok/a.txt' } }), 'path');

  const p2 = await createProject(server, rootToken);
  await api(server, 'POST', `/api/projects/${p2.id}/storage/file`, { token: rootToken, body: { path: 'f.txt', content: 'x' } });
  const code = `service.start(() => router.get('/ls', (ctx) => {
    const out = {};
    for (const p of ['', '/', '.', '/f.txt', 'a//b']) {
      try { out[JSON.stringify(p)] = storage.list(p).length; } catch (e) { out[JSON.stringify(p)] = 'refused: ' + e.message; }
    }
    return out;
  }))`;
  const version = await deploy(server, rootToken, p2.id, code);
  await startRunning(server, rootToken, p2.id, version);
  const r = expectStatus(await callRoute(server, p2.slug, '/ls'), 200).body;
  assert.equal(r['""'], 1);
  for (const k of ['"/"', '"."', '"/f.txt"', '"a//b"']) assert.match(String(r[k]), /^refused: invalid path/, `${k}: ${r[k]}`);
});

test('public link tokens never reach the log files', async () => {
  const S = `/api/projects/${project.id}/storage`;
  expectStatus(await api(server, 'POST', `${S}/file`, { token: rootToken, body: { path: 'pub.txt', content: 'P' } }), 201);
  const link = expectStatus(await api(server, 'POST', `${S}/links`, { token: rootToken, body: { path: 'pub.txt' } }), 201).body;
  const served = await api(server, 'GET', link.url);
  expectStatus(served, 200);
  await api(server, 'GET', `/api/storage/public/${link.token}/wrong-name.txt`);
  await api(server, 'GET', `/api/storage/public/${link.token}/pub.txt?access_token=${link.token}`);
  // Access lines under load reach the files in batches (up to 50 ms later): wait for all
  // three (the path is logged without its query).
  const hint = '/api/storage/public/…' + link.token.slice(-6) + '/pub.txt';
  const lines = (text) => text.split(hint).length - 1;
  let logs = '';
  for (const started = Date.now(); Date.now() - started < 5000; await new Promise((r) => setTimeout(r, 50))) {
    logs = readLogs(dir);
    if (lines(logs) >= 2 && logs.includes(link.token.slice(-6) + '/wrong-name.txt')) break;
  }
  logs += server.output();
  assert.ok(logs.includes(hint), 'the access line shows the hint');
  assert.ok(!logs.includes(link.token), 'the token is nowhere in the logs');
});

test('the database, its WAL and the data folder are readable by the server user only', async () => {
  const data = path.join(dir, 'data');
  assert.equal(statSync(data).mode & 0o777, 0o700, 'data dir');
  for (const f of ['m3m.db', 'm3m.db-wal', 'm3m.db-shm'])
    assert.equal(statSync(path.join(data, f)).mode & 0o777, 0o600, f);
});

test("an integer field's min/max stay integers; fractional bounds are refused", async () => {
  const m = expectStatus(await api(server, 'POST', modelsPath(project.id), { token: rootToken, body: {
    name: 'bounded', fields: [{ key: 'i', type: 'integer', min: 1, max: 10 }, { key: 'f', type: 'float', min: 0.5 }] } }), 201).body;
  const get = (b, k) => b.fields.find((f) => f.key === k);
  const raw = (await api(server, 'GET', modelsPath(project.id, 'bounded'), { token: rootToken })).text;
  assert.match(raw, /"max":10[,}]/);
  assert.match(raw, /"min":1[,}]/);
  assert.equal(get(m, 'f').min, 0.5);
  expectFieldError(await api(server, 'POST', modelsPath(project.id), { token: rootToken, body: {
    name: 'bounded2', fields: [{ key: 'i', type: 'integer', min: 1.5 }] } }), 'fields.0.min');
});

test('a JS value nested past the limit throws in the script; cycles throw their own TypeError', async () => {
  const p = await createProject(server, rootToken);
  await api(server, 'POST', modelsPath(p.id), { token: rootToken, body: { name: 'notes', fields: [{ key: 'doc', type: 'document' }] } });
  const code = `service.start(() => {
    router.get('/deep', () => {
      let v = 1; for (let i = 0; i < 300; i++) v = [v];
      try { database.notes.insert({ doc: v }); return { stored: true }; } catch (e) { return { error: e.message, code: e.code }; }
    });
    router.get('/cycle', () => {
      const a = {}; a.self = a;
      try { database.notes.insert({ doc: a }); return { stored: true }; } catch (e) { return { error: e.name }; }
    });
    router.get('/count', () => ({ n: database.notes.count() }));
  })`;
  const version = await deploy(server, rootToken, p.id, code);
  await startRunning(server, rootToken, p.id, version);
  const deep = expectStatus(await callRoute(server, p.slug, '/deep'), 200).body;
  assert.match(deep.error, /deeper than 256 levels/);
  assert.equal(deep.code, 'INVALID_ARGUMENT');
  assert.deepEqual(expectStatus(await callRoute(server, p.slug, '/cycle'), 200).body, { error: 'TypeError' });
  assert.deepEqual(expectStatus(await callRoute(server, p.slug, '/count'), 200).body, { n: 0 }, 'nothing was stored');
  await readRunLog(server, rootToken, p.id);
});
