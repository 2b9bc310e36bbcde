// Service lifecycle and run control (issue 6): boot → start → serve →
// shutdown, stop ends the run completely, restart vs a new version and the
// run log, start/stop/restart/status, failures (syntax error, exception in
// boot), the logs API (paging, tail, download) and permissions.
// Contract: docs/runtime.md ("Lifecycle", "Run control and logs").
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createProject,
  createUserAndLogin,
  deploy,
  describe,
  expectError,
  expectStatus,
  missingIdLike,
  projectStatus,
  readRunLog,
  restartProject,
  runningProject,
  sleep,
  startProject,
  startRunning,
  startWithRoot,
  stopProject,
  waitFor,
} from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot({
    env: { M3M_RUNTIME_SHUTDOWN_TIMEOUT: '1s', M3M_RUNTIME_START_TIMEOUT: '3s', M3M_RUNTIME_LOG_MAX_SIZE: '64KB' },
  }));
});
after(async () => {
  await server?.stop();
});

const logOf = (pid) => readRunLog(server, rootToken, pid);
const indexOf = (lines, re) => lines.findIndex((l) => re.test(l));
const count = (lines, re) => lines.filter((l) => re.test(l)).length;

test('boot runs before start, whatever the registration order; then routes are served', async () => {
  const code = `
    service.start(() => {
      logger.info('start-cb ' + state.join(','));
      state.push('start');
      router.get('/state', () => ({ state }));
    });
    const state = [];
    service.boot(() => { logger.info('boot-cb'); state.push('boot'); });
  `;
  const { project } = await runningProject(server, rootToken, code);
  const res = await callRoute(server, project.slug, '/state');
  expectStatus(res, 200, 'state route');
  assert.deepEqual(res.body.state, ['boot', 'start']);
  const lines = await logOf(project.id);
  const b = indexOf(lines, /\] boot-cb$/);
  const s = indexOf(lines, /\] start-cb boot$/);
  assert.ok(b >= 0 && s >= 0, `boot and start lines:\n${lines.join('\n')}`);
  assert.ok(b < s, 'boot line before start line');
});

test('async boot is awaited before start', async () => {
  const code = `
    let config = null;
    service.boot(async () => {
      await new Promise((r) => setTimeout(r, 200));
      config = { loaded: true };
      logger.info('boot-done');
    });
    service.start(async () => {
      logger.info('start-sees ' + JSON.stringify(config));
      await new Promise((r) => setTimeout(r, 20));
      router.get('/config', () => ({ config }));
    });
  `;
  const t0 = Date.now();
  const { project } = await runningProject(server, rootToken, code);
  assert.ok(Date.now() - t0 >= 200, 'start answered after the async boot finished');
  const res = await callRoute(server, project.slug, '/config');
  expectStatus(res, 200, 'config route');
  assert.deepEqual(res.body.config, { loaded: true });
  const lines = await logOf(project.id);
  const b = indexOf(lines, /\] boot-done$/);
  const s = indexOf(lines, /\] start-sees \{"loaded":true\}$/);
  assert.ok(b >= 0 && s > b, `boot-done then start-sees {"loaded":true}:\n${lines.join('\n')}`);
});

test('stop runs shutdown; afterwards no interval, timer or continuation of the old run fires', async () => {
  const code = `
    service.start(() => {
      let n = 0;
      setInterval(() => logger.info('tick ' + (++n)), 20);
      setTimeout(() => logger.info('late-timeout-fired'), 700);
      (async () => { await new Promise((r) => setTimeout(r, 700)); logger.info('late-continuation-fired'); })();
      router.get('/hello', () => ({ ok: true }));
    });
    service.shutdown(() => { logger.info('shutdown-ran'); });
  `;
  const { project } = await runningProject(server, rootToken, code);
  await waitFor(async () => count(await logOf(project.id), /\] tick \d+$/) >= 3, { what: 'a few ticks', timeout: 5000 });

  const t0 = Date.now();
  const stop = await stopProject(server, rootToken, project.id);
  expectStatus(stop, 200, 'stop');
  assert.ok(Date.now() - t0 < 5000, 'stop returned within 5 s');
  assert.equal(stop.body.state, 'stopped', `stop answers the status: ${describe(stop)}`);
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'stopped');

  const first = await logOf(project.id);
  assert.ok(indexOf(first, /\] shutdown-ran$/) >= 0, `shutdown line in:\n${first.slice(-10).join('\n')}`);
  await sleep(900);
  const second = await logOf(project.id);
  assert.equal(count(second, /\] tick \d+$/), count(first, /\] tick \d+$/), 'no tick after stop');
  assert.equal(second.length, first.length, `no new lines after stop:\n${second.slice(first.length).join('\n')}`);
  assert.equal(indexOf(second, /late-timeout-fired|late-continuation-fired/), -1, 'no pending timer/continuation fired');
  // The shutdown line comes after the last tick.
  const lastTick = second.findLastIndex((l) => /\] tick \d+$/.test(l));
  assert.ok(indexOf(second, /\] shutdown-ran$/) > lastTick || lastTick < 0, 'no tick logged after shutdown ran');
});

