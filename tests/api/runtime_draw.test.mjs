// The runtime `draw` module (docs/runtime.md, "draw"): canvases rendered by
// cairo + Pango, checked pixel by pixel (tests/api/png_decode.mjs decodes the
// PNGs), against committed goldens (tests/golden/draw/, UPDATE_GOLDENS=1
// rewrites them), and at its limits: the canvas size, bad colours and fonts,
// storage paths, and a big render that leaves the project's other routes free.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { callRoute, makePng, runningProject, startWithRoot } from './fixtures.mjs';
import { decodePng } from './png_decode.mjs';

const GOLDEN = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../golden/draw');

const CODE = `
const describeError = (e) => ({ name: e && e.name, message: e && e.message, code: e && e.code === undefined ? null : e.code });
const b64 = (bytes) => encoding.base64Encode(bytes);
const scenes = {
  redRect() {
    const c = draw.createCanvas(20, 20);
    c.fillStyle = 'red';
    c.fillRect(5, 5, 10, 10);
    return c;
  },
  text(body) {
    const c = draw.createCanvas(300, 80, { background: '#fff' });
    c.font = body.font || '30px DejaVu Sans';
    c.fillStyle = '#000';
    c.textBaseline = 'top';
    c.fillText(body.text, 10, 10);
    return c;
  },
  arc() {
    const c = draw.createCanvas(40, 40, { background: 'white' });
    c.beginPath();
    c.arc(20, 20, 10, 0, Math.PI * 2);
    c.fillStyle = 'rgb(0, 0, 255)';
    c.fill();
    return c;
  },
  halfArc() {
    const c = draw.createCanvas(40, 40);
    c.beginPath();
    c.moveTo(20, 20);
    c.arc(20, 20, 15, 0, Math.PI);  // the lower half (y grows downwards)
    c.closePath();
    c.fillStyle = '#0f0';
    c.fill();
    return c;
  },
  gradient() {
    const c = draw.createCanvas(100, 10);
    const g = c.createLinearGradient(0, 0, 100, 0);
    g.addColorStop(0, 'red');
    g.addColorStop(1, 'blue');
    c.fillStyle = g;
    c.fillRect(0, 0, 100, 10);
    return c;
  },
  alpha() {
    const c = draw.createCanvas(10, 10, { background: 'white' });
    c.globalAlpha = 0.5;
    c.fillStyle = 'red';
    c.fillRect(0, 0, 10, 10);
    return c;
  },
  clip() {
    const c = draw.createCanvas(40, 40);
    c.beginPath();
    c.rect(10, 10, 10, 10);
    c.clip();
    c.fillStyle = 'black';
    c.fillRect(0, 0, 40, 40);
    return c;
  },
  transforms() {
    const c = draw.createCanvas(100, 100);
    c.save();
    c.translate(50, 50);
    c.rotate(Math.PI / 2);       // x now points down
    c.scale(2, 1);
    c.fillStyle = 'red';
    c.fillRect(0, 0, 10, 10);    // device: x 40–50, y 50–70
    c.restore();
    c.fillRect(0, 0, 5, 5);      // black again after restore, at the origin
    return c;
  },
  image(body) {
    const c = draw.createCanvas(30, 30);
    const png = encoding.base64Decode(body.png, 'bytes');
    c.drawImage(png, 0, 0);              // 4×4 at its size
    c.drawImage(png, 10, 10, 20, 20);    // scaled ×5
    return c;
  },
  imageFromStorage(body) {
    storage.write('pics/dot.png', encoding.base64Decode(body.png, 'bytes'));
    const c = draw.createCanvas(8, 8);
    c.drawImage('pics/dot.png', 2, 2);
    return c;
  },
  golden() {
    const c = draw.createCanvas(160, 120, { background: '#fafafa' });
    const g = c.createLinearGradient(0, 0, 160, 120);
    g.addColorStop(0, '#1e3a8a');
    g.addColorStop(1, 'hsl(330, 80%, 60%)');
    c.fillStyle = g;
    c.fillRect(0, 0, 160, 60);
    c.strokeStyle = 'rgba(255, 255, 255, 0.8)';
    c.lineWidth = 4;
    c.lineCap = 'round';
    c.beginPath();
    c.moveTo(10, 50);
    c.bezierCurveTo(50, 0, 110, 100, 150, 20);
    c.stroke();
    c.save();
    c.translate(40, 90);
    c.rotate(Math.PI / 8);
    c.fillStyle = '#f59e0b';
    c.fillRect(-15, -15, 30, 30);
    c.restore();
    const r = c.createRadialGradient(115, 90, 2, 115, 90, 25);
    r.addColorStop(0, 'white');
    r.addColorStop(1, 'teal');
    c.fillStyle = r;
    c.beginPath();
    c.arc(115, 90, 25, 0, Math.PI * 2);
    c.fill();
    c.globalAlpha = 0.5;
    c.fillStyle = 'black';
    c.beginPath();
    c.moveTo(60, 110);
    c.quadraticCurveTo(80, 60, 100, 110);
    c.closePath();
    c.fill();
    return c;
  },
};

service.start(() => {
  router.post('/scene/:name', (ctx) => {
    try {
      const c = scenes[ctx.params.name](ctx.body || {});
      return { png: b64(c.toPNG()) };
    } catch (e) { return { caught: describeError(e) }; }
  });
  router.post('/scene-async/:name', async (ctx) => {
    try {
      const c = scenes[ctx.params.name](ctx.body || {});
      return { png: b64(await c.toPNGAsync()) };
    } catch (e) { return { caught: describeError(e) }; }
  });
  router.post('/measure', (ctx) => {
    const c = draw.createCanvas(10, 10);
    c.font = ctx.body.font;
    return c.measureText(ctx.body.text);
  });
  router.post('/try', (ctx) => {
    const b = ctx.body;
    try {
      switch (b.what) {
        case 'size': draw.createCanvas(b.w, b.h); return { ok: true };
        case 'colour': { const c = draw.createCanvas(1, 1); c.fillStyle = b.value; return { ok: c.fillStyle }; }
        case 'stop': { const c = draw.createCanvas(1, 1); c.createLinearGradient(0, 0, 1, 1).addColorStop(b.offset, 'red'); return { ok: true }; }
        case 'font': { const c = draw.createCanvas(1, 1); c.font = b.value; return { ok: c.font }; }
        case 'save': { const c = draw.createCanvas(4, 4); c.fillRect(0, 0, 2, 2); c.save(b.path, b.options); return { ok: storage.stat(b.path) }; }
        case 'jpeg': { const c = draw.createCanvas(64, 64, { background: 'red' }); c.fillStyle = 'blue'; c.fillRect(0, 0, 32, 64); return { ok: b64(c.toJPEG(b.options)) }; }
        case 'image': { const c = draw.createCanvas(4, 4); c.drawImage(b.path ? b.path : new Uint8Array(b.bytes), 0, 0); c.toPNG(); return { ok: true }; }
        case 'registerFont': draw.registerFont(b.path, b.family); return { ok: true };
        case 'keyword': { const c = draw.createCanvas(1, 1); c[b.prop] = b.value; return { ok: c[b.prop] }; }
      }
    } catch (e) { return { caught: describeError(e) }; }
    return { caught: 'unknown' };
  });
  router.post('/put', (ctx) => { storage.write(ctx.body.path, encoding.base64Decode(ctx.body.b64, 'bytes')); return { ok: true }; });
  router.post('/font-width', (ctx) => {
    if (ctx.body.register) draw.registerFont(ctx.body.register, ctx.body.family);
    const c = draw.createCanvas(10, 10);
    c.font = '40px ' + ctx.body.family;
    return { width: c.measureText(ctx.body.text).width, png: b64((() => {
      const k = draw.createCanvas(400, 60, { background: 'white' });
      k.font = '40px ' + ctx.body.family;
      k.textBaseline = 'top';
      k.fillText(ctx.body.text, 0, 0);
      return k.toPNG();
    })()) };
  });
  router.get('/big', () => {
    const t0 = Date.now();
    const c = draw.createCanvas(1200, 1200, { background: 'white' });
    for (let i = 0; i < 80; i++) {
      const g = c.createRadialGradient(600, 600, 10, 600, 600, 600);
      g.addColorStop(0, 'rgba(255,0,0,0.5)');
      g.addColorStop(1, 'rgba(0,0,255,0.5)');
      c.fillStyle = g;
      c.beginPath();
      c.arc(600, 600, 590 - i, 0, Math.PI * 2);
      c.fill();
    }
    const png = c.toPNG();
    return { bytes: png.length, ms: Date.now() - t0, done: Date.now() };
  });
  router.get('/ping', () => ({ pong: Date.now() }));
  router.get('/red.png', () => router.response(200, scenes.redRect().toPNG(), { 'Content-Type': 'image/png' }));
  router.get('/raw', () => new Uint8Array([0, 255, 128, 7]).subarray(1, 3));
  router.get('/raw-buffer', () => new Uint16Array([0xfeff]).buffer);
});
`;

