// Goals: global and project goals, permissions, statistics per day with
// totals, and goals.increment from the runtime — exact totals under
// concurrency, and nothing lost when the server stops mid-load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, callRoute, createProject, createUserAndLogin, deploy, expectError, expectFieldError, expectList, expectStatus,
  startRunning, startWithRoot,
} from './fixtures.mjs';
import { startServer } from './harness.mjs';

let server, dir, rootToken, project, other;

const code = `
service.start(() => {
  router.post('/inc', (ctx) => {
    const n = ctx.body.n || 1;
    for (let i = 0; i < n; i++) goals.increment(ctx.body.slug, ctx.body.value);
    return { ok: true };
  });
  router.post('/try', (ctx) => { try { goals.increment(ctx.body.slug, ctx.body.value); return { ok: true } } catch (e) { return { code: e.code, message: e.message } } });
});
`;

before(async () => {
  // A long flush interval: the stop-under-load test then depends on the
  // flush at shutdown, not on a timely background write.
  ({ server, dir, rootToken } = await startWithRoot({ keepDir: true, env: { M3M_RUNTIME_GOALS_FLUSH_INTERVAL: '1h' } }));
  project = await createProject(server, rootToken, { slug: 'shop' });
  other = await createProject(server, rootToken, { slug: 'other' });
  await startRunning(server, rootToken, project.id, await deploy(server, rootToken, project.id, code));
  await startRunning(server, rootToken, other.id, await deploy(server, rootToken, other.id, code));
});
after(async () => { await server?.stop(); });

const inc = (p, body) => callRoute(server, p.slug, '/inc', { method: 'POST', body });
const tryInc = async (p, body) => (await callRoute(server, p.slug, '/try', { method: 'POST', body })).body;

test('global and project goals: CRUD, effective slugs, validation, permissions', async () => {
  const g = expectStatus(await api(server, 'POST', '/api/goals', { token: rootToken, body: {
    name: 'Signups', slug: 'signups', type: 'daily_counter', color: 'teal', allowed_projects: [project.id] } }), 201).body;
  assert.equal(g.project_id, null);
  assert.equal(g.full_slug, 'signups');
  assert.deepEqual(g.allowed_projects, [project.id]);
  const pg = expectStatus(await api(server, 'POST', `/api/projects/${project.id}/goals`, { token: rootToken, body: {
    name: 'Orders', slug: 'orders', type: 'counter' } }), 201).body;
  assert.equal(pg.full_slug, 'shop-orders');
  expectError(await api(server, 'POST', '/api/goals', { token: rootToken, body: { name: 'x', slug: 'shop-orders' } }), 409, 'CONFLICT');
  const bad = expectError(await api(server, 'POST', '/api/goals', { token: rootToken, body: { name: '', slug: 'Bad Slug', type: 'gauge', color: 'chartreuse', allowed_projects: ['nope'] } }), 400, 'INVALID_ARGUMENT');
  for (const k of ['name', 'slug', 'type', 'color', 'allowed_projects']) assert.ok(k in bad.fields, `${k}: ${JSON.stringify(bad.fields)}`);
  expectFieldError(await api(server, 'PUT', `/api/goals/${g.id}`, { token: rootToken, body: { type: 'counter' } }), 'type');
  expectList(await api(server, 'GET', '/api/goals', { token: rootToken }));
  assert.equal(expectList(await api(server, 'GET', `/api/projects/${project.id}/goals`, { apiKey: project.api_key })).length, 1);
  expectError(await api(server, 'GET', '/api/goals'), 401, 'UNAUTHENTICATED');
  const user = await createUserAndLogin(server, rootToken);
  expectList(await api(server, 'GET', '/api/goals', { token: user.token }), 'any user reads global goals');
  expectError(await api(server, 'POST', '/api/goals', { token: user.token, body: { name: 'x', slug: 'x' } }), 403, 'PERMISSION_DENIED');
  const denied = await api(server, 'GET', `/api/projects/${project.id}/goals`, { token: user.token });
  assert.ok([403, 404].includes(denied.status));
  expectError(await api(server, 'GET', `/api/projects/${project.id}/goals`, { apiKey: other.api_key }), 403, 'PERMISSION_DENIED');
});

test('increment: own goal by short slug, allowed global goal; unknown and forbidden goals throw clearly', async () => {
  assert.deepEqual(await tryInc(project, { slug: 'orders' }), { ok: true });
  assert.deepEqual(await tryInc(project, { slug: 'signups', value: 2 }), { ok: true });
  const unknown = await tryInc(project, { slug: 'nope' });
  assert.equal(unknown.code, 'NOT_FOUND');
  const forbidden = await tryInc(other, { slug: 'signups' });
  assert.equal(forbidden.code, 'PERMISSION_DENIED');
  assert.match(forbidden.message, /may not write/);
  const notHers = await tryInc(other, { slug: 'shop-orders' });
  assert.equal(notHers.code, 'PERMISSION_DENIED');
  assert.equal((await tryInc(project, { slug: 'orders', value: 1.5 })).code, 'INVALID_ARGUMENT');
});

