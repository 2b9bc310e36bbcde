// The command line: version, config check, and start-up refusals.
import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import net from 'node:net';
import { makeTempDir, runCli, startServer } from './harness.mjs';

// A loopback port nobody listens on.
function closedPort() {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

test('m3m version prints the version and the allocator that serves malloc', () => {
  const r = runCli(['version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^m3m \d+\.\d+\.\d+\nallocator: (tcmalloc|system malloc)\n$/);
});

test('config check passes on defaults with no file', () => {
  const r = runCli(['config', 'check']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /config OK/);
});

test('config check rejects a broken file with path-precise errors and exit code 2', () => {
  const dir = makeTempDir();
  const r = runCli(['config', 'check', '--config', path.join(dir, 'config.yaml')], {
    dir,
    config: 'server:\n  threads: 99999\n  max_body: huge\njwt:\n  expiration: forever\ndatabase:\n  driver: oracle\nlogging: { level: loud }\n',
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error: server\.threads: must be between 0 and 256/);
  assert.match(r.stderr, /error: server\.max_body: not a size/);
  assert.match(r.stderr, /error: jwt\.expiration: not a duration/);
  assert.match(r.stderr, /error: database\.driver: must be one of sqlite, mongodb/);
  assert.match(r.stderr, /error: logging\.level: must be one of/);
  assert.match(r.stderr, /5 error\(s\)/);
});

test('config check names the environment variable that is wrong', () => {
  const r = runCli(['config', 'check'], { env: { M3M_RUNTIME_TIMEOUT: 'later' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /runtime\.timeout: not a duration: "later".*\(env M3M_RUNTIME_TIMEOUT\)/);
});

test('config check warns about unknown keys but passes', () => {
  const dir = makeTempDir();
  const r = runCli(['config', 'check', '--config', path.join(dir, 'config.yaml')], {
    dir,
    config: 'server:\n  prot: 3000\n',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: server\.prot: unknown key/);
});

test('config check reports invalid YAML and a missing file', () => {
  const dir = makeTempDir();
  const bad = runCli(['config', 'check', '--config', path.join(dir, 'config.yaml')], { dir, config: 'server: [1,\n' });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid YAML at line/);
  const missing = runCli(['config', 'check', '--config', '/nonexistent/m3m.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read config file/);
});

test('production mode refuses the default JWT secret at start', () => {
  const r = runCli(['serve'], { env: { M3M_MODE: 'production' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /jwt\.secret: must be set to your own secret in production mode/);
});

test('production mode starts with a real secret and uses no generated one', async () => {
  const server = await startServer({ env: { M3M_MODE: 'production', M3M_JWT_SECRET: 'x'.repeat(48) }, keepDir: true });
  assert.match(server.output(), /production mode/);
  const { status } = await server.json('/api/health');
  assert.equal(status, 200);
  await server.stop();
});

test('development mode generates a JWT secret once, persisted with mode 0600', async () => {
  const dir = makeTempDir();
  const first = await startServer({ dir, keepDir: true });
  await first.stop();
  const file = path.join(dir, 'data', 'jwt.secret');
  const secret = readFileSync(file, 'utf8');
  assert.match(secret, /^[0-9a-f]{64}\n$/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = await startServer({ dir, keepDir: true });
  await second.stop();
  assert.equal(readFileSync(file, 'utf8'), secret, 'the secret survives restarts');
});

test('a port in use is a clear error with a non-zero exit code', async () => {
  const server = await startServer();
  const r = runCli(['serve'], { env: { M3M_SERVER_PORT: String(server.port) } });
  await server.stop();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+: bind: Address already in use/);
});

test('an unreachable MongoDB stops the start after mongodb.connect_timeout, naming it without the password', async () => {
  const closed = await closedPort();
  const started = Date.now();
  const r = runCli(['serve'], {
    env: {
      M3M_DATABASE_DRIVER: 'mongodb',
      M3M_MONGODB_URI: `mongodb://m3m:s3cret-pass@127.0.0.1:${closed}/?serverSelectionTimeoutMS=200`,
      M3M_MONGODB_CONNECT_TIMEOUT: '1s',
    },
  });
  const took = Date.now() - started;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /MongoDB at mongodb\.uri is unreachable \(gave up after mongodb\.connect_timeout\)/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pass/, 'the password is never printed');
  assert.ok(took >= 900 && took < 15_000, `retried for about connect_timeout (took ${took} ms)`);
});

test('a malformed mongodb.uri is a clear start error', () => {
  const r = runCli(['serve'], { env: { M3M_DATABASE_DRIVER: 'mongodb', M3M_MONGODB_URI: 'http://not-mongo' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /mongodb\.uri: /);
});

test('the config file is read and the environment overrides it', async () => {
  const dir = makeTempDir();
  const server = await startServer({
    dir,
    config: 'server:\n  port: 1\nlogging:\n  level: debug\n',
    env: { M3M_SERVER_PORT: '0' },
  });
  const { status } = await server.json('/api/health');
  assert.equal(status, 200, 'port 1 from the file was overridden by M3M_SERVER_PORT=0');
  await server.stop();
});

test('an unknown command is refused', () => {
  const r = runCli(['frobnicate']);
  assert.notEqual(r.code, 0);
});
