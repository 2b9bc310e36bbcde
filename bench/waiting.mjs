// Part `waiting` of bench/run.sh (issue 15, "Waiting throughput"): how many requests per second
// a project serves when every handler waits, for several `runtime.worker_pool_size` values.
//
// For each pool size P (--pools, default 1,8,32) one m3m is started (own temp data folder,
// pinned to --pin, --threads IO threads, log level warn, M3M_RUNTIME_WORKER_POOL_SIZE=P,
// M3M_RUNTIME_MAX_QUEUE=--max-queue so that all the waiters fit in the queue) with one project
// `wait`:
//   GET /r/wait/wait  → utils.sleep(SLEEP_MS); {ok: true}          (the measured route)
//   GET /r/wait/hello → {ok: true}                                (the fast route: the CPU cap)
//   GET /r/wait/fair  → utils.sleep(FAIR_MS); {over: ms past FAIR_MS, timed inside JS}
// Steps per server:
//   1. fast: wrk -c FAST_CONNS on /hello for DURATION → what one core does for a JS route call
//      (the cap of the target: a pool can never beat it).
//   2. waiting: wrk -c CONNS (default 200) --timeout 60s on /wait for DURATION → req/s, p50, p99.
//      ideal = min(P, CONNS) ÷ SLEEP_MS (P threads each answering one request per SLEEP_MS);
//      target = 0.9 × min(ideal, fast req/s); ratio = req/s ÷ ideal.
//      While it runs: the process's thread count (max of /proc/<pid>/status Threads:) and,
//      once half-way, the project's status `threads` {total, waiting}.
//   3. fairness (on the server of --fairness-pool, default 8; 0 skips): FAIR_WAITERS node
//      clients call /fair back to back while wrk floods /hello with FAST_CONNS connections;
//      the handler measures how far past its FAIR_MS sleep it got the isolate back (Date.now(),
//      ms resolution) → p50 / p99 / max of that overshoot, with a baseline without the flood.
//   4. POST /stop with the waiters still queued (timed, for reference), then the server stops.
// With P = 1 a waiting call blocks the whole project (the old behaviour): the 200 connections
// queue behind one another, every request waits up to CONNS × SLEEP_MS, and wrk only counts
// the requests that finished within DURATION (its p50/p99 are those of the finished ones).
//
// Usage: node waiting.mjs [--pools 1,8,32] [--conns 200] [--duration 5s] [--sleep-ms 100]
//          [--pin 0] [--threads 1] [--fast-conns 64] [--max-queue 100000] [--client auto|wrk|node]
//          [--fairness-pool 8] [--fair-ms 20] [--fair-waiters 4] [--work DIR]
// Run it pinned to the client CPU (run.sh: taskset -c CLIENT_CPU); wrk inherits the pinning.
// Progress goes to stderr; the table and a "WAITING key=value …" line to stdout.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { must, parseArgs, percentile, projectStatus, request, runningProject, sleep, startM3m, stopProject, threadCount, wrkMillis } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const seconds = (v) => {
  const m = String(v).trim().match(/^(\d+(?:\.\d+)?)(ms|s|m)?$/);
  if (!m) throw new Error(`bad duration '${v}' (5, 5s, 500ms, 1m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n / 1000 : m[2] === 'm' ? n * 60 : n;
};
const POOLS = String(args.pools ?? '1,8,32')
  .split(/[ ,]+/)
  .filter(Boolean)
  .map(Number);
const CONNS = Number(args.conns ?? 200);
const DURATION = seconds(args.duration ?? 5);
const SLEEP_MS = Number(args['sleep-ms'] ?? 100);
const PIN = args.pin ?? null;
const THREADS = args.threads ?? 1;
const FAST_CONNS = Number(args['fast-conns'] ?? 64);
const MAX_QUEUE = Number(args['max-queue'] ?? 100000);
const CLIENT = args.client || 'auto';
const FAIR_POOL = Number(args['fairness-pool'] ?? 8);
const FAIR_MS = Number(args['fair-ms'] ?? 20);
const FAIR_WAITERS = Number(args['fair-waiters'] ?? 4);
const WORK = args.work ? path.resolve(args.work) : mkdtempSync(path.join(tmpdir(), 'm3m-bench-waiting-'));
mkdirSync(WORK, { recursive: true });
if (POOLS.some((p) => !Number.isInteger(p) || p < 1) || !(CONNS > 0) || !(DURATION > 0) || !(SLEEP_MS > 0)) {
  throw new Error('waiting: --pools must be integers ≥ 1; --conns, --duration and --sleep-ms positive');
}

const log = (m) => process.stderr.write(`[bench] ${m}\n`);
const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const useWrk = CLIENT === 'wrk' || (CLIENT === 'auto' && have('wrk'));
if (CLIENT === 'wrk' && !have('wrk')) throw new Error('--client wrk: wrk is not installed');

const CODE = `service.start(() => {
  router.get('/wait', () => {
    utils.sleep(${SLEEP_MS});
    return {ok: true};
  });
  router.get('/hello', () => ({ok: true}));
  router.get('/fair', () => {
    const t = Date.now();
    utils.sleep(${FAIR_MS});
    return {over: Date.now() - t - ${FAIR_MS}};
  });
});
`;

// ---------------------------------------------------------------------------------------------
// Load generators → {rps, p50, p99, requests, non2xx, errors, seconds}

// wrk, asynchronously (so that the caller can sample the server meanwhile).
function runWrk(name, url, conns, secs, { timeout = '60s' } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${conns}`, `-d${secs}s`, `--timeout`, timeout, '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('error', reject);
    p.on('close', (code) => {
      writeFileSync(path.join(WORK, `${name}.wrk.txt`), out);
      if (code !== 0) return reject(new Error(`wrk ${name} failed (exit ${code}): ${out.slice(0, 400)}`));
      const pick = (re) => out.match(re);
      const p50 = pick(/^\s+50%\s+(\S+)/m);
      const p99 = pick(/^\s+99%\s+(\S+)/m);
      const reqs = pick(/(\d+) requests in ([\d.]+)(\w+)/);
      const rps = pick(/Requests\/sec:\s+([\d.]+)/);
      const non2xx = pick(/Non-2xx or 3xx responses:\s+(\d+)/);
      const sock = pick(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
      resolve({
        rps: rps ? Number(rps[1]) : 0,
        p50: p50 ? wrkMillis(p50[1]) : NaN,
        p99: p99 ? wrkMillis(p99[1]) : NaN,
        requests: reqs ? Number(reqs[1]) : 0,
        non2xx: non2xx ? Number(non2xx[1]) : 0,
        errors: sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0,
        seconds: secs,
      });
    });
  });
}