test('restart keeps the same release\'s log and ends the old run; a new version clears the log', async () => {
  const code = (tag) => `
    const run = Math.random().toString(36).slice(2);
    service.boot(() => logger.info('boot ${tag} ' + run));
    service.start(() => {
      setInterval(() => logger.info('iv ' + run), 30);
      router.get('/run', () => ({ run, tag: '${tag}' }));
    });
    service.shutdown(() => logger.info('shutdown ${tag} ' + run));
  `;
  const { project, version: v1 } = await runningProject(server, rootToken, code('v1'));
  const run1 = (await callRoute(server, project.slug, '/run')).body.run;
  assert.equal(typeof run1, 'string');

  const rs = await restartProject(server, rootToken, project.id);
  expectStatus(rs, 200, 'restart');
  assert.equal(rs.body.state, 'running', `restart answers the running status: ${describe(rs)}`);
  assert.equal(rs.body.release, v1, 'restart keeps the release');
  const run2 = (await callRoute(server, project.slug, '/run')).body.run;
  assert.notEqual(run2, run1, 'a new run after restart');

  await sleep(200);
  const lines = await logOf(project.id);
  assert.ok(indexOf(lines, new RegExp(`\\] boot v1 ${run1}$`)) >= 0, 'the first run\'s boot line is still there');
  assert.ok(indexOf(lines, new RegExp(`\\] shutdown v1 ${run1}$`)) >= 0, 'the first run\'s shutdown line');
  assert.ok(indexOf(lines, new RegExp(`\\] boot v1 ${run2}$`)) >= 0, 'the second run\'s boot line');
  const shut1 = indexOf(lines, new RegExp(`\\] shutdown v1 ${run1}$`));
  assert.ok(indexOf(lines, new RegExp(`\\] boot v1 ${run2}$`)) > shut1, 'new boot after old shutdown');
  const oldIvAfter = lines.slice(shut1 + 1).filter((l) => l.endsWith(`iv ${run1}`));
  assert.deepEqual(oldIvAfter, [], 'the old run\'s interval never fires after restart');

  // A new version: stop, start with it → the log of the previous version is gone.
  const v2 = await deploy(server, rootToken, project.id, code('v2'));
  assert.notEqual(v2, v1);
  expectStatus(await stopProject(server, rootToken, project.id), 200, 'stop');
  const st = await startRunning(server, rootToken, project.id, v2);
  assert.equal(st.release, v2);
  const run3 = (await callRoute(server, project.slug, '/run')).body;
  assert.equal(run3.tag, 'v2');
  const after = await logOf(project.id);
  assert.equal(indexOf(after, new RegExp(`${run1}|${run2}|boot v1|shutdown v1`)), -1, `old version's lines cleared:\n${after.join('\n')}`);
  assert.ok(indexOf(after, new RegExp(`\\] boot v2 ${run3.run}$`)) >= 0, 'the new version logs');
});

