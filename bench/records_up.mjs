// Used by run.sh part "records": starts a detached m3m (like m3m_up.mjs),
// creates the project "rec" with the model `items` (title string indexed,
// n integer, price float, ok bool, at datetime, category string indexed,
// score integer indexed), deploys routes that insert through the runtime's
// database module, and seeds SEED records (in transactions of 5,000) for the
// list-latency part. Prints "PID PORT DIR PROJECT_ID API_KEY" on stdout.
// Usage: node records_up.mjs [--pin 0] [--threads 1] [--seed 100000]
import { must, parseArgs, request, runningProject, startM3m } from './lib.mjs';

const CODE = `
const row = (i) => ({ title: 'item ' + i, n: i, price: i / 2, ok: i % 2 === 0, at: '2026-11-24T12:00:00Z',
                      category: 'c' + (i % 10), score: (i * 7919) % 1000 });
service.start(() => {
  // One insert per call, each its own transaction (no batching).
  router.post('/bulk', (ctx) => {
    const n = Number(ctx.query.n || 1000), t0 = Date.now();
    for (let i = 0; i < n; i++) database.items.insert(row(i));
    return { n, ms: Date.now() - t0 };
  });
  router.post('/seed', (ctx) => {
    const n = Number(ctx.query.n || 5000), base = Number(ctx.query.base || 0);
    database.transaction(() => { for (let i = 0; i < n; i++) database.items.insert(row(base + i)); });
    return { n };
  });
  router.post('/one', () => ({ id: database.items.insert(row(1)).id }));
});
`;

const args = parseArgs(process.argv.slice(2));
const seed = Number(args.seed ?? 100000);
const s = await startM3m({ pin: args.pin ?? null, level: 'warn', threads: args.threads, detached: true });
try {
  const { project } = await runningProject(s, 'rec', CODE);
  // The model must exist before the code runs a route; routes only touch it when called.
  must(await request(s.url, 'POST', `/api/projects/${project.id}/models`, { token: s.token, body: { name: 'items', fields: [
    { key: 'title', type: 'string', indexed: true }, { key: 'n', type: 'integer' }, { key: 'price', type: 'float' },
    { key: 'ok', type: 'bool' }, { key: 'at', type: 'datetime' },
    { key: 'category', type: 'string', indexed: true }, { key: 'score', type: 'integer', indexed: true }],
  indexes: [{ fields: ['category', 'score'] }] } }), 201, 'create model');
  for (let base = 0; base < seed; base += 5000) {
    const n = Math.min(5000, seed - base);
    must(await request(s.url, 'POST', `/r/rec/seed?n=${n}&base=${base}`), 200, 'seed');
  }
  process.stdout.write(`${s.pid} ${s.port} ${s.dir} ${project.id} ${project.api_key}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`records_up: ${e.stack || e}\n`);
  try {
    process.kill(s.pid, 'SIGTERM');
  } catch {}
  process.exit(1);
}
