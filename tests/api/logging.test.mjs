// The server log (issue 20, Logs): logging.format json writes one JSON object
// per line (time, level, msg; access lines with id, method, path, project,
// status, bytes, duration_ms, remote); text stays the default; lines queued by
// the async logger are all written at a normal stop; a bad format is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { api, callRoute, expectStatus, runningProject, sleep, startWithRoot } from './fixtures.mjs';
import { BINARY, makeTempDir } from './harness.mjs';

// The server log only (run logs live beside it, in their own format).
const serverLog = (dir) => readFileSync(path.join(dir, 'logs', 'm3m.log'), 'utf8');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// One request written byte for byte (fetch would percent-encode the target);
// resolves with the status line.
function rawRequest(server, target, headers = {}) {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      const head = Object.entries({ host: 'localhost', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(Buffer.concat([Buffer.from('GET '), target, Buffer.from(` HTTP/1.1\r\n${head}\r\n`)]));
    });
    let got = '';
    socket.on('data', (d) => (got += d.toString('latin1')));
    socket.on('end', () => resolve(got.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

test('logging.format json: every line of m3m.log is a JSON object; access lines carry the request fields', async () => {
  const { server, rootToken, dir } = await startWithRoot({ env: { M3M_LOGGING_FORMAT: 'json' }, keepDir: true });
  const { project } = await runningProject(server, rootToken, `router.get('/hi', () => ({ ok: true }))`);
  const res = await callRoute(server, project.slug, '/hi', { headers: { 'x-request-id': 'req-json-1' } });
  expectStatus(res, 200);
  // A message with quotes and a newline stays one valid line (escaped).
  expectStatus(await api(server, 'GET', '/api/nope"\n?x=1'), 404);
  await server.stop();
  const lines = serverLog(dir).split('\n').filter(Boolean);
  assert.ok(lines.length > 3, 'some lines');
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      assert.fail(`line ${i + 1} is not JSON: ${l}`);
    }
  });
  for (const p of parsed) {
    assert.match(p.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(['trace', 'debug', 'info', 'warning', 'error', 'critical'].includes(p.level), p.level);
    assert.equal(typeof p.msg, 'string');
  }
  const access = parsed.find((p) => p.msg === 'http' && p.id === 'req-json-1');
  assert.ok(access, 'the access line of the route call');
  assert.equal(access.method, 'GET');
  assert.equal(access.path, `/r/${project.slug}/hi`);
  assert.equal(access.project, project.slug);
  assert.equal(access.status, 200);
  assert.equal(typeof access.bytes, 'number');
  assert.equal(typeof access.duration_ms, 'number');
  assert.ok(access.remote);
  // The last line before stop (written at stop, from the async queue).
  assert.ok(parsed.some((p) => p.msg === 'stopped'), 'the "stopped" line was flushed at stop');
});

test('logging.format json: a path with quotes, backslashes and invalid UTF-8 stays one valid line with the path escaped', async () => {
  const { server, dir } = await startWithRoot({ env: { M3M_LOGGING_FORMAT: 'json' }, keepDir: true });
  // '"', '\\', a lone 0xff byte and a cut 2-byte sequence, as sent on the wire.
  const target = Buffer.concat([Buffer.from('/api/nope"a\\b'), Buffer.from([0xff]), Buffer.from('c'), Buffer.from([0xc3])]);
  const status = await rawRequest(server, target, { 'x-request-id': 'req-esc-1' });
  assert.match(status, /^HTTP\/1\.1 404 /);
  await server.stop();
  const lines = serverLog(dir).split('\n').filter(Boolean);
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      assert.fail(`line ${i + 1} is not JSON: ${l}`);
    }
  });
  const access = parsed.find((p) => p.msg === 'http' && p.id === 'req-esc-1');
  assert.ok(access, 'the access line of the raw request');
  assert.equal(access.path, '/api/nope"a\\b\uFFFDc\uFFFD');
  assert.equal(access.status, 404);
  assert.equal(access.method, 'GET');
});

test('an idle server writes an access line at once (within a second), before any stop', async () => {
  const { server, dir } = await startWithRoot({ keepDir: true });
  try {
    expectStatus(await api(server, 'GET', '/api/health', { headers: { 'x-request-id': 'idle-1' } }), 200);
    const t0 = Date.now();
    let seen = false;
    while (!seen && Date.now() - t0 < 1000) {
      await sleep(20);
      seen = serverLog(dir).includes('id=idle-1 ');
    }
    assert.ok(seen, 'the access line is in m3m.log within 1 s of the request');
  } finally {
    await server.stop();
  }
});