test('POST start {version} runs that release and makes it the active one', async () => {
  const p = await createProject(server, rootToken, {});
  const code = (n) => `service.start(() => router.get('/v', () => ({ n: ${n} })))`;
  const v1 = await deploy(server, rootToken, p.id, code(1));
  const v2 = await deploy(server, rootToken, p.id, code(2));
  const v3 = await deploy(server, rootToken, p.id, code(3));

  const s2 = await startRunning(server, rootToken, p.id, v2);
  assert.equal(s2.release, v2);
  assert.equal((await callRoute(server, p.slug, '/v')).body.n, 2);
  let proj = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.equal(proj.body.active_release, v2, 'the started version is active');
  assert.equal(proj.body.status, 'running', 'project.status is running');
  const rel = await api(server, 'GET', `/api/projects/${p.id}/pipeline/releases/${v2}`, { token: rootToken });
  assert.equal(rel.body.is_running, true, 'release.is_running');
  assert.equal(rel.body.is_active, true, 'release.is_active');

  // Without a version: the active release (activate v3, restart-free: stop + start).
  expectStatus(await api(server, 'POST', `/api/projects/${p.id}/pipeline/releases/${v3}/activate`, { token: rootToken }), 200, 'activate v3');
  expectStatus(await stopProject(server, rootToken, p.id), 200, 'stop');
  proj = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.equal(proj.body.status, 'stopped', 'project.status is stopped');
  const s3 = await startRunning(server, rootToken, p.id);
  assert.equal(s3.release, v3, 'start without a version runs the active release');
  assert.equal((await callRoute(server, p.slug, '/v')).body.n, 3);

  // Back to v1 by version.
  expectStatus(await stopProject(server, rootToken, p.id), 200, 'stop');
  const s1 = await startRunning(server, rootToken, p.id, v1);
  assert.equal(s1.release, v1);
  assert.equal((await callRoute(server, p.slug, '/v')).body.n, 1);
  proj = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.equal(proj.body.active_release, v1);

  // An unknown version is not a success.
  expectStatus(await stopProject(server, rootToken, p.id), 200, 'stop');
  const bad = await startProject(server, rootToken, p.id, '99.0');
  assert.ok([400, 404].includes(bad.status), `start with an unknown version: ${describe(bad)}`);
});

test('while boot is in progress the state is starting and routes answer 503; then running', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `
    service.boot(async () => { await new Promise((r) => setTimeout(r, 1500)); });
    service.start(() => router.get('/hello', () => ({ ok: true })));
  `);
  const starting = startProject(server, rootToken, p.id, v);
  const seen = await waitFor(
    async () => {
      const st = await projectStatus(server, rootToken, p.id);
      return st.state === 'starting' ? st : null;
    },
    { what: 'state starting', timeout: 1400, interval: 20 },
  );
  assert.equal(seen.state, 'starting');
  const r = await callRoute(server, p.slug, '/hello');
  expectError(r, 503, 'UNAVAILABLE', 'a starting project');
  assert.ok(r.headers.get('retry-after'), 'Retry-After while starting');
  const res = await starting;
  expectStatus(res, 200, 'start');
  assert.equal(res.body.state, 'running', 'start answers once running');
  expectStatus(await callRoute(server, p.slug, '/hello'), 200, 'running');
});

test('restart gives a new started_at; the running release cannot be deleted; deleting the project ends its run', async () => {
  const code = `
    service.start(() => {
      setInterval(() => logger.info('del-tick'), 20);
      router.get('/hello', () => ({ ok: true }));
    });
  `;
  const { project, version, status } = await runningProject(server, rootToken, code);
  await sleep(1100);
  const rs = await restartProject(server, rootToken, project.id);
  expectStatus(rs, 200, 'restart');
  assert.ok(Date.parse(rs.body.started_at) > Date.parse(status.started_at) || rs.body.started_at !== status.started_at, `started_at moves on restart: ${status.started_at} → ${rs.body.started_at}`);

  const del = await api(server, 'DELETE', `/api/projects/${project.id}/pipeline/releases/${version}`, { token: rootToken });
  expectError(del, 409, 'CONFLICT', 'delete the running release');

  expectStatus(await api(server, 'DELETE', `/api/projects/${project.id}`, { token: rootToken }), 204, 'delete the project');
  const gone = await callRoute(server, project.slug, '/hello');
  expectError(gone, 404, 'NOT_FOUND', 'routes of a deleted project');
  await sleep(300);
  // Its slug can be reused by a new project, which starts clean.
  const again = await createProject(server, rootToken, { slug: project.slug });
  const v2 = await deploy(server, rootToken, again.id, `service.start(() => router.get('/hello', () => ({ again: true })))`);
  await startRunning(server, rootToken, again.id, v2);
  assert.deepEqual((await callRoute(server, again.slug, '/hello')).body, { again: true });
  const lines = await logOf(again.id);
  assert.equal(lines.filter((l) => l.endsWith('del-tick')).length, 0, 'no line of the deleted project in the new one');
});

