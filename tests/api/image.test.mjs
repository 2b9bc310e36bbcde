// The `image` runtime module (docs/runtime.md, "image") against the real binary: every
// operation checked on pixels (PNG outputs decoded here), format round trips, EXIF
// orientation, the pixel limit (runtime.image.max_pixels) before decoding, clear errors,
// storage paths ("..") refused, the async twins, and a big operation as a waiting call
// (another route of the project answers meanwhile).
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { callRoute, expectStatus, makePng, pngChunk, runningProject, startWithRoot } from './fixtures.mjs';

let server, rootToken, project;

// The limit is lowered so that a modest image (2000 × 1001) is over it.
const MAX_PIXELS = 2_000_000;

function service() {
  const bytesOf = (a) => (a && typeof a === 'object' && typeof a.b64 === 'string'
    ? (a.buffer ? encoding.base64Decode(a.b64, 'bytes').buffer : encoding.base64Decode(a.b64, 'bytes'))
    : a);
  const answer = (r) => (r instanceof Uint8Array ? { bytes: encoding.base64Encode(r) } : { value: r });
  const failure = (e) => ({ error: { ctor: e.constructor.name, code: e.code, message: e.message } });
  const caught = (fn) => { try { return answer(fn()); } catch (e) { return failure(e); } };
  router.post('/put', (ctx) => { storage.write(ctx.body.path, encoding.base64Decode(ctx.body.b64, 'bytes')); return { ok: true }; });
  router.post('/call', (ctx) => caught(() => image[ctx.body.fn](...ctx.body.args.map(bytesOf))));
  router.post('/async', async (ctx) => {
    try {
      const p = image[ctx.body.fn + 'Async'](...ctx.body.args.map(bytesOf));
      if (!(p instanceof Promise)) return { error: { message: 'not a Promise' } };
      return answer(await p);
    } catch (e) { return failure(e); }
  });
  router.post('/pipeline', async (ctx) => {
    try {
      let p = image.open(bytesOf(ctx.body.src));
      for (const [method, ...args] of ctx.body.steps) p = p[method](...args.map(bytesOf));
      return answer(await p);
    } catch (e) { return failure(e); }
  });
  router.get('/immutable', () => {
    const a = image.open('q.png');
    const b = a.resize(20, 10);
    return { a: image.info(a.toBytes('png')), b: image.info(b.toBytes('png')), frozen: Object.isFrozen(b) };
  });
  // A long pipeline (about a second of libvips work) and a route that answers meanwhile.
  router.get('/big', () => {
    const t0 = Date.now();
    let p = image.open('q.png');
    for (let i = 0; i < 5; i++) p = p.resize(1400, 1400, { fit: 'fill' }).rotate(90).resize(1000, 1000, { fit: 'fill' });
    try {
      const out = p.toBytes('png');
      return { ms: Date.now() - t0, end: Date.now(), size: out.length };
    } catch (e) { return failure(e); }
  });
  router.get('/ping', () => ({ end: Date.now() }));
  // Many at once: they queue on the image pool and all settle.
  router.get('/many', async () => {
    const outs = await Promise.all(Array.from({ length: 24 }, (_, i) => image.thumbnailAsync('q.png', 10 + i)));
    return outs.map((b) => image.info(b).width);
  });
}

before(async () => {
  ({ server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_IMAGE_MAX_PIXELS: String(MAX_PIXELS) } }));
  ({ project } = await runningProject(server, rootToken, `(${service.toString()})();`));
  await put('q.png', quadrants());
});

after(async () => {
  await server?.stop();
});

