// Part `image` of bench/run.sh (issue 19): resize a 4000 × 3000 JPEG to 800 × 600 and encode
// it as JPEG (quality 80), one operation at a time on one core, m3m against Node + sharp.
//
//   m3m    one m3m pinned to --pin (runtime.image.workers=1, so libvips work and the server
//          share that core), one project `img` whose route
//            GET /r/img/resize → image.resize('bench/big.jpg', 800, 600, {format: 'jpeg', quality: 80})
//          answers the output's size; this script (the client, on its own CPU: run.sh pins it)
//          calls it back to back, one request in flight. The JPEG is read from the project's
//          storage each time (page cache), as a project would.
//   sharp  a child Node process pinned to the same core (UV_THREADPOOL_SIZE=1,
//          sharp.concurrency(1): one libvips thread, like m3m's) runs
//            sharp(buffer).resize(800, 600).jpeg({quality: 80}).toBuffer()
//          back to back on the same JPEG held in memory.
// Both use libvips with JPEG shrink-on-load (sharp's default fastShrinkOnLoad; m3m's pipeline
// makes the same choice). The JPEG is made here by sharp: a smooth synthetic photo with mild
// noise (pure noise would measure the entropy decoder only). Each side runs --seconds per
// round, rounds interleaved (--rounds, default 3) after one warm-up round; the medians of
// ops/s are reported. With one core each, ops/s is the throughput per core.
// ratio = m3m ÷ sharp; target ≥ 0.9.
//
// Usage: node image_resize.mjs [--pin 0] [--seconds 10] [--rounds 3]
// Prints a table and an "IMAGE key=value …" line on stdout; progress on stderr.
// Needs bench/node_modules/sharp (bench/install-bench-deps.sh: npm ci in bench/); without it the
// sharp row is n/a.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { must, parseArgs, request, runningProject, startM3m } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const args = parseArgs(process.argv.slice(2));
const PIN = args.pin ?? '0';
const SECONDS = Number(args.seconds ?? 10);
const ROUNDS = Number(args.rounds ?? 3);
const log = (m) => process.stderr.write(`image: ${m}\n`);

function loadSharp() {
  try {
    return require('sharp');
  } catch (e) {
    return { error: e.message.split('\n')[0] };
  }
}

// ---- the sharp side, in a pinned child: `node image_resize.mjs --sharp-worker FILE --seconds S` ----
if (args['sharp-worker']) {
  const sharp = loadSharp();
  sharp.concurrency(1);
  sharp.cache(false);  // m3m caches nothing either
  const input = readFileSync(args['sharp-worker']);
  const once = () => sharp(input).resize(800, 600).jpeg({ quality: 80 }).toBuffer();
  const out = await once();
  const meta = await sharp(out).metadata();
  if (meta.width !== 800 || meta.height !== 600 || meta.format !== 'jpeg') throw new Error(`sharp made ${JSON.stringify(meta)}`);
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() < end) {
    await once();
    n++;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(JSON.stringify({ ops: n, seconds: secs, size: out.length, vips: sharp.versions.vips, sharp: sharp.versions.sharp }) + '\n');
  process.exit(0);
}

