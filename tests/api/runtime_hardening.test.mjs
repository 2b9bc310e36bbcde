// Hardening of project routes and runs (issue 14): response size
// (runtime.max_response), answers that would be invalid HTTP, exception text
// never reaching the anonymous caller (even through Error.prepareStackTrace),
// a failed start ending everything it set up, service.project.url on a
// derived base URL, and a pipelining client that never reads.
// Contract: docs/runtime.md (route table, "Limits", "Lifecycle"), docs/configuration.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import {
  callRoute,
  createProject,
  deploy,
  describe,
  expectStatus,
  projectStatus,
  readRunLog,
  runningProject,
  sleep,
  startProject,
  startWithRoot,
  waitFor,
} from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_MAX_RESPONSE: '1MB' } }));
});
after(async () => {
  await server?.stop();
});

const logText = async (pid) => (await readRunLog(server, rootToken, pid)).join('\n');
const rssMb = () => {
  const m = readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(m[1]) / 1024;
};

// The generic answer of a failed handler: no exception text, a pointer to the run log.
function expectGeneric500(res, secret) {
  expectStatus(res, 500, 'generic failure');
  assert.equal(res.body?.error?.code, 'INTERNAL', describe(res));
  assert.match(res.body.error.message, /see|details are in the run log/i, describe(res));
  if (secret) assert.ok(!res.text.includes(secret), `the caller must not see "${secret}": ${describe(res)}`);
}

test('a response body over runtime.max_response is a 500 with the generic body and a run-log line; the server does not hold it', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/huge', () => 'x'.repeat(5e8));
    router.get('/big', () => 'x'.repeat(1024 * 1024 + 1));
    router.get('/wide', () => 'é'.repeat(600 * 1024));
    router.get('/json', () => ({ a: 'y'.repeat(1024 * 1024) }));
    router.get('/fits', () => 'z'.repeat(1024 * 1024 - 10));
  });`);
  const before = rssMb();
  const huge = await Promise.all([1, 2, 3, 4].map(() => callRoute(server, project.slug, '/huge')));
  for (const res of huge) expectGeneric500(res, 'xxxxxxxx');
  const grown = rssMb() - before;
  assert.ok(grown < 200, `four 500 MB answers did not stay in the server (RSS grew ${grown.toFixed(0)} MB)`);

  for (const p of ['/big', '/wide', '/json']) expectGeneric500(await callRoute(server, project.slug, p), 'yyyyyyyy');
  const fits = expectStatus(await callRoute(server, project.slug, '/fits'), 200, 'a body under the limit');
  assert.equal(fits.bytes.length, 1024 * 1024 - 10);

  const log = await logText(project.id);
  assert.match(log, /GET \/huge .*failed: .*exceeds runtime\.max_response/, log.slice(-2000));
  assert.match(log, /GET \/wide .*failed: .*exceeds runtime\.max_response/);
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'running');
});

test('answers that would be invalid HTTP become a 500 whose run-log line names the problem', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    const forged = (status) => { const r = router.response(200, 'ok'); r.status = status; return r; };
    router.get('/s101', () => forged(101));
    router.get('/s99', () => forged(99));
    router.get('/s1000', () => forged(1000));
    router.get('/s2005', () => forged(200.5));
    router.get('/r101', () => router.response(101, 'x'));
    router.get('/empty-name', () => router.response(200, 'x', { '': 'v' }));
    router.get('/space-name', () => router.response(200, 'x', { 'bad name': 'v' }));
    router.get('/colon-name', () => router.response(200, 'x', { 'a:b': 'v' }));
    router.get('/nul', () => router.response(200, 'x', { 'X-A': 'a\\u0000b' }));
    router.get('/crlf', () => router.response(200, 'x', { 'X-A': 'a\\r\\nSet-Cookie: evil=1' }));
    router.get('/async-crlf', async () => router.response(200, 'x', { 'X-A': 'a\\nb' }));
    router.get('/ok', () => router.response(599, 'fine', { 'X-Ok': 'tab\\tand spaces' }));
  });`);
  for (const p of ['/s101', '/s99', '/s1000', '/s2005', '/r101', '/empty-name', '/space-name', '/colon-name', '/nul', '/crlf', '/async-crlf']) {
    const res = await callRoute(server, project.slug, p, { timeout: 10_000 });
    expectGeneric500(res);
    assert.equal(res.headers.get('set-cookie'), null, `no injected header: ${p}`);
  }
  const ok = await callRoute(server, project.slug, '/ok');
  expectStatus(ok, 599, 'a 599 with a valid header passes');
  assert.equal(ok.headers.get('x-ok'), 'tab\tand spaces');

  const log = await logText(project.id);
  assert.match(log, /GET \/s101 .*failed: the response status 101 is not a final HTTP status/);
  assert.match(log, /GET \/s1000 .*failed: the response status 1000 /);
  assert.match(log, /GET \/r101 .*RangeError: router\.response: argument 1 \(status\) must be an HTTP status \(200-599\)/);
  assert.match(log, /GET \/empty-name .*failed: the response header name "" is not an HTTP token/);
  assert.match(log, /GET \/nul .*failed: the response header X-A has a control character/);
  assert.match(log, /GET \/async-crlf .*failed: the response header X-A has a control character/);
});

