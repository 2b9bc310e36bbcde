// The `draw` benchmark (issue 19): a 1200×630 card — a gradient, a title, a
// wrapped subtitle, an image (a 256×256 PNG scaled to 160×160) and a circle —
// rendered to PNG per HTTP request, by
//   (m3m)  a project route: draw.createCanvas … toPNG() (cairo + Pango, the
//          render in a waiting call), answered as image/png;
//   (node) a node:http server with @napi-rs/canvas (Skia; npm, bench-only:
//          bench/package.json, installed by bench/install-bench-deps.sh), the
//          image decoded once at start (its usual use), the subtitle wrapped
//          with measureText in JS.
// Same machine, same run, interleaved rounds: each server pinned to CPU
// --pin (default 0), the client (fetch, --conns keep-alive loops) on another;
// cards/s of each is the median of --rounds rounds of --duration seconds.
// Prints both, the ratio m3m ÷ node (target ≥ 1.0), and saves one card of
// each as PNG in --out (default bench/out/) to look at.
//
// Usage: node bench/draw_card.mjs [--duration 10] [--rounds 3] [--conns 4] [--pin 0] [--client-pin 1] [--out DIR]
//          [--format png|jpeg]   (jpeg: both encode JPEG quality 90; @napi-rs/canvas spends
//                                 most of a PNG card in its PNG encoder, ~200 ms here)
// Needs the release binary (M3M_BIN, default build/m3m) and `npm ci` in bench/.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { BINARY, freePort, parseArgs, runningProject, sleep, startM3m } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const DURATION = Number(args.duration || 10);
const ROUNDS = Number(args.rounds || 3);
const CONNS = Number(args.conns || 4);
const PIN = args.pin ?? '0';
const CLIENT_PIN = args['client-pin'] ?? '1';
const OUT = path.resolve(args.out || path.join(here, 'out'));
const FORMAT = args.format === 'jpeg' ? 'jpeg' : 'png';  // --format jpeg: both encode JPEG quality 90

