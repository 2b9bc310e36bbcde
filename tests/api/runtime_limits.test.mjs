// Limits and faults of the JavaScript runtime (issue 6): CPU time per task
// (watchdog), heap limit per isolate, deep recursion, isolation between
// projects (a slow or busy project never stalls another one or the admin
// API), and stop while JS is busy.
// Contract: docs/runtime.md ("Limits", "Lifecycle" point 4, the route table).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createProject,
  deploy,
  describe,
  expectError,
  expectStatus,
  projectStatus,
  readRunLog,
  runningProject,
  sleep,
  startProject,
  startRunning,
  startWithRoot,
  stopProject,
  waitFor,
  waitForState,
} from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_TIMEOUT: '500ms', M3M_RUNTIME_MEMORY_LIMIT_MB: '32', M3M_RUNTIME_MAX_QUEUE: '4' } }));
});
after(async () => {
  await server?.stop();
});

const HELLO = `router.get('/hello', () => ({ ok: true }));`;
const logText = async (pid) => (await readRunLog(server, rootToken, pid)).join('\n');

// Times a request (ms) and returns {res, ms}.
async function timed(promise) {
  const t0 = Date.now();
  const res = await promise;
  return { res, ms: Date.now() - t0 };
}

async function healthOk(srv = server) {
  const r = await timed(api(srv, 'GET', '/api/health'));
  expectStatus(r.res, 200, 'health');
  return r.ms;
}

test('an infinite loop in a handler fails that call with "CPU time limit"; the project serves the next request', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    ${HELLO}
    router.get('/spin', () => { while (true) {} });
  });`);
  const { res, ms } = await timed(callRoute(server, project.slug, '/spin'));
  expectStatus(res, 500, 'spin');
  assert.match(res.text, /CPU time limit/i, `the response says CPU time limit: ${describe(res)}`);
  assert.ok(ms < 4000, `the spin was stopped in ${ms} ms (limit 500ms)`);

  const next = await callRoute(server, project.slug, '/hello');
  expectStatus(next, 200, 'the next request');
  assert.deepEqual(next.body, { ok: true });
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'running');
  assert.match(await logText(project.id), /CPU time limit/i, 'the run log says CPU time limit');

  // Again: the watchdog keeps working for every call.
  const again = await timed(callRoute(server, project.slug, '/spin'));
  expectStatus(again.res, 500, 'spin again');
  assert.ok(again.ms < 4000, `second spin stopped in ${again.ms} ms`);
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'hello after the second spin');
});

const SPINNERS = `service.start(() => {
  ${HELLO}
  const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  router.get('/slices', async () => { busy(250); await wait(5); busy(250); await wait(5); busy(250); return { sliced: true }; });
  router.get('/spin-after-await', async () => { await wait(10); while (true) {} });
  router.get('/spin-after-await-null', async () => { await null; while (true) {} });
  router.get('/spin-in-microtask', () => { Promise.resolve().then(() => { while (true) {} }); return { answered: true }; });
});`;

test('the CPU limit is per task: three 250 ms slices around awaits (750 ms in all) are fine', async () => {
  const { project } = await runningProject(server, rootToken, SPINNERS);
  const sl = await callRoute(server, project.slug, '/slices');
  expectStatus(sl, 200, '750 ms of CPU in three tasks of 250 ms (limit 500ms per task)');
  assert.deepEqual(sl.body, { sliced: true });
  await stopProject(server, rootToken, project.id);
});

test('an infinite loop in the handler\'s own continuation (after await) fails that call with "CPU time limit"', async () => {
  const { project } = await runningProject(server, rootToken, SPINNERS);
  try {
    for (const r of ['/spin-after-await-null', '/spin-after-await']) {
      const { res, ms } = await timed(callRoute(server, project.slug, r, { timeout: 8000 }));
      expectStatus(res, 500, `${r}: spin in a continuation`);
      assert.match(res.text, /CPU time limit/i, describe(res));
      assert.ok(ms < 4000, `${r}: stopped in ${ms} ms`);
      expectStatus(await callRoute(server, project.slug, '/hello', { timeout: 10_000 }), 200, `serving after ${r}`);
    }
    assert.match(await logText(project.id), /CPU time limit/i, 'the run log says CPU time limit');
  } finally {
    await stopProject(server, rootToken, project.id); // never leave a spinning loop behind
  }
});

test('an infinite loop in a floating microtask is terminated and logged as "CPU time limit"', async () => {
  const { project } = await runningProject(server, rootToken, SPINNERS);
  try {
    expectStatus(await callRoute(server, project.slug, '/spin-in-microtask', { timeout: 10_000 }), 200, 'answered before the spin');
    await waitFor(async () => /CPU time limit/i.test(await logText(project.id)), { what: 'CPU time limit in the run log after a microtask spin', timeout: 5000 });
    expectStatus(await callRoute(server, project.slug, '/hello', { timeout: 10_000 }), 200, 'serving after the microtask spin');
  } finally {
    await stopProject(server, rootToken, project.id);
  }
});

test('an infinite loop in a timer callback is terminated too; the project keeps serving', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    ${HELLO}
    router.get('/spin-later', () => { setTimeout(() => { while (true) {} }, 0); return { scheduled: true }; });
  });`);
  expectStatus(await callRoute(server, project.slug, '/spin-later'), 200, 'schedule the spin');
  await waitFor(async () => /CPU time limit/i.test(await logText(project.id)), { what: 'CPU time limit in the run log', timeout: 5000 });
  const { res, ms } = await timed(callRoute(server, project.slug, '/hello'));
  expectStatus(res, 200, 'hello after the timer spin');
  assert.ok(ms < 3000, `answered in ${ms} ms`);
});