test('a failing Error.prepareStackTrace never sends exception text to the anonymous caller', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/throwing-trace', () => {
      Error.prepareStackTrace = () => { throw new Error('SECRET-trace'); };
      throw new Error('SECRET-original');
    });
    router.get('/object-trace', () => {
      Error.prepareStackTrace = () => ({ toString() { throw new Error('SECRET-tostring'); } });
      throw new Error('SECRET-object');
    });
    router.get('/async-trace', async () => {
      Error.prepareStackTrace = () => { throw new Error('SECRET-async'); };
      await null;
      throw new Error('SECRET-async-original');
    });
    router.get('/throw-string', () => { throw 'SECRET-string'; });
    router.get('/ok', () => { Error.prepareStackTrace = undefined; return 'ok'; });
  });`);
  for (const [p, secret] of [['/throwing-trace', 'SECRET'], ['/object-trace', 'SECRET'], ['/async-trace', 'SECRET'], ['/throw-string', 'SECRET']]) {
    expectGeneric500(await callRoute(server, project.slug, p), secret);
  }
  expectStatus(await callRoute(server, project.slug, '/ok'), 200, 'the project still serves');
  const log = await logText(project.id);
  for (const p of ['/throwing-trace', '/object-trace', '/async-trace', '/throw-string']) {
    assert.match(log, new RegExp(`GET ${p} failed`), `the run log has the failure of ${p}`);
  }
});

test('a run whose start throws ends everything it set up and logs the exception once', async () => {
  const project = await createProject(server, rootToken);
  const version = await deploy(server, rootToken, project.id, `
    // 250 ms: boot and start may be that far apart on a loaded machine, and a
    // top-level timer may fire between them; after the failure none may.
    setInterval(() => console.log('top-tick'), 250);
    service.start(() => {
      setInterval(() => console.log('start-tick'), 20);
      setTimeout(() => console.log('late-timeout'), 300);
      router.get('/x', () => 'x');
      throw new Error('start-boom');
    });`);
  const res = await startProject(server, rootToken, project.id, version);
  assert.equal(res.body.state, 'failed', describe(res));
  await sleep(600);
  const log = await logText(project.id);
  assert.ok(!/start-tick|top-tick|late-timeout/.test(log), `no timer of the failed run fired:\n${log}`);
  const mentions = log.split('\n').filter((l) => l.includes('start-boom'));
  assert.equal(mentions.length, 1, `the start exception is logged once:\n${log}`);
  assert.match(mentions[0], /start failed/);
  assert.equal((await projectStatus(server, rootToken, project.id)).state, 'failed');
  expectStatus(await callRoute(server, project.slug, '/x'), 503, 'a failed run serves nothing');

  // An async start: what ran before the failure may have ticked; nothing after.
  const p2 = await createProject(server, rootToken);
  const v2 = await deploy(server, rootToken, p2.id, `service.start(async () => {
    setInterval(() => console.log('async-tick'), 10);
    await new Promise((r) => setTimeout(r, 100));
    throw new Error('async-boom');
  });`);
  assert.equal((await startProject(server, rootToken, p2.id, v2)).body.state, 'failed');
  const ticksAtFailure = (await logText(p2.id)).split('async-tick').length;
  await sleep(400);
  const log2 = await logText(p2.id);
  assert.equal(log2.split('async-tick').length, ticksAtFailure, `no tick after the failure:\n${log2}`);
  assert.equal(log2.split('\n').filter((l) => l.includes('async-boom')).length, 1, `logged once:\n${log2}`);
  assert.ok(!/unhandled promise rejection/.test(log2), log2);
});

test('an unhandled rejection is still logged (once) when nothing handles it', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/orphan', () => { Promise.reject(new Error('orphan-rejection')); return 'ok'; });
    router.get('/late', () => { const p = Promise.reject(new Error('handled-later')); p.catch(() => {}); return 'ok'; });
  });`);
  expectStatus(await callRoute(server, project.slug, '/orphan'), 200);
  expectStatus(await callRoute(server, project.slug, '/late'), 200);
  await waitFor(async () => /unhandled promise rejection: Error: orphan-rejection/.test(await logText(project.id)), { what: 'the orphan rejection is logged' });
  const log = await logText(project.id);
  assert.equal(log.split('\n').filter((l) => l.includes('orphan-rejection')).length, 1, log);
  assert.ok(!log.includes('handled-later'), log);
});

