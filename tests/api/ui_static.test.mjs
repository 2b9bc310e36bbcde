// The embedded admin UI as the real binary serves it: caching headers,
// precompressed encodings by Accept-Encoding, SPA fallback, /api and /r never
// falling back (JSON 404s), window.__APP_CONFIG__, ETag revalidation, and the
// size of what the login page loads (< 300 KB gzip).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startServer } from './harness.mjs';

let server;
let indexHtml;
let assets; // /assets/… referenced by index.html
before(async () => {
  server = await startServer();
  const r = await raw('GET', '/');
  indexHtml = r.body.toString('utf8');
  assets = [...indexHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
});
after(async () => {
  await server?.stop();
});

// A raw request (fetch would decompress and send its own Accept-Encoding).
function raw(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('index.html', () => {
  test('GET / is the app: HTML, no-cache, with __APP_CONFIG__ injected once', async () => {
    const r = await raw('GET', '/', { 'Accept-Encoding': 'br, gzip' });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.equal(r.headers['content-encoding'], undefined, 'index.html is served as is (its config is injected at start)');
    assert.ok(r.headers['x-request-id'], 'the middleware chain runs for UI requests too');
    const html = r.body.toString('utf8');
    const m = html.match(/<script>window\.__APP_CONFIG__=(\{[^<]*\});<\/script>/);
    assert.ok(m, 'config script present');
    const config = JSON.parse(m[1]);
    assert.equal(config.apiURL, '');
    assert.match(config.version, /^\d+\.\d+\.\d+/);
    assert.equal(html.split('__APP_CONFIG__').length, 2, 'injected exactly once');
    assert.ok(html.indexOf('__APP_CONFIG__') < html.indexOf('</head>'), 'before </head>, so it runs before the app');
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `assets: ${assets}`);
  });

  test('SPA fallback: any other non-API GET path is index.html (HEAD too)', async () => {
    for (const p of ['/login', '/projects', '/projects/0190f1b2-aaaa-7bbb-8ccc-000000000000', '/a/b/c?x=1', '/index.html']) {
      const r = await raw('GET', p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers['cache-control'], 'no-cache', p);
      assert.equal(r.body.toString('utf8'), indexHtml, p);
    }
    const head = await raw('HEAD', '/projects');
    assert.equal(head.status, 200);
    assert.match(head.headers['content-type'], /^text\/html/);
    assert.equal(head.body.length, 0);
  });

  test('revalidation: If-None-Match with the ETag is a 304 without a body', async () => {
    const r = await raw('GET', '/');
    assert.ok(r.headers.etag);
    const again = await raw('GET', '/projects', { 'If-None-Match': r.headers.etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal((await raw('GET', '/', { 'If-None-Match': '"stale"' })).status, 200);
  });
});

describe('hashed assets', () => {
  test('are immutable for a year, typed, and vary by Accept-Encoding', async () => {
    for (const a of assets) {
      const r = await raw('GET', a);
      assert.equal(r.status, 200, a);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', a);
      assert.equal(r.headers.vary, 'Accept-Encoding', a);
      assert.match(r.headers['content-type'], a.endsWith('.js') ? /^text\/javascript/ : /^text\/css/, a);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('brotli, gzip or identity by Accept-Encoding, all the same bytes', async () => {
    for (const a of assets) {
      const plain = await raw('GET', a);
      assert.equal(plain.headers['content-encoding'], undefined, `${a}: no Accept-Encoding → identity`);
      const br = await raw('GET', a, { 'Accept-Encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br', a);
      assert.ok(br.body.length < plain.body.length, `${a}: brotli is smaller`);
      assert.deepEqual(brotliDecompressSync(br.body), plain.body, a);
      const gz = await raw('GET', a, { 'Accept-Encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip', a);
      assert.deepEqual(gunzipSync(gz.body), plain.body, a);
      const refused = await raw('GET', a, { 'Accept-Encoding': 'br;q=0, gzip' });
      assert.equal(refused.headers['content-encoding'], 'gzip', `${a}: q=0 refuses br`);
      const none = await raw('GET', a, { 'Accept-Encoding': 'identity' });
      assert.equal(none.headers['content-encoding'], undefined, a);
      assert.deepEqual(none.body, plain.body, a);
      assert.equal(Number(br.headers['content-length']), br.body.length);
    }
  });

  test('a missing hashed asset is a 404, never index.html', async () => {
    const r = await raw('GET', '/assets/index-00000000.js');
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.body.toString('utf8'), /<html/i);
  });

  test('other public files are served with a short cache', async () => {
    const r = await raw('GET', '/favicon.svg');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'image/svg+xml');
    assert.equal(r.headers['cache-control'], 'public, max-age=3600');
  });

  test('the login page loads less than 300 KB gzip', async () => {
    let total = (await raw('GET', '/', { 'Accept-Encoding': 'gzip' })).body.length;
    for (const a of assets) total += (await raw('GET', a, { 'Accept-Encoding': 'gzip' })).body.length;
    assert.ok(total < 300 * 1024, `login page: ${(total / 1024).toFixed(1)} KB gzip`);
  });
});

describe('API paths never fall back to the UI', () => {
  for (const p of ['/api', '/api/', '/api/nope', '/api/projects/x/nope', '/r', '/r/', '/r/no-such-project/', '/r/no-such-project/a/b']) {
    test(`GET ${p} is a JSON error`, async () => {
      const r = await raw('GET', p, { Accept: 'text/html' });
      assert.ok(r.status === 404 || r.status === 401, `${p}: ${r.status}`);
      assert.match(r.headers['content-type'], /^application\/json/, p);
      const body = JSON.parse(r.body.toString('utf8'));
      assert.ok(body.error?.code, p);
    });
  }

  test('the API still answers under the UI', async () => {
    const r = await raw('GET', '/api/health');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /^application\/json/);
    const doc = await raw('GET', '/api/openapi.json');
    assert.equal(doc.status, 200);
    assert.ok(JSON.parse(doc.body.toString('utf8')).paths['/api/projects']);
  });

  test('a non-GET request to a UI path gets the API\'s JSON error, not HTML', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await raw(method, '/projects');
      assert.ok(r.status === 404 || r.status === 405, `${method}: ${r.status}`);
      assert.match(r.headers['content-type'], /^application\/json/, method);
    }
  });
});