test('an infinite loop in boot (or at the top level) → failed, not a hung server', async () => {
  for (const [what, code] of [
    ['boot', `service.boot(() => { while (true) {} }); service.start(() => { ${HELLO} });`],
    ['top level', `while (true) {}\nservice.start(() => { ${HELLO} });`],
  ]) {
    const p = await createProject(server, rootToken, {});
    const v = await deploy(server, rootToken, p.id, code);
    const { res, ms } = await timed(startProject(server, rootToken, p.id, v));
    assert.ok(ms < 8000, `${what}: start answered in ${ms} ms`);
    assert.ok(res.status === 200 || res.status >= 400, `${what}: ${describe(res)}`);
    const st = await projectStatus(server, rootToken, p.id);
    assert.equal(st.state, 'failed', `${what}: ${JSON.stringify(st)}`);
    assert.match(st.last_error || '', /CPU time limit|time limit|timed? ?out/i, `${what}: last_error names the limit: ${st.last_error}`);
    expectError(await callRoute(server, p.slug, '/hello'), 503, 'UNAVAILABLE', `${what}: failed project`);
    await healthOk();
  }
});

test('a heap bomb stops that project (failed, "heap limit"); the server and other projects are unaffected', async () => {
  const other = await runningProject(server, rootToken, `service.start(() => { ${HELLO} });`);
  const { project } = await runningProject(server, rootToken, `
    const keep = [];
    service.start(() => {
      ${HELLO}
      router.get('/bomb', () => {
        for (let i = 0; ; i++) {
          keep.push(new Array(200000).fill(i));
          keep.push({ s: String(i).padEnd(100000, 'x'), n: i });
        }
      });
    });
  `);
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'before the bomb');
  const { res, ms } = await timed(callRoute(server, project.slug, '/bomb'));
  assert.ok([500, 503].includes(res.status), `the bomb request fails with 500 or 503: ${describe(res)}`);
  assert.ok(ms < 10_000, `the bomb request answered in ${ms} ms`);

  const st = await waitForState(server, rootToken, project.id, 'failed', { what: 'the bombed project to be failed', timeout: 5000 });
  assert.match(st.last_error || '', /heap/i, `last_error mentions the heap limit: ${st.last_error}`);
  assert.match(await logText(project.id), /heap limit/i, 'the run log says heap limit exceeded');
  expectError(await callRoute(server, project.slug, '/hello'), 503, 'UNAVAILABLE', 'the failed project');

  await healthOk();
  const o = await callRoute(server, other.project.slug, '/hello');
  expectStatus(o, 200, 'the other project still answers');
  assert.equal((await projectStatus(server, rootToken, other.project.id)).state, 'running');

  // It can be started again.
  await startRunning(server, rootToken, project.id);
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'after a new start');
});

test('a heap bomb in boot fails the start with the heap limit', async () => {
  const p = await createProject(server, rootToken, {});
  const v = await deploy(server, rootToken, p.id, `
    const keep = [];
    service.boot(() => { for (let i = 0; ; i++) keep.push(new Array(200000).fill(i)); });
    service.start(() => { ${HELLO} });
  `);
  const { res, ms } = await timed(startProject(server, rootToken, p.id, v));
  assert.ok(ms < 10_000, `start answered in ${ms} ms`);
  assert.ok(res.status === 200 || res.status >= 400, describe(res));
  const st = await projectStatus(server, rootToken, p.id);
  assert.equal(st.state, 'failed', JSON.stringify(st));
  assert.match(st.last_error || '', /heap/i, `last_error: ${st.last_error}`);
  await healthOk();
});

