// Shared helpers of the m3m benchmark scripts: start the real `m3m` binary in a
// temporary data folder (root created with `m3m new-admin`, optionally pinned to a
// core with taskset), log in, create projects, deploy code through the pipeline
// (PUT branches/develop + POST releases) and run them (POST /api/projects/:id/start).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BINARY = path.resolve(process.env.M3M_BIN || path.resolve(here, '../build/m3m'));
export const ROOT_EMAIL = 'root@example.com';
export const ROOT_PASSWORD = 'rootpass123';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// One keep-alive connection pool for every request of a script.
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

// {status, body (parsed JSON or text), text}
export function request(url, method, p, { token, body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(p, url);
    const h = { ...headers };
    let payload;
    if (body !== undefined) {
      payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      h['content-type'] = 'application/json';
      h['content-length'] = payload.length;
    }
    if (token) h.authorization = `Bearer ${token}`;
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = text.length ? JSON.parse(text) : text;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export function must(res, statuses, what) {
  if (![].concat(statuses).includes(res.status)) {
    throw new Error(`${what}: HTTP ${res.status} ${String(res.text).slice(0, 400)}`);
  }
  return res.body;
}

// Environment that keeps every file of the server inside `dir`.
function serverEnv(dir, port, extra) {
  const { M3M_BIN: _bin, ...inherited } = process.env;
  return {
    ...inherited,
    M3M_CONFIG: '',
    M3M_SERVER_HOST: '127.0.0.1',
    M3M_SERVER_PORT: String(port),
    M3M_SERVER_URI: `http://127.0.0.1:${port}`,
    M3M_DATABASE_PATH: path.join(dir, 'data', 'm3m.db'),
    M3M_STORAGE_PATH: path.join(dir, 'storage'),
    M3M_LOGGING_PATH: path.join(dir, 'logs'),
    M3M_PLUGINS_PATH: path.join(dir, 'plugins'),
    ...extra,
  };
}

// Starts `m3m serve` in a fresh temp folder with a root user, logged in.
// `pin`: a taskset CPU list ("0") or null. `level`: logging.level. `threads`: server.threads.
// `detached`: the server outlives this node process (run.sh stops it by pid).
// `admin`: false when the database (a shared MongoDB) already has the root user.
// Returns {url, port, pid, dir, token, stop()}.
export async function startM3m({ pin = null, level = 'warn', threads, env = {}, detached = false, binary = BINARY, admin = true } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-bench-'));
  try {
    return await startIn(dir, { pin, level, threads, env, detached, binary, admin });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function startIn(dir, { pin, level, threads, env, detached, binary, admin }) {
  const port = await freePort();
  const extra = { M3M_LOGGING_LEVEL: level, ...env };
  if (threads !== undefined && threads !== null && threads !== '') extra.M3M_SERVER_THREADS = String(threads);
  const e = serverEnv(dir, port, extra);
  if (admin) {
    const na = spawnSync(binary, ['new-admin', ROOT_EMAIL, ROOT_PASSWORD], { cwd: dir, env: e, encoding: 'utf8', timeout: 60_000 });
    if (na.error) throw new Error(`cannot run ${binary} new-admin: ${na.error.message}`);
    if (na.status !== 0) throw new Error(`m3m new-admin failed (exit ${na.status}): ${na.stdout} ${na.stderr}`);
  }

  const outFile = path.join(dir, 'server.out');
  const out = openSync(outFile, 'a');
  const [cmd, args] = pin !== null && pin !== undefined && pin !== '' ? ['taskset', ['-c', String(pin), binary, 'serve']] : [binary, ['serve']];
  const proc = spawn(cmd, args, { cwd: dir, env: e, stdio: ['ignore', out, out], detached });
  closeSync(out);
  let exited = null;
  proc.on('exit', (code, signal) => (exited = { code, signal }));
  if (detached) proc.unref();

  const url = `http://127.0.0.1:${port}`;
  let login;
  try {
    const t0 = Date.now();
    for (;;) {
      if (exited) throw new Error(`m3m exited (${JSON.stringify(exited)}) before listening:\n${readFileSync(outFile, 'utf8')}`);
      try {
        await request(url, 'GET', '/api/health');
        break;
      } catch {
        if (Date.now() - t0 > 30_000) throw new Error(`m3m did not answer within 30s:\n${readFileSync(outFile, 'utf8')}`);
        await sleep(20);
      }
    }
    login = must(await request(url, 'POST', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } }), 200, 'login');
  } catch (e) {
    if (!exited) proc.kill('SIGKILL');
    throw e;
  }
  const server = {
    url,
    port,
    pid: proc.pid,
    dir,
    outFile,
    token: login.access_token,
    async stop({ keepDir = false } = {}) {
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(t);
      }
      agent.destroy();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export async function createProject(s, slug) {
  return must(await request(s.url, 'POST', '/api/projects', { token: s.token, body: { name: `Bench ${slug}`, slug } }), 201, `create project ${slug}`);
}

// Saves `code` as the develop draft and creates a release; returns its version.
export async function deploy(s, projectId, code) {
  const bpath = `/api/projects/${projectId}/pipeline/branches/develop`;
  const got = must(await request(s.url, 'GET', bpath, { token: s.token }), 200, 'read branch develop');
  const revision = got.exists === false ? 0 : got.revision;
  must(await request(s.url, 'PUT', bpath, { token: s.token, body: { code, revision } }), [200, 201], 'save draft');
  const rel = must(
    await request(s.url, 'POST', `/api/projects/${projectId}/pipeline/releases`, { token: s.token, body: { branch: 'develop', bump: 'minor', tag: 'stable' } }),
    201,
    'create release',
  );
  return rel.version;
}

export function startProject(s, projectId, version) {
  return request(s.url, 'POST', `/api/projects/${projectId}/start`, { token: s.token, body: version === undefined ? {} : { version } });
}

export function stopProject(s, projectId) {
  return request(s.url, 'POST', `/api/projects/${projectId}/stop`, { token: s.token, body: {} });
}

export async function projectStatus(s, projectId) {
  return must(await request(s.url, 'GET', `/api/projects/${projectId}/status`, { token: s.token }), 200, 'status');
}

// Creates, deploys and starts a project; asserts it is running.
export async function runningProject(s, slug, code) {
  const project = await createProject(s, slug);
  const version = await deploy(s, project.id, code);
  const res = await startProject(s, project.id, version);
  must(res, 200, `start ${slug}`);
  const st = await projectStatus(s, project.id);
  if (st.state !== 'running') throw new Error(`project ${slug} is ${st.state}: ${JSON.stringify(st)}`);
  return { project, version };
}

// VmRSS of a process in KiB (from /proc/<pid>/status).
export function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

export function threadCount(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Threads:\s+(\d+)/m);
  return m ? Number(m[1]) : NaN;
}

// Threads of a process grouped by name (/proc/<pid>/task/*/comm): [[name, count], …], most first.
export function threadNames(pid) {
  const counts = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let name = '?';
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {}
    counts.set(name, (counts.get(name) || 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// Percentile (nearest-rank) of a numeric array.
export function percentile(values, p) {
  const a = [...values].sort((x, y) => x - y);
  if (!a.length) return NaN;
  const rank = Math.ceil((p / 100) * a.length);
  return a[Math.min(a.length - 1, Math.max(0, rank - 1))];
}

// --flag value / --flag=value / positional parsing (tiny).
// A wrk latency figure ("850.12us", "1.20ms", "2.5s", "1m") in milliseconds.
export function wrkMillis(s) {
  const v = parseFloat(s);
  if (/us$/.test(s)) return v / 1000;
  if (/ms$/.test(s)) return v;
  if (/m$/.test(s)) return v * 60000;
  if (/s$/.test(s)) return v * 1000;
  return v;
}

export function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
      else out[a.slice(2)] = true;
    } else out._.push(a);
  }
  return out;
}