// `conns` keep-alive clients, each sending its next GET when the previous one answered, for
// `secs`; requests still in flight at the end are not counted (as wrk does).
// `onBody(json)` sees each 2xx answer's parsed body.
async function runNode(url, conns, secs, { onBody } = {}) {
  const u = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const lat = [];
  let non2xx = 0;
  let errors = 0;
  let firstBad = null;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(secs * 1e9));
  const one = () =>
    new Promise((resolve) => {
      const s = process.hrtime.bigint();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET', agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const now = process.hrtime.bigint();
          if (now > end) return resolve(); // finished after the run: not counted
          lat.push(Number(now - s) / 1e6);
          if (res.statusCode < 200 || res.statusCode >= 300) {
            non2xx++;
            firstBad ??= `${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`;
          } else if (onBody) {
            try {
              onBody(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {}
          }
          resolve();
        });
      });
      req.on('error', (e) => {
        if (process.hrtime.bigint() <= end) {
          errors++;
          firstBad ??= String(e);
        }
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (process.hrtime.bigint() < end) await one();
  };
  // The run ends at `end` even when requests are still waiting in the server.
  await Promise.race([Promise.all(Array.from({ length: conns }, worker)), sleep(secs * 1000 + 50)]);
  agent.destroy();
  if (firstBad) log(`  first failure: ${firstBad}`);
  return { rps: lat.length / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), requests: lat.length, non2xx, errors, seconds: secs };
}

const load = (name, url, conns, secs) => (useWrk ? runWrk(name, url, conns, secs) : runNode(url, conns, secs));