test('ArrayBuffer memory counts against the heap budget', async () => {
  const other = await runningProject(server, rootToken, `service.start(() => { ${HELLO} });`);
  const { project } = await runningProject(server, rootToken, `
    const keep = [];
    service.start(() => {
      ${HELLO}
      router.get('/ab-bomb', () => { for (;;) keep.push(new Uint8Array(4 << 20).fill(1)); });
    });
  `);
  const { res, ms } = await timed(callRoute(server, project.slug, '/ab-bomb'));
  assert.ok([500, 503].includes(res.status), `the ArrayBuffer bomb fails: ${describe(res)}`);
  assert.ok(ms < 10_000, `answered in ${ms} ms`);
  const st = await projectStatus(server, rootToken, project.id);
  const log = await logText(project.id);
  // Stopped as a heap bomb, or refused the allocation (a RangeError) — either
  // way the budget held and says so.
  assert.ok(
    (st.state === 'failed' && /heap|memory/i.test(st.last_error || '')) || /heap limit|allocation failed|memory/i.test(log),
    `the budget was enforced: ${JSON.stringify(st)}\n${log.slice(-1000)}`,
  );
  await healthOk();
  expectStatus(await callRoute(server, other.project.slug, '/hello'), 200, 'the other project');
});

test('deep recursion raises a catchable RangeError; uncaught it is a 500 and the project keeps serving', async () => {
  const { project } = await runningProject(server, rootToken, `
    function f() { return f(); }
    function g(n) { return g(n + 1) + 1; }
    service.start(() => {
      ${HELLO}
      router.get('/recurse', () => { try { f(); return { caught: false }; } catch (e) { return { name: e.name, isRangeError: e instanceof RangeError }; } });
      router.get('/recurse-uncaught', () => g(0));
    });
  `);
  const res = await callRoute(server, project.slug, '/recurse');
  expectStatus(res, 200, 'recursion caught');
  assert.deepEqual(res.body, { name: 'RangeError', isRangeError: true });
  expectError(await callRoute(server, project.slug, '/recurse-uncaught'), 500, 'INTERNAL', 'uncaught recursion');
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'after the recursion');
  expectStatus(await callRoute(server, project.slug, '/recurse'), 200, 'recursion again');
});

test('a slow (waiting) handler stalls neither another project, nor its own project, nor the admin API; waiting is not CPU time', async () => {
  const slow = await runningProject(server, rootToken, `service.start(() => {
    ${HELLO}
    router.get('/slow', async () => { await new Promise((r) => setTimeout(r, 1000)); return { slow: true }; });
  });`);
  const fast = await runningProject(server, rootToken, `service.start(() => { ${HELLO} });`);
  // Warm both up.
  expectStatus(await callRoute(server, fast.project.slug, '/hello'), 200);
  expectStatus(await callRoute(server, slow.project.slug, '/hello'), 200);

  const pending = timed(callRoute(server, slow.project.slug, '/slow'));
  await sleep(100);
  const other = await timed(callRoute(server, fast.project.slug, '/hello'));
  expectStatus(other.res, 200, 'the other project');
  assert.ok(other.ms < 200, `the other project answered in ${other.ms} ms while the slow one waits`);
  const h = await healthOk();
  assert.ok(h < 200, `/api/health answered in ${h} ms`);
  const own = await timed(callRoute(server, slow.project.slug, '/hello'));
  expectStatus(own.res, 200, 'the same project');
  assert.ok(own.ms < 400, `the slow project's own /hello answered in ${own.ms} ms while /slow awaits a timer`);

  const s = await pending;
  expectStatus(s.res, 200, 'the slow route (1 s of waiting > the 500ms CPU limit)');
  assert.deepEqual(s.res.body, { slow: true });
  assert.ok(s.ms >= 900, `the slow route took ${s.ms} ms`);
});

