// Used by run.sh: starts a detached `m3m serve` (temp data folder, root via `m3m new-admin`,
// pinned with taskset), then through the API logs in, creates the project "bench", deploys
// the JS route and starts it; checks both routes answer {"ok":true}.
// Prints one line "PID PORT DIR" on stdout; run.sh stops the server by that pid.
// Usage: node m3m_up.mjs [--pin 0] [--level warn] [--threads 1] [--slug bench]
import { parseArgs, request, runningProject, startM3m } from './lib.mjs';

const HELLO_CODE = `service.start(() => {
  router.get('/hello', () => ({ok: true}));
});
`;

const args = parseArgs(process.argv.slice(2));
const slug = args.slug || 'bench';
const s = await startM3m({ pin: args.pin ?? null, level: args.level || 'warn', threads: args.threads, detached: true });
try {
  await runningProject(s, slug, HELLO_CODE);
  const js = await request(s.url, 'GET', `/r/${slug}/hello`);
  if (js.status !== 200 || js.body?.ok !== true) throw new Error(`GET /r/${slug}/hello → ${js.status} ${js.text}`);
  const ping = await request(s.url, 'GET', '/api/ping');
  if (ping.status !== 200) process.stderr.write(`warning: GET /api/ping → ${ping.status} ${ping.text.slice(0, 200)} (row (a) will be n/a)\n`);
  process.stdout.write(`${s.pid} ${s.port} ${s.dir}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`m3m_up: ${e.stack || e}\n`);
  try {
    process.kill(s.pid, 'SIGTERM');
  } catch {}
  process.exit(1);
}