test('service.project.url is built on the bound port when server.uri is not set', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/url', () => ({ url: service.project.url }));
  });`);
  const res = expectStatus(await callRoute(server, project.slug, '/url'), 200);
  assert.equal(res.body.url, `http://127.0.0.1:${server.port}/r/${project.slug}`);
});

test('a pipelining client that never reads does not make the server hold its answers', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/page', () => 'p'.repeat(900 * 1024));
  });`);
  const before = rssMb();
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => socket.on('connect', r));
  socket.on('error', () => {});
  socket.pause(); // never reads
  const request = `GET /r/${project.slug}/page HTTP/1.1\r\nHost: x\r\n\r\n`;
  socket.write(request.repeat(400)); // 400 × 900 KB ≈ 350 MB of answers if queued
  await sleep(3000);
  const grown = rssMb() - before;
  // Others are served meanwhile.
  expectStatus(await callRoute(server, project.slug, '/page'), 200, 'another client');
  socket.destroy();
  assert.ok(grown < 120, `the server held ${grown.toFixed(0)} MB for a client that does not read`);
});

test('a log stream to a client that stopped reading is cut off past its backlog, not held without bound', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/spam', () => { const line = 'L'.repeat(4000); for (let i = 0; i < 1500; i++) console.log(i + ' ' + line); return 'ok'; });
  });`);
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => socket.on('connect', r));
  socket.on('error', () => {});
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.setRecvBufferSize?.(4096);
  socket.write(`GET /api/projects/${project.id}/logs/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${rootToken}\r\n\r\n`);
  await sleep(300);
  socket.pause(); // stops reading
  const before = rssMb();
  for (let i = 0; i < 8; i++) expectStatus(await callRoute(server, project.slug, '/spam'), 200); // ≈ 48 MB of log lines
  await waitFor(() => /http stream to .* cut off: the client stopped reading/.test(server.output()), { what: 'the server cut the stream off', timeout: 3000 });
  const grown = rssMb() - before;
  socket.destroy();
  // ≈ 48 MB of lines went into the log meanwhile (their strings, ASan's quarantine): the
  // bound is loose; without the cut-off the server held ≈ 390 MB here.
  assert.ok(grown < 300, `the server held ${grown.toFixed(0)} MB for a stream nobody reads`);
  assert.ok(closed || socket.destroyed);
});