test('ten projects started at once all run and answer', async () => {
  const ps = [];
  for (let i = 0; i < 10; i++) {
    const p = await createProject(server, rootToken, {});
    const v = await deploy(server, rootToken, p.id, `
      service.boot(async () => { await new Promise((r) => setTimeout(r, 20)); });
      service.start(() => router.get('/who', () => ({ i: ${i}, slug: service.project.slug })));
    `);
    ps.push({ ...p, v });
  }
  const starts = await Promise.all(ps.map((p) => startProject(server, rootToken, p.id, p.v)));
  starts.forEach((r, i) => {
    expectStatus(r, 200, `start ${i}`);
    assert.equal(r.body.state, 'running', `project ${i}: ${describe(r)}`);
  });
  const answers = await Promise.all(ps.map((p) => callRoute(server, p.slug, '/who')));
  answers.forEach((r, i) => assert.deepEqual(r.body, { i, slug: ps[i].slug }, describe(r)));
  await Promise.all(ps.map((p) => stopProject(server, rootToken, p.id)));
  for (const p of ps) assert.equal((await projectStatus(server, rootToken, p.id)).state, 'stopped');
});

test('stop during a slow boot ends the run at once: returns quickly, boot and start never continue', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `
    service.boot(async () => { logger.info('slow-boot'); await new Promise((r) => setTimeout(r, 2500)); logger.info('boot-finished'); });
    service.start(() => { logger.info('start-ran'); router.get('/hello', () => ({ ok: true })); });
  `);
  const t0 = Date.now();
  const starting = startProject(server, rootToken, p.id, v).then((r) => ({ r, at: Date.now() }));
  await waitFor(async () => (await logOf(p.id)).some((l) => l.endsWith('] slow-boot')), { what: 'boot began', timeout: 2000, interval: 20 });
  const t1 = Date.now();
  const stop = await stopProject(server, rootToken, p.id);
  const stopMs = Date.now() - t1;
  expectStatus(stop, 200, 'stop during boot');
  const settled = await Promise.race([starting, sleep(5000).then(() => null)]);
  assert.ok(settled, 'the start request was answered');
  await sleep(Math.max(0, 3000 - (Date.now() - t0)));
  const lines = await logOf(p.id);
  assert.ok(!lines.some((l) => /\] (boot-finished|start-ran)$/.test(l)), `no continuation of the stopped boot (stop took ${stopMs} ms):\n${lines.join('\n')}`);
  assert.ok(stopMs < 1500, `stop returned in ${stopMs} ms, without waiting for the 2.5 s boot`);
  assert.ok(settled.at - t0 < 2300, `the start request ended with the stop (${settled.at - t0} ms), not after the boot`);
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'stopped', JSON.stringify(st));
  expectError(await callRoute(server, p.slug, '/hello'), 503, 'UNAVAILABLE', 'stopped during boot');
});

test('two concurrent start calls leave exactly one live run', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `
    const run = Math.random().toString(36).slice(2);
    service.boot(async () => { await new Promise((r) => setTimeout(r, 100)); });
    service.start(() => {
      setInterval(() => logger.info('live ' + run), 25);
      router.get('/run', () => ({ run }));
    });
  `);
  const [a, b] = await Promise.all([startProject(server, rootToken, p.id, v), startProject(server, rootToken, p.id, v)]);
  assert.ok([a, b].some((r) => r.status === 200), `one start succeeded: ${describe(a)} / ${describe(b)}`);
  for (const r of [a, b]) assert.ok(r.status === 200 || r.status === 409, describe(r));
  assert.equal((await projectStatus(server, rootToken, p.id)).state, 'running');
  const { run } = (await callRoute(server, p.slug, '/run')).body;
  const n0 = (await logOf(p.id)).length;
  await sleep(400);
  const fresh = (await logOf(p.id)).slice(n0).filter((l) => /\] live /.test(l));
  assert.ok(fresh.length > 3, 'the interval runs');
  assert.deepEqual([...new Set(fresh.map((l) => l.split(' ').pop()))], [run], 'only one run logs');
  // Starting a running project again does not break it.
  const again = await startProject(server, rootToken, p.id);
  assert.ok(again.status === 200 || again.status === 409, describe(again));
  assert.equal((await projectStatus(server, rootToken, p.id)).state, 'running');
  expectStatus(await callRoute(server, p.slug, '/run'), 200, 'still serving');
  expectStatus(await stopProject(server, rootToken, p.id), 200, 'stop');
});