test('a project spinning on the CPU stalls neither another project nor the admin API', async () => {
  const busy = await runningProject(server, rootToken, `service.start(() => {
    ${HELLO}
    router.get('/spin', () => { while (true) {} });
  });`);
  const fast = await runningProject(server, rootToken, `service.start(() => { ${HELLO} });`);
  expectStatus(await callRoute(server, fast.project.slug, '/hello'), 200);
  const pending = callRoute(server, busy.project.slug, '/spin');
  await sleep(100);
  const other = await timed(callRoute(server, fast.project.slug, '/hello'));
  expectStatus(other.res, 200, 'the other project');
  assert.ok(other.ms < 400, `the other project answered in ${other.ms} ms while another spins`);
  const h = await healthOk();
  assert.ok(h < 400, `/api/health answered in ${h} ms while a project spins`);
  const list = await timed(api(server, 'GET', '/api/projects', { token: rootToken }));
  expectStatus(list.res, 200, 'admin API');
  assert.ok(list.ms < 400, `GET /api/projects answered in ${list.ms} ms`);
  expectStatus(await pending, 500, 'the spin ends with the CPU limit');
});

test('requests waiting for a busy project are bounded (runtime.max_queue=4): the rest get 503 + Retry-After: 1, none is dropped', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    ${HELLO}
    router.get('/spin', () => { while (true) {} });
  });`);
  const spin = callRoute(server, project.slug, '/spin');
  await sleep(150); // the loop is busy for ~500ms
  const results = await Promise.all(Array.from({ length: 12 }, () => callRoute(server, project.slug, '/hello')));
  const ok = results.filter((r) => r.status === 200);
  const full = results.filter((r) => r.status === 503);
  assert.equal(ok.length + full.length, 12, `every request answered 200 or 503: ${results.map((r) => r.status)}`);
  assert.ok(full.length >= 12 - 4 - 1, `at most max_queue (+1 in flight) waited: ${results.map((r) => r.status)}`);
  assert.ok(ok.length >= 1, 'the queued requests were served after the spin');
  for (const r of full) {
    expectError(r, 503, 'UNAVAILABLE', 'queue full');
    assert.equal(r.headers.get('retry-after'), '1', `Retry-After: 1 on a full queue: ${describe(r)}`);
  }
  expectStatus(await spin, 500, 'the spin');
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'served again once the queue drained');
});

test('stop returns within 5 s while a route spins (long CPU limit) and ends the run', async () => {
  // A server whose CPU limit is far away, so only stop can end the loop.
  const long = await startWithRoot({ env: { M3M_RUNTIME_TIMEOUT: '120s', M3M_RUNTIME_SHUTDOWN_TIMEOUT: '1s' } });
  try {
    const { server: s2, rootToken: t2 } = long;
    const { project } = await runningProject(s2, t2, `service.start(() => {
      ${HELLO}
      router.get('/spin', () => { while (true) {} });
    });`);
    const spin = timed(callRoute(s2, project.slug, '/spin'));
    await sleep(300);
    const stop = await timed(stopProject(s2, t2, project.id));
    expectStatus(stop.res, 200, 'stop while spinning');
    assert.ok(stop.ms < 5000, `stop returned in ${stop.ms} ms`);
    assert.equal(stop.res.body.state, 'stopped');
    const settled = await Promise.race([spin, sleep(5000).then(() => null)]);
    assert.ok(settled, 'the spinning request was answered once the project stopped');
    assert.ok(settled.res.status >= 500, `the spinning request failed: ${describe(settled.res)}`);
    assert.equal((await projectStatus(s2, t2, project.id)).state, 'stopped');
    expectStatus(await api(s2, 'GET', '/api/health'), 200, 'health');

    // Restart while spinning works the same way.
    await startRunning(s2, t2, project.id);
    const spin2 = callRoute(s2, project.slug, '/spin');
    await sleep(300);
    const rs = await timed(api(s2, 'POST', `/api/projects/${project.id}/restart`, { token: t2, body: {} }));
    expectStatus(rs.res, 200, 'restart while spinning');
    assert.ok(rs.ms < 5000, `restart returned in ${rs.ms} ms`);
    assert.equal(rs.res.body.state, 'running');
    expectStatus(await callRoute(s2, project.slug, '/hello'), 200, 'hello after the restart');
    assert.ok((await spin2).status >= 500, 'the old spinning request failed');

    // A shutdown callback that spins is bounded too.
    const p2 = await runningProject(s2, t2, `service.start(() => { ${HELLO} }); service.shutdown(() => { while (true) {} });`);
    const stop2 = await timed(stopProject(s2, t2, p2.project.id));
    expectStatus(stop2.res, 200, 'stop with a spinning shutdown');
    assert.ok(stop2.ms < 6000, `stop with a spinning shutdown returned in ${stop2.ms} ms`);
    assert.equal((await projectStatus(s2, t2, p2.project.id)).state, 'stopped');
  } finally {
    await long.server.stop();
  }
});