const post = async (p, body) => expectStatus(await callRoute(server, project.slug, p, { method: 'POST', body, timeout: 120_000 }), 200, p).body;
const put = (path, buf) => post('/put', { path, b64: Buffer.from(buf).toString('base64') });
const b64 = (buf) => ({ b64: Buffer.from(buf).toString('base64') });
const call = (fn, ...args) => post('/call', { fn, args });
const callAsync = (fn, ...args) => post('/async', { fn, args });
const ok = (r) => {
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r.bytes !== undefined ? Buffer.from(r.bytes, 'base64') : r.value;
};
const failed = (r, code, message) => {
  assert.ok(r.error, `expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(r.error.code, code, r.error.message);
  if (message) assert.match(r.error.message, message);
  return r.error;
};

// ---- pixels: 200 × 100, red top left, green top right, blue bottom left, white bottom right ----
const RED = [255, 0, 0], GREEN = [0, 255, 0], BLUE = [0, 0, 255], WHITE = [255, 255, 255];
function quadrants(w = 200, h = 100) {
  return makePng(w, h, { pixel: (x, y) => (y < h / 2 ? (x < w / 2 ? RED : GREEN) : x < w / 2 ? BLUE : WHITE) });
}

// The PNGs libvips writes here: 8-bit, RGB or RGBA, not interlaced. Enough of a decoder to read pixels back.
function decodePng(buf) {
  assert.ok(buf.subarray(1, 4).toString() === 'PNG', 'not a PNG');
  let o = 8, width, height, channels;
  const idat = [];
  while (o < buf.length) {
    const len = buf.readUInt32BE(o), type = buf.toString('ascii', o + 4, o + 8), data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, 'bit depth');
      channels = { 2: 3, 6: 4, 0: 1, 4: 2 }[data[9]];
      assert.equal(data[12], 0, 'interlaced');
    } else if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels, px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels] : 0, b = y ? px[(y - 1) * stride + i] : 0;
      const c = i >= channels && y ? px[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      px[y * stride + i] = (line[i] + pred) & 0xff;
    }
  }
  return { width, height, channels, at: (x, y) => [...px.subarray((y * width + x) * channels, (y * width + x) * channels + channels)] };
}
function assertPixel(img, x, y, want, tolerance = 8) {
  const got = img.at(x, y);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= tolerance, `pixel (${x}, ${y}) is ${got}, want ${want} ±${tolerance}`);
}

// A JPEG with an EXIF APP1 segment declaring `orientation` (inserted after SOI).
function withOrientation(jpeg, orientation) {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'ascii');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);        // IFD0 at 8
  tiff.writeUInt16BE(1, 8);        // one entry
  tiff.writeUInt16BE(0x0112, 10);  // Orientation
  tiff.writeUInt16BE(3, 12);       // SHORT
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  tiff.writeUInt32BE(0, 22);       // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), app1, payload, jpeg.subarray(2)]);
}

test('info: from a storage path, a Uint8Array and an ArrayBuffer', async () => {
  const want = { width: 200, height: 100, format: 'png', hasAlpha: false, orientation: 1 };
  assert.deepEqual(ok(await call('info', 'q.png')), want);
  assert.deepEqual(ok(await call('info', b64(quadrants()))), want);
  assert.deepEqual(ok(await call('info', { ...b64(quadrants()), buffer: true })), want);
});

test('resize: cover, contain, fill, inside, one side null', async () => {
  const cover = decodePng(ok(await call('resize', 'q.png', 50, 50)));
  assert.deepEqual([cover.width, cover.height], [50, 50]);
  assertPixel(cover, 10, 10, RED);
  assertPixel(cover, 40, 10, GREEN);
  assertPixel(cover, 10, 40, BLUE);
  assertPixel(cover, 40, 40, WHITE);
  const contain = decodePng(ok(await call('resize', 'q.png', 50, 50, { fit: 'contain', background: '#ff00ff' })));
  assert.deepEqual([contain.width, contain.height], [50, 50]);
  assertPixel(contain, 25, 2, [255, 0, 255]);
  assertPixel(contain, 5, 16, RED);
  const fill = decodePng(ok(await call('resize', 'q.png', 50, 50, { fit: 'fill' })));
  assertPixel(fill, 5, 5, RED);
  assertPixel(fill, 45, 45, WHITE);
  const inside = decodePng(ok(await call('resize', 'q.png', 50, 50, { fit: 'inside' })));
  assert.deepEqual([inside.width, inside.height], [50, 25]);
  const byWidth = decodePng(ok(await call('resize', 'q.png', 100, null)));
  assert.deepEqual([byWidth.width, byWidth.height], [100, 50]);
});

test('crop, rotate, thumbnail and composite, on pixels', async () => {
  const green = decodePng(ok(await call('crop', 'q.png', 100, 0, 100, 50)));
  assert.deepEqual([green.width, green.height], [100, 50]);
  for (const [x, y] of [[0, 0], [99, 49], [50, 25]]) assertPixel(green, x, y, GREEN, 0);
  const r90 = decodePng(ok(await call('rotate', 'q.png', 90)));
  assert.deepEqual([r90.width, r90.height], [100, 200]);
  assertPixel(r90, 10, 10, BLUE, 0);  // clockwise: the bottom left comes to the top left
  assertPixel(r90, 90, 10, RED, 0);
  const thumb = decodePng(ok(await call('thumbnail', 'q.png', 40)));
  assert.deepEqual([thumb.width, thumb.height], [40, 20]);
  assertPixel(thumb, 3, 3, RED);
  const white = makePng(40, 40, { pixel: () => WHITE }), red = makePng(10, 10, { pixel: () => RED });
  const marked = decodePng(ok(await call('composite', b64(white), b64(red), { x: 5, y: 5, opacity: 0.5 })));
  assertPixel(marked, 10, 10, [255, 128, 128], 3);
  assertPixel(marked, 30, 30, WHITE, 0);
});

test('convert: png, jpeg, webp, gif and avif round trips; quality; formats of paths', async () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'avif']) {
    const out = ok(await call('convert', 'q.png', format));
    const info = ok(await call('info', b64(out)));
    assert.deepEqual([info.format, info.width, info.height], [format, 200, 100], format);
    const back = decodePng(ok(await call('convert', b64(out), 'png')));
    const tolerance = format === 'png' || format === 'gif' ? 0 : 24;
    assertPixel(back, 50, 25, RED, tolerance);
    assertPixel(back, 150, 75, WHITE, tolerance);
  }
  const noisy = makePng(64, 64, { noise: true });
  const low = ok(await call('convert', b64(noisy), 'jpeg', { quality: 10 }));
  const high = ok(await call('convert', b64(noisy), 'jpeg', { quality: 95 }));
  assert.ok(low.length < high.length, `${low.length} < ${high.length}`);
  // {to}: written to storage, the format from the extension; the facts are returned.
  const written = ok(await call('resize', 'q.png', 20, 10, { to: 'out/small.webp' }));
  assert.deepEqual({ ...written, size: undefined }, { path: 'out/small.webp', width: 20, height: 10, format: 'webp', size: undefined });
  assert.ok(written.size > 0);
  assert.deepEqual(ok(await call('info', 'out/small.webp')).format, 'webp');
});

test('image.open(): one pipeline, immutable steps, toBytes and toFile', async () => {
  const out = decodePng(ok(await post('/pipeline', { src: 'q.png', steps: [['rotate', 90], ['crop', 0, 0, 100, 100], ['resize', 50, null], ['toBytes', 'png']] })));
  assert.deepEqual([out.width, out.height], [50, 50]);
  assertPixel(out, 10, 10, BLUE);  // the turned image's top half: blue left, red right
  assertPixel(out, 40, 10, RED);
  const overlay = b64(makePng(10, 10, { pixel: () => BLUE }));
  const file = ok(await post('/pipeline', { src: 'q.png', steps: [['composite', overlay, { x: 190, y: 0 }], ['toFile', 'out/p.png']] }));
  assert.deepEqual(file, { path: 'out/p.png', width: 200, height: 100, format: 'png', size: file.size });
  const imm = expectStatus(await callRoute(server, project.slug, '/immutable'), 200).body;
  assert.deepEqual([imm.a.width, imm.b.width, imm.frozen], [200, 20, true]);
});

test('async twins resolve and reject', async () => {
  const out = decodePng(ok(await callAsync('resize', 'q.png', 30, 15)));
  assert.deepEqual([out.width, out.height], [30, 15]);
  assert.deepEqual(ok(await callAsync('info', 'q.png')).width, 200);
  failed(await callAsync('crop', 'q.png', 150, 0, 100, 50), 'INVALID_ARGUMENT', /^image\.cropAsync: the area 100 × 50 at \(150, 0\) is outside the 200 × 100 image$/);
  failed(await callAsync('resize', 'q.png', 0, 10), 'INVALID_ARGUMENT', /width must be a whole number/);
  const piped = decodePng(ok(await post('/pipeline', { src: 'q.png', steps: [['thumbnail', 20], ['toBytesAsync', 'png']] })));
  assert.equal(piped.width, 20);
  const many = expectStatus(await callRoute(server, project.slug, '/many', { timeout: 120_000 }), 200).body;
  assert.deepEqual(many, Array.from({ length: 24 }, (_, i) => 10 + i));
});

test('EXIF orientation 6: the output comes out turned upright', async () => {
  const jpeg = ok(await call('convert', 'q.png', 'jpeg', { quality: 95 }));
  const rotated = withOrientation(jpeg, 6);
  const info = ok(await call('info', b64(rotated)));
  assert.deepEqual([info.width, info.height, info.orientation], [200, 100, 6]);
  const upright = decodePng(ok(await call('convert', b64(rotated), 'png')));
  assert.deepEqual([upright.width, upright.height], [100, 200]);
  assertPixel(upright, 10, 10, BLUE, 24);
  assertPixel(upright, 90, 10, RED, 24);
  assert.equal(ok(await call('info', b64(ok(await call('convert', b64(rotated), 'jpeg'))))).orientation, 1);
});

test('pixel limit: a bomb header is refused before decoding; so is a too-large result', async () => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100000, 0);
  ihdr.writeUInt32BE(100000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0))]);
  const t0 = Date.now();
  const e = failed(await call('resize', b64(bomb), 100, 100), 'PAYLOAD_TOO_LARGE');
  assert.equal(e.message, 'image.resize: the source is 100000 × 100000 pixels (10,000,000,000); at most 2,000,000 pixels are accepted (runtime.image.max_pixels)');
  assert.equal(e.ctor, 'RangeError');
  assert.ok(Date.now() - t0 < 5000);
  // The configured limit: 2000 × 1001 is just over it, 2000 × 1000 is fine.
  await put('over.png', makePng(2000, 1001));
  failed(await call('convert', 'over.png', 'jpeg'), 'PAYLOAD_TOO_LARGE', /2000 × 1001 pixels/);
  await put('limit.png', makePng(2000, 1000));
  assert.equal(ok(await call('thumbnail', 'limit.png', 10)).length > 0, true);
  failed(await call('resize', 'q.png', 5000, 5000, { fit: 'fill' }), 'PAYLOAD_TOO_LARGE', /the result is 5000 × 5000 pixels/);
});

test('bad input, bad arguments and paths outside storage are clear errors', async () => {
  const e = failed(await call('info', b64(Buffer.from('definitely not an image'))), 'UNSUPPORTED_MEDIA_TYPE', /^image\.info: the source is not an image that can be decoded/);
  assert.equal(e.ctor, 'TypeError');
  const jpeg = ok(await call('convert', b64(makePng(300, 300, { noise: true })), 'jpeg'));
  failed(await call('convert', b64(jpeg.subarray(0, jpeg.length >> 1)), 'png'), 'UNSUPPORTED_MEDIA_TYPE');
  failed(await call('info', 'missing.png'), 'NOT_FOUND', /^image\.info: /);
  failed(await call('info', '../x'), 'INVALID_ARGUMENT', /^image\.info: invalid path/);
  failed(await call('composite', 'q.png', '../../etc/passwd'), 'INVALID_ARGUMENT', /^image\.composite: invalid path/);
  failed(await call('resize', 'q.png', 10, 10, { to: '../x.png' }), 'INVALID_ARGUMENT', /^image\.resize: invalid path/);
  failed(await call('info', 42), 'INVALID_ARGUMENT', /the source must be a path in the project's storage or bytes/);
  failed(await call('resize', 'q.png', null, null), 'INVALID_ARGUMENT', /width and height cannot both be null/);
  failed(await call('resize', 'q.png', 10, 10, { fit: 'stretch' }), 'INVALID_ARGUMENT', /fit must be/);
  failed(await call('convert', 'q.png', 'bmp'), 'INVALID_ARGUMENT', /format must be 'png', 'jpeg', 'webp', 'gif' or 'avif'/);
  failed(await call('thumbnail', 'q.png', 10, { to: 'x.bmp' }), 'INVALID_ARGUMENT', /cannot tell the format from "x.bmp"/);
  failed(await call('crop', 'q.png', 0, 0, 300, 10), 'INVALID_ARGUMENT', /outside the 200 × 100 image/);
});

test('a big operation is a waiting call: another route of the project answers meanwhile', async () => {
  const big = callRoute(server, project.slug, '/big', { timeout: 120_000 });
  await new Promise((r) => setTimeout(r, 150));
  const t0 = Date.now();
  const ping = expectStatus(await callRoute(server, project.slug, '/ping'), 200).body;
  const pingMs = Date.now() - t0;
  const b = expectStatus(await big, 200).body;
  assert.ok(b.ms > 500, `the big pipeline took ${b.ms} ms: too short to show anything`);
  assert.ok(ping.end < b.end, 'the ping answered before the big pipeline ended');
  assert.ok(pingMs < b.ms / 2, `ping took ${pingMs} ms while the pipeline took ${b.ms} ms`);
});

test('runtime.image.timeout: a slow operation throws TIMEOUT and the project goes on', async () => {
  const slow = await startWithRoot({ env: { M3M_RUNTIME_IMAGE_TIMEOUT: '100ms' } });
  try {
    const { project: p } = await runningProject(slow.server, slow.rootToken, `(${service.toString()})();`);
    expectStatus(await callRoute(slow.server, p.slug, '/put', { method: 'POST', body: { path: 'q.png', b64: quadrants().toString('base64') } }), 200);
    const t0 = Date.now();
    const big = expectStatus(await callRoute(slow.server, p.slug, '/big', { timeout: 60_000 }), 200).body;
    failed(big, 'TIMEOUT', /^image: the operation took longer than 100ms \(runtime\.image\.timeout\) and was stopped$/);
    assert.ok(Date.now() - t0 < 5000, 'answered soon after the limit');
    const info = expectStatus(await callRoute(slow.server, p.slug, '/call', { method: 'POST', body: { fn: 'info', args: ['q.png'] } }), 200).body;
    assert.equal(info.value.width, 200);
  } finally {
    await slow.server.stop();
  }
});