test('start with no release → 409 CONFLICT; status of a fresh project is stopped', async () => {
  const p = await createProject(server, rootToken, {});
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'stopped');
  expectError(await startProject(server, rootToken, p.id), 409, 'CONFLICT', 'start without a release');
  const logs = await api(server, 'GET', `/api/projects/${p.id}/logs`, { token: rootToken });
  expectStatus(logs, 200, 'logs of a project that never ran');
  assert.deepEqual(logs.body.lines, []);
  assert.ok('next_cursor' in logs.body);
  const dl = await api(server, 'GET', `/api/projects/${p.id}/logs/download`, { token: rootToken });
  expectStatus(dl, 200, 'download of an empty log');
  assert.equal(dl.text, '');
  assert.equal((await projectStatus(server, rootToken, p.id)).state, 'stopped');
  // Stop of a stopped project is harmless.
  const stop = await stopProject(server, rootToken, p.id);
  expectStatus(stop, 200, 'stop a stopped project');
  assert.equal(stop.body.state, 'stopped');
});

test('status fields: state, release, started_at, last_error, heap_used, calls', async () => {
  const { project, version, status } = await runningProject(server, rootToken, `service.start(() => router.get('/hello', () => ({ ok: true })))`);
  for (const k of ['state', 'release', 'started_at', 'last_error', 'heap_used', 'calls']) {
    assert.ok(k in status, `status.${k} in ${JSON.stringify(status)}`);
  }
  assert.equal(status.state, 'running');
  assert.equal(status.release, version);
  assert.equal(typeof status.started_at, 'string');
  const started = Date.parse(status.started_at);
  assert.ok(Number.isFinite(started) && Math.abs(started - Date.now()) < 120_000, `started_at is a recent timestamp: ${status.started_at}`);
  assert.equal(status.last_error, null);
  assert.ok(Number.isInteger(status.heap_used) && status.heap_used > 0, `heap_used is a positive integer: ${status.heap_used}`);
  assert.ok(Number.isInteger(status.calls), `calls is an integer: ${status.calls}`);
  const c0 = status.calls;
  for (let i = 0; i < 3; i++) expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'hello');
  const st = await projectStatus(server, rootToken, project.id);
  assert.ok(st.calls >= c0 + 3, `calls counts handled requests: ${c0} → ${st.calls}`);
  expectStatus(await stopProject(server, rootToken, project.id), 200, 'stop');
  const stopped = await projectStatus(server, rootToken, project.id);
  assert.equal(stopped.state, 'stopped');
});

test('a syntax error fails the start with line:col and the message in the status and the run log', async () => {
  const p = await createProject(server, rootToken, {});
  // The error is on line 3, column 11 of the code.
  const code = 'service.start(() => {\n  router.get("/x", () => 1);\n  let x = ;\n});\n';
  const v = await deploy(server, rootToken, p.id, code);
  const t0 = Date.now();
  const res = await startProject(server, rootToken, p.id, v);
  assert.ok(Date.now() - t0 < 10_000, 'start answered');
  assert.ok(res.status === 200 || res.status >= 400, describe(res));
  if (res.status === 200) assert.equal(res.body.state, 'failed', `start answers the failed status: ${describe(res)}`);
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'failed', JSON.stringify(st));
  assert.equal(typeof st.last_error, 'string');
  assert.match(st.last_error, /(^|\D)3:\d+/, `last_error has line:col of the user's code (line 3): ${st.last_error}`);
  assert.match(st.last_error, /SyntaxError|Unexpected token/i, `last_error has the message: ${st.last_error}`);
  const log = (await logOf(p.id)).join('\n');
  assert.match(log, /(^|\D)3:\d+/, `run log has line:col:\n${log}`);
  assert.match(log, /SyntaxError|Unexpected token/i, 'run log has the message');
  const r = await callRoute(server, p.slug, '/x');
  expectError(r, 503, 'UNAVAILABLE', 'a failed project');
  assert.ok(r.headers.get('retry-after'), 'Retry-After on a failed project');
});