let server;
let rootToken;
let slug;
let small;  // a second server with a small runtime.draw.max_pixels

before(async () => {
  [{ server, rootToken }, small] = await Promise.all([
    startWithRoot(),
    startWithRoot({ env: { M3M_RUNTIME_DRAW_MAX_PIXELS: '10000' } }),
  ]);
  ({ project: { slug } } = await runningProject(server, rootToken, CODE));
  small.slug = (await runningProject(small.server, small.rootToken, CODE)).project.slug;
});

after(async () => {
  await server?.stop();
  await small?.server?.stop();
});

const scene = async (name, body = {}, route = '/scene/') => {
  const r = await callRoute(server, slug, route + name, { method: 'POST', body });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.png, `scene ${name}: ${r.text}`);
  return decodePng(Buffer.from(r.body.png, 'base64'));
};
const tryIt = async (body, on = { server, slug }) => {
  const r = await callRoute(on.server, on.slug, '/try', { method: 'POST', body });
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const near = (got, want, tol = 3, what = '') =>
  assert.ok(got.every((v, i) => Math.abs(v - want[i]) <= tol), `${what}: got [${got}], want [${want}] ±${tol}`);

test('a red fillRect: red inside, transparent outside, edges exact', async () => {
  const img = await scene('redRect');
  assert.equal(img.width, 20);
  assert.equal(img.height, 20);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) {
      const inside = x >= 5 && x < 15 && y >= 5 && y < 15;
      assert.deepEqual(img.pixel(x, y), inside ? [255, 0, 0, 255] : [0, 0, 0, 0], `pixel ${x},${y}`);
    }
  }
});

