// Used by run.sh: reads the per-run wrk figures (TSV: key round rps p99_ms non2xx errors)
// and prints the table of medians with the ratio to (a) and the target checks.
// Usage: node report.mjs RESULTS.tsv [ROUNDS]
import { readFileSync } from 'node:fs';

const ROWS = [
  ['a', '(a) m3m C++ route GET /api/ping'],
  ['js', '(js) m3m JS route /r/bench/hello, log warn'],
  ['a_info', '(a) C++ route, log info (default, access log on)'],
  ['js_info', '(js) JS route, log info (default, access log on)'],
  ['b', '(b) node http, JS handler'],
  ['c', '(c) gin + goja (sync.Pool), Debian 12 packages'],
  ['c_mod', '(c) gin + goja, current (bench/gin_goja/go.mod)'],
  ['d', '(d) nginx return 200'],
];

const file = process.argv[2];
const runs = {};
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [key, round, rps, p99, non2xx, errors] = line.split('\t');
  (runs[key] ||= []).push({ round: Number(round), rps: Number(rps), p99: Number(p99), non2xx: Number(non2xx), errors: Number(errors) });
}

const median = (xs) => {
  const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!a.length) return NaN;
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
};

const med = {};
for (const [key] of ROWS) {
  const r = (runs[key] || []).filter((x) => x.rps > 0);
  med[key] = r.length
    ? { rps: median(r.map((x) => x.rps)), p99: median(r.map((x) => x.p99)), bad: r.reduce((s, x) => s + x.non2xx + x.errors, 0), n: r.length, all: r.map((x) => x.rps) }
    : null;
}

const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmtMs = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : 'n/a');
const a = med.a?.rps;
const table = [['name', 'req/s (median)', 'p99 (median)', 'ratio to (a)', 'runs', 'non-2xx/socket errors', 'req/s of each round']];
for (const [key, label] of ROWS) {
  const m = med[key];
  table.push([
    label,
    m ? fmtInt(m.rps) : 'n/a',
    m ? fmtMs(m.p99) : 'n/a',
    m && Number.isFinite(a) ? (m.rps / a).toFixed(2) : 'n/a',
    m ? String(m.n) : '0',
    m ? String(m.bad) : '-',
    m ? m.all.map(fmtInt).join(', ') : '-',
  ]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
console.log(line(table[0]));
console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
for (const r of table.slice(1)) console.log(line(r));

const v = (k) => med[k]?.rps;
const check = (label, left, right, factor, cmp = '>=') => {
  const l = v(left);
  const r = v(right);
  let verdict = 'n/a';
  let detail = '';
  if (Number.isFinite(l) && Number.isFinite(r)) {
    const ok = cmp === '>=' ? l >= factor * r : l > factor * r;
    verdict = ok ? 'PASS' : 'FAIL';
    detail = `(${fmtInt(l)} vs ${factor === 1 ? '' : factor + '·'}${fmtInt(r)} = ${(l / r).toFixed(2)}×)`;
  }
  console.log(`  ${verdict.padEnd(4)}  ${label} ${detail}`);
  return verdict;
};
console.log('\nTargets (issue 6, Benchmark 1; js = the JS route at log level warn):');
check('js ≥ 0.60·(a)', 'js', 'a', 0.6);
check('js > (b) node http', 'js', 'b', 1, '>');
check('js > (c) gin+goja', 'js', 'c', 1, '>');
check('js > (c) gin+goja current', 'js', 'c_mod', 1, '>');
check('(a) ≥ 0.75·(d) nginx', 'a', 'd', 0.75);
check('stretch: js ≥ 2·(c)', 'js', 'c', 2);
if (Number.isFinite(v('js_info')) && Number.isFinite(v('js'))) {
  console.log(`  info  JS route at log level info runs at ${(v('js_info') / v('js')).toFixed(2)}× of warn (access log cost)`);
}
if (Number.isFinite(v('a_info'))) {
  console.log('\nTargets (issue 20; metrics on, access log at info — the default):');
  check('JS at info ≥ 0.95·JS at warn (the access log within 5%)', 'js_info', 'js', 0.95);
  check('JS ≥ 0.62·C++, both at info', 'js_info', 'a_info', 0.62);
  check('C++ at info ≥ 0.80·(d) nginx', 'a_info', 'd', 0.8);
}
const bad = ROWS.filter(([k]) => med[k]?.bad > 0).map(([k]) => k);
if (bad.length) console.log(`\nWARNING: non-2xx responses or socket errors in: ${bad.join(', ')} — their req/s include failures; see the raw wrk output.`);