test('an exception in boot → failed; another project started at the same time runs fine', async () => {
  const bad = await createProject(server, rootToken, {});
  const good = await createProject(server, rootToken, {});
  const vb = await deploy(server, rootToken, bad.id, `
    function loadConfig() { throw new Error('boot-exploded-marker'); }
    service.boot(async () => { await null; loadConfig(); });
    service.start(() => router.get('/hello', () => ({ ok: 'bad' })));
  `);
  const vg = await deploy(server, rootToken, good.id, `
    service.boot(async () => { await new Promise((r) => setTimeout(r, 50)); });
    service.start(() => router.get('/hello', () => ({ ok: 'good' })));
  `);
  const [rb, rg] = await Promise.all([startProject(server, rootToken, bad.id, vb), startProject(server, rootToken, good.id, vg)]);
  expectStatus(rg, 200, 'good start');
  assert.equal(rg.body.state, 'running');
  assert.ok(rb.status === 200 || rb.status >= 400, describe(rb));

  const sb = await projectStatus(server, rootToken, bad.id);
  assert.equal(sb.state, 'failed');
  assert.match(sb.last_error || '', /boot-exploded-marker/, `last_error: ${sb.last_error}`);
  const log = (await logOf(bad.id)).join('\n');
  assert.match(log, /boot-exploded-marker/);
  assert.match(log, /loadConfig/, 'the stack is in the run log');

  assert.equal((await projectStatus(server, rootToken, good.id)).state, 'running');
  const res = await callRoute(server, good.slug, '/hello');
  expectStatus(res, 200, 'good project');
  assert.deepEqual(res.body, { ok: 'good' });
  expectError(await callRoute(server, bad.slug, '/hello'), 503, 'UNAVAILABLE', 'failed project');

  // A failed project can be fixed and started again; last_error is cleared.
  const fixed = await deploy(server, rootToken, bad.id, `service.start(() => router.get('/hello', () => ({ ok: 'fixed' })))`);
  const st = await startRunning(server, rootToken, bad.id, fixed);
  assert.equal(st.last_error, null, 'last_error cleared on a good start');
  assert.deepEqual((await callRoute(server, bad.slug, '/hello')).body, { ok: 'fixed' });
});

test('an exception in start → failed', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `service.start(() => { throw new TypeError('start-exploded-marker'); })`);
  await startProject(server, rootToken, p.id, v);
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'failed');
  assert.match(st.last_error || '', /start-exploded-marker/);
});

test('shutdown is bounded (runtime.shutdown_timeout=1s): a shutdown that never resolves does not block stop', async () => {
  const { project } = await runningProject(server, rootToken, `
    service.start(() => router.get('/hello', () => ({ ok: true })));
    service.shutdown(async () => { logger.info('shutdown-waits'); await new Promise(() => {}); });
  `);
  const t0 = Date.now();
  const res = await stopProject(server, rootToken, project.id);
  const ms = Date.now() - t0;
  expectStatus(res, 200, 'stop');
  assert.ok(ms >= 800, `stop waited for the shutdown callback (${ms} ms)`);
  assert.ok(ms < 5000, `stop returned in ${ms} ms (shutdown_timeout 1s)`);
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'stopped');
  const log = (await logOf(project.id)).join('\n');
  assert.match(log, /shutdown-waits/);
});

test('an exception in shutdown is logged; stop still ends the run', async () => {
  const { project } = await runningProject(server, rootToken, `
    service.start(() => { setInterval(() => logger.info('sd-tick'), 20); router.get('/hello', () => ({ ok: true })); });
    service.shutdown(() => { throw new Error('shutdown-exploded-marker'); });
  `);
  await sleep(100);
  const res = await stopProject(server, rootToken, project.id);
  expectStatus(res, 200, 'stop');
  assert.equal(res.body.state, 'stopped');
  const first = await logOf(project.id);
  assert.match(first.join('\n'), /shutdown-exploded-marker/);
  await sleep(300);
  assert.equal((await logOf(project.id)).length, first.length, 'nothing runs after the stop');
});

test('boot or start that never finishes fails the start after runtime.start_timeout (3s)', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `
    service.boot(async () => { logger.info('boot-hangs'); await new Promise(() => {}); });
    service.start(() => router.get('/hello', () => ({ ok: true })));
  `);
  const t0 = Date.now();
  const res = await startProject(server, rootToken, p.id, v);
  const ms = Date.now() - t0;
  assert.ok(ms >= 2500 && ms < 10_000, `start answered after the start timeout: ${ms} ms`);
  assert.ok(res.status === 200 || res.status >= 400, describe(res));
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'failed', JSON.stringify(st));
  assert.match(st.last_error || '', /time|did not finish|within \d/i, `last_error names the timeout: ${st.last_error}`);
  expectError(await callRoute(server, p.slug, '/hello'), 503, 'UNAVAILABLE', 'after a start timeout');
});