test('text (Latin, Cyrillic, emoji) changes pixels inside its box and none outside', async () => {
  for (const text of ['Hello', 'Привет, мир', 'ok 👍']) {
    const m = await callRoute(server, slug, '/measure', { method: 'POST', body: { font: '30px DejaVu Sans', text } });
    assert.equal(m.status, 200);
    assert.ok(m.body.width > 20 && m.body.width < 290, `${text}: width ${m.body.width}`);
    const img = await scene('text', { text });
    let inside = 0;
    const right = 10 + m.body.width, bottom = 10 + m.body.fontBoundingBoxAscent + m.body.fontBoundingBoxDescent;
    for (let y = 0; y < 80; y++) {
      for (let x = 0; x < 300; x++) {
        const p = img.pixel(x, y);
        const white = p[0] === 255 && p[1] === 255 && p[2] === 255;
        const inBox = x >= 8 && x <= right + 2 && y >= 3 && y <= bottom + 2;  // an emoji rises above the em square
        if (!inBox) assert.ok(white, `${text}: pixel ${x},${y} outside the text box is ${p}`);
        else if (!white) inside++;
      }
    }
    assert.ok(inside > 100, `${text}: only ${inside} pixels drawn`);
  }
  // The emoji comes from a colour font (Noto Color Emoji): some drawn pixel is neither grey nor white.
  const img = await scene('text', { text: '👍' });
  let coloured = 0;
  for (let y = 0; y < 80; y++) for (let x = 0; x < 80; x++) {
    const [r, g, b] = img.pixel(x, y);
    if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
  }
  assert.ok(coloured > 20, `emoji drawn in colour (${coloured} coloured pixels)`);
});

