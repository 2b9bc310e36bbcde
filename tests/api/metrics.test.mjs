// GET /metrics (Prometheus text): off by default, behind metrics.token and/or
// metrics.allow; HTTP families move with traffic; project families follow
// the running projects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startWithRoot, api, expectStatus, expectError, runningProject, callRoute } from './fixtures.mjs';

const TOKEN = 'metrics-secret-0123456789';

// A tiny parser of the text exposition format (0.0.4): every line is a
// comment (# HELP / # TYPE) or `name{labels} value`; throws on anything else.
function parseMetrics(text) {
  const families = new Map();  // name → {type, help}
  const samples = [];
  const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/;
  const labelRe = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/;
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    let m;
    if ((m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      const f = families.get(m[2]) || {};
      if (m[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3]), `line ${i + 1}: type ${m[3]}`);
        f.type = m[3];
      } else f.help = m[3];
      families.set(m[2], f);
      continue;
    }
    m = sampleRe.exec(line);
    assert.ok(m, `line ${i + 1} is not a sample: ${JSON.stringify(line)}`);
    const labels = {};
    let rest = m[3] || '';
    while (rest.length) {
      const l = labelRe.exec(rest);
      assert.ok(l, `line ${i + 1}: bad labels ${JSON.stringify(m[3])}`);
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    assert.ok(m[4] === 'NaN' || !Number.isNaN(value), `line ${i + 1}: value ${m[4]}`);
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(families.has(m[1]) || families.has(base), `line ${i + 1}: ${m[1]} has no # TYPE`);
    samples.push({ name: m[1], labels, value });
  }
  return { families, samples };
}

const find = (parsed, name, labels = {}) =>
  parsed.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
const one = (parsed, name, labels) => {
  const got = find(parsed, name, labels);
  assert.equal(got.length, 1, `one ${name} ${JSON.stringify(labels)}; got ${JSON.stringify(got)}`);
  return got[0].value;
};

async function scrape(server, headers = { authorization: `Bearer ${TOKEN}` }) {
  const res = await api(server, 'GET', '/metrics', { headers });
  expectStatus(res, 200, 'scrape');
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.text);
}

let ctx;
before(async () => {
  ctx = await startWithRoot({ config: `metrics:\n  token: ${TOKEN}\n` });
});
after(async () => ctx && ctx.server.stop());

