// What the access log costs per request, in CPU time rather than throughput:
// throughput on a shared 2-core machine moves with everything else running,
// CPU time per request much less. Starts two `m3m serve` (log level warn and
// info, both pinned to the same core), deploys the JS route, then in
// interleaved rounds drives each with wrk on another core and reads, before and
// after, /proc/<pid>/task/*/stat (user+system CPU per thread) and
// /proc/<pid>/task/*/status (context switches). Prints per request: CPU ns of
// the whole process and of each thread group, voluntary and involuntary
// switches, and the info/warn ratios (issue 20: the access log within 5%).
// Usage: M3M_BIN=build-bench/m3m node bench/log_cost.mjs [--pin 0] [--client 1]
//          [--rounds 3] [--duration 5] [--conns 32] [--route js|ping]
//          [--extra info+M3M_LOGGING_CONSOLE=all,info@/path/to/other/m3m,…] (more
//          servers: a level, environment settings after '+', another binary after
//          '@'; shown as extra columns against warn)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs, runningProject, startM3m } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const pin = Number(args.pin ?? 0);
const clientCpu = Number(args.client ?? 1);
const rounds = Number(args.rounds || 3);
const duration = Number(args.duration || 5);
const conns = Number(args.conns || 32);
const route = args.route || 'js';
const extra = args.extra ? String(args.extra).split(',') : [];
const TICK_NS = 1e9 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

const HELLO = `service.start(() => { router.get('/hello', () => ({ok: true})); });\n`;

// Threads grouped by name (m3m names its threads: m3m-http-N, m3m-log, project ids …).
function sample(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat, status;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    } catch {
      continue;  // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = name.replace(/[-_]?\d+$/, '').replace(/^[0-9a-f]{8,}.*/, 'project');
    const g = (out[group] ??= { user: 0, sys: 0, vol: 0, invol: 0 });
    g.user += Number(f[11]) * TICK_NS;
    g.sys += Number(f[12]) * TICK_NS;
    g.vol += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    g.invol += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return out;
}

function diff(a, b) {
  const out = {};
  for (const [k, v] of Object.entries(b)) {
    const o = a[k] ?? { user: 0, sys: 0, vol: 0, invol: 0 };
    out[k] = { user: v.user - o.user, sys: v.sys - o.sys, vol: v.vol - o.vol, invol: v.invol - o.invol };
  }
  return out;
}

function wrk(url) {
  const r = spawnSync('taskset', ['-c', String(clientCpu), 'wrk', '-t1', `-c${conns}`, `-d${duration}s`, url], { encoding: 'utf8' });
  const m = /(\d+) requests in/.exec(r.stdout);
  if (!m) throw new Error(`wrk failed: ${r.stdout} ${r.stderr}`);
  return Number(m[1]);
}

const servers = {};
try {
  for (const name of ['warn', 'info', ...extra]) {
    const [spec, binary] = name.split('@');
    const [level, ...settings] = spec.split('+');
    const env = Object.fromEntries(settings.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    const s = await startM3m({ pin, level, threads: 1, env, ...(binary ? { binary } : {}) });
    await runningProject(s, 'bench', HELLO);
    servers[name] = { s, url: route === 'js' ? `${s.url}/r/bench/hello` : `${s.url}/api/ping`, total: {}, requests: 0, rps: [] };
  }
  for (const { url } of Object.values(servers)) wrk(url);  // warm-up
  for (let round = 0; round < rounds; ++round) {
    for (const [level, srv] of Object.entries(servers)) {
      const before = sample(srv.s.pid);
      const n = wrk(srv.url);
      const d = diff(before, sample(srv.s.pid));
      srv.requests += n;
      srv.rps.push(n / duration);
      for (const [k, v] of Object.entries(d)) {
        const t = (srv.total[k] ??= { user: 0, sys: 0, vol: 0, invol: 0 });
        for (const f of Object.keys(v)) t[f] += v[f];
      }
      process.stderr.write(`round ${round + 1} ${level}: ${Math.round(n / duration)} req/s\n`);
    }
  }
  const per = (srv, f) => Object.values(srv.total).reduce((a, v) => a + f(v), 0) / srv.requests;
  const cpu = (v) => v.user + v.sys;
  console.log(`\nroute ${route}: ${rounds} rounds × ${duration}s, ${conns} connections, server on CPU ${pin}, wrk on CPU ${clientCpu}\n`);
  const others = ['info', ...extra];
  console.log(`| per request | warn | ${others.map((o) => `${o} | ${o}/warn`).join(' | ')} |`);
  console.log(`|---|---:|${others.map(() => '---:|---:').join('|')}|`);
  const row = (label, f, digits = 0) => {
    const w = per(servers.warn, f);
    const cells = others.map((o) => {
      const i = per(servers[o], f);
      return `${i.toFixed(digits)} | ${w > 0 ? (i / w).toFixed(3) : '–'}`;
    });
    console.log(`| ${label} | ${w.toFixed(digits)} | ${cells.join(' | ')} |`);
  };
  row('process CPU ns', cpu);
  row('process user ns', (v) => v.user);
  row('process system ns', (v) => v.sys);
  row('voluntary switches', (v) => v.vol, 4);
  row('involuntary switches', (v) => v.invol, 4);
  const groups = new Set(Object.values(servers).flatMap((srv) => Object.keys(srv.total)));
  for (const g of [...groups].sort()) {
    const ns = (srv) => (srv.total[g] ? cpu(srv.total[g]) / srv.requests : 0);
    if (Object.values(servers).reduce((a, srv) => a + ns(srv), 0) < 1) continue;
    console.log(`| thread ${g}: CPU ns | ${ns(servers.warn).toFixed(0)} | ${others.map((o) => `${ns(servers[o]).toFixed(0)} | `).join(' | ')} |`);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const rw = med(servers.warn.rps);
  console.log(`| req/s (median) | ${rw.toFixed(0)} | ${others.map((o) => `${med(servers[o].rps).toFixed(0)} | ${(med(servers[o].rps) / rw).toFixed(3)}`).join(' | ')} |`);
  const costRatio = per(servers.warn, cpu) / per(servers.info, cpu);
  console.log(`\nissue 20 (access log within 5% of warn), by CPU per request: warn/info = ${costRatio.toFixed(3)} ${costRatio >= 0.95 ? 'PASS' : 'FAIL'}`);
} finally {
  for (const { s } of Object.values(servers)) await s.stop();
}