test('arc, a half arc, a gradient, globalAlpha, clip and transforms give the expected pixels', async () => {
  let img = await scene('arc');
  near(img.pixel(20, 20), [0, 0, 255, 255], 0, 'arc centre');
  near(img.pixel(20, 12), [0, 0, 255, 255], 0, 'arc inside');
  near(img.pixel(3, 3), [255, 255, 255, 255], 0, 'arc corner');
  near(img.pixel(20, 5), [255, 255, 255, 255], 0, 'above the arc');

  img = await scene('halfArc');
  near(img.pixel(20, 28), [0, 255, 0, 255], 0, 'lower half');
  near(img.pixel(20, 12), [0, 0, 0, 0], 0, 'upper half');

  img = await scene('gradient');
  near(img.pixel(0, 5), [255, 0, 0, 255], 4, 'gradient start');
  near(img.pixel(99, 5), [0, 0, 255, 255], 4, 'gradient end');
  near(img.pixel(50, 5), [127, 0, 128, 255], 4, 'gradient middle');

  img = await scene('alpha');
  near(img.pixel(5, 5), [255, 128, 128, 255], 2, 'half-transparent red on white');

  img = await scene('clip');
  near(img.pixel(15, 15), [0, 0, 0, 255], 0, 'inside the clip');
  near(img.pixel(5, 5), [0, 0, 0, 0], 0, 'outside the clip');
  near(img.pixel(25, 15), [0, 0, 0, 0], 0, 'outside the clip (right)');

  img = await scene('transforms');
  near(img.pixel(45, 60), [255, 0, 0, 255], 0, 'translated, rotated, scaled rect');
  near(img.pixel(55, 55), [0, 0, 0, 0], 0, 'not where the untransformed rect would be');
  near(img.pixel(45, 72), [0, 0, 0, 0], 0, 'scale(2, 1) along the rotated x only');
  near(img.pixel(2, 2), [0, 0, 0, 255], 0, 'after restore: black at the origin');
});

test('drawImage: bytes at their size and scaled, and a storage path', async () => {
  const png = makePng(4, 4, { pixel: () => [0, 200, 0] }).toString('base64');
  let img = await scene('image', { png });
  near(img.pixel(1, 1), [0, 200, 0, 255], 0, 'at its size');
  near(img.pixel(5, 5), [0, 0, 0, 0], 0, 'outside the first copy');
  near(img.pixel(20, 20), [0, 200, 0, 255], 0, 'scaled');
  near(img.pixel(29, 29), [0, 200, 0, 255], 1, 'scaled, its corner');
  img = await scene('imageFromStorage', { png });
  near(img.pixel(3, 3), [0, 200, 0, 255], 0, 'from storage');
  near(img.pixel(0, 0), [0, 0, 0, 0], 0, 'from storage, outside');
  // Not an image; a path outside the storage.
  let r = await tryIt({ what: 'image', bytes: [1, 2, 3, 4] });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));
  assert.match(r.caught.message, /drawImage: not an image/);
  r = await tryIt({ what: 'image', path: '../../etc/passwd' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));
});

test('a route answers with the PNG bytes as they are', async () => {
  let r = await callRoute(server, slug, '/red.png');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  const img = decodePng(r.bytes);
  assert.deepEqual(img.pixel(10, 10), [255, 0, 0, 255]);
  r = await callRoute(server, slug, '/raw');
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual([...r.bytes], [255, 128]);  // the view's window, not UTF-8 of it
  r = await callRoute(server, slug, '/raw-buffer');
  assert.deepEqual([...r.bytes], [0xff, 0xfe]);
});

test('toPNGAsync resolves to the same image', async () => {
  const img = await scene('redRect', {}, '/scene-async/');
  assert.deepEqual(img.pixel(10, 10), [255, 0, 0, 255]);
  assert.deepEqual(img.pixel(2, 2), [0, 0, 0, 0]);
});

