// Outbound HTTP from a route (issue 16, Benchmark): req/s of a route that calls
// a small local JSON endpoint — with m3m's http.get (sync, a waiting call) and
// fetch — against the same route in Node (undici fetch), in the same run; then
// 1,000 concurrent fetch calls from one project request, with the server's RSS.
// Layout (2 CPUs): the servers under test pinned to CPU 0; the endpoint and wrk on CPU 1.
// Usage: node bench/http_client.mjs [--duration 5] [--conns 32]
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, parseArgs, request, rssKiB, runningProject, sleep, startM3m, wrkMillis } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const DURATION = Number(args.duration || 5);
const CONNS = Number(args.conns || 32);
const dir = mkdtempSync(path.join(tmpdir(), 'm3m-httpc-'));

function startNode(port, source, cpu) {
  const file = path.join(dir, `server-${port}.mjs`);
  writeFileSync(file, source);
  const p = spawn('taskset', ['-c', String(cpu), process.execPath, file, String(port)], { stdio: 'ignore' });
  return p;
}
async function waitUp(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await sleep(50);
  }
  throw new Error(`${url} did not come up`);
}
function wrk(url) {
  const r = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', `-c${CONNS}`, `-d${DURATION}s`, '--latency', url], { encoding: 'utf8' });
  const out = r.stdout || '';
  const rps = Number((out.match(/Requests\/sec:\s+(\S+)/) || [])[1]);
  const p99 = out.match(/^\s+99%\s+(\S+)/m);
  const non2xx = Number((out.match(/Non-2xx or 3xx responses:\s+(\d+)/) || [0, 0])[1]);
  return { rps, p99: p99 ? wrkMillis(p99[1]) : NaN, non2xx };
}

const endpointPort = await freePort();
const endpoint = `http://127.0.0.1:${endpointPort}/item`;
const ep = startNode(endpointPort, `import http from 'node:http';
const body = JSON.stringify({ id: 1, name: 'item', tags: ['a', 'b'] });
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); })
  .listen(Number(process.argv[2]), '127.0.0.1');`, 1);
const nodePort = await freePort();
const nodeSrv = startNode(nodePort, `import http from 'node:http';
http.createServer(async (req, res) => {
  const item = await (await fetch(${JSON.stringify(endpoint)})).json();
  res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ ok: true, id: item.id }));
}).listen(Number(process.argv[2]), '127.0.0.1');`, 0);
const rows = [];
let m3m;
try {
  await waitUp(endpoint);
  await waitUp(`http://127.0.0.1:${nodePort}/`);
  m3m = await startM3m({ pin: 0, level: 'warn' });
  await runningProject(m3m, 'httpc', `
    const E = ${JSON.stringify(endpoint)};
    service.start(() => {
      router.get('/sync', () => ({ ok: true, id: http.get(E).json().id }));
      router.get('/fetch', async () => ({ ok: true, id: (await (await fetch(E)).json()).id }));
      router.get('/many', async () => {
        const all = await Promise.all(Array.from({ length: 1000 }, () => fetch(E).then((r) => r.json())));
        return { n: all.length };
      });
    });`);
  for (const [name, url] of [
    ['m3m route → http.get (sync)', `${m3m.url}/r/httpc/sync`],
    ['m3m route → fetch', `${m3m.url}/r/httpc/fetch`],
    ['node http → fetch (undici)', `http://127.0.0.1:${nodePort}/`],
  ]) {
    const check = await fetch(url);
    if (!check.ok) throw new Error(`${url} → ${check.status} ${await check.text()}`);
    wrk(url); // warm-up round (JIT, connections)
    rows.push({ name, ...wrk(url) });
  }
  const rss0 = rssKiB(m3m.pid);
  const t0 = Date.now();
  const many = await request(m3m.url, 'GET', '/r/httpc/many');
  const manyMs = Date.now() - t0;
  const rss1 = rssKiB(m3m.pid);
  const base = rows[2].rps;
  console.log(`| route calling ${endpoint} | req/s | p99 | ratio to node | non-2xx |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(`| ${r.name} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p99.toFixed(2)} ms | ${(r.rps / base).toFixed(2)} | ${r.non2xx} |`);
  console.log(`\n1,000 concurrent fetch calls in one request: ${many.status} ${JSON.stringify(many.body)} in ${manyMs} ms; ` +
    `m3m RSS ${(rss0 / 1024).toFixed(1)} MB before, ${(rss1 / 1024).toFixed(1)} MB after`);
  console.log(`HTTP_CLIENT sync_rps=${rows[0].rps} fetch_rps=${rows[1].rps} node_rps=${base} many_ms=${manyMs} rss_before_kib=${rss0} rss_after_kib=${rss1}`);
} finally {
  await m3m?.stop();
  ep.kill();
  nodeSrv.kill();
}
