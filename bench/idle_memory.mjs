// Benchmark 3 of issue 6: idle memory (issue 15: and threads). Starts m3m (own temp data
// folder, pinned with --pin), creates and deploys COUNT small projects (each its own slug and
// tiny code), then starts them all, calls each route once, lets the server settle and reads
// VmRSS and Threads of the m3m process from /proc/<pid>/status at every step.
//
// The figures of the target are the growth per project from "all created + deployed, none
// running" to "all running and idle" (so database/pipeline work is not counted): RSS (target
// ≤ 3 MB) and threads (an idle project keeps one thread of its pool, issue 15); the growth
// from the fresh server is shown too.
// --pool N sets runtime.worker_pool_size (M3M_RUNTIME_WORKER_POOL_SIZE; default: the
// server's default). --burst K (issue 15 binaries only: the code then has a route that calls
// utils.sleep) sends K concurrent waiting requests to every project after the idle figures,
// so that each project's pool grows to K threads, and reads RSS and threads right after and
// again after --burst-idle-ms (the extra threads are meant to exit after an idle period).
// Usage: node idle_memory.mjs [--count 200] [--pin 0] [--settle-ms 2000] [--pool N]
//          [--burst K] [--burst-sleep-ms 200] [--burst-idle-ms 15000]
import http from 'node:http';
import { createProject, deploy, parseArgs, request, rssKiB, sleep, startM3m, startProject, threadCount, threadNames } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const COUNT = Number(args.count || 200);
const SETTLE = Number(args['settle-ms'] || 2000);
const POOL = args.pool ? Number(args.pool) : null;
const BURST = Number(args.burst || 0);
const BURST_SLEEP = Number(args['burst-sleep-ms'] || 200);
const BURST_IDLE = Number(args['burst-idle-ms'] ?? 15000);
const code = (i) => `service.start(() => {
  router.get('/hello', () => ({ok: true, project: ${i}}));${BURST ? `
  router.get('/wait', () => { utils.sleep(${BURST_SLEEP}); return {ok: true}; });` : ''}
});
`;