test('golden image (tolerance ±8 per channel on 99.5% of the pixels)', async () => {
  const r = await callRoute(server, slug, '/scene/golden', { method: 'POST', body: {} });
  const bytes = Buffer.from(r.body.png, 'base64');
  const file = path.join(GOLDEN, 'shapes.png');
  if (process.env.UPDATE_GOLDENS) fs.writeFileSync(file, bytes);
  const want = decodePng(fs.readFileSync(file));
  const got = decodePng(bytes);
  assert.equal(got.width, want.width);
  assert.equal(got.height, want.height);
  let off = 0;
  for (let y = 0; y < got.height; y++) for (let x = 0; x < got.width; x++) {
    const a = got.pixel(x, y), b = want.pixel(x, y);
    if (a.some((v, i) => Math.abs(v - b[i]) > 8)) off++;
  }
  assert.ok(off <= got.width * got.height * 0.005, `${off} pixels differ from tests/golden/draw/shapes.png`);
});

test('the canvas size: too large, past runtime.draw.max_pixels, not a whole number', async () => {
  let r = await tryIt({ what: 'size', w: 100000, h: 100000 });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));  // over 32767 a side
  r = await tryIt({ what: 'size', w: 30000, h: 30000 });
  assert.equal(r.caught?.code, 'PAYLOAD_TOO_LARGE', JSON.stringify(r));
  assert.match(r.caught.message, /runtime\.draw\.max_pixels/);
  r = await tryIt({ what: 'size', w: 10.5, h: 10 });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT');
  r = await tryIt({ what: 'size', w: 0, h: 10 });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT');
  const on = { server: small.server, slug: small.slug };
  assert.deepEqual(await tryIt({ what: 'size', w: 100, h: 100 }, on), { ok: true });
  r = await tryIt({ what: 'size', w: 101, h: 100 }, on);
  assert.equal(r.caught?.code, 'PAYLOAD_TOO_LARGE', JSON.stringify(r));
  assert.equal(r.caught?.name, 'RangeError');
  // An image larger than the limit is refused from its header, before decoding.
  r = await tryIt({ what: 'image', bytes: [...makePng(200, 100, { pixel: () => [1, 2, 3] })] }, on);
  assert.equal(r.caught?.code, 'PAYLOAD_TOO_LARGE', JSON.stringify(r));
});