// ---- the logo: a 256×256 RGBA PNG (a radial pattern), written here ----
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function logoPng(n = 256) {
  const raw = Buffer.alloc((n * 4 + 1) * n);
  let o = 0;
  for (let y = 0; y < n; y++) {
    raw[o++] = 0;
    for (let x = 0; x < n; x++) {
      const d = Math.hypot(x - n / 2, y - n / 2) / (n / 2);
      raw[o++] = 250 - d * 120;
      raw[o++] = 180 + Math.sin(x / 9) * 60;
      raw[o++] = 60 + d * 150;
      raw[o++] = d > 1 ? 0 : 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(n, 0);
  ihdr.writeUInt32BE(n, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const LOGO = logoPng();

const TITLE = 'Привет, m3m: карточка 1200×630';
const SUBTITLE = 'A linear gradient, a title, a subtitle that wraps inside a 700-pixel box at most three lines long, an image scaled from 256 to 160 pixels and a translucent circle — drawn and encoded as PNG for every request.';

// ---- (m3m) the project ----
const PROJECT = `
const logo = encoding.base64Decode('${LOGO.toString('base64')}', 'bytes');
const card = () => {
  const c = draw.createCanvas(1200, 630);
  const g = c.createLinearGradient(0, 0, 1200, 630);
  g.addColorStop(0, '#1e3a8a');
  g.addColorStop(1, '#db2777');
  c.fillStyle = g;
  c.fillRect(0, 0, 1200, 630);
  c.fillStyle = 'white';
  c.textBaseline = 'top';
  c.font = 'bold 56px DejaVu Sans';
  c.fillText(${JSON.stringify(TITLE)}, 80, 80);
  c.font = '32px DejaVu Sans';
  c.fillTextBox(${JSON.stringify(SUBTITLE)}, 80, 190, 700, { lineHeight: 1.3, maxLines: 3 });
  c.drawImage(logo, 960, 80, 160, 160);
  c.beginPath();
  c.arc(1080, 520, 50, 0, Math.PI * 2);
  c.fillStyle = 'rgba(255, 255, 255, 0.25)';
  c.fill();
  return ${FORMAT === 'jpeg' ? "c.toJPEG({ quality: 90 })" : 'c.toPNG()'};
};
service.start(() => {
  router.get('/card', () => router.response(200, card(), { 'Content-Type': 'image/${FORMAT}' }));
});
`;

// ---- (node) the @napi-rs/canvas server, in a child process (pinned like m3m) ----
const NODE_SERVER = `
const http = require('node:http');
const { createCanvas, Image } = require(${JSON.stringify(path.join(here, 'node_modules/@napi-rs/canvas'))});
const logo = new Image();
logo.src = Buffer.from(${JSON.stringify(LOGO.toString('base64'))}, 'base64');
const TITLE = ${JSON.stringify(TITLE)}, SUBTITLE = ${JSON.stringify(SUBTITLE)};
function wrap(ctx, text, x, y, width, lineHeightPx, maxLines) {
  const words = text.split(' ');
  let line = '', lines = 0;
  for (let i = 0; i < words.length; i++) {
    const next = line ? line + ' ' + words[i] : words[i];
    if (ctx.measureText(next).width > width && line) {
      if (lines === maxLines - 1) { line += '…'; break; }
      ctx.fillText(line, x, y + lines * lineHeightPx);
      lines++;
      line = words[i];
    } else line = next;
  }
  ctx.fillText(line, x, y + lines * lineHeightPx);
}
function card() {
  const canvas = createCanvas(1200, 630);
  const c = canvas.getContext('2d');
  const g = c.createLinearGradient(0, 0, 1200, 630);
  g.addColorStop(0, '#1e3a8a');
  g.addColorStop(1, '#db2777');
  c.fillStyle = g;
  c.fillRect(0, 0, 1200, 630);
  c.fillStyle = 'white';
  c.textBaseline = 'top';
  c.font = 'bold 56px DejaVu Sans';
  c.fillText(TITLE, 80, 80);
  c.font = '32px DejaVu Sans';
  wrap(c, SUBTITLE, 80, 190, 700, 32 * 1.3, 3);
  c.drawImage(logo, 960, 80, 160, 160);
  c.beginPath();
  c.arc(1080, 520, 50, 0, Math.PI * 2);
  c.fillStyle = 'rgba(255, 255, 255, 0.25)';
  c.fill();
  return ${FORMAT === 'jpeg' ? "canvas.encode('jpeg', 90)" : "canvas.encode('png')"};
}
http.createServer(async (req, res) => {
  const png = await card();
  res.writeHead(200, { 'Content-Type': 'image/${FORMAT}', 'Content-Length': png.length });
  res.end(png);
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

async function startNode() {
  const port = await freePort();
  // The script (with the logo inlined) is too long for an argument: a temp file.
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-draw-bench-'));
  const script = path.join(dir, 'server.cjs');
  writeFileSync(script, NODE_SERVER);
  const proc = spawn('taskset', ['-c', String(PIN), process.execPath, script], {
    env: { ...process.env, PORT: String(port), UV_THREADPOOL_SIZE: '4' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => String(d).includes('listening') && resolve());
    proc.on('exit', (code) => reject(new Error(`the node server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/card`,
    stop: () => {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The client: CONNS loops of fetch for `seconds`, in a child pinned to CLIENT_PIN.
const CLIENT = `
const [url, seconds, conns] = process.argv.slice(1);
const end = Date.now() + Number(seconds) * 1000;
let ok = 0, bad = 0;
const loop = async () => {
  while (Date.now() < end) {
    const r = await fetch(url);
    const b = await r.arrayBuffer();
    if (r.status === 200 && b.byteLength > 1000) ok++; else bad++;
  }
};
Promise.all(Array.from({ length: Number(conns) }, loop)).then(() => console.log(JSON.stringify({ ok, bad })));
`;
function measure(url, seconds) {
  return new Promise((resolve, reject) => {
    const p = spawn('taskset', ['-c', String(CLIENT_PIN), process.execPath, '-e', CLIENT, url, String(seconds), String(CONNS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`client exited ${code}`));
      const r = JSON.parse(out);
      if (r.bad) return reject(new Error(`${r.bad} bad answers from ${url}`));
      resolve(r.ok / seconds);
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const m3m = await startM3m({ pin: PIN, threads: 1 });
const node = await startNode();
try {
  await runningProject(m3m, 'card', PROJECT);
  const urls = { m3m: `${m3m.url}/r/card/card`, node: node.url };
  mkdirSync(OUT, { recursive: true });
  for (const [name, url] of Object.entries(urls)) {
    const r = await fetch(url);
    const png = Buffer.from(await r.arrayBuffer());
    const magic = FORMAT === 'png' ? png.readUInt32BE(0) === 0x89504e47 : png.readUInt16BE(0) === 0xffd8;
    if (r.status !== 200 || !magic) throw new Error(`${name}: not a ${FORMAT} (${r.status}): ${png.subarray(0, 200)}`);
    const file = path.join(OUT, `draw_card_${name}.${FORMAT === 'png' ? 'png' : 'jpg'}`);
    writeFileSync(file, png);
    console.log(`${name}: one card is ${png.length} bytes → ${file}`);
  }
  // Warm-up, then interleaved rounds.
  await measure(urls.m3m, 2);
  await measure(urls.node, 2);
  const results = { m3m: [], node: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of ['m3m', 'node']) {
      const rate = await measure(urls[name], DURATION);
      results[name].push(rate);
      console.log(`round ${i + 1} ${name.padEnd(4)} ${rate.toFixed(1)} cards/s`);
    }
  }
  const a = median(results.m3m), b = median(results.node);
  console.log(`\ndraw card 1200×630 ${FORMAT.toUpperCase()}, ${CONNS} connections, server on CPU ${PIN}, median of ${ROUNDS} × ${DURATION}s:`);
  console.log(`  m3m (${path.relative(process.cwd(), BINARY)}, draw: cairo + Pango)   ${a.toFixed(1)} cards/s`);
  console.log(`  node ${process.version} + @napi-rs/canvas (Skia)        ${b.toFixed(1)} cards/s`);
  console.log(`  ratio m3m ÷ node: ${(a / b).toFixed(2)} (target ≥ 1.0: ${a / b >= 1 ? 'PASS' : 'FAIL'})`);
} finally {
  node.stop();
  await m3m.stop();
  await sleep(100);
}
