// A 60 s long poll is not cut (issue 16): `http.get` with `timeout: 70000`
// against a local server that answers only after 61 s, while
// `runtime.timeout` (the CPU limit of one stretch of JS) is 1 s. The wait
// leaves the isolate, so it counts against neither; meanwhile another route
// of the same project answers at once. Takes a little over a minute (ctest
// runs the API tests in parallel).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { callRoute, expectStatus, projectStatus, runningProject, sleep, startWithRoot } from './fixtures.mjs';

const HOLD_MS = 61_000;
let upstream;
let upstreamUrl;
const polls = []; // {url, at, closedEarly, answeredAt}

before(async () => {
  upstream = http.createServer((req, res) => {
    const p = { url: req.url, at: Date.now(), closedEarly: false, answeredAt: null };
    polls.push(p);
    // A client that gives up closes the connection before the answer.
    res.on('close', () => {
      if (p.answeredAt === null) p.closedEarly = true;
    });
    setTimeout(() => {
      if (p.closedEarly) return;
      p.answeredAt = Date.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: [{ update_id: 7, message: { text: 'late hello' } }] }));
    }, HOLD_MS);
  });
  upstream.keepAliveTimeout = 120_000;
  upstream.requestTimeout = 0;
  upstream.headersTimeout = 0;
  upstream.timeout = 0;
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
});

after(async () => {
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

// The long poll runs as a `delayed` task (as a bot's polling loop does); its
// result is read back through /result. /poll-route does the same inside a
// route handler (runtime.request_timeout is raised above the poll for it).
const code = `
let result = null;
service.start(() => {
  router.post('/start', (ctx) => {
    const url = ctx.body.url;
    delayed.run(() => {
      const t0 = Date.now();
      try {
        const r = http.get(url, { timeout: 70000 });
        result = { status: r.status, body: r.json(), ms: Date.now() - t0 };
      } catch (e) {
        result = { error: e.code, message: e.message, ms: Date.now() - t0 };
      }
    });
    return { started: true };
  });
  router.get('/result', () => ({ result }));
  router.get('/poll-route', (ctx) => {
    const t0 = Date.now();
    const r = http.get(ctx.query.url, { timeout: 70000 });
    return { status: r.status, body: r.json(), ms: Date.now() - t0 };
  });
  router.get('/quick', () => ({ quick: true, at: Date.now() }));
});`;

test('http.get with timeout 70000 waits 61 s for its answer though runtime.timeout is 1 s; other routes answer meanwhile', { timeout: 150_000 }, async () => {
  const { server, rootToken } = await startWithRoot({
    env: { M3M_RUNTIME_TIMEOUT: '1s', M3M_RUNTIME_REQUEST_TIMEOUT: '90s' },
  });
  try {
    const { project } = await runningProject(server, rootToken, code);
    const slug = project.slug;
    const started = await callRoute(server, slug, '/start', { method: 'POST', body: { url: `${upstreamUrl}/getUpdates?timeout=60&task=1` } });
    expectStatus(started, 200, 'start the long poll');

    // The same from inside a route handler: the request itself waits ~61 s.
    const routePoll = callRoute(server, slug, `/poll-route?url=${encodeURIComponent(`${upstreamUrl}/getUpdates?timeout=60&route=1`)}`, { timeout: 100_000 });

    // Both polls reach the upstream.
    const t0 = Date.now();
    while (polls.length < 2 && Date.now() - t0 < 10_000) await sleep(50);
    assert.equal(polls.length, 2, `both long polls reached the upstream: ${JSON.stringify(polls)}`);

    // While they wait: quick answers from the same project, again and again,
    // past the 1 s CPU limit many times over.
    let quick = 0;
    while (Date.now() - t0 < HOLD_MS - 5_000) {
      const q0 = Date.now();
      const res = await callRoute(server, slug, '/quick', { timeout: 5_000 });
      expectStatus(res, 200, 'quick route while the long polls wait');
      assert.equal(res.body.quick, true);
      assert.ok(Date.now() - q0 < 3_000, `the quick route answered in ${Date.now() - q0} ms`);
      const r = await callRoute(server, slug, '/result', { timeout: 5_000 });
      assert.equal(r.body.result, null, `the long poll has not ended early: ${JSON.stringify(r.body)}`);
      quick += 1;
      await sleep(2_000);
    }
    assert.ok(quick >= 20, `quick answers while waiting: ${quick}`);
    const st = await projectStatus(server, rootToken, project.id);
    assert.equal(st.state, 'running', JSON.stringify(st));

    // The route's long poll answers with the upstream's late answer.
    const routed = await routePoll;
    expectStatus(routed, 200, 'the long poll in a route');
    assert.equal(routed.body.status, 200);
    assert.deepEqual(routed.body.body.result[0].message, { text: 'late hello' });
    assert.ok(routed.body.ms >= HOLD_MS - 1_000, `waited ${routed.body.ms} ms`);

    // The delayed task's too.
    let result = null;
    const w0 = Date.now();
    while (!result && Date.now() - w0 < 15_000) {
      const r = await callRoute(server, slug, '/result', { timeout: 5_000 });
      result = r.body.result;
      if (!result) await sleep(200);
    }
    assert.ok(result, 'the delayed long poll finished');
    assert.equal(result.error, undefined, `no error: ${JSON.stringify(result)}`);
    assert.equal(result.status, 200, JSON.stringify(result));
    assert.equal(result.body.ok, true);
    assert.ok(result.ms >= HOLD_MS - 1_000, `waited ${result.ms} ms`);
    for (const p of polls) assert.equal(p.closedEarly, false, `the upstream saw no early close: ${JSON.stringify(p)}`);
  } finally {
    await server.stop();
  }
});