test('the token protects /metrics: 401 without or with a wrong one, 200 with it', async () => {
  const { server } = ctx;
  const none = await api(server, 'GET', '/metrics');
  expectError(none, 401, 'UNAUTHENTICATED');
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  expectError(await api(server, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'UNAUTHENTICATED');
  expectError(await api(server, 'GET', '/metrics', { headers: { authorization: `Basic ${TOKEN}` } }), 401, 'UNAUTHENTICATED');
  // a user's JWT is not the metrics token
  expectError(await api(server, 'GET', '/metrics', { token: ctx.rootToken }), 401, 'UNAUTHENTICATED');
  const parsed = await scrape(server);
  assert.equal(parsed.families.get('m3m_build_info').type, 'gauge');
  assert.equal(find(parsed, 'm3m_build_info').length, 1);
  assert.ok(find(parsed, 'm3m_build_info')[0].labels.version);
  for (const name of ['process_resident_memory_bytes', 'process_open_fds', 'process_threads', 'm3m_uptime_seconds'])
    assert.ok(one(parsed, name) > 0, `${name} > 0`);
  assert.ok(one(parsed, 'm3m_http_requests_in_flight') >= 1, 'the scrape itself is in flight');
});

test('HTTP counters move with traffic, by route template (never the raw path), with histogram buckets', async () => {
  const { server, rootToken } = ctx;
  const before = await scrape(server);
  const route = { route: '/api/projects/:id', method: 'GET' };
  const count0 = find(before, 'm3m_http_requests_total', { ...route, status: '4xx' }).reduce((a, s) => a + s.value, 0);
  for (let i = 0; i < 3; i++) await api(server, 'GET', `/api/projects/missing${i}`, { token: rootToken });
  expectStatus(await api(server, 'GET', '/api/ping'), 200);
  await api(server, 'GET', '/api/nothing/here');
  const afterScrape = await scrape(server);
  assert.equal(one(afterScrape, 'm3m_http_requests_total', { ...route, status: '4xx' }), count0 + 3);
  assert.ok(one(afterScrape, 'm3m_http_requests_total', { route: '/api/ping', method: 'GET', status: '2xx' }) >= 1);
  assert.ok(one(afterScrape, 'm3m_http_requests_total', { route: '(unmatched)', method: 'GET', status: '4xx' }) >= 1);
  for (const s of find(afterScrape, 'm3m_http_requests_total'))
    assert.ok(!/missing|nothing/.test(s.labels.route), `raw path in a label: ${s.labels.route}`);
  // the histogram: every bucket, cumulative, +Inf = _count
  assert.equal(afterScrape.families.get('m3m_http_request_duration_seconds').type, 'histogram');
  const buckets = find(afterScrape, 'm3m_http_request_duration_seconds_bucket', route);
  assert.deepEqual(buckets.map((b) => b.labels.le),
    ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '10', '+Inf']);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'cumulative buckets');
  const count = one(afterScrape, 'm3m_http_request_duration_seconds_count', route);
  assert.equal(buckets.at(-1).value, count);
  assert.ok(count >= 3);
  assert.ok(one(afterScrape, 'm3m_http_request_duration_seconds_sum', route) > 0);
  assert.ok(one(afterScrape, 'm3m_http_response_bytes_total', route) > 0);
});

// Sends raw bytes and returns the status of the answer (the server refuses before routing).
async function rawStatus(server, bytes) {
  const net = await import('node:net');
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1', () => sock.write(bytes));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
      if (m) {
        sock.destroy();
        resolve(Number(m[1]));
      }
    });
    sock.on('error', reject);
  });
}

test('requests refused by a limit are counted by status: 413 and 431 before routing, 429 from a handler', async () => {
  const { server, rootToken } = await startWithRoot({
    config: `metrics:\n  token: ${TOKEN}\n`,
    env: { M3M_SERVER_MAX_BODY: '1MB' },
  });
  try {
    const rejected = (parsed, status) => one(parsed, 'm3m_http_rejected_total', { status });
    const before = await scrape(server);
    assert.equal(before.families.get('m3m_http_rejected_total').type, 'counter');
    for (const status of ['413', '429', '431']) assert.equal(rejected(before, status), 0, `${status} starts at 0`);
    // 431: headers over server.max_header (16 KiB)
    assert.equal(await rawStatus(server, `GET /api/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`), 431);
    // 413: a body over server.max_body, refused from its Content-Length
    assert.equal(await rawStatus(server, `POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 << 20}\r\nContent-Type: application/json\r\n\r\n{`), 413);
    // 429: the login limiter (5 failures per email and address)
    let last;
    for (let i = 0; i < 7; i++) last = await api(server, 'POST', '/api/auth/login', { body: { email: 'limited@example.com', password: 'wrong-password' } });
    expectError(last, 429, 'LIMIT_EXCEEDED');
    const after = await scrape(server);
    assert.equal(rejected(after, '431'), 1);
    assert.equal(rejected(after, '413'), 1);
    assert.equal(rejected(after, '429'), 2);
    expectStatus(await api(server, 'GET', '/api/ping'), 200);
    assert.equal(rejected(await scrape(server), '413'), 1, 'an accepted request moves nothing');
    void rootToken;
  } finally {
    await server.stop();
  }
});