test('the run log is size-capped (runtime.log_max_size=64KB): a chatty script cannot fill the disk', async () => {
  const { project } = await runningProject(server, rootToken, `
    service.start(() => {
      router.get('/chat', (ctx) => {
        const n = Number(ctx.query.n);
        for (let i = 0; i < 500; i++) logger.info('chatty ' + n + '-' + i + ' ' + 'y'.repeat(100));
        return { ok: true };
      });
    });
  `);
  for (let n = 0; n < 8; n++) expectStatus(await callRoute(server, project.slug, `/chat?n=${n}`), 200, `chat ${n}`); // ≈ 500 KB
  const dl = await api(server, 'GET', `/api/projects/${project.id}/logs/download`, { token: rootToken });
  expectStatus(dl, 200, 'download');
  assert.ok(dl.bytes.length <= 2 * 64 * 1024 + 8192, `the downloadable log is bounded: ${dl.bytes.length} bytes`);
  assert.match(dl.text, /chatty 7-499 y+\n?$/, 'the newest line is kept');
  assert.ok(!dl.text.includes('chatty 0-0 '), 'the oldest lines were rotated away');
  // On disk: run.log plus at most one rotated file, bounded.
  const files = [];
  const walk = (d) => {
    for (const n of readdirSync(d)) {
      const f = path.join(d, n);
      const s = statSync(f);
      if (s.isDirectory()) walk(f);
      else if (/run\.log/.test(n) && readFileSync(f, 'utf8').includes('chatty ')) files.push([f, s.size]);
    }
  };
  walk(server.dir);
  assert.ok(files.length >= 1 && files.length <= 2, `run.log (+ run.log.1) on disk: ${JSON.stringify(files)}`);
  const total = files.reduce((a, [, sz]) => a + sz, 0);
  assert.ok(total <= 2 * 64 * 1024 + 8192, `the run log files take ${total} bytes`);
});

test('logs: pages with cursor/limit, oldest first; ?tail=N; download as text/plain', async () => {
  const { project } = await runningProject(server, rootToken, `
    service.boot(() => { for (let i = 1; i <= 50; i++) logger.info('page-line ' + String(i).padStart(2, '0')); });
    service.start(() => router.get('/hello', () => ({ ok: true })));
  `);
  const base = `/api/projects/${project.id}/logs`;
  const all = [];
  let cursor;
  let pages = 0;
  for (;;) {
    const q = cursor === undefined ? '?limit=20' : `?limit=20&cursor=${encodeURIComponent(cursor)}`;
    const res = await api(server, 'GET', base + q, { token: rootToken });
    expectStatus(res, 200, `logs page ${pages}`);
    assert.ok(Array.isArray(res.body.lines), describe(res));
    assert.ok('next_cursor' in res.body, `next_cursor in ${describe(res)}`);
    assert.ok(res.body.lines.length <= 20, `a page holds at most limit lines (${res.body.lines.length})`);
    if (!res.body.lines.length) break;
    pages++;
    all.push(...res.body.lines);
    assert.notEqual(res.body.next_cursor, cursor, 'the cursor moves on');
    cursor = res.body.next_cursor;
    assert.ok(pages < 20, 'paging ends');
  }
  assert.ok(pages >= 3, `50+ lines in pages of 20: ${pages} pages`);
  const ours = all.filter((l) => /\] page-line \d\d$/.test(l));
  assert.deepEqual(
    ours.map((l) => l.slice(-2)),
    Array.from({ length: 50 }, (_, i) => String(i + 1).padStart(2, '0')),
    'all 50 lines once, oldest first',
  );

  // Live tail by polling: the last cursor gives only the new lines.
  expectStatus(await callRoute(server, project.slug, '/hello'), 200);
  await api(server, 'POST', `/api/projects/${project.id}/restart`, { token: rootToken, body: {} }); // logs 50 more
  const more = await api(server, 'GET', `${base}?limit=1000&cursor=${encodeURIComponent(cursor)}`, { token: rootToken });
  expectStatus(more, 200, 'read on from the cursor');
  const newOurs = more.body.lines.filter((l) => /\] page-line \d\d$/.test(l));
  assert.equal(newOurs.length, 50, 'only the new run\'s lines after the cursor');

  const full = await readRunLog(server, rootToken, project.id);
  const tail = await api(server, 'GET', `${base}?tail=5`, { token: rootToken });
  expectStatus(tail, 200, 'tail');
  assert.deepEqual(tail.body.lines, full.slice(-5), '?tail=5 gives the last 5 lines');

  const dl = await api(server, 'GET', `${base}/download`, { token: rootToken });
  expectStatus(dl, 200, 'download');
  assert.match(dl.headers.get('content-type') || '', /^text\/plain/);
  assert.match(dl.headers.get('content-disposition') || '', /attachment/);
  const dlLines = dl.text.split('\n').filter((l) => /\] page-line \d\d$/.test(l));
  assert.equal(dlLines.length, 100, 'the download has every line of both runs');
  for (const l of full) assert.ok(dl.text.includes(l), `download contains ${l}`);

  // The default page is 200 lines.
  const many = await runningProject(server, rootToken, `
    service.boot(() => { for (let i = 1; i <= 250; i++) logger.info('many ' + i); });
    service.start(() => {});
  `);
  const dflt = await api(server, 'GET', `/api/projects/${many.project.id}/logs`, { token: rootToken });
  expectStatus(dflt, 200, 'default page');
  assert.equal(dflt.body.lines.length, 200, 'default limit 200');
  assert.match(dflt.body.lines[0], /\[INFO\] |\[[A-Z]+\] /, 'oldest first');
  const rest = await api(server, 'GET', `/api/projects/${many.project.id}/logs?cursor=${encodeURIComponent(dflt.body.next_cursor)}`, { token: rootToken });
  expectStatus(rest, 200, 'second default page');
  const manyLines = [...dflt.body.lines, ...rest.body.lines].filter((l) => /\] many \d+$/.test(l)).map((l) => Number(l.split(' ').pop()));
  assert.deepEqual(manyLines, Array.from({ length: 250 }, (_, i) => i + 1), 'two default pages hold the 250 lines in order');

  // limit bounds.
  const big = await api(server, 'GET', `${base}?limit=5000`, { token: rootToken });
  assert.ok(big.status === 400 || (big.status === 200 && big.body.lines.length <= 1000), `limit above 1000: ${describe(big)}`);
});

