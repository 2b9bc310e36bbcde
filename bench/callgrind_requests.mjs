// Instructions per request under valgrind --tool=callgrind (perf gets no samples on
// some VMs, and instruction counts do not care about other load on the machine).
// Starts `m3m serve` under callgrind in a temp folder, deploys the `bench` project
// (router.get('/hello', () => ({ok:true}))), then for each measured route: zero the
// counters, send N keep-alive requests over C connections, dump. Prints Ir/request
// and leaves the callgrind.out.* files in the work folder for callgrind_annotate.
// Usage: node bench/callgrind_requests.mjs [--bin build/m3m] [--n 2000] [--conns 8]
//          [--level warn] [--routes ping,js] [--cold 0] [--warm 200] [--out DIR]
// --warm: requests before counting (a few thousand let TurboFan finish, so the
// optimising compiler's work stays out of the per-request figure).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProject, deploy, freePort, parseArgs, request, sleep, startProject, stopProject, ROOT_EMAIL, ROOT_PASSWORD } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const binary = path.resolve(args.bin || path.resolve(here, '../build/m3m'));
const N = Number(args.n || 2000);
const CONNS = Number(args.conns || 8);
const level = args.level || 'warn';
const routes = String(args.routes || 'ping,js').split(',');
const colds = Number(args.cold || 0);
const WARM = Number(args.warm || 200);
const dir = args.out ? path.resolve(args.out) : mkdtempSync(path.join(tmpdir(), 'm3m-cg-'));
mkdirSync(dir, { recursive: true });

const port = await freePort();
const env = {
  ...process.env,
  M3M_CONFIG: '',
  M3M_SERVER_HOST: '127.0.0.1',
  M3M_SERVER_PORT: String(port),
  M3M_SERVER_URI: `http://127.0.0.1:${port}`,
  M3M_SERVER_THREADS: '1',
  M3M_DATABASE_PATH: path.join(dir, 'data', 'm3m.db'),
  M3M_STORAGE_PATH: path.join(dir, 'storage'),
  M3M_LOGGING_PATH: path.join(dir, 'logs'),
  M3M_PLUGINS_PATH: path.join(dir, 'plugins'),
  M3M_LOGGING_LEVEL: level,
};
const na = spawnSync(binary, ['new-admin', ROOT_EMAIL, ROOT_PASSWORD], { cwd: dir, env, encoding: 'utf8' });
if (na.status !== 0) throw new Error(`new-admin: ${na.stdout} ${na.stderr}`);
const outFile = path.join(dir, 'server.out');
const out = openSync(outFile, 'a');
const proc = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${dir}/callgrind.out.%p`, binary, 'serve'], {
  cwd: dir, env, stdio: ['ignore', out, out],
});
closeSync(out);
const url = `http://127.0.0.1:${port}`;
const t0 = Date.now();
for (;;) {
  try {
    await request(url, 'GET', '/api/health');
    break;
  } catch {
    if (Date.now() - t0 > 300_000) throw new Error('m3m did not come up:\n' + readFileSync(outFile, 'utf8'));
    await sleep(200);
  }
}
const login = await request(url, 'POST', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
const s = { url, token: login.body.access_token };
const project = await createProject(s, 'bench');
const version = await deploy(s, project.id, "service.start(() => { router.get('/hello', () => ({ok: true})); });\n");
const st = await startProject(s, project.id, version);
if (st.status !== 200) throw new Error('start: ' + st.text);

const cg = (...a) => spawnSync('callgrind_control', [...a, String(proc.pid)], { encoding: 'utf8' });

const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
function get(p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}
async function blast(p, n) {
  let next = 0; let bad = 0;
  await Promise.all(Array.from({ length: CONNS }, async () => {
    while (next < n) { next++; if ((await get(p)) !== 200) bad++; }
  }));
  return bad;
}

function totalIr(file) {
  const text = readFileSync(file, 'utf8');
  const m = text.match(/^(?:totals|summary):\s+(\d+)/m);
  return m ? Number(m[1]) : NaN;
}
function dumpsSince(before) {
  return readdirSync(dir).filter((f) => f.startsWith('callgrind.out.') && !before.has(f));
}

const paths = { ping: '/api/ping', js: '/r/bench/hello', health: '/api/health' };
for (const r of routes) {
  const p = paths[r] || r;
  await blast(p, WARM);  // warm-up (JIT, pools)
  cg('-z');
  const bad = await blast(p, N);
  const before = new Set(readdirSync(dir));
  cg('-d', r);
  await sleep(500);
  const files = dumpsSince(before);
  const ir = files.reduce((a, f) => a + totalIr(path.join(dir, f)), 0);
  console.log(`${r.padEnd(6)} ${p.padEnd(16)} n=${N} conns=${CONNS} non200=${bad}  Ir/request=${Math.round(ir / N)}  (${files.join(' ')})`);
}

for (let i = 0; i < colds; i++) {
  await stopProject(s, project.id);
  cg('-z');
  const r = await startProject(s, project.id);
  let code;
  do code = await get('/r/bench/hello'); while (code !== 200);
  const before = new Set(readdirSync(dir));
  cg('-d', `cold${i}`);
  await sleep(500);
  const files = dumpsSince(before);
  const ir = files.reduce((a, f) => a + totalIr(path.join(dir, f)), 0);
  console.log(`cold${i} start=${r.status} Ir=${ir}  (${files.join(' ')})`);
}

agent.destroy();
proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
console.log(`work folder: ${dir}`);
