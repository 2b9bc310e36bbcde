// Issue 21's benchmark: bench/records.mjs run twice in one go, m3m on SQLite and m3m on
// MongoDB (FerretDB here, or --mongodb-uri), same parameters, then the two side by side:
// API record creates/s, JS inserts/s and the filtered list's p50/p99, with MongoDB/SQLite ratios.
//
// Usage: node records_drivers.mjs [--pin 0] [--seed 20000] [--duration 5] [--conns 32]
//          [--mongodb-uri URI] [any other records.mjs option]
// Run it pinned to the client CPU like records.mjs (run.sh: taskset -c CLIENT_CPU).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const passed = process.argv.slice(2);
const has = (k) => passed.includes(`--${k}`);
const defaults = [...(has('seed') ? [] : ['--seed', '20000']), ...(has('duration') ? [] : ['--duration', '5'])];

function run(driver) {
  process.stderr.write(`[bench] records on ${driver}\n`);
  const r = spawnSync(process.execPath, [path.join(here, 'records.mjs'), ...defaults, ...passed, '--driver', driver], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 30 * 60_000,
  });
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('RECORDS '));
  if (r.status !== 0 || !line) throw new Error(`records.mjs --driver ${driver} failed (exit ${r.status}):\n${r.stdout}`);
  return Object.fromEntries(line.slice(8).split(' ').map((kv) => kv.split('=')));
}

const sqlite = run('sqlite');
const mongo = run('mongodb');
const rows = [
  ['API POST …/data creates/s', 'api_rps', true],
  ['JS route POST /one creates/s', 'js_one_rps', true],
  ['JS loop inserts/s', 'js_loop_ips', true],
  ['list filter+sort p50 ms (skipTotal)', 'list_skip_p50_ms', false],
  ['list filter+sort p99 ms (skipTotal)', 'list_skip_p99_ms', false],
  ['list filter+sort p99 ms (with total)', 'list_p99_ms', false],
];
console.log(`| ${sqlite.seed} records seeded, ${sqlite.duration_s} s per load | SQLite | MongoDB (${passed.includes('--mongodb-uri') ? 'server' : 'FerretDB'}) | MongoDB / SQLite |`);
console.log('|---|---:|---:|---:|');
for (const [name, key, higherIsBetter] of rows) {
  const a = Number(sqlite[key]), b = Number(mongo[key]);
  console.log(`| ${name} | ${a} | ${b} | ${(b / a).toFixed(2)}${higherIsBetter ? '' : ' (time)'} |`);
}
console.log(`DRIVERS ${rows.map(([, k]) => `sqlite_${k}=${sqlite[k]} mongodb_${k}=${mongo[k]}`).join(' ')}`);