test('thousands of concurrent increments add up exactly; stats per day with zeros and totals', async () => {
  const goalsList = expectList(await api(server, 'GET', `/api/projects/${project.id}/goals`, { token: rootToken }));
  const orders = goalsList.find((g) => g.slug === 'orders');
  const before = expectStatus(await api(server, 'GET', `/api/goals/stats?goals=${orders.id}`, { token: rootToken }), 200).body.goals[0].total;
  await Promise.all(Array.from({ length: 40 }, () => inc(project, { slug: 'orders', n: 100 })));
  await Promise.all(Array.from({ length: 10 }, () => inc(project, { slug: 'signups', n: 50, value: 3 })));
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 10);
  const globals = expectList(await api(server, 'GET', '/api/goals', { token: rootToken }));
  const signups = globals.find((g) => g.slug === 'signups');
  const stats = expectStatus(await api(server, 'GET', `/api/goals/stats?goals=${orders.id},${signups.id}&from=${from}&to=${today}`, { token: rootToken }), 200).body;
  const o = stats.goals.find((g) => g.id === orders.id);
  const s = stats.goals.find((g) => g.id === signups.id);
  assert.equal(o.total, before + 4000, 'every increment counted once');
  assert.equal(o.days, undefined, 'a counter has a total only');
  assert.equal(s.days.length, 3, 'every day of the period');
  assert.deepEqual(s.days.slice(0, 2).map((d) => d.value), [0, 0], 'days without data are 0');
  assert.equal(s.days[2].date, today);
  assert.equal(s.days[2].value, 2 + 1500);
  assert.equal(s.total, 1502);
  expectFieldError(await api(server, 'GET', '/api/goals/stats?from=2026-13-01', { token: rootToken }), 'from');
  expectFieldError(await api(server, 'GET', `/api/goals/stats?from=${today}&to=${from}`, { token: rootToken }), 'from');
  const byProject = expectStatus(await api(server, 'GET', `/api/goals/stats?goals=${signups.id}&project_id=${other.id}`, { token: rootToken }), 200).body;
  assert.equal(byProject.goals[0].total, 0, 'filtered by the writing project');
});

test('a project slug change renames its goals; deleting a goal removes its statistics', async () => {
  expectStatus(await api(server, 'PUT', `/api/projects/${other.id}`, { token: rootToken, body: { slug: 'other2' } }), 200);
  const g = expectStatus(await api(server, 'POST', `/api/projects/${other.id}/goals`, { token: rootToken, body: { name: 'Hits', slug: 'hits' } }), 201).body;
  assert.equal(g.full_slug, 'other2-hits');
  other.slug = 'other2';
  assert.deepEqual(await tryInc(other, { slug: 'hits' }), { ok: true });
  expectStatus(await api(server, 'DELETE', `/api/projects/${other.id}/goals/${g.id}`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', `/api/goals/${g.id}`, { token: rootToken }), 404, 'NOT_FOUND');
  assert.equal((await tryInc(other, { slug: 'hits' })).code, 'NOT_FOUND');
});

test('stopping the server mid-load loses no acknowledged increment', async () => {
  const g = expectStatus(await api(server, 'POST', `/api/projects/${project.id}/goals`, { token: rootToken, body: { name: 'Load', slug: 'load' } }), 201).body;
  let acknowledged = 0;
  let stopping = false;
  const worker = async () => {
    while (!stopping) {
      try {
        const r = await inc(project, { slug: 'load', n: 10 });
        if (r.status === 200) acknowledged += 10;
      } catch { break; }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  await new Promise((r) => setTimeout(r, 1500));
  const stopped = server.stop();  // SIGTERM while requests are in flight
  stopping = true;
  await Promise.allSettled(workers);
  await stopped;
  assert.ok(acknowledged > 0, 'load was running');
  server = await startServer({ dir });
  const token = (await api(server, 'POST', '/api/auth/login', { body: { email: 'root@example.com', password: 'rootpass123' } })).body.access_token;
  const stats = expectStatus(await api(server, 'GET', `/api/goals/stats?goals=${g.id}`, { token }), 200).body;
  // Requests answered 200 were counted; a request cut by the stop may have
  // counted its increments without its answer arriving (never the reverse).
  assert.ok(stats.goals[0].total >= acknowledged, `stored ${stats.goals[0].total} ≥ acknowledged ${acknowledged}`);
  assert.ok(stats.goals[0].total <= acknowledged + 8 * 10, 'no phantom increments');
});
