// Cost of one module call with an object argument (JS → m3m::Value at the module
// boundary, runtime/v8_values.cpp), measured inside the project: env.get(obj)
// converts its argument, then fails fast with INVALID_ARGUMENT (constant work).
// Usage: M3M_BINARY=/abs/path/m3m node bench/module_args.mjs [--n 20000] [--rounds 5]
import { callRoute, runningProject, startWithRoot } from '../tests/api/fixtures.mjs';

const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(`--${k}`) ? Number(argv[argv.indexOf(`--${k}`) + 1]) : d);
const N = opt('n', 20000);
const ROUNDS = opt('rounds', 5);

function service() {
  const shapes = {
    small: { id: 'abc', n: 1, ok: true },
    record: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, i % 3 ? `value ${i}` : { a: i, b: [i, i + 1] }])),
    bytes: { name: 'x.bin', content: new Uint8Array(1024) },
  };
  router.get('/bench', (ctx) => {
    const n = Number(ctx.query.n), shape = shapes[ctx.query.shape];
    const t0 = Date.now();
    for (let i = 0; i < n; i++) { try { env.get(shape); } catch (e) { if (e.code !== 'INVALID_ARGUMENT') throw e; } }
    return { nsPerCall: ((Date.now() - t0) * 1e6) / n };
  });
}

const { server, rootToken: token } = await startWithRoot();
try {
  const { project } = await runningProject(server, token, `(${service.toString()})();`);
  for (const shape of ['small', 'record', 'bytes']) {
    const runs = [];
    for (let r = 0; r < ROUNDS; r++) {
      const res = await callRoute(server, project.slug, `/bench?n=${N}&shape=${shape}`, { timeout: 120_000 });
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
      runs.push(res.body.nsPerCall);
    }
    runs.sort((a, b) => a - b);
    console.log(`${shape}: median ${Math.round(runs[runs.length >> 1])} ns/call (min ${Math.round(runs[0])}, max ${Math.round(runs[runs.length - 1])})`);
  }
} finally {
  await server.stop?.();
}