const env = POOL ? { M3M_RUNTIME_WORKER_POOL_SIZE: String(POOL) } : {};
const s = await startM3m({ pin: args.pin ?? null, level: args.level || 'warn', env });
let exitCode = 0;
const mb = (kib) => (kib / 1024).toFixed(1);
try {
  await sleep(SETTLE);
  const rss0 = rssKiB(s.pid);
  const thr0 = threadCount(s.pid);

  const projects = [];
  for (let i = 0; i < COUNT; i++) {
    const slug = `idle-${String(i).padStart(3, '0')}`;
    const p = await createProject(s, slug);
    const version = await deploy(s, p.id, code(i));
    projects.push({ slug, id: p.id, version });
  }
  await sleep(SETTLE);
  const rss1 = rssKiB(s.pid);
  const thr1 = threadCount(s.pid);

  const t0 = Date.now();
  for (const p of projects) {
    const r = await startProject(s, p.id, p.version);
    if (r.status !== 200) throw new Error(`start ${p.slug}: ${r.status} ${r.text}`);
  }
  const startMs = Date.now() - t0;
  for (const p of projects) {
    const r = await request(s.url, 'GET', `/r/${p.slug}/hello`);
    if (r.status !== 200 || r.body?.ok !== true) throw new Error(`GET /r/${p.slug}/hello: ${r.status} ${r.text}`);
  }
  await sleep(SETTLE);
  const rss2 = rssKiB(s.pid);
  const thr2 = threadCount(s.pid);
  const names2 = threadNames(s.pid);

  const perProject = (rss2 - rss1) / COUNT / 1024;
  const perProjectAll = (rss2 - rss0) / COUNT / 1024;
  const thrPerProject = (thr2 - thr1) / COUNT;
  const thr = (n) => String(n).padStart(6);
  const label = (t) => `  ${t}`.padEnd(44);
  console.log(`projects: ${COUNT} (started in ${startMs} ms, ${(startMs / COUNT).toFixed(1)} ms each); threads ${thr0} → ${thr2}; runtime.worker_pool_size ${POOL ?? 'default'}`);
  console.log(`${label('fresh server (root logged in)')}RSS ${mb(rss0).padStart(8)} MB   threads ${thr(thr0)}`);
  console.log(`${label(`all ${COUNT} created + deployed, stopped`)}RSS ${mb(rss1).padStart(8)} MB   threads ${thr(thr1)}`);
  console.log(`${label(`all ${COUNT} running, each called once`)}RSS ${mb(rss2).padStart(8)} MB   threads ${thr(thr2)}`);
  console.log(`${label('growth per running project')}RSS ${perProject.toFixed(2).padStart(8)} MB   threads ${thrPerProject.toFixed(2).padStart(6)}   (RSS from fresh server: ${perProjectAll.toFixed(2)} MB)`);
  console.log(`  ${perProject <= 3 ? 'PASS' : 'FAIL'}  RSS growth per project ≤ 3 MB (${perProject.toFixed(2)} MB)`);
  console.log(`  info  threads per idle running project: ${thrPerProject.toFixed(2)} (${thr2 - thr1} threads for ${COUNT} projects)`);
  console.log(`  info  threads by name, all running: ${names2.map(([n, c]) => `${n} ×${c}`).join(', ')}`);

  let burst = '';
  if (BURST > 0) {
    // K concurrent waiting requests to every project at once: each pool grows to K threads.
    const agent = new http.Agent({ keepAlive: true, maxSockets: COUNT * BURST });
    const get = (p) =>
      new Promise((resolve, reject) => {
        const u = new URL(p, s.url);
        http
          .get({ host: u.hostname, port: u.port, path: u.pathname, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          })
          .on('error', reject);
      });
    let peak = thr2;
    let peakRss = rss2;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, threadCount(s.pid));
        peakRss = Math.max(peakRss, rssKiB(s.pid));
        await sleep(20);
      }
    })();
    const tb = Date.now();
    const codes = await Promise.all(projects.flatMap((p) => Array.from({ length: BURST }, () => get(`/r/${p.slug}/wait`))));
    const burstMs = Date.now() - tb;
    sampling = false;
    await sampler;
    agent.destroy();
    const bad = codes.filter((c) => c !== 200).length;
    const thr3 = threadCount(s.pid);
    const rss3 = rssKiB(s.pid);
    peak = Math.max(peak, thr3); // the last threads may start after the last sample
    peakRss = Math.max(peakRss, rss3);
    await sleep(BURST_IDLE);
    const thr4 = threadCount(s.pid);
    const rss4 = rssKiB(s.pid);
    console.log(`  burst: ${BURST} concurrent utils.sleep(${BURST_SLEEP}) requests to each project (${COUNT * BURST} in all, ${bad} not 200) answered in ${burstMs} ms`);
    console.log(`${label('  peak during the burst (sampled / 20 ms)')}RSS ${mb(peakRss).padStart(8)} MB   threads ${thr(peak)}   (${((peak - thr1) / COUNT).toFixed(2)} per project)`);
    console.log(`${label('  right after')}RSS ${mb(rss3).padStart(8)} MB   threads ${thr(thr3)}   (${((thr3 - thr1) / COUNT).toFixed(2)} per project)`);
    console.log(`${label(`  after ${BURST_IDLE / 1000} s idle`)}RSS ${mb(rss4).padStart(8)} MB   threads ${thr(thr4)}   (${((thr4 - thr1) / COUNT).toFixed(2)} per project; RSS ${((rss4 - rss1) / COUNT / 1024).toFixed(2)} MB per project)`);
    if (bad) exitCode = 1;
    burst = ` burst=${BURST} burst_bad=${bad} threads_burst_peak=${peak} threads_after_burst=${thr3} threads_after_idle=${thr4} rss_after_idle_kib=${rss4}`;
  }
  console.log(
    `IDLE_MEMORY count=${COUNT} rss0_kib=${rss0} rss_deployed_kib=${rss1} rss_running_kib=${rss2} per_project_mb=${perProject.toFixed(3)} ` +
      `threads0=${thr0} threads_deployed=${thr1} threads_running=${thr2} threads_per_project=${thrPerProject.toFixed(3)}${burst}`,
  );
} catch (e) {
  console.error(`idle_memory: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await s.stop();
}
process.exit(exitCode);
