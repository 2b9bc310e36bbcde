// Part 4's table: record creates through the API and through JS, side by side
// with the raw SQLite ceiling measured in the same run, and list latency.
// Args: "rps p50 p99 non2xx" (API create), same (JS /one), bulk JSON, ceiling rows/s,
//       list skipTotal summary, list summary, seed count.
const [create, one, bulkJson, ceilingText, listSkip, list, seed] = process.argv.slice(2);
const parse = (s) => { const [rps, p50, p99, bad] = s.split(' ').map(Number); return { rps, p50, p99, bad }; };
const c = parse(create), o = parse(one), ls = parse(listSkip), l = parse(list);
let bulk = { n: 0, ms: NaN };
try { bulk = JSON.parse(bulkJson); } catch {}
const jsLoop = bulk.n / (bulk.ms / 1000);
const ceiling = Number(ceilingText);
const ratio = (x) => (Number.isFinite(ceiling) && ceiling > 0 ? (x / ceiling).toFixed(2) : 'n/a');
const POCKETBASE = 2000;  // PocketBase's published creates/s on 2 vCPU
const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
console.log('| row | per second | p50 ms | p99 ms | ratio to ceiling |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| raw SQLite insert loop (ceiling, 1 commit per row) | ${fmt(ceiling)} | | | 1.00 |`);
console.log(`| API POST …/data (X-API-Key) | ${fmt(c.rps)} | ${c.p50} | ${c.p99} | ${ratio(c.rps)} |`);
console.log(`| JS route POST /one (1 insert per request) | ${fmt(o.rps)} | ${o.p50} | ${o.p99} | ${ratio(o.rps)} |`);
console.log(`| JS loop database.items.insert ×${bulk.n} (1 commit each) | ${fmt(jsLoop)} | | | ${ratio(jsLoop)} |`);
console.log(`| list filter+sort on ${Number(seed).toLocaleString('en-US')} records, skipTotal (1 client) | ${fmt(ls.rps)} | ${ls.p50} | ${ls.p99} | |`);
console.log(`| list filter+sort with total (1 client) | ${fmt(l.rps)} | ${l.p50} | ${l.p99} | |`);
const bad = c.bad + o.bad + ls.bad + l.bad;
console.log();
console.log(`API creates vs PocketBase's published ≈ ${POCKETBASE}/s on 2 vCPU: ${(c.rps / POCKETBASE).toFixed(1)}× (target ≥ 5×) ${c.rps >= 5 * POCKETBASE ? 'PASS' : 'FAIL'} — server on ONE core here`);
console.log(`list p99 (skipTotal) ${ls.p99} ms, with total ${l.p99} ms (target < 5 ms): ${ls.p99 < 5 && l.p99 < 5 ? 'PASS' : 'FAIL'}`);
if (bad) console.log(`WARNING: ${bad} non-2xx responses — the figures above are not valid`);
