// Abandoned transfers (issue 16): `fetch` and `http.get` calls to a server
// that accepts and never answers are in flight when the project stops, or
// when the whole server gets SIGTERM. The stop is prompt, the process exits 0,
// and under the ASan build LeakSanitizer (detect_leaks=1, forced here) reports
// nothing: any sanitizer report in the output fails the test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { BINARY } from './harness.mjs';
import { callRoute, expectStatus, projectStatus, runningProject, startWithRoot, stopProject, waitFor } from './fixtures.mjs';

// LeakSanitizer on, whatever the caller's ASAN_OPTIONS say (the last value wins).
const ASAN_OPTIONS = `${process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : ''}detect_leaks=1`;

// Whether the binary under test is the ASan build (then a leak would be reported).
const sanitized = /AddressSanitizer/.test(
  spawnSync(BINARY, ['--help'], { env: { ...process.env, ASAN_OPTIONS: 'help=1' }, encoding: 'utf8' }).stderr ?? '',
);

let silent;
let silentUrl;
const sockets = new Set();
let accepted = 0;

before(async () => {
  // Accepts, reads the request, never answers.
  silent = net.createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${silent.address().port}`;
});

after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

const code = `
service.start(() => {
  // Starts n fetches (never awaited to the end) and answers at once.
  router.post('/fetches', (ctx) => {
    for (let i = 0; i < ctx.body.n; i++) {
      fetch(ctx.body.url + '/f' + i, { method: i % 2 ? 'POST' : 'GET', body: i % 2 ? 'x'.repeat(1000) : undefined })
        .then((r) => r.text(), (e) => e);
    }
    const c = new AbortController();
    fetch(ctx.body.url + '/with-signal', { signal: c.signal }).catch(() => {});
    return { started: ctx.body.n + 1 };
  });
  // http.get calls waiting in delayed tasks.
  router.post('/gets', (ctx) => {
    for (let i = 0; i < ctx.body.n; i++) delayed.run(() => http.get(ctx.body.url + '/g' + i, { timeout: 120000 }));
    return { queued: ctx.body.n };
  });
  // A route that itself waits in http.get (its request is left hanging).
  router.get('/hang', (ctx) => http.post(ctx.query.url + '/h', { big: 'y'.repeat(5000) }, { timeout: 120000 }).text());
});`;

// Starts a project and leaves `fetches` fetches and `gets` + 1 http.get calls in
// flight; resolves once the silent server has accepted all their connections.
async function startAbandoned({ server, rootToken }, { fetches = 6, gets = 4 } = {}) {
  const { project } = await runningProject(server, rootToken, code);
  const base = accepted;
  const f = await callRoute(server, project.slug, '/fetches', { method: 'POST', body: { url: silentUrl, n: fetches } });
  expectStatus(f, 200, 'start fetches');
  const g = await callRoute(server, project.slug, '/gets', { method: 'POST', body: { url: silentUrl, n: gets } });
  expectStatus(g, 200, 'queue http.get tasks');
  const hang = callRoute(server, project.slug, `/hang?url=${encodeURIComponent(silentUrl)}`, { timeout: 60_000 }).catch((e) => e);
  const want = fetches + 1 + gets + 1;
  await waitFor(() => accepted - base >= want, { what: `${want} connections at the silent server (got ${accepted - base})`, timeout: 20_000 });
  return { project, hang };
}

function assertCleanExit(exit, output, what) {
  assert.deepEqual(exit, { code: 0, signal: null }, `${what}: exit\n${output.slice(-4000)}`);
  assert.doesNotMatch(output, /LeakSanitizer|AddressSanitizer|runtime error:|Sanitizer/, `${what}: sanitizer report\n${output.slice(-6000)}`);
}

test('the binary under test is the ASan build (so LeakSanitizer looks at the exits below)', (t) => {
  // Against a release build (docs/development.md: API tests run against any build) the
  // tests below still check a prompt, clean exit, but there is no leak check.
  if (!sanitized) t.diagnostic(`${BINARY} is not built with ASan: no leak check in this run`);
  assert.equal(typeof sanitized, 'boolean');
});

test('stopping the project with fetch and http.get transfers in flight, then SIGTERM: no leak, exit 0', async () => {
  const m3m = await startWithRoot({ env: { ASAN_OPTIONS } });
  let exit;
  try {
    const { project, hang } = await startAbandoned(m3m);
    const t0 = Date.now();
    const stop = await stopProject(m3m.server, m3m.rootToken, project.id);
    expectStatus(stop, 200, 'stop the project');
    assert.ok(Date.now() - t0 < 10_000, `stop took ${Date.now() - t0} ms`);
    const st = await projectStatus(m3m.server, m3m.rootToken, project.id);
    assert.equal(st.state, 'stopped', JSON.stringify(st));
    // The route waiting in http.post gets its answer: 503, the project stopped.
    const h = await hang;
    assert.ok(!(h instanceof Error), `the hanging route answered: ${h}`);
    assert.equal(h.status, 503, JSON.stringify(h.body));
    // The server closes the abandoned connections.
    await waitFor(() => sockets.size === 0, { what: `the abandoned connections to be closed (${sockets.size} open)`, timeout: 10_000 });
  } finally {
    exit = await m3m.server.stop();
  }
  assertCleanExit(exit, m3m.server.output(), 'stop, then SIGTERM');
});

test('SIGTERM with fetch and http.get transfers in flight: prompt exit 0, no leak', async () => {
  const m3m = await startWithRoot({ env: { ASAN_OPTIONS } });
  let exit;
  let ms;
  try {
    await startAbandoned(m3m, { fetches: 10, gets: 3 });
  } finally {
    const t0 = Date.now();
    exit = await m3m.server.stop('SIGTERM');
    ms = Date.now() - t0;
  }
  assertCleanExit(exit, m3m.server.output(), 'SIGTERM in flight');
  assert.ok(ms < 15_000, `the server exited ${ms} ms after SIGTERM`);
  await waitFor(() => sockets.size === 0, { what: 'the connections to be closed', timeout: 5_000 });
});
