// Issue 20's figure: GET /metrics with many running projects answers in < 50 ms.
// Starts m3m (own temp data folder, metrics.token set), creates PROJECTS projects through
// the API, each running a tiny route that is called once (so every project family has
// live values), then times SCRAPES sequential GET /metrics (Prometheus text, and the
// same count with Accept: application/openmetrics-text) and prints p50/p95/max in ms.
// Usage: node metrics_scrape.mjs [--projects 500] [--scrapes 50] [--parallel 8] [--pin 0] [--target-ms 50]
// M3M_BIN picks the binary (the release build; an ASan build is ~3x slower: say so).
import { createProject, deploy, must, parseArgs, percentile, request, rssKiB, startM3m, startProject } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const PROJECTS = Number(args.projects || 500);
const SCRAPES = Number(args.scrapes || 50);
const PARALLEL = Number(args.parallel || 8);
const TARGET_MS = Number(args['target-ms'] || 50);
const TOKEN = 'bench-metrics-token-0123456789';
const CODE = `service.start(() => router.get('/hi', () => ({ ok: true })));\n`;

const s = await startM3m({
  pin: args.pin ?? null,
  level: 'warn',
  env: { M3M_METRICS_TOKEN: TOKEN, M3M_RUNTIME_WORKER_POOL_SIZE: '1' },
});
let exitCode = 0;
try {
  const t0 = Date.now();
  let running = 0;
  let failed = 0;
  const slugs = Array.from({ length: PROJECTS }, (_, i) => `m${String(i).padStart(4, '0')}`);
  // A few at a time: creating is a handful of API calls, starting boots an isolate.
  let next = 0;
  async function worker() {
    while (next < slugs.length) {
      const slug = slugs[next++];
      try {
        const project = await createProject(s, slug);
        const version = await deploy(s, project.id, CODE);
        must(await startProject(s, project.id, version), 200, `start ${slug}`);
        must(await request(s.url, 'GET', `/r/${slug}/hi`), 200, `route of ${slug}`);
        running++;
      } catch (e) {
        failed++;
        if (failed <= 3) console.error(`project ${slug}: ${e.message}`);
      }
      if ((running + failed) % 50 === 0) console.error(`… ${running} running, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const setupSeconds = (Date.now() - t0) / 1000;

  async function time(headers) {
    const ms = [];
    let bytes = 0, series = 0;
    for (let i = 0; i < SCRAPES; i++) {
      const a = process.hrtime.bigint();
      const res = await request(s.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
      ms.push(Number(process.hrtime.bigint() - a) / 1e6);
      if (res.status !== 200) throw new Error(`scrape: ${res.status} ${res.text.slice(0, 200)}`);
      bytes = res.text.length;
      series = res.text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    }
    return { p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms), bytes, series };
  }
  await time({}); // warm-up (first-time route table entries, page cache)
  const text = await time({});
  const om = await time({ accept: 'application/openmetrics-text; version=1.0.0' });
  const last = await request(s.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  const m = /^m3m_projects_running (\d+)/m.exec(String(last.text));
  const rss = rssKiB(s.pid);

  const pass = (v) => (v < TARGET_MS ? 'PASS' : 'FAIL');
  console.log(`\n/metrics with ${running} running projects (${failed} failed to start; asked for ${PROJECTS}); setup ${setupSeconds.toFixed(0)} s, server RSS ${(rss / 1024).toFixed(0)} MiB`);
  console.log(`binary: ${process.env.M3M_BIN || 'build/m3m'}${m ? `; m3m_projects_running ${m[1]}` : ''}`);
  console.log('| format | scrapes | p50 ms | p95 ms | max ms | body KiB | samples | target p95 < ' + TARGET_MS + ' ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, r] of [['Prometheus text 0.0.4', text], ['OpenMetrics 1.0.0', om]])
    console.log(`| ${name} | ${SCRAPES} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.bytes / 1024).toFixed(0)} | ${r.series} | ${pass(r.p95)} |`);
  if (running < PROJECTS) {
    const perProject = text.p50 / Math.max(1, running);
    console.log(`extrapolated to ${PROJECTS} projects (linear in projects): p50 ≈ ${(perProject * PROJECTS).toFixed(1)} ms`);
  }
} catch (e) {
  console.error(e);
  exitCode = 1;
} finally {
  await s.stop();
}
process.exit(exitCode);
