// Test harness shared by every API test: starts the real `m3m` binary on a free
// port with a temporary data folder, and talks to it over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BINARY = process.env.M3M_BINARY || path.resolve(here, '../../build-test/m3m');

// The storage driver under test: `sqlite` (default) or `mongodb`
// (M3M_TEST_DRIVER=mongodb). MongoDB is $M3M_TEST_MONGODB_URI when set, else a
// FerretDB (tests/ferretdb) started for this test file; every server gets its
// own database, m3m_testing_database_<its temp folder>.
export const DRIVER = process.env.M3M_TEST_DRIVER || 'sqlite';
// Where project files live: `local` (default) or `gridfs` (M3M_TEST_STORAGE=gridfs,
// only with M3M_TEST_DRIVER=mongodb: storage.driver gridfs in the server's database).
export const STORAGE = process.env.M3M_TEST_STORAGE || 'local';
if (STORAGE === 'gridfs' && DRIVER !== 'mongodb') throw new Error('M3M_TEST_STORAGE=gridfs needs M3M_TEST_DRIVER=mongodb');
const MONGODB_URI = DRIVER === 'mongodb' ? await mongoUri() : null;

async function mongoUri() {
  if (process.env.M3M_TEST_MONGODB_URI) return process.env.M3M_TEST_MONGODB_URI;
  const bin = process.env.M3M_FERRETDB || path.resolve(here, '../../.deps/bin/m3m-ferretdb');
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-ferretdb-'));
  const proc = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-dir', dir, '-log-level', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  proc.unref();
  process.on('exit', () => {
    proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const started = Date.now();
  for (;;) {
    if (await canConnect(port)) return `mongodb://127.0.0.1:${port}/`;
    if (Date.now() - started > 15_000) throw new Error(`FerretDB (${bin}) did not listen on ${port} within 15 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });
}

// The driver's settings for a server whose files live in `dir`.
function driverEnv(dir) {
  if (DRIVER !== 'mongodb') return {};
  return {
    M3M_DATABASE_DRIVER: 'mongodb',
    M3M_MONGODB_URI: MONGODB_URI,
    M3M_MONGODB_DATABASE: `m3m_testing_database_${path.basename(dir).replace(/[^A-Za-z0-9_]/g, '_')}`,
    M3M_STORAGE_DRIVER: STORAGE,
  };
}

// Settings that put several servers on ONE MongoDB database (the cluster
// tests): pass them in `env` to startServer/startWithRoot. The file's FerretDB
// (or $M3M_TEST_MONGODB_URI), started here when the file runs on SQLite.
let sharedUri = null;
export async function sharedMongoEnv(database = `m3m_testing_shared_${process.pid}_${Date.now()}`) {
  sharedUri = sharedUri || MONGODB_URI || (await mongoUri());
  return { M3M_DATABASE_DRIVER: 'mongodb', M3M_MONGODB_URI: sharedUri, M3M_MONGODB_DATABASE: database };
}

// Environment that keeps every file of the server inside `dir`. The console
// gets every line, access lines too (logging.console: all), so output()
// shows what a test's requests logged; a setting given as null is left
// unset (the server's default).
function isolatedEnv(dir, extra) {
  const env = {
    ...process.env,
    M3M_CONFIG: '',
    M3M_SERVER_HOST: '127.0.0.1',
    M3M_SERVER_PORT: '0',
    M3M_DATABASE_PATH: path.join(dir, 'data', 'm3m.db'),
    M3M_STORAGE_PATH: path.join(dir, 'storage'),
    M3M_LOGGING_PATH: path.join(dir, 'logs'),
    M3M_LOGGING_CONSOLE: 'all',
    M3M_PLUGINS_PATH: path.join(dir, 'plugins'),
    ...driverEnv(dir),
    ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1',
    LSAN_OPTIONS: process.env.LSAN_OPTIONS || `suppressions=${path.resolve(here, '../lsan.supp')}`,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === null) delete env[k];
  return env;
}

export function makeTempDir() {
  return mkdtempSync(path.join(tmpdir(), 'm3m-api-'));
}

// Runs a CLI command to completion: { code, stdout, stderr }.
export function runCli(args, { env = {}, dir = makeTempDir(), config } = {}) {
  if (config !== undefined) writeFileSync(path.join(dir, 'config.yaml'), config);
  const r = spawnSync(BINARY, args, { cwd: dir, env: isolatedEnv(dir, env), encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, dir };
}

// Starts `m3m serve`; resolves once it logs the port it listens on.
// Resolves with `port` once GET /api/health answers there (20 s at most).
async function answering(port, exited, output) {
  let gone = null;
  exited.then((e) => (gone = e));
  const t0 = Date.now();
  for (;;) {
    if (gone) throw new Error(`m3m exited (code ${gone.code}, signal ${gone.signal}) before listening:\n${output()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return port;
    } catch {}
    if (Date.now() - t0 > 20_000) throw new Error(`m3m did not answer on port ${port} within 20s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startServer({ env = {}, args = ['serve'], dir, config, keepDir = false } = {}) {
  dir = dir || makeTempDir();
  if (config !== undefined) {
    writeFileSync(path.join(dir, 'config.yaml'), config);
    args = [...args, '--config', path.join(dir, 'config.yaml')];
  }
  const proc = spawn(BINARY, args, { cwd: dir, env: isolatedEnv(dir, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));

  // The port from the console's "listening on" line; with a port given (a
  // console that may show nothing: logging.console off), from /api/health.
  const fixed = Number(env.M3M_SERVER_PORT || 0);
  const port = fixed ? await answering(fixed, exited, () => output) : await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`m3m did not start within 20s:\n${output}`)), 20_000);
    const onData = () => {
      const m = output.match(/listening on http:\/\/[^\s:]+:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`m3m exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  });

  const url = `http://127.0.0.1:${port}`;
  let stopped = null;
  const server = {
    url,
    port,
    dir,
    proc,
    output: () => output,
    exited,
    // Sends a signal and waits for the exit: { code, signal }.
    async stop(sig = 'SIGTERM') {
      if (!stopped) {
        proc.kill(sig);
        stopped = exited;
      }
      const result = await stopped;
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
      sanitizerReport(output);
      return result;
    },
    async fetch(p, init = {}) {
      return fetch(url + p, init);
    },
    async json(p, init = {}) {
      const res = await fetch(url + p, init);
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: res.status, headers: res.headers, body };
    },
  };
  return server;
}

// The sanitizer builds report a leak at exit, and UBSan a runtime error, in
// the output: a test whose server reported one fails (ASan errors abort the
// server, which the test sees anyway).
export function sanitizerReport(output) {
  const m = output.match(/(ERROR: (LeakSanitizer|AddressSanitizer)|SUMMARY: UndefinedBehaviorSanitizer|: runtime error: )/);
  if (!m) return;
  const at = Math.max(0, output.lastIndexOf('\n', m.index));
  throw new Error(`the server's sanitizer reported an error:\n${output.slice(at, at + 4000)}`);
}

// Raw TCP exchange, for what fetch cannot send (malformed HTTP, pipelining,
// slow clients). Resolves with everything received until the server closes
// or `waitMs` passes; `closed` tells which.
export function rawExchange(port, chunks, { waitMs = 3000, delayMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    let closed = false;
    const started = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ data, closed, ms: Date.now() - started });
    }, waitMs);
    socket.on('data', (d) => (data += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ data, closed, ms: Date.now() - started });
    });
    socket.on('connect', async () => {
      for (const c of [].concat(chunks)) {
        if (socket.destroyed) break;
        socket.write(c);
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      }
    });
    socket.on('timeout', reject);
  });
}

// Splits a raw HTTP/1.1 byte stream into responses: [{status, headers, body}].
export function parseResponses(raw) {
  const out = [];
  let rest = raw;
  while (rest.length) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end).split('\r\n');
    const status = Number(head[0].split(' ')[1]);
    const headers = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] || 0);
    const body = rest.slice(end + 4, end + 4 + len);
    out.push({ status, headers, body });
    rest = rest.slice(end + 4 + len);
  }
  return out;
}