test('project families appear for a running project and disappear when it is deleted', async () => {
  const { server, rootToken } = ctx;
  const { project } = await runningProject(server, rootToken, `router.get('/hi', () => ({ ok: true }));\nrouter.get('/boom', () => { throw new Error('boom') })`);
  for (let i = 0; i < 2; i++) expectStatus(await callRoute(server, project.slug, '/hi'), 200);
  expectStatus(await callRoute(server, project.slug, '/boom'), 500);
  let parsed = await scrape(server);
  const p = { project: project.slug };
  assert.equal(one(parsed, 'm3m_project_route_calls_total', p), 3);
  assert.equal(one(parsed, 'm3m_project_route_errors_total', p), 1);
  assert.ok(one(parsed, 'm3m_project_heap_used_bytes', p) > 0);
  assert.equal(one(parsed, 'm3m_project_state', { ...p, state: 'running' }), 1);
  assert.equal(one(parsed, 'm3m_project_outbound_http_requests_total', p), 0);
  assert.equal(one(parsed, 'm3m_project_tasks', { ...p, state: 'queued' }), 0);
  assert.ok(one(parsed, 'm3m_projects_running') >= 1);
  // the families of issue 20's second half, one series each for the project
  for (const name of ['m3m_project_js_cpu_seconds_total', 'm3m_project_waits_total', 'm3m_project_wait_seconds_total',
    'm3m_project_heap_limit_bytes', 'm3m_project_queued_requests', 'm3m_project_goal_increments_total', 'm3m_project_restarts_total'])
    assert.ok(one(parsed, name, p) >= 0, name);
  assert.ok(one(parsed, 'm3m_project_js_cpu_seconds_total', p) > 0, 'three route calls ran JS');
  assert.ok(one(parsed, 'm3m_project_heap_limit_bytes', p) > one(parsed, 'm3m_project_heap_used_bytes', p));
  // the project's route calls are counted under one template, not per slug
  assert.ok(one(parsed, 'm3m_http_requests_total', { route: '/r/:slug/*', method: 'GET', status: '2xx' }) >= 2);
  assert.ok(one(parsed, 'm3m_http_requests_total', { route: '/r/:slug/*', method: 'GET', status: '5xx' }) >= 1);
  expectStatus(await api(server, 'DELETE', `/api/projects/${project.id}`, { token: rootToken }), 204);
  parsed = await scrape(server);
  assert.equal(parsed.samples.filter((s) => s.labels.project === project.slug).length, 0, 'no series of a deleted project');
  for (const name of ['m3m_project_js_cpu_seconds_total', 'm3m_project_restarts_total', 'm3m_project_goal_increments_total'])
    assert.equal(parsed.families.get(name).type, 'counter', `${name}: the family stays declared, without series`);
});

test('metrics.allow: a scraper outside the list gets 403, inside it gets in (with and without a token)', async () => {
  const outside = await startWithRoot({ config: 'metrics:\n  allow: ["10.0.0.0/8", "fd00::/8"]\n' });
  try {
    expectError(await api(outside.server, 'GET', '/metrics'), 403, 'PERMISSION_DENIED');
  } finally {
    await outside.server.stop();
  }
  const inside = await startWithRoot({ config: `metrics:\n  allow: ["10.0.0.0/8", "127.0.0.0/8"]\n  token: ${TOKEN}\n` });
  try {
    expectError(await api(inside.server, 'GET', '/metrics'), 401, 'UNAUTHENTICATED');
    await scrape(inside.server);
  } finally {
    await inside.server.stop();
  }
  const onlyAllow = await startWithRoot({ config: 'metrics:\n  allow: ["127.0.0.1"]\n' });
  try {
    await scrape(onlyAllow.server, {});
  } finally {
    await onlyAllow.server.stop();
  }
});

test('off by default: without metrics.token or metrics.allow /metrics is 404 (and not the UI)', async () => {
  const plain = await startWithRoot();
  try {
    expectError(await api(plain.server, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } }), 404, 'NOT_FOUND');
  } finally {
    await plain.server.stop();
  }
});

test('a malformed metrics.allow entry stops the start', async () => {
  await assert.rejects(startWithRoot({ config: 'metrics:\n  allow: ["10.0.0.0/99"]\n' }));
});