test('permissions: run control and logs need access to the project; its API key may use them', async () => {
  const p = await createProject(server, rootToken, {});
  const other = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `service.start(() => router.get('/hello', () => ({ ok: true })))`);
  const stranger = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true } });
  const base = `/api/projects/${p.id}`;
  const calls = [
    ['POST', `${base}/start`, { version: v }],
    ['POST', `${base}/stop`, {}],
    ['POST', `${base}/restart`, {}],
    ['GET', `${base}/status`],
    ['GET', `${base}/logs`],
    ['GET', `${base}/logs/download`],
  ];
  for (const [method, path, body] of calls) {
    expectError(await api(server, method, path, { body }), 401, 'UNAUTHENTICATED', `${method} ${path} without a token`);
    expectError(await api(server, method, path, { body, token: stranger.token }), 403, 'PERMISSION_DENIED', `${method} ${path} by a stranger`);
    expectError(await api(server, method, path, { body, apiKey: other.api_key }), 403, 'PERMISSION_DENIED', `${method} ${path} with another project's key`);
  }
  assert.equal((await projectStatus(server, rootToken, p.id)).state, 'stopped', 'nothing was started by the refused calls');

  const key = { apiKey: p.api_key };
  const st = await api(server, 'POST', `${base}/start`, { ...key, body: { version: v } });
  expectStatus(st, 200, 'start with the key');
  assert.equal(st.body.state, 'running');
  expectStatus(await api(server, 'GET', `${base}/status`, key), 200, 'status with the key');
  expectStatus(await api(server, 'GET', `${base}/logs`, key), 200, 'logs with the key');
  expectStatus(await api(server, 'GET', `${base}/logs/download`, key), 200, 'download with the key');
  expectStatus(await api(server, 'POST', `${base}/restart`, { ...key, body: {} }), 200, 'restart with the key');
  expectStatus(await api(server, 'POST', `${base}/stop`, { ...key, body: {} }), 200, 'stop with the key');

  // A member may control it.
  const member = await createUserAndLogin(server, rootToken, { project_ids: [p.id] });
  expectStatus(await api(server, 'POST', `${base}/start`, { token: member.token, body: {} }), 200, 'member start');
  expectStatus(await api(server, 'GET', `${base}/status`, { token: member.token }), 200, 'member status');
  expectStatus(await api(server, 'POST', `${base}/stop`, { token: member.token, body: {} }), 200, 'member stop');

  // Unknown project → 404.
  expectError(await api(server, 'GET', `/api/projects/${missingIdLike(p.id)}/status`, { token: rootToken }), 404, 'NOT_FOUND', 'unknown project');
});
