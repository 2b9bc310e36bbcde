// The `schedule` module and GET /api/projects/:id/schedules (issue 15):
// every/cron/daily/hourly jobs, no overlap (skipped ticks counted), errors
// logged and counted, cancel, refused expressions naming the field, the job
// list (envelope, fields, auth) and the status fields `schedules`/`tasks`.
// Contract: docs/runtime.md (`schedule`, "Schedule expressions"), docs/api.md.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createProject,
  createUserAndLogin,
  deploy,
  describe,
  expectError,
  expectList,
  expectStatus,
  missingIdLike,
  projectStatus,
  readRunLog,
  runningProject,
  sleep,
  startWithRoot,
  stopProject,
  waitFor,
} from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_TIMEOUT: '2s' } }));
});
after(async () => {
  await server?.stop();
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const schedulesPath = (pid, q = '') => `/api/projects/${pid}/schedules${q}`;

// GET /schedules as root (asserts the envelope) → items.
async function listJobs(pid, { srv = server, token = rootToken, q = '' } = {}) {
  return expectList(await api(srv, 'GET', schedulesPath(pid, q), { token }), `schedules of ${pid}`);
}

// Asserts the shape of one job of the list; returns it.
function checkJob(j, what = 'job') {
  const w = `${what}: ${JSON.stringify(j)}`;
  assert.equal(typeof j.id, 'string', w);
  assert.ok(j.id.length > 0, w);
  assert.ok(['cron', 'every'].includes(j.kind), w);
  assert.equal(typeof j.expression, 'string', w);
  // An interval does not depend on the zone: the binary answers null for every() jobs.
  if (j.kind === 'cron') assert.equal(typeof j.timezone, 'string', `a cron job names its zone: ${w}`);
  else assert.ok(j.timezone === null || typeof j.timezone === 'string', `timezone: ${w}`);
  for (const k of ['next_run', 'last_run']) {
    assert.ok(j[k] === null || (typeof j[k] === 'string' && ISO_UTC.test(j[k]) && !Number.isNaN(Date.parse(j[k]))), `${k} is null or ISO-8601 UTC: ${w}`);
  }
  assert.ok(j.last_duration_ms === null || (typeof j.last_duration_ms === 'number' && j.last_duration_ms >= 0), `last_duration_ms: ${w}`);
  for (const k of ['runs', 'skipped', 'errors']) assert.ok(Number.isInteger(j[k]) && j[k] >= 0, `${k}: ${w}`);
  assert.equal(typeof j.running, 'boolean', `running: ${w}`);
  return j;
}

const byId = (items, id) => items.find((j) => j.id === id);

// ---------------------------------------------------------------------------

test('every(200) with a 500 ms job never overlaps itself (sync sleep or pending promise); skipped ticks are counted', async () => {
  const { project } = await runningProject(server, rootToken, `
    const s = { active: 0, max: 0, runs: 0, starts: [], aActive: 0, aMax: 0, aRuns: 0 };
    let syncJob, asyncJob;
    service.start(() => {
      syncJob = schedule.every(200, () => {
        s.active++; s.max = Math.max(s.max, s.active); s.runs++; s.starts.push(Date.now());
        try { utils.sleep(500); } finally { s.active--; }
      });
      asyncJob = schedule.every(200, async () => {
        s.aActive++; s.aMax = Math.max(s.aMax, s.aActive); s.aRuns++;
        try { await new Promise((r) => setTimeout(r, 500)); } finally { s.aActive--; }
      });
      router.get('/state', () => ({ ...s, ids: [syncJob.id, asyncJob.id] }));
    });
  `);
  await sleep(2700);
  const items = await listJobs(project.id);
  const s = (await callRoute(server, project.slug, '/state')).body;
  const [syncId, asyncId] = s.ids;
  assert.equal(s.max, 1, `the sync job never ran twice at once: ${JSON.stringify(s)}`);
  assert.equal(s.aMax, 1, `the async job never ran twice at once: ${JSON.stringify(s)}`);
  assert.ok(s.runs >= 3 && s.runs <= 6, `${s.runs} runs of a 500 ms job ticking every 200 ms in 2.7 s (every tick: 13)`);
  assert.ok(s.aRuns >= 3 && s.aRuns <= 6, `${s.aRuns} runs of the async job`);
  for (let i = 1; i < s.starts.length; i++) {
    assert.ok(s.starts[i] - s.starts[i - 1] >= 495, `runs start ≥ 500 ms apart: ${s.starts.map((x) => x - s.starts[0])}`);
  }

  assert.equal(items.length, 2, JSON.stringify(items));
  const sj = checkJob(byId(items, syncId), 'the sync job');
  const aj = checkJob(byId(items, asyncId), 'the async job');
  for (const [j, runs] of [[sj, s.runs], [aj, s.aRuns]]) {
    assert.equal(j.kind, 'every');
    assert.equal(j.expression, '200ms');
    assert.ok(j.skipped > 0, `skipped ticks are counted: ${JSON.stringify(j)}`);
    assert.ok(Math.abs(j.runs - runs) <= 1, `runs ${j.runs} matches the job's own count ${runs}`);
    assert.equal(j.errors, 0);
    assert.ok(j.last_run !== null && j.next_run !== null, JSON.stringify(j));
    assert.ok(j.last_duration_ms >= 450 && j.last_duration_ms < 2000, `last_duration_ms ≈ 500 (a pending promise counts as running): ${JSON.stringify(j)}`);
    assert.ok(Math.abs(Date.parse(j.last_run) - Date.now()) < 3000, `last_run is recent: ${j.last_run}`);
  }
  await stopProject(server, rootToken, project.id);
});

test("a 6-field cron '*/2 * * * * *' fires at even seconds", async (t) => {
  const { project } = await runningProject(server, rootToken, `
    const secs = [];
    let job;
    service.start(() => {
      job = schedule.cron('*/2 * * * * *', () => { const d = new Date(); secs.push({ s: d.getUTCSeconds(), ms: d.getUTCMilliseconds(), t: d.getTime() }); });
      router.get('/secs', () => ({ secs, id: job.id }));
    });
  `);
  const first = await listJobs(project.id);
  assert.equal(first.length, 1);
  const j0 = checkJob(first[0], 'the cron job');
  assert.equal(j0.kind, 'cron');
  assert.equal(j0.expression, '*/2 * * * * *');
  const nr = new Date(j0.next_run);
  assert.equal(nr.getUTCSeconds() % 2, 0, `next_run at an even second: ${j0.next_run}`);
  assert.equal(nr.getUTCMilliseconds(), 0, `next_run on a whole second: ${j0.next_run}`);
  assert.ok(nr.getTime() > Date.now() - 1000 && nr.getTime() <= Date.now() + 2100, `next_run within 2 s: ${j0.next_run}`);

  await sleep(5200);
  const { secs, id } = (await callRoute(server, project.slug, '/secs')).body;
  t.diagnostic(`cron fired at ${JSON.stringify(secs)}`);
  assert.ok(secs.length >= 2, `at least 2 runs in 5.2 s: ${JSON.stringify(secs)}`);
  for (const x of secs) assert.equal(x.s % 2, 0, `fired at an even second: ${JSON.stringify(secs)}`);
  for (let i = 1; i < secs.length; i++) assert.ok(secs[i].t - secs[i - 1].t >= 1000, `one run per even second: ${JSON.stringify(secs)}`);
  const j = checkJob(byId(await listJobs(project.id), id), 'the cron job after runs');
  assert.ok(j.runs >= 2, JSON.stringify(j));
  assert.equal(j.skipped, 0, `a fast job skips nothing: ${JSON.stringify(j)}`);
  await stopProject(server, rootToken, project.id);
});

test('a job that throws (or rejects) is logged with "schedule job <id>"; the next ticks still run; errors counts', async () => {
  const { project } = await runningProject(server, rootToken, `
    let n = 0, an = 0, j, k;
    service.start(() => {
      j = schedule.every(200, () => { n++; throw new Error('job boom ' + n); });
      k = schedule.every(200, async () => { an++; await null; throw new Error('async job boom ' + an); });
      router.get('/n', () => ({ n, an, ids: [j.id, k.id] }));
      router.get('/hello', () => ({ ok: true }));
    });
  `);
  const s = await waitFor(async () => {
    const b = (await callRoute(server, project.slug, '/n')).body;
    return b.n >= 3 && b.an >= 3 ? b : null;
  }, { what: 'three runs of each throwing job', timeout: 5000 });
  const [jid, kid] = s.ids;
  const lines = await readRunLog(server, rootToken, project.id);
  assert.ok(lines.some((l) => l.includes(`schedule job ${jid}`) && l.includes('job boom 1')), `the error is logged with the job id:\n${lines.join('\n').slice(-1500)}`);
  assert.ok(lines.some((l) => l.includes(`schedule job ${jid}`) && l.includes('job boom 2')), 'the second run is logged too');
  assert.ok(lines.some((l) => l.includes(`schedule job ${kid}`) && l.includes('async job boom 1')), `a rejected job is logged:\n${lines.join('\n').slice(-1500)}`);

  const e1 = await listJobs(project.id);
  assert.ok(byId(e1, jid).errors >= 2, JSON.stringify(e1));
  assert.ok(byId(e1, kid).errors >= 2, JSON.stringify(e1));
  await sleep(700);
  const e2 = await listJobs(project.id);
  assert.ok(byId(e2, jid).errors > byId(e1, jid).errors, `errors grows: ${byId(e1, jid).errors} → ${byId(e2, jid).errors}`);
  assert.ok(byId(e2, kid).errors > byId(e1, kid).errors, `errors grows (async): ${byId(e1, kid).errors} → ${byId(e2, kid).errors}`);
  assert.ok(Math.abs(byId(e2, jid).errors - byId(e2, jid).runs) <= 1, `each run failed once: ${JSON.stringify(byId(e2, jid))}`);

  const st = await projectStatus(server, rootToken, project.id);
  assert.equal(st.state, 'running', 'a job error never fails the run');
  assert.equal(st.last_error ?? null, null, JSON.stringify(st));
  expectStatus(await callRoute(server, project.slug, '/hello'), 200);
  await stopProject(server, rootToken, project.id);
});

test('{id, cancel()}: cancel stops further runs and removes the job from the list; a job may cancel itself', async () => {
  const { project } = await runningProject(server, rootToken, `
    let n = 0, m = 0, selfRuns = 0, j, other, selfJob;
    service.start(() => {
      j = schedule.every(100, () => { n++; });
      other = schedule.every(100, () => { m++; });
      selfJob = schedule.every(100, () => { selfRuns++; selfJob.cancel(); });
      router.post('/cancel', () => { const r = j.cancel(); j.cancel(); return { returned: String(r), n }; });
      router.get('/n', () => ({ n, m, selfRuns, ids: { j: j.id, other: other.id, self: selfJob.id }, idType: typeof j.id, cancelType: typeof j.cancel }));
    });
  `);
  const s0 = await waitFor(async () => {
    const b = (await callRoute(server, project.slug, '/n')).body;
    return b.n >= 3 && b.selfRuns >= 1 ? b : null;
  }, { what: 'three runs', timeout: 5000 });
  assert.equal(s0.idType, 'string', `the handle's id is a string: ${JSON.stringify(s0)}`);
  assert.equal(s0.cancelType, 'function', `the handle has cancel(): ${JSON.stringify(s0)}`);
  const before = await listJobs(project.id);
  assert.ok(byId(before, s0.ids.j), 'listed before the cancel');
  assert.equal(byId(before, s0.ids.self), undefined, `a job that cancelled itself is gone: ${JSON.stringify(before)}`);

  const c = await callRoute(server, project.slug, '/cancel', { method: 'POST' });
  expectStatus(c, 200, 'cancel (twice: the second is harmless)');
  await sleep(600);
  const s1 = (await callRoute(server, project.slug, '/n')).body;
  assert.equal(s1.n, c.body.n, `no run after cancel() returned: ${c.body.n} → ${s1.n}`);
  assert.equal(s1.selfRuns, 1, 'the self-cancelling job ran once');
  assert.ok(s1.m > s0.m + 2, `the other job keeps running: ${s0.m} → ${s1.m}`);
  const afterItems = await listJobs(project.id);
  assert.equal(byId(afterItems, s0.ids.j), undefined, `the cancelled job is no longer listed: ${JSON.stringify(afterItems)}`);
  assert.deepEqual(afterItems.map((x) => x.id), [s0.ids.other], 'only the other job is left');
  await stopProject(server, rootToken, project.id);
});

test('refused expressions throw INVALID_ARGUMENT naming the field; nothing is scheduled by them', async () => {
  const { project } = await runningProject(server, rootToken, `
    const fn = () => {};
    const cases = {
      cron_hour: () => schedule.cron('0 24 * * *', fn),
      cron_minute: () => schedule.cron('60 * * * *', fn),
      cron_dom: () => schedule.cron('0 0 32 * *', fn),
      cron_month: () => schedule.cron('0 0 * 13 *', fn),
      cron_dow: () => schedule.cron('0 0 * * FUNDAY', fn),
      cron_second: () => schedule.cron('61 * * * * *', fn),
      cron_fields: () => schedule.cron('* * * *', fn),
      cron_seven: () => schedule.cron('* * * * * * *', fn),
      cron_empty: () => schedule.cron('', fn),
      cron_alias: () => schedule.cron('@fortnightly', fn),
      cron_step0: () => schedule.cron('*/0 * * * *', fn),
      cron_not_string: () => schedule.cron(42, fn),
      every_zero: () => schedule.every(0, fn),
      every_negative: () => schedule.every(-100, fn),
      every_below_100ms: () => schedule.every(50, fn),
      every_nan: () => schedule.every(NaN, fn),
      every_word: () => schedule.every('soon', fn),
      every_unit: () => schedule.every('10x', fn),
      every_huge: () => schedule.every('400d', fn),
      daily_25: () => schedule.daily('25:00', fn),
      daily_minute_60: () => schedule.daily('09:60', fn),
      daily_word: () => schedule.daily('noon', fn),
    };
    const noFn = {
      every: () => schedule.every(1000),
      cron: () => schedule.cron('* * * * *', 42),
      daily: () => schedule.daily('09:30', 'x'),
      hourly: () => schedule.hourly(),
    };
    const run = (table) => {
      const out = {};
      for (const k of Object.keys(table)) {
        try { const j = table[k](); out[k] = { threw: false, id: j && j.id }; if (j && j.cancel) j.cancel(); }
        catch (e) { out[k] = { threw: true, isError: e instanceof Error, code: e.code, text: String(e.message) + ' ' + JSON.stringify(e.fields || {}) }; }
      }
      return out;
    };
    service.start(() => {
      router.get('/bad', () => run(cases));
      router.get('/nofn', () => run(noFn));
    });
  `);
  const res = await callRoute(server, project.slug, '/bad');
  expectStatus(res, 200, describe(res));
  const names = {
    cron_hour: /hour/i,
    cron_minute: /minute/i,
    cron_dom: /day-of-month/i,
    cron_month: /month/i,
    cron_dow: /day-of-week/i,
    cron_second: /second/i,
    cron_fields: /fields/i,
    cron_seven: /fields/i,
    daily_25: /hour|25/i,
    daily_minute_60: /minute|60/i,
  };
  for (const [k, r] of Object.entries(res.body)) {
    assert.equal(r.threw, true, `${k} is refused: ${JSON.stringify(r)}`);
    assert.equal(r.isError, true, `${k} throws an Error: ${JSON.stringify(r)}`);
    assert.equal(r.code, 'INVALID_ARGUMENT', `${k}: ${JSON.stringify(r)}`);
    if (names[k]) assert.match(r.text, names[k], `${k}: the message names the field: ${r.text}`);
  }
  assert.match(res.body.cron_hour.text, /24/, `'0 24 * * *' names the value: ${res.body.cron_hour.text}`);
  assert.match(res.body.cron_dow.text, /FUNDAY/i, res.body.cron_dow.text);

  const nofn = await callRoute(server, project.slug, '/nofn');
  for (const [k, r] of Object.entries(nofn.body)) {
    assert.equal(r.threw, true, `schedule.${k} without a function is refused: ${JSON.stringify(r)}`);
    assert.equal(r.isError, true, `${k}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(await listJobs(project.id), [], 'no job was left by the refused calls');
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'running');
  await stopProject(server, rootToken, project.id);
});

test("daily('09:30'), daily(), hourly(), '@hourly', every('10s'/'5m') and cron ranges are accepted and listed with a future next_run", async () => {
  const { project } = await runningProject(server, rootToken, `
    const fn = () => {};
    let jobs;
    service.start(() => {
      jobs = {
        daily_0930: schedule.daily('09:30', fn),
        daily: schedule.daily(fn),
        hourly: schedule.hourly(fn),
        at_hourly: schedule.cron('@hourly', fn),
        every_10s: schedule.every('10s', fn),
        every_5m: schedule.every('5m', fn),
        every_ms: schedule.every(90000, fn),
        workdays: schedule.cron('*/15 9-17 * * MON-FRI', fn),
      };
      router.get('/ids', () => Object.fromEntries(Object.entries(jobs).map(([k, j]) => [k, j.id])));
    });
  `);
  const ids = (await callRoute(server, project.slug, '/ids')).body;
  const now = Date.now();
  const items = await listJobs(project.id);
  assert.equal(items.length, 8, JSON.stringify(items));
  assert.equal(new Set(Object.values(ids)).size, 8, `distinct ids: ${JSON.stringify(ids)}`);
  const job = (k) => checkJob(byId(items, ids[k]), k);
  const next = (k) => {
    const j = job(k);
    assert.ok(j.next_run, `${k} has a next_run: ${JSON.stringify(j)}`);
    const d = new Date(j.next_run);
    assert.ok(d.getTime() > now - 1000, `${k}: next_run ${j.next_run} is in the future`);
    assert.equal(j.runs, 0, `${k} has not run yet`);
    assert.equal(j.last_run, null, `${k}: last_run null before the first run`);
    assert.equal(j.last_duration_ms, null, `${k}: last_duration_ms null before the first run`);
    assert.equal(j.running, false);
    if (j.kind === 'cron') assert.equal(j.timezone, 'UTC', `${k}: UTC unless runtime.timezone`);
    return d;
  };
  const H = 3600_000;
  let d = next('daily_0930');
  assert.equal(job('daily_0930').kind, 'cron');
  assert.match(job('daily_0930').expression, /30/, job('daily_0930').expression);
  assert.match(job('daily_0930').expression, /\b0?9\b/, job('daily_0930').expression);
  assert.deepEqual([d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()], [9, 30, 0, 0], `daily('09:30') next_run ${d.toISOString()}`);
  assert.ok(d.getTime() - now <= 24 * H, 'within a day');
  d = next('daily');
  assert.deepEqual([d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()], [0, 0, 0], `daily() next_run ${d.toISOString()}`);
  assert.ok(d.getTime() - now <= 24 * H, 'within a day');
  for (const k of ['hourly', 'at_hourly']) {
    d = next(k);
    assert.equal(job(k).kind, 'cron');
    assert.deepEqual([d.getUTCMinutes(), d.getUTCSeconds()], [0, 0], `${k} next_run ${d.toISOString()}`);
    assert.ok(d.getTime() - now <= H, `${k} within an hour`);
  }
  for (const [k, ms, exprs] of [['every_10s', 10_000, ['10000ms', '10s']], ['every_5m', 300_000, ['300000ms', '5m']], ['every_ms', 90_000, ['90000ms']]]) {
    d = next(k);
    assert.equal(job(k).kind, 'every');
    assert.ok(exprs.includes(job(k).expression), `${k}: expression ${job(k).expression}`);
    assert.ok(d.getTime() - now <= ms + 1000, `${k}: next_run ${d.toISOString()} within the interval`);
  }
  d = next('workdays');
  assert.equal(job('workdays').expression, '*/15 9-17 * * MON-FRI');
  assert.ok([0, 15, 30, 45].includes(d.getUTCMinutes()) && d.getUTCHours() >= 9 && d.getUTCHours() <= 17, `workdays next_run ${d.toISOString()}`);
  assert.ok(d.getUTCDay() >= 1 && d.getUTCDay() <= 5, `a weekday: ${d.toISOString()}`);

  // The list pages like every other list.
  const p1 = await api(server, 'GET', schedulesPath(project.id, '?per_page=3&page=3'), { token: rootToken });
  const page3 = expectList(p1, 'page 3 of 3');
  assert.equal(page3.length, 2, describe(p1));
  assert.equal(p1.body.total_items, 8, describe(p1));
  assert.equal(p1.body.total_pages, 3, describe(p1));
  assert.equal(p1.body.per_page, 3, describe(p1));
  await stopProject(server, rootToken, project.id);
});

test('the schedules endpoint: auth like status, 404 for an unknown project, an empty list when stopped; the old run\'s jobs never fire after stop', async () => {
  const p = await createProject(server, rootToken, {});
  const other = await createProject(server, rootToken, {});
  const base = schedulesPath(p.id);

  // Never started: an empty list.
  const never = expectList(await api(server, 'GET', base, { token: rootToken }), 'never started');
  assert.deepEqual(never, []);

  const v = await deploy(server, rootToken, p.id, `service.start(() => {
    schedule.every(100, () => console.log('job at ' + Date.now()));
    router.get('/hello', () => ({ ok: true }));
  });`);
  expectStatus(await api(server, 'POST', `/api/projects/${p.id}/start`, { token: rootToken, body: { version: v } }), 200, 'start');

  const stranger = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true } });
  expectError(await api(server, 'GET', base), 401, 'UNAUTHENTICATED', 'without a token');
  expectError(await api(server, 'GET', base, { token: stranger.token }), 403, 'PERMISSION_DENIED', 'a user without access');
  expectError(await api(server, 'GET', base, { apiKey: other.api_key }), 403, 'PERMISSION_DENIED', "another project's API key");
  expectError(await api(server, 'GET', schedulesPath(missingIdLike(p.id)), { token: rootToken }), 404, 'NOT_FOUND', 'an unknown project');

  const viaKey = expectList(await api(server, 'GET', base, { apiKey: p.api_key }), 'with the project key');
  assert.equal(viaKey.length, 1);
  checkJob(viaKey[0], 'listed with the key');
  const member = await createUserAndLogin(server, rootToken, { project_ids: [p.id] });
  assert.equal(expectList(await api(server, 'GET', base, { token: member.token }), 'a member').length, 1);

  await waitFor(async () => (await readRunLog(server, rootToken, p.id)).some((l) => l.includes('job at ')), { what: 'the job to run' });
  const stop = await stopProject(server, rootToken, p.id);
  const stoppedAt = Date.now();
  expectStatus(stop, 200, 'stop');
  const empty = await api(server, 'GET', base, { token: rootToken });
  assert.deepEqual(expectList(empty, 'stopped'), [], `a stopped project lists no job: ${describe(empty)}`);
  assert.equal(empty.body.total_items, 0);
  await sleep(600);
  const late = (await readRunLog(server, rootToken, p.id)).filter((l) => {
    const m = l.match(/job at (\d+)/);
    return m && Number(m[1]) > stoppedAt;
  });
  assert.deepEqual(late, [], 'no run of the old job after stop returned');
});

test('status includes schedules (the same jobs as the list), tasks and threads', async () => {
  const { project } = await runningProject(server, rootToken, `
    let a, b;
    service.start(() => {
      a = schedule.every('1s', () => {});
      b = schedule.cron('0 0 1 1 *', () => {});
      router.get('/ids', () => [a.id, b.id]);
    });
  `);
  const ids = (await callRoute(server, project.slug, '/ids')).body;
  const st = await projectStatus(server, rootToken, project.id);
  assert.ok(Array.isArray(st.schedules), `status.schedules is an array: ${JSON.stringify(st)}`);
  assert.deepEqual(st.schedules.map((j) => j.id).sort(), [...ids].sort(), JSON.stringify(st.schedules));
  for (const j of st.schedules) checkJob(j, 'a job in status');
  const yearly = st.schedules.find((j) => j.id === ids[1]);
  assert.equal(yearly.expression, '0 0 1 1 *');
  const d = new Date(yearly.next_run);
  assert.deepEqual([d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()], [0, 1, 0, 0], `next 1 January 00:00: ${yearly.next_run}`);
  assert.ok(st.tasks && typeof st.tasks === 'object', JSON.stringify(st));
  for (const k of ['running', 'queued', 'done', 'failed']) assert.ok(Number.isInteger(st.tasks[k]) && st.tasks[k] >= 0, `tasks.${k}: ${JSON.stringify(st.tasks)}`);
  assert.ok(st.threads && Number.isInteger(st.threads.total) && Number.isInteger(st.threads.waiting), `threads: ${JSON.stringify(st.threads)}`);
  assert.ok(st.threads.total >= 1 && st.threads.total <= 8 && st.threads.waiting <= st.threads.total, JSON.stringify(st.threads));

  await stopProject(server, rootToken, project.id);
  const stopped = await projectStatus(server, rootToken, project.id);
  assert.deepEqual(stopped.schedules ?? [], [], `a stopped project has no schedules: ${JSON.stringify(stopped)}`);
});

test('runtime.timezone: daily(\'09:30\') runs at 09:30 in that zone', async () => {
  const tz = await startWithRoot({ env: { M3M_RUNTIME_TIMEZONE: 'Europe/Berlin' } });
  try {
    const { project } = await runningProject(tz.server, tz.rootToken, `service.start(() => { schedule.daily('09:30', () => {}); });`);
    const [j] = await listJobs(project.id, { srv: tz.server, token: tz.rootToken });
    checkJob(j, 'the Berlin job');
    assert.equal(j.timezone, 'Europe/Berlin');
    const d = new Date(j.next_run);
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    assert.equal(local, '09:30', `next_run ${j.next_run} is 09:30 in Berlin`);
    assert.ok([7, 8].includes(d.getUTCHours()), `09:30 Berlin is 07:30 or 08:30 UTC: ${j.next_run}`);
  } finally {
    await tz.server.stop();
  }
});