test('bad colours, gradient stops, fonts and keywords throw clear errors', async () => {
  for (const good of [['#f00', '#ff0000'], ['#FF000080', 'rgba(255, 0, 0, 0.5)'], ['rgb(0 128 255 / 50%)', 'rgba(0, 128, 255, 0.5)'],
    ['hsl(120, 100%, 25%)', '#008000'], ['RebeccaPurple', '#663399'], ['transparent', 'rgba(0, 0, 0, 0)']]) {
    assert.deepEqual(await tryIt({ what: 'colour', value: good[0] }), { ok: good[1] }, good[0]);
  }
  for (const bad of ['bluish', '#12', 'rgb(1, 2)', 'rgb(1 2 3, 4)', '', 'hsl(10, 20%)', 42]) {
    const r = await tryIt({ what: 'colour', value: bad });
    assert.equal(r.caught?.code, 'INVALID_ARGUMENT', `${JSON.stringify(bad)}: ${JSON.stringify(r)}`);
    assert.equal(r.caught.name, 'TypeError');
    assert.match(r.caught.message, /fillStyle/);
    if (typeof bad === 'string' && bad) assert.ok(r.caught.message.includes(JSON.stringify(bad)), r.caught.message);
  }
  let r = await tryIt({ what: 'stop', offset: 1.5 });
  assert.equal(r.caught?.name, 'RangeError');
  assert.deepEqual(await tryIt({ what: 'font', value: 'bold 20px "DejaVu Sans", sans-serif' }), { ok: 'bold 20px "DejaVu Sans", sans-serif' });
  r = await tryIt({ what: 'font', value: 'twenty pixels Arial' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT');
  assert.match(r.caught.message, /font/);
  r = await tryIt({ what: 'keyword', prop: 'lineCap', value: 'pointy' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT');
  assert.match(r.caught.message, /lineCap must be one of "butt", "round", "square"/);
  assert.deepEqual(await tryIt({ what: 'keyword', prop: 'textAlign', value: 'center' }), { ok: 'center' });
  assert.deepEqual(await tryIt({ what: 'keyword', prop: 'lineWidth', value: -3 }), { ok: 1 });  // ignored, as in a browser
});

test('save(path): PNG and JPEG to storage; traversal and unknown extensions refused; toJPEG quality', async () => {
  let r = await tryIt({ what: 'save', path: 'out/a.png' });
  assert.equal(r.ok?.mime_type, 'image/png', JSON.stringify(r));
  r = await tryIt({ what: 'save', path: 'out/b.jpg', options: { quality: 50 } });
  assert.equal(r.ok?.mime_type, 'image/jpeg', JSON.stringify(r));
  for (const bad of ['../escape.png', '/abs.png', 'a/../../b.png']) {
    r = await tryIt({ what: 'save', path: bad });
    assert.equal(r.caught?.code, 'INVALID_ARGUMENT', `${bad}: ${JSON.stringify(r)}`);
  }
  r = await tryIt({ what: 'save', path: 'out/c.gif' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT');
  assert.match(r.caught.message, /\.png, \.jpg or \.jpeg/);
  r = await tryIt({ what: 'jpeg', options: { quality: 0 } });
  assert.equal(r.caught?.name, 'RangeError');
  const lo = Buffer.from((await tryIt({ what: 'jpeg', options: { quality: 10 } })).ok, 'base64');
  const hi = Buffer.from((await tryIt({ what: 'jpeg', options: { quality: 95 } })).ok, 'base64');
  assert.deepEqual([...lo.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.ok(hi.length > lo.length, `quality 95 (${hi.length} B) larger than 10 (${lo.length} B)`);
});

test('registerFont: a storage font under a family name, for this project only', async () => {
  const font = fs.readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf');
  let r = await callRoute(server, slug, '/put', { method: 'POST', body: { path: 'fonts/mono.ttf', b64: font.toString('base64') } });
  assert.equal(r.status, 200, r.text);
  const text = 'iiiiii';
  const before = await callRoute(server, slug, '/font-width', { method: 'POST', body: { family: 'BrandFace', text } });
  const mine = await callRoute(server, slug, '/font-width', { method: 'POST', body: { family: 'BrandFace', text, register: 'fonts/mono.ttf' } });
  // Monospace: six i's are as wide as six m's; the fallback's i is narrow.
  assert.ok(mine.body.width > before.body.width * 1.5, `registered ${mine.body.width} vs fallback ${before.body.width}`);
  assert.notEqual(mine.body.png, before.body.png);
  // Another project of the same server does not see it.
  const other = (await runningProject(server, rootToken, CODE)).project.slug;
  const theirs = await callRoute(server, other, '/font-width', { method: 'POST', body: { family: 'BrandFace', text } });
  assert.equal(theirs.body.width, before.body.width);
  // Not a font; outside the storage.
  r = await tryIt({ what: 'registerFont', path: 'pics/dot.png', family: 'X' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));
  r = await tryIt({ what: 'registerFont', path: '../x.ttf', family: 'X' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));
  r = await tryIt({ what: 'registerFont', path: 'fonts/mono.ttf', family: 'a,b' });
  assert.equal(r.caught?.code, 'INVALID_ARGUMENT', JSON.stringify(r));
});

test('a big render is a waiting call: another route of the project answers meanwhile', async () => {
  const big = callRoute(server, slug, '/big', { timeout: 120_000 });
  await new Promise((r) => setTimeout(r, 200));
  const ping = await callRoute(server, slug, '/ping');
  const done = await big;
  assert.equal(done.status, 200, done.text);
  assert.equal(ping.status, 200);
  assert.ok(done.body.bytes > 1000);
  assert.ok(ping.body.pong < done.body.done, `ping answered at ${ping.body.pong}, the render ended at ${done.body.done} (took ${done.body.ms} ms)`);
});