// A 4000 × 3000 "photo": smooth gradients and circles, mild noise; JPEG quality 90.
async function makeJpeg(sharp) {
  const w = 4000, h = 3000, raw = Buffer.alloc(w * h * 3);
  let seed = 12345;
  for (let y = 0, o = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const noise = (seed >>> 28) - 8;
      const d = Math.hypot(x - 1500, y - 1200) / 40;
      raw[o++] = Math.max(0, Math.min(255, 128 + 100 * Math.sin(x / 300) + noise));
      raw[o++] = Math.max(0, Math.min(255, 128 + 90 * Math.cos(d) + noise));
      raw[o++] = Math.max(0, Math.min(255, (y * 255) / h + noise));
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

const ROUTE = `router.get('/resize', () => {
  const out = image.resize('bench/big.jpg', 800, 600, { format: 'jpeg', quality: 80 });
  return { size: out.length };
});
router.get('/check', () => encoding.base64Encode(image.resize('bench/big.jpg', 800, 600, { format: 'jpeg', quality: 80 })));
`;

// Calls GET /r/img/resize back to back for `seconds`; ops/s.
async function m3mRound(s, seconds) {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const r = await request(s.url, 'GET', '/r/img/resize');
    if (r.status !== 200) throw new Error(`GET /r/img/resize → ${r.status} ${r.text.slice(0, 200)}`);
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

function sharpRound(file, seconds) {
  const r = spawnSync('taskset', ['-c', String(PIN), process.execPath, fileURLToPath(import.meta.url), '--sharp-worker', file, '--seconds', String(seconds)], {
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    timeout: (seconds + 120) * 1000,
  });
  if (r.status !== 0) throw new Error(`sharp worker failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  return { opsPerSec: out.ops / out.seconds, ...out };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[(s.length - 1) >> 1] : NaN;
};

const sharp = loadSharp();
if (sharp.error) {
  log(`sharp is not installed (${sharp.error}); run bench/install-bench-deps.sh`);
  process.stdout.write('IMAGE m3m=n/a sharp=n/a ratio=n/a\n');
  process.exit(0);
}
const work = mkdtempSync(path.join(tmpdir(), 'm3m-bench-image-'));
const file = path.join(work, 'big.jpg');
let server;
try {
  log('making the 4000 × 3000 JPEG');
  const jpeg = await makeJpeg(sharp);
  writeFileSync(file, jpeg);
  log(`JPEG: ${(jpeg.length / 1e6).toFixed(2)} MB`);

  server = await startM3m({ pin: PIN, env: { M3M_RUNTIME_IMAGE_WORKERS: '1' } });
  const { project } = await runningProject(server, 'img', ROUTE);
  const form = new FormData();
  form.append('file', new Blob([jpeg]), 'big.jpg');
  const up = await fetch(`${server.url}/api/projects/${project.id}/storage/upload?path=bench`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: form,
  });
  if (up.status !== 201) throw new Error(`upload → ${up.status} ${await up.text()}`);
  // Same work on both sides: each output against a resize of the fully decoded JPEG (PSNR, dB).
  const m3mOut = Buffer.from(must(await request(server.url, 'GET', '/r/img/check'), 200, 'check'), 'base64');
  const meta = await sharp(m3mOut).metadata();
  if (meta.width !== 800 || meta.height !== 600 || meta.format !== 'jpeg') throw new Error(`m3m made ${JSON.stringify(meta)}`);
  const sharpOut = await sharp(jpeg).resize(800, 600).jpeg({ quality: 80 }).toBuffer();
  const reference = await sharp(jpeg).resize(800, 600, { fastShrinkOnLoad: false }).raw().toBuffer();
  const psnr = async (out) => {
    const px = await sharp(out).raw().toBuffer();
    let e = 0;
    for (let i = 0; i < px.length; i++) e += (px[i] - reference[i]) ** 2;
    return 10 * Math.log10((255 * 255) / (e / px.length));
  };
  const quality = { m3m: await psnr(m3mOut), sharp: await psnr(sharpOut), m3mSize: m3mOut.length, sharpSize: sharpOut.length };

  log(`warm-up (${Math.min(SECONDS, 3)} s each)`);
  await m3mRound(server, Math.min(SECONDS, 3));
  const sharpInfo = sharpRound(file, Math.min(SECONDS, 3));
  const m3mRates = [], sharpRates = [];
  for (let i = 1; i <= ROUNDS; i++) {
    m3mRates.push(await m3mRound(server, SECONDS));
    sharpRates.push(sharpRound(file, SECONDS).opsPerSec);
    log(`round ${i}: m3m ${m3mRates.at(-1).toFixed(2)} ops/s, sharp ${sharpRates.at(-1).toFixed(2)} ops/s`);
  }
  const m = median(m3mRates), s = median(sharpRates), ratio = m / s;
  const row = (name, v, all) => `| ${name.padEnd(36)} | ${v.toFixed(2).padStart(9)} | ${(1000 / v).toFixed(1).padStart(8)} | ${all.map((x) => x.toFixed(2)).join(', ')} |`;
  process.stdout.write(
    [
      '',
      `Image resize (issue 19): 4000 × 3000 JPEG → 800 × 600 JPEG q80, one core (CPU ${PIN}), ${ROUNDS} rounds × ${SECONDS} s, medians`,
      '',
      '| Row                                  | ops/s/core | ms/op | rounds |',
      '|---|---|---|---|',
      row('m3m image.resize (project route)', m, m3mRates),
      row(`sharp ${sharpInfo.sharp} (libvips ${sharpInfo.vips})`, s, sharpRates),
      '',
      `Outputs: m3m ${quality.m3mSize} bytes, PSNR ${quality.m3m.toFixed(1)} dB; sharp ${quality.sharpSize} bytes, PSNR ${quality.sharp.toFixed(1)} dB (against a full-decode resize)`,
      `ratio m3m ÷ sharp = ${ratio.toFixed(2)} (target ≥ 0.90): ${ratio >= 0.9 ? 'PASS' : 'FAIL'}`,
      '',
      `IMAGE m3m=${m.toFixed(3)} sharp=${s.toFixed(3)} ratio=${ratio.toFixed(3)}`,
      '',
    ].join('\n'),
  );
} finally {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
