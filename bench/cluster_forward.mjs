// Issue 21's forwarding benchmark: two m3m nodes on one MongoDB (FerretDB here, or
// --mongodb-uri), a JS route on a project owned by node-a; wrk's req/s against node-a
// directly and through node-b (which forwards every request to node-a), in the same run,
// rounds interleaved, medians side by side with the ratio (target ≥ 0.7).
//
// Layout (2 CPUs): node-a (the owner, running the JS) pinned to --owner-cpu (0); node-b (the
// forwarder), wrk and FerretDB pinned to --client-cpu (1). Directly, wrk on CPU 1 loads node-a
// on CPU 0; forwarded, node-b shares CPU 1 with wrk and node-a does the same work as before.
//
// Usage: node bench/cluster_forward.mjs [--duration 5] [--conns 32] [--rounds 3] [--warmup 2]
//          [--owner-cpu 0] [--client-cpu 1] [--threads 1] [--mongodb-uri URI]   (M3M_BIN: the binary, default build/m3m)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BINARY, freePort, must, parseArgs, request, runningProject, sleep, startM3m, wrkMillis } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const DURATION = Number(args.duration || 5);
const CONNS = Number(args.conns || 32);
const ROUNDS = Number(args.rounds || 3);
const WARMUP = Number(args.warmup || 2);
const OWNER_CPU = String(args['owner-cpu'] ?? 0);
const CLIENT_CPU = String(args['client-cpu'] ?? 1);
const THREADS = String(args.threads ?? 1); // server.threads of both nodes (each has one CPU), as in run.sh
const here = path.dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(path.join(tmpdir(), 'm3m-fwd-bench-'));
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

const CODE = `service.start(() => { router.get('/hello', () => ({ hello: 'world' })); });`;

let ferret = null;
async function mongoEnv() {
  let uri = args['mongodb-uri'];
  if (!uri) {
    const bin = path.resolve(here, '../.deps/bin/m3m-ferretdb');
    const port = await freePort();
    ferret = spawn('taskset', ['-c', CLIENT_CPU, bin, '-listen', `127.0.0.1:${port}`, '-dir', path.join(work, 'ferretdb'), '-log-level', 'error'], {
      stdio: 'ignore',
    });
    for (let t0 = Date.now(); ; ) {
      const up = await new Promise((r) =>
        net.connect(port, '127.0.0.1').on('connect', function () { this.destroy(); r(true); }).on('error', () => r(false)),
      );
      if (up) break;
      if (Date.now() - t0 > 15_000) throw new Error(`FerretDB (${bin}) did not listen within 15 s`);
      await sleep(50);
    }
    uri = `mongodb://127.0.0.1:${port}/`;
  }
  return {
    M3M_DATABASE_DRIVER: 'mongodb',
    M3M_MONGODB_URI: uri,
    M3M_MONGODB_DATABASE: `m3m_fwd_bench_${process.pid}`,
    M3M_JWT_SECRET: 'forward-bench-secret-0123456789abcdef0123456789',
  };
}

function wrk(url, seconds, file) {
  const r = spawnSync('taskset', ['-c', CLIENT_CPU, 'wrk', '-t1', `-c${CONNS}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
    timeout: (seconds + 60) * 1000,
  });
  const out = r.stdout || '';
  if (r.status !== 0) throw new Error(`wrk failed (exit ${r.status}): ${out} ${r.stderr}`);
  const rps = Number((out.match(/Requests\/sec:\s+(\S+)/) || [])[1]);
  const p99 = out.match(/^\s+99%\s+(\S+)/m);
  const non2xx = Number((out.match(/Non-2xx or 3xx responses:\s+(\d+)/) || [0, 0])[1]);
  const errors = out.match(/Socket errors:.*/)?.[0] ?? '';
  return { rps, p99: p99 ? wrkMillis(p99[1]) : NaN, non2xx, errors, file };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let a, b;
try {
  const env = await mongoEnv();
  a = await startM3m({ pin: OWNER_CPU, threads: THREADS, env: { ...env, M3M_CLUSTER_NODE_ID: 'node-a' } });
  b = await startM3m({ pin: CLIENT_CPU, threads: THREADS, admin: false, env: { ...env, M3M_CLUSTER_NODE_ID: 'node-b' } });
  log(`${BINARY}: node-a ${a.url} (CPU ${OWNER_CPU}), node-b ${b.url} (CPU ${CLIENT_CPU}), wrk on CPU ${CLIENT_CPU}, server.threads ${THREADS}`);
  await runningProject(a, 'fwd', CODE);
  const urls = { direct: `${a.url}/r/fwd/hello`, forwarded: `${b.url}/r/fwd/hello` };
  // node-b forwards only once it sees node-a live with the project's lease.
  for (let t0 = Date.now(); ; await sleep(200)) {
    const r = await request(b.url, 'GET', '/r/fwd/hello');
    if (r.status === 200) break;
    if (Date.now() - t0 > 20_000) throw new Error(`node-b does not forward: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const direct = must(await request(a.url, 'GET', '/r/fwd/hello'), 200, 'direct');
  const forwarded = must(await request(b.url, 'GET', '/r/fwd/hello'), 200, 'forwarded');
  if (JSON.stringify(direct) !== JSON.stringify(forwarded)) throw new Error('the answers differ');

  const results = { direct: [], forwarded: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const k of round % 2 ? ['direct', 'forwarded'] : ['forwarded', 'direct']) {
      wrk(urls[k], WARMUP);
      const r = wrk(urls[k], DURATION);
      if (r.non2xx > 0 || r.errors) throw new Error(`${k}: ${r.non2xx} non-2xx answers ${r.errors}`);
      results[k].push(r);
      log(`round ${round} ${k}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99} ms`);
    }
  }
  const d = median(results.direct.map((r) => r.rps));
  const f = median(results.forwarded.map((r) => r.rps));
  const dp = median(results.direct.map((r) => r.p99));
  const fp = median(results.forwarded.map((r) => r.p99));
  console.log(`| GET /r/fwd/hello (JS), wrk -t1 -c${CONNS} -d${DURATION}s, median of ${ROUNDS} | node-a directly | through node-b | forwarded / direct |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| req/s | ${d.toFixed(0)} | ${f.toFixed(0)} | ${(f / d).toFixed(2)} |`);
  console.log(`| p99 ms | ${dp} | ${fp} | ${(fp / dp).toFixed(2)} (time) |`);
  console.log(`FORWARD direct_rps=${d.toFixed(0)} forwarded_rps=${f.toFixed(0)} ratio=${(f / d).toFixed(3)} direct_p99_ms=${dp} forwarded_p99_ms=${fp} target=0.7 ${f / d >= 0.7 ? 'met' : 'MISSED'}`);
} finally {
  await b?.stop();
  await a?.stop();
  ferret?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