test('logging.format text is the default: "[time] [level] message"', async () => {
  const { server, dir } = await startWithRoot({ keepDir: true });
  expectStatus(await api(server, 'GET', '/api/health'), 200);
  await server.stop();
  const lines = serverLog(dir).split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const l of lines) assert.match(l, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[\w+\] /, l);
  const access = lines.filter((l) => / http GET \/api\/health 200 /.test(l));
  assert.equal(access.length, 1, 'the access line');
  assert.match(access[0], /^\[[^\]]+\] \[info\] http GET \/api\/health 200 \d+B \d+\.\d\dms id=[0-9a-f]{16} remote=127\.0\.0\.1:\d+$/);
});

test('a flood of requests loses no access line when the queue keeps up, and all are written by stop', async () => {
  const { server, dir } = await startWithRoot({ keepDir: true });
  const n = 300;
  await Promise.all(Array.from({ length: n }, (_, i) => api(server, 'GET', `/api/health?i=${i}`, { headers: { 'x-request-id': `flood-${i}` } })));
  await server.stop();
  const logs = serverLog(dir);
  let seen = 0;
  for (let i = 0; i < n; i++) if (logs.includes(`id=flood-${i} `)) seen++;
  assert.equal(seen, n);
});

test('a crash (SIGSEGV, SIGABRT) writes the queued lines and a line naming the signal, then dies of the signal', async () => {
  for (const sig of ['SIGSEGV', 'SIGABRT']) {
    const { server, dir } = await startWithRoot({ keepDir: true });
    const n = 200;
    await Promise.all(Array.from({ length: n }, (_, i) => api(server, 'GET', `/api/health?i=${i}`, { headers: { 'x-request-id': `crash-${i}` } })));
    const { signal } = await server.stop(sig);
    assert.equal(signal, sig, 'the process still ends by the signal (exit status, core dump as before)');
    const logs = serverLog(dir);
    let seen = 0;
    for (let i = 0; i < n; i++) if (logs.includes(`id=crash-${i} `)) seen++;
    assert.equal(seen, n, `${sig}: every queued access line was written`);
    assert.match(logs, new RegExp(`\\[critical\\] fatal signal \\d+ \\([^)]+\\): flushing the log and stopping`), sig);
  }
});

test('an unknown logging.format is refused at start naming the key', () => {
  const dir = makeTempDir();
  const r = spawnSync(BINARY, ['config', 'check'], { cwd: dir, env: { ...process.env, M3M_LOGGING_FORMAT: 'xml' }, encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stdout + r.stderr, /logging\.format/);
});

test('logging.console: by default the console keeps to the server\'s own lines (access lines only in m3m.log); all adds them; off writes nothing there', async () => {
  const seen = {};
  for (const [mode, value] of [['default', null], ['all', 'all'], ['off', 'off']]) {
    // With the console off, the harness cannot read the port there: one is given.
    const port = value === 'off' ? { M3M_SERVER_PORT: String(await freePort()) } : {};
    const { server, dir } = await startWithRoot({ keepDir: true, env: { M3M_LOGGING_CONSOLE: value, ...port } });
    expectStatus(await api(server, 'GET', '/api/health', { headers: { 'x-request-id': `console-${mode}` } }), 200);
    await server.stop();
    seen[mode] = { console: server.output(), file: serverLog(dir) };
    assert.ok(seen[mode].file.includes(`id=console-${mode} `), `${mode}: the access line is in m3m.log`);
  }
  assert.match(seen.default.console, /\[info\] m3m .* listening on /, 'the server\'s own lines are on the console');
  assert.match(seen.default.console, /\[info\] stopped/);
  assert.ok(!seen.default.console.includes(' http GET '), 'no access line on the console by default');
  assert.match(seen.all.console, /\[info\] http GET \/api\/health 200 \d+B [\d.]+ms id=console-all /);
  assert.match(seen.all.console, /listening on /);
  assert.doesNotMatch(seen.off.console, /\[(info|warning)\]/, 'nothing from the server log on the console');
  assert.match(seen.off.file, /listening on /, 'the file still has every line');
});
