// Benchmark 2 of issue 6: project cold start. With m3m running (own temp data folder,
// pinned with --pin), one project with a tiny route is created and deployed; then COUNT
// times: stop it (POST /stop), and time POST /start → the first 200 of GET /r/{slug}/hello
// (polled without pause over a keep-alive connection). Reports p50/p99 in ms.
// Usage: node cold_start.mjs [--count 100] [--pin 0] [--level warn]
import { createProject, deploy, parseArgs, percentile, projectStatus, request, startM3m, startProject, stopProject } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const COUNT = Number(args.count || 100);
const SLUG = 'cold';
const CODE = `service.start(() => router.get('/hello', () => ({ok: true})));\n`;

const s = await startM3m({ pin: args.pin ?? null, level: args.level || 'warn' });
let exitCode = 0;
try {
  const project = await createProject(s, SLUG);
  const version = await deploy(s, project.id, CODE);
  const first = await startProject(s, project.id, version);
  if (first.status !== 200) throw new Error(`first start: ${first.status} ${first.text}`);
  const ok = await request(s.url, 'GET', `/r/${SLUG}/hello`);
  if (ok.status !== 200) throw new Error(`route after first start: ${ok.status} ${ok.text}`);

  const total = []; // POST start sent → first 200 of the route
  const startReq = []; // POST start sent → its response
  const stopReq = []; // POST stop sent → its response
  let polls = 0;
  let non200 = 0;
  for (let i = 0; i < COUNT; i++) {
    const s0 = process.hrtime.bigint();
    const st = await stopProject(s, project.id);
    stopReq.push(Number(process.hrtime.bigint() - s0) / 1e6);
    if (st.status !== 200) throw new Error(`stop #${i}: ${st.status} ${st.text}`);

    const t0 = process.hrtime.bigint();
    const res = await startProject(s, project.id);
    const t1 = process.hrtime.bigint();
    if (res.status !== 200) throw new Error(`start #${i}: ${res.status} ${res.text}`);
    for (let tries = 0; ; tries++) {
      const r = await request(s.url, 'GET', `/r/${SLUG}/hello`);
      polls++;
      if (r.status === 200) break;
      non200++;
      if (tries > 10_000) throw new Error(`route never answered after start #${i}: ${r.status} ${r.text}`);
    }
    const t2 = process.hrtime.bigint();
    startReq.push(Number(t1 - t0) / 1e6);
    total.push(Number(t2 - t0) / 1e6);
  }
  const st = await projectStatus(s, project.id);

  const f = (x) => x.toFixed(2).padStart(7);
  const row = (name, xs) =>
    console.log(`  ${name.padEnd(40)} p50 ${f(percentile(xs, 50))} ms   p99 ${f(percentile(xs, 99))} ms   min ${f(Math.min(...xs))}   max ${f(Math.max(...xs))}`);
  console.log(`cold starts: ${COUNT} (project state at the end: ${st.state}; route polls ${polls}, of which non-200 ${non200})`);
  row('start request → first route answer', total);
  row('  of which POST /start alone', startReq);
  row('POST /stop (for reference)', stopReq);
  const p50 = percentile(total, 50);
  console.log(`  ${p50 <= 5 ? 'PASS' : 'FAIL'}  cold start p50 ≤ 5 ms (${p50.toFixed(2)} ms)`);
  console.log(`COLD_START count=${COUNT} p50_ms=${p50.toFixed(3)} p99_ms=${percentile(total, 99).toFixed(3)}`);
} catch (e) {
  console.error(`cold_start: ${e.stack || e}`);
  exitCode = 1;
} finally {
  await s.stop();
}
process.exit(exitCode);
