// HTTP/2 (issue 16): project JS calls a local Node `http2.createSecureServer`
// (a certificate of a self-signed CA made by this test, trusted through
// runtime.http.ca_file) with `http.get` and `fetch`; the server sees HTTP/2.
// The server also speaks HTTP/1.1 (allowHTTP1), so a client that stops
// negotiating h2 over ALPN still gets an answer — and the test sees '1.1'.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { callRoute, expectStatus, readRunLog, runningProject, startWithRoot } from './fixtures.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'm3m-h2-'));
const f = (name) => path.join(dir, name);
let h2;
let h2Url;
const seen = []; // {version, method, path, alpn} of every request the server got
let m3m;

before(async () => {
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=m3m h2 test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  h2 = http2.createSecureServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')), allowHTTP1: true }, (req, res) => {
    const alpn = req.socket?.alpnProtocol ?? req.stream?.session?.alpnProtocol ?? null;
    seen.push({ version: req.httpVersion, method: req.method, path: req.url, alpn });
    // Read the whole request first: answering an HTTP/2 stream whose body is still
    // coming resets it (RST_STREAM), which the client rightly reports as an error.
    let size = 0;
    req.on('data', (d) => (size += d.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-served-by', 'node-http2');
      res.end(JSON.stringify({ httpVersion: req.httpVersion, path: req.url, bodyBytes: size }));
    });
  });
  await new Promise((r) => h2.listen(0, '127.0.0.1', r));
  h2Url = `https://localhost:${h2.address().port}`;
  m3m = await startWithRoot({ env: { M3M_RUNTIME_HTTP_CA_FILE: f('ca.pem') } });
});

after(async () => {
  await m3m?.server.stop();
  await new Promise((r) => h2.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const code = `service.start(() => {
  router.get('/sync', (ctx) => {
    const r = http.get(ctx.query.url);
    return { status: r.status, header: r.headers.get('X-Served-By'), body: r.json() };
  });
  router.get('/fetch', async (ctx) => {
    const r = await fetch(ctx.query.url);
    return { status: r.status, header: r.headers.get('X-Served-By'), body: await r.json() };
  });
  router.get('/many', async (ctx) => {
    const rs = await Promise.all([1, 2, 3].map((i) => fetch(ctx.query.url + '/p' + i).then((r) => r.json())));
    return { fetched: rs.map((b) => b.httpVersion) };
  });
  router.get('/both', async (ctx) => {
    const rs = await Promise.all([1, 2].map((i) => fetch(ctx.query.url + '/b' + i, { method: 'POST', body: 'y'.repeat(5000) }).then((r) => r.json())));
    const s = http.post(ctx.query.url + '/b3', { n: 2 }).json();
    return { versions: rs.map((b) => b.httpVersion).concat(s.httpVersion), sizes: rs.map((b) => b.bodyBytes).concat(s.bodyBytes) };
  });
  router.get('/post', (ctx) => {
    const b = http.post(ctx.query.url + '/post', { n: 1, text: 'x'.repeat(20000) }).json();
    return { posted: b.httpVersion, bodyBytes: b.bodyBytes };
  });
});`;

test('http.get and fetch reach an HTTP/2 server over TLS as HTTP/2', async () => {
  const { server, rootToken } = m3m;
  const { project } = await runningProject(server, rootToken, code);
  const q = (p) => `?url=${encodeURIComponent(h2Url + p)}`;

  const before = seen.length;
  const sync = await callRoute(server, project.slug, '/sync' + q('/via-http-get'));
  expectStatus(sync, 200, 'http.get route');
  assert.deepEqual(sync.body, { status: 200, header: 'node-http2', body: { httpVersion: '2.0', path: '/via-http-get', bodyBytes: 0 } });

  const viaFetch = await callRoute(server, project.slug, '/fetch' + q('/via-fetch'));
  expectStatus(viaFetch, 200, 'fetch route');
  assert.deepEqual(viaFetch.body, { status: 200, header: 'node-http2', body: { httpVersion: '2.0', path: '/via-fetch', bodyBytes: 0 } });

  // Several requests at once, and a POST with a body: still HTTP/2.
  const log = async () => (await readRunLog(server, rootToken, project.id)).join('\n');
  const many = await callRoute(server, project.slug, '/many' + q(''));
  assert.equal(many.status, 200, `concurrent fetches: ${many.text}\n${await log()}`);
  assert.deepEqual(many.body, { fetched: ['2.0', '2.0', '2.0'] });
  const post = await callRoute(server, project.slug, '/post' + q(''));
  assert.equal(post.status, 200, `a POST: ${post.text}\n${await log()}`);
  assert.deepEqual(post.body, { posted: '2.0', bodyBytes: JSON.stringify({ n: 1, text: 'x'.repeat(20000) }).length });

  // fetches in flight together, then a waiting call after the await.
  const both = await callRoute(server, project.slug, '/both' + q(''));
  assert.equal(both.status, 200, `fetches then http.post: ${both.text}\n${await log()}`);
  assert.deepEqual(both.body, { versions: ['2.0', '2.0', '2.0'], sizes: [5000, 5000, 7] });

  // The server's own view: every request of this test came as HTTP/2, negotiated by ALPN.
  const mine = seen.slice(before);
  assert.equal(mine.length, 9, JSON.stringify(mine));
  for (const s of mine) {
    assert.equal(s.version, '2.0', JSON.stringify(s));
    assert.equal(s.alpn, 'h2', JSON.stringify(s));
  }
  assert.deepEqual(mine.map((s) => s.method).sort(), ['GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST']);
});