// Server CPU time (all threads, user + system), for CPU µs per request.
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
function cpuSeconds(pid) {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

// Runs `fn` while sampling the server's thread count every 100 ms (and the project's status
// once, half-way). Adds cpuUs (server CPU per answered request), threadsMax, status.
async function measured(s, projectId, secs, fn) {
  const cpu0 = cpuSeconds(s.pid);
  let threadsMax = threadCount(s.pid);
  let status = null;
  let done = false;
  const sampler = (async () => {
    const half = Date.now() + (secs * 1000) / 2;
    while (!done) {
      await sleep(100);
      const t = threadCount(s.pid);
      if (t > threadsMax) threadsMax = t;
      if (!status && Date.now() >= half) {
        try {
          status = await projectStatus(s, projectId);
        } catch (e) {
          status = { error: String(e.message || e) };
        }
      }
    }
  })();
  try {
    const r = await fn();
    r.cpuUs = r.requests > 0 ? ((cpuSeconds(s.pid) - cpu0) * 1e6) / r.requests : NaN;
    r.threadsMax = threadsMax;
    r.status = status;
    return r;
  } finally {
    done = true;
    await sampler;
  }
}

// One GET with its time in ms.
async function timedGet(url, p) {
  const t = process.hrtime.bigint();
  const r = await request(url, 'GET', p);
  return { ...r, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

// Fairness: FAIR_WAITERS clients calling /fair back to back for `secs`, each answer carries the
// overshoot of its sleep measured inside JS; with `flood`, wrk hammers /hello meanwhile.
async function fairness(s, secs, flood) {
  const overs = [];
  const floodRun = flood ? load('fair-flood', `${s.url}/r/wait/hello`, FAST_CONNS, secs) : null;
  const waiters = runNode(`${s.url}/r/wait/fair`, FAIR_WAITERS, secs, { onBody: (b) => Number.isFinite(b?.over) && overs.push(b.over) });
  const [w, f] = await Promise.all([waiters, floodRun]);
  return { n: overs.length, p50: percentile(overs, 50), p99: percentile(overs, 99), max: overs.length ? Math.max(...overs) : NaN, waiters: w, flood: f };
}

// ---------------------------------------------------------------------------------------------

async function benchPool(pool) {
  const s = await startM3m({
    pin: PIN,
    level: 'warn',
    threads: THREADS,
    env: {
      M3M_RUNTIME_WORKER_POOL_SIZE: String(pool),
      M3M_RUNTIME_MAX_QUEUE: String(MAX_QUEUE),
      // pool 1 leaves ~CONNS × SLEEP_MS of queued waits behind; do not wait for them at exit
      M3M_SERVER_SHUTDOWN_TIMEOUT: '2s',
    },
  });
  log(`waiting: pool ${pool}: m3m pid ${s.pid} on port ${s.port} (CPU ${PIN ?? 'any'}), load from ${useWrk ? 'wrk -t1' : 'node keep-alive clients'}`);
  const row = { pool };
  try {
    const { project } = await runningProject(s, 'wait', CODE);
    // The routes must answer as they should before anything is measured.
    const h = await timedGet(s.url, '/r/wait/hello');
    if (h.status !== 200 || h.body?.ok !== true) throw new Error(`GET /r/wait/hello → ${h.status} ${h.text.slice(0, 300)}`);
    const w = await timedGet(s.url, '/r/wait/wait');
    if (w.status !== 200 || w.body?.ok !== true) {
      throw new Error(`GET /r/wait/wait → ${w.status} ${w.text.slice(0, 300)} (does this m3m have utils.sleep? issue 15; the run log is in ${s.dir}/logs)`);
    }
    if (w.ms < SLEEP_MS * 0.95) throw new Error(`GET /r/wait/wait answered in ${w.ms.toFixed(1)} ms, less than its ${SLEEP_MS} ms sleep`);
    // Warm-up: the fast route (JIT), then `pool` waits at once (the pool's threads are created).
    await load(`warm-${pool}`, `${s.url}/r/wait/hello`, FAST_CONNS, 1);
    await runNode(`${s.url}/r/wait/wait`, Math.min(pool, CONNS), (SLEEP_MS * 3) / 1000);

    log(`waiting: pool ${pool}: fast route /hello, ${FAST_CONNS} connections, ${DURATION}s`);
    row.fast = await measured(s, project.id, DURATION, () => load(`fast-${pool}`, `${s.url}/r/wait/hello`, FAST_CONNS, DURATION));
    log(`  ${Math.round(row.fast.rps)} req/s, p99 ${row.fast.p99.toFixed(2)} ms, non-2xx ${row.fast.non2xx}, errors ${row.fast.errors}`);

    log(`waiting: pool ${pool}: /wait (utils.sleep(${SLEEP_MS})), ${CONNS} connections, ${DURATION}s`);
    row.wait = await measured(s, project.id, DURATION, () => load(`wait-${pool}`, `${s.url}/r/wait/wait`, CONNS, DURATION));
    const st = row.wait.status?.threads;
    log(
      `  ${row.wait.rps.toFixed(1)} req/s, p50 ${row.wait.p50.toFixed(1)} ms, p99 ${row.wait.p99.toFixed(1)} ms, non-2xx ${row.wait.non2xx}, errors ${row.wait.errors}, ` +
        `process threads max ${row.wait.threadsMax}, project threads half-way ${st ? JSON.stringify(st) : JSON.stringify(row.wait.status?.error ?? 'n/a')}`,
    );

    // Let the waiters of the run drain (pool 1 keeps up to CONNS × SLEEP_MS of them queued) —
    // stop the project instead of waiting: it must return within 1 s even with waits going on.
    const t = process.hrtime.bigint();
    const stop = await stopProject(s, project.id);
    row.stopMs = Number(process.hrtime.bigint() - t) / 1e6;
    if (stop.status !== 200) log(`  POST /stop → ${stop.status} ${stop.text.slice(0, 200)}`);
    log(`  POST /stop with the waiters queued: ${row.stopMs.toFixed(0)} ms`);

    if (FAIR_POOL === pool) {
      must(await request(s.url, 'POST', `/api/projects/${project.id}/start`, { token: s.token, body: {} }), 200, 'restart');
      log(`waiting: pool ${pool}: fairness, ${FAIR_WAITERS} clients on /fair (utils.sleep(${FAIR_MS})), baseline 2 s then with ${FAST_CONNS} connections flooding /hello for ${DURATION}s`);
      row.fairBase = await fairness(s, 2, false);
      row.fair = await fairness(s, DURATION, true);
      log(
        `  overshoot baseline p50 ${row.fairBase.p50} / p99 ${row.fairBase.p99} / max ${row.fairBase.max} ms (n=${row.fairBase.n}); ` +
          `under flood p50 ${row.fair.p50} / p99 ${row.fair.p99} / max ${row.fair.max} ms (n=${row.fair.n}), flood ${Math.round(row.fair.flood?.rps ?? NaN)} req/s`,
      );
    }
  } finally {
    await s.stop();
  }
  return row;
}

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

let exitCode = 0;
const rows = [];
for (const pool of POOLS) {
  try {
    rows.push(await benchPool(pool));
  } catch (e) {
    log(`waiting: pool ${pool}: ${e.stack || e}`);
    rows.push({ pool, error: String(e.message || e).split('\n')[0] });
    exitCode = 1;
  }
}

console.log();
console.log(
  `Waiting throughput: ${CONNS} keep-alive connections (${useWrk ? 'wrk -t1' : 'node clients'}), handler utils.sleep(${SLEEP_MS}); ${DURATION}s per run; ` +
    `m3m pinned to CPU ${PIN ?? 'any'}, server.threads=${THREADS}, runtime.max_queue=${MAX_QUEUE}`,
);
const ideal = (pool) => (Math.min(pool, CONNS) * 1000) / SLEEP_MS;
const table = [['pool', 'req/s', 'p50', 'p99', 'ideal P÷0.1s', 'target', 'ratio to ideal', 'check', 'JS /hello req/s (cap)', 'non-2xx/errors', 'threads max', 'CPU µs/req', 'stop']];
const checks = [];
for (const r of rows) {
  if (r.error) {
    table.push([String(r.pool), 'n/a', 'n/a', 'n/a', fmt(ideal(r.pool)), 'n/a', 'n/a', 'FAIL', 'n/a', '-', '-', '-', '-']);
    checks.push(`  FAIL  pool ${r.pool}: ${r.error}`);
    continue;
  }
  const id = ideal(r.pool);
  const cap = r.fast?.rps;
  const capped = Number.isFinite(cap) && cap > 0 ? Math.min(id, cap) : id;
  const target = 0.9 * capped;
  const ok = r.wait.rps >= target && r.wait.non2xx + r.wait.errors === 0;
  if (!ok) exitCode = 1;
  r.target = target;
  r.ratio = r.wait.rps / id;
  table.push([
    String(r.pool),
    fmt(r.wait.rps, 1),
    `${fmt(r.wait.p50, 1)} ms`,
    `${fmt(r.wait.p99, 1)} ms`,
    fmt(id),
    `${fmt(target)}${capped < id ? ' (CPU cap)' : ''}`,
    r.ratio.toFixed(2),
    ok ? 'PASS' : 'FAIL',
    fmt(cap),
    `${r.wait.non2xx}/${r.wait.errors}`,
    String(r.wait.threadsMax),
    fmt(r.wait.cpuUs, 0),
    `${fmt(r.stopMs, 0)} ms`,
  ]);
  checks.push(
    `  ${ok ? 'PASS' : 'FAIL'}  pool ${r.pool}: ${fmt(r.wait.rps, 1)} req/s ≥ 0.9 × min(${fmt(id)}, ${fmt(cap)}) = ${fmt(target, 1)}` +
      (r.wait.non2xx + r.wait.errors ? `; ${r.wait.non2xx} non-2xx and ${r.wait.errors} socket errors` : ''),
  );
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => '| ' + r.map((c, i) => c.padStart(widths[i])).join(' | ') + ' |';
console.log(line(table[0]));
console.log('|' + widths.map((w) => '-'.repeat(w + 1) + ':').join('|') + '|');
for (const r of table.slice(1)) console.log(line(r));
console.log(
  `ideal = min(pool, ${CONNS}) threads × 1 request per ${SLEEP_MS} ms; target = 0.9 × min(ideal, the JS /hello req/s of the same server with ${FAST_CONNS} connections); ` +
    `p50/p99 by ${useWrk ? 'wrk' : 'the node clients'} over the answered requests (with pool 1 most requests are still queued when the run ends); ` +
    `threads max = the m3m process's Threads: during the run; stop = POST /stop with the waiters still queued.`,
);
console.log('\nTargets (issue 15, Benchmark "Waiting throughput"):');
for (const c of checks) console.log(c);

const fr = rows.find((r) => r.fair);
if (fr) {
  console.log(
    `\nFairness (pool ${fr.pool}): ${FAIR_WAITERS} clients on a route that sleeps ${FAIR_MS} ms, overshoot of the sleep measured inside JS (ms resolution):`,
  );
  console.log(`  baseline (no other load)              p50 ${fmt(fr.fairBase.p50)} ms, p99 ${fmt(fr.fairBase.p99)} ms, max ${fmt(fr.fairBase.max)} ms (n=${fr.fairBase.n})`);
  console.log(
    `  while ${FAST_CONNS} connections flood /hello   p50 ${fmt(fr.fair.p50)} ms, p99 ${fmt(fr.fair.p99)} ms, max ${fmt(fr.fair.max)} ms (n=${fr.fair.n}; ` +
      `flood ${fmt(fr.fair.flood?.rps)} req/s; client-side /fair p99 ${fmt(fr.fair.waiters.p99, 1)} ms)`,
  );
  console.log(`  (V8's own Locker alone gave up to 14.5 ms in the prototype; no target is set by the issue)`);
}

const kv = [`conns=${CONNS}`, `sleep_ms=${SLEEP_MS}`, `duration_s=${DURATION}`, `client=${useWrk ? 'wrk' : 'node'}`];
for (const r of rows) {
  if (r.error) {
    kv.push(`pool${r.pool}_rps=n/a`);
    continue;
  }
  kv.push(
    `pool${r.pool}_rps=${r.wait.rps.toFixed(1)}`,
    `pool${r.pool}_p50_ms=${r.wait.p50.toFixed(1)}`,
    `pool${r.pool}_p99_ms=${r.wait.p99.toFixed(1)}`,
    `pool${r.pool}_ratio=${r.ratio.toFixed(3)}`,
    `pool${r.pool}_hello_rps=${Math.round(r.fast.rps)}`,
    `pool${r.pool}_threads_max=${r.wait.threadsMax}`,
  );
}
if (fr) kv.push(`fair_pool=${fr.pool}`, `fair_over_p50_ms=${fr.fair.p50}`, `fair_over_p99_ms=${fr.fair.p99}`, `fair_over_max_ms=${fr.fair.max}`, `fair_base_p99_ms=${fr.fairBase.p99}`);
console.log(`WAITING ${kv.join(' ')}`);
if (!args.work) {
  try {
    spawnSync('rm', ['-rf', WORK]);
  } catch {}
}
process.exit(exitCode);
