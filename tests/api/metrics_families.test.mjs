// Issue 20, second half: the per-project and store families move with what the
// server does, OpenMetrics on Accept, and the generated Grafana dashboard —
// `m3m metrics dashboard` equals the committed deploy/grafana/m3m.json, has
// Grafana's dashboard shape, and every panel query names only metrics a real
// scrape (with a running project) exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startWithRoot, api, expectStatus, runningProject, callRoute, createModel, createRecord, restartProject } from './fixtures.mjs';
import { runCli } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = 'metrics-secret-families-0123';
const auth = { authorization: `Bearer ${TOKEN}` };

// name{labels} value lines of a text scrape (either format), and the family names with their types.
function parse(text) {
  const samples = [];
  const types = new Map();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1], t[2]);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample: ${line}`);
    const labels = {};
    for (const l of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return { samples, types };
}
const values = (p, name, labels = {}) =>
  p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).map((s) => s.value);
const one = (p, name, labels) => {
  const v = values(p, name, labels);
  assert.equal(v.length, 1, `one ${name} ${JSON.stringify(labels)}: ${JSON.stringify(v)}`);
  return v[0];
};

async function scrape(server, headers = {}) {
  const res = await api(server, 'GET', '/metrics', { headers: { ...auth, ...headers } });
  expectStatus(res, 200, 'scrape');
  return res;
}

const CODE = `
router.get('/hi', () => ({ ok: true }));
router.get('/nap', () => { utils.sleep(60); return { ok: true }; });
router.get('/long', () => { utils.sleep(500); return { ok: true }; });
router.get('/goal', () => { goals.increment('clicks', 1); return { ok: true }; });
router.get('/spin', () => { let x = 0; for (let i = 0; i < 3e6; i++) x += i; return { x }; });
`;

let ctx, project;
before(async () => {
  ctx = await startWithRoot({ config: `metrics:\n  token: ${TOKEN}\nruntime:\n  memory_limit_mb: 96\n` });
  ({ project } = await runningProject(ctx.server, ctx.rootToken, CODE));
  expectStatus(await api(ctx.server, 'POST', `/api/projects/${project.id}/goals`, { token: ctx.rootToken, body: { name: 'Clicks', slug: 'clicks' } }), 201);
});
after(async () => ctx && ctx.server.stop());

test('per-project families: JS CPU, waits, heap limit, queue, goal increments, restarts', async () => {
  const { server, rootToken } = ctx;
  const p = { project: project.slug };
  let s = parse((await scrape(server)).text);
  for (const name of ['m3m_project_waits_total', 'm3m_project_wait_seconds_total', 'm3m_project_goal_increments_total',
    'm3m_project_restarts_total', 'm3m_project_queued_requests'])
    assert.equal(one(s, name, p), 0, name);
  assert.ok(one(s, 'm3m_project_js_cpu_seconds_total', p) >= 0);
  assert.equal(one(s, 'm3m_project_heap_limit_bytes', p), 96 * 1024 * 1024);
  const cpu0 = one(s, 'm3m_project_js_cpu_seconds_total', p);

  expectStatus(await callRoute(server, project.slug, '/spin'), 200);
  for (let i = 0; i < 2; i++) expectStatus(await callRoute(server, project.slug, '/nap'), 200);
  for (let i = 0; i < 3; i++) expectStatus(await callRoute(server, project.slug, '/goal'), 200);
  s = parse((await scrape(server)).text);
  assert.ok(one(s, 'm3m_project_js_cpu_seconds_total', p) > cpu0, 'JS time grows with a busy route');
  assert.equal(one(s, 'm3m_project_waits_total', p), 2);
  const waited = one(s, 'm3m_project_wait_seconds_total', p);
  assert.ok(waited >= 0.11 && waited < 5, `two 60 ms sleeps: ${waited}`);
  assert.equal(one(s, 'm3m_project_goal_increments_total', p), 3);
  assert.equal(one(s, 'm3m_project_queued_requests', p), 0, 'nothing queued between requests');

  // a route that is still sleeping is queued (or running): the gauge sees it
  const slow = callRoute(server, project.slug, '/long');
  let seen = 0;
  for (let i = 0; i < 40 && !seen; i++) seen = one(parse((await scrape(server)).text), 'm3m_project_queued_requests', p);
  expectStatus(await slow, 200);
  assert.ok(seen >= 1, 'an in-flight route call is counted in the queue gauge');

  expectStatus(await restartProject(server, rootToken, project.id), 200);
  s = parse((await scrape(server)).text);
  assert.equal(one(s, 'm3m_project_restarts_total', p), 1);
  assert.equal(one(s, 'm3m_project_waits_total', p), 0, 'a new run counts from zero');
  assert.equal(one(s, 'm3m_project_goal_increments_total', p), 3, 'goal increments count since the server started');
});

test('store families: queries, group-commit batch sizes, commit latency, WAL size, checkpoints', async () => {
  const { server, rootToken } = ctx;
  let s = parse((await scrape(server)).text);
  const reads0 = one(s, 'm3m_store_queries_total', { kind: 'read' });
  const writes0 = one(s, 'm3m_store_queries_total', { kind: 'write' });
  const batches0 = one(s, 'm3m_store_write_batch_size_count');
  const commits0 = one(s, 'm3m_store_commit_duration_seconds_count');
  await createModel(server, rootToken, project.id, { name: 'items', fields: [{ key: 'n', type: 'integer' }] });
  await Promise.all(Array.from({ length: 8 }, (_, i) => createRecord(server, rootToken, project.id, 'items', { n: i })));
  expectStatus(await api(server, 'GET', `/api/projects/${project.id}`, { token: rootToken }), 200);
  s = parse((await scrape(server)).text);
  assert.ok(one(s, 'm3m_store_queries_total', { kind: 'read' }) > reads0);
  assert.ok(one(s, 'm3m_store_queries_total', { kind: 'write' }) > writes0);
  assert.equal(s.types.get('m3m_store_write_batch_size'), 'histogram');
  const batchCount = one(s, 'm3m_store_write_batch_size_count');
  assert.ok(batchCount > batches0 && batchCount <= batches0 + 8, `8 creates in ${batchCount - batches0} group commits`);
  assert.ok(one(s, 'm3m_store_write_batch_size_sum') >= 8);
  const le = values(s, 'm3m_store_write_batch_size_bucket').length;
  assert.equal(le, 10, 'nine bounds and +Inf');
  assert.equal(one(s, 'm3m_store_write_batch_size_bucket', { le: '+Inf' }), batchCount);
  assert.ok(one(s, 'm3m_store_commit_duration_seconds_count') > commits0);
  assert.ok(one(s, 'm3m_store_commit_duration_seconds_sum') > 0);
  assert.ok(one(s, 'm3m_store_wal_bytes') > 0, 'the WAL file exists and holds the commits');
  assert.ok(one(s, 'm3m_store_checkpoints_total') >= 0);
  assert.ok(one(s, 'm3m_store_checkpoint_seconds_total') >= 0);
  assert.ok(one(s, 'm3m_store_checkpoint_locked_seconds_total') >= 0);
});

test('OpenMetrics on Accept: content type, counters without _total, units, # EOF', async () => {
  const { server } = ctx;
  const res = await scrape(server, { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' });
  assert.equal(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  assert.match(res.headers.get('vary') || '', /Accept/i);
  const text = res.text;
  assert.ok(text.endsWith('\n# EOF\n'), 'ends with # EOF');
  assert.equal(text.indexOf('# EOF'), text.length - 6, '# EOF once');
  assert.match(text, /^# TYPE m3m_http_requests counter$/m);
  assert.doesNotMatch(text, /^# TYPE \S+_total /m);
  assert.match(text, /^# UNIT m3m_http_request_duration_seconds seconds$/m);
  assert.match(text, /^# UNIT m3m_store_wal_bytes bytes$/m);
  assert.match(text, /^m3m_http_request_duration_seconds_bucket\{[^}]*le="1\.0"\} \d+$/m);
  const om = parse(text);
  assert.ok(values(om, 'm3m_http_requests_total').length > 0, 'counter samples keep _total');
  // the plain scrape is still text 0.0.4
  const plain = await scrape(server, { accept: 'text/plain' });
  assert.match(plain.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.ok(!plain.text.includes('# EOF'));
  assert.match(plain.text, /^# TYPE m3m_http_requests_total counter$/m);
});

// The metric names a PromQL expression reads (identifiers that are not
// functions, keywords, label names or durations).
function metricNames(expr) {
  const e = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\boffset\s+\S+/g, '')
    .replace(/\b[0-9][0-9a-zA-Z_.]*/g, ''); // numbers, durations
  const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);
  const out = new Set();
  for (const m of e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) if (!m[2] && !keywords.has(m[1])) out.add(m[1]);
  return [...out];
}

test('the dashboard: generated = committed, Grafana shape, every query names exported metrics', async () => {
  const gen = runCli(['metrics', 'dashboard']);
  assert.equal(gen.code, 0, gen.stderr);
  const committed = readFileSync(path.resolve(here, '../../deploy/grafana/m3m.json'), 'utf8');
  assert.equal(gen.stdout, committed, 'deploy/grafana/m3m.json is stale: run `m3m metrics dashboard > deploy/grafana/m3m.json`');
  const d = JSON.parse(gen.stdout);
  assert.equal(d.title, 'm3m');
  assert.equal(typeof d.uid, 'string');
  assert.ok(d.schemaVersion >= 36);
  const vars = d.templating.list;
  const ds = vars.find((v) => v.name === 'datasource');
  assert.deepEqual([ds.type, ds.query], ['datasource', 'prometheus']);
  const pv = vars.find((v) => v.name === 'project');
  assert.equal(pv.type, 'query');
  assert.match(pv.definition, /^label_values\((\w+), project\)$/);
  assert.equal(pv.datasource.uid, '${datasource}');
  const rows = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
  assert.deepEqual(rows, ['HTTP', 'Projects', 'Store', 'Process']);

  // A real scrape with a running project (and store traffic) defines what is exported.
  expectStatus(await callRoute(ctx.server, project.slug, '/hi'), 200);
  const s = parse((await scrape(ctx.server)).text);
  const exported = new Set(s.samples.map((x) => x.name));
  assert.ok(exported.has(/^label_values\((\w+),/.exec(pv.definition)[1]), 'the project variable reads an exported metric');
  const ids = new Set();
  let targets = 0;
  for (const p of d.panels) {
    assert.ok(!ids.has(p.id), `panel id ${p.id} once`);
    ids.add(p.id);
    for (const k of ['x', 'y', 'w', 'h']) assert.equal(typeof p.gridPos[k], 'number', `${p.title} gridPos.${k}`);
    if (p.type === 'row') continue;
    assert.ok(['timeseries', 'stat'].includes(p.type), p.type);
    assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' });
    assert.ok(p.targets.length > 0, p.title);
    for (const t of p.targets) {
      targets++;
      assert.equal(typeof t.refId, 'string');
      const names = metricNames(t.expr);
      assert.ok(names.length > 0, t.expr);
      for (const n of names) assert.ok(exported.has(n), `${p.title}: ${n} (in ${t.expr}) is not exported`);
    }
  }
  assert.ok(targets > 30, `${targets} targets`);
  assert.deepEqual(metricNames('sum by (le) (rate(a_bucket{x=~"y"}[5m])) / on (z) b offset 1h'), ['a_bucket', 'b']);
});
