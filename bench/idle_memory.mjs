// Benchmark 3 of issue 6: idle memory. Starts m3m (own temp data folder, pinned with
// --pin), creates and deploys COUNT small projects (each its own slug and tiny code), then
// starts them all, calls each route once, lets the server settle and reads VmRSS of the
// m3m process from /proc/<pid>/status at every step.
//
// The figure of the target is the growth per project from "all created + deployed, none
// running" to "all running and idle" (so database/pipeline work is not counted); the growth
// from the fresh server is shown too.
// Usage: node idle_memory.mjs [--count 200] [--pin 0] [--settle-ms 2000]
import { createProject, deploy, parseArgs, request, rssKiB, sleep, startM3m, startProject, threadCount } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const COUNT = Number(args.count || 200);
const SETTLE = Number(args['settle-ms'] || 2000);
const code = (i) => `service.start(() => {
  router.get('/hello', () => ({ok: true, project: ${i}}));
});
`;

const s = await startM3m({ pin: args.pin ?? null, level: args.level || 'warn' });
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

  const perProject = (rss2 - rss1) / COUNT / 1024;
  const perProjectAll = (rss2 - rss0) / COUNT / 1024;
  console.log(`projects: ${COUNT} (started in ${startMs} ms, ${(startMs / COUNT).toFixed(1)} ms each); threads ${thr0} → ${thr2}`);
  console.log(`  RSS fresh server (root logged in)          ${mb(rss0).padStart(8)} MB`);
  console.log(`  RSS all ${COUNT} created + deployed, stopped  ${mb(rss1).padStart(8)} MB`);
  console.log(`  RSS all ${COUNT} running, each called once   ${mb(rss2).padStart(8)} MB`);
  console.log(`  growth per running project                 ${perProject.toFixed(2).padStart(8)} MB   (from fresh server: ${perProjectAll.toFixed(2)} MB)`);
  console.log(`  ${perProject <= 3 ? 'PASS' : 'FAIL'}  RSS growth per project ≤ 3 MB (${perProject.toFixed(2)} MB)`);
  console.log(`IDLE_MEMORY count=${COUNT} rss0_kib=${rss0} rss_deployed_kib=${rss1} rss_running_kib=${rss2} per_project_mb=${perProject.toFixed(3)}`);
} catch (e) {
  console.error(`idle_memory: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await s.stop();
}
process.exit(exitCode);
