// Outbound HTTP from project code (issue 16, `http`): a local test server,
// every option, the error codes, redirects, caps, the outbound policy, waits
// that leave the isolate, and project → project calls.
// Contract: docs/runtime.md ("http").
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { after, before, test } from 'node:test';
import { api, callRoute, describe, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

let server;
let rootToken;
let peer; // the test's own HTTP server
let peerUrl;
const seen = []; // requests the peer received

before(async () => {
  peer = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const u = new URL(req.url, 'http://x');
      seen.push({ method: req.method, path: u.pathname, query: u.search, headers: req.headers, body });
      const json = (status, obj, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(obj));
      };
      switch (u.pathname) {
        case '/json': return json(200, { hello: 'world', n: 42 }, { 'x-thing': 'a' });
        case '/echo':
          return json(200, { method: req.method, query: u.search, headers: req.headers, body: body.toString('base64') });
        case '/status': return json(Number(u.searchParams.get('code')), { code: Number(u.searchParams.get('code')) });
        case '/redirect': res.writeHead(302, { location: '/json' }); return res.end();
        case '/see-other': res.writeHead(303, { location: '/echo' }); return res.end();
        case '/loop': res.writeHead(302, { location: '/loop' }); return res.end();
        case '/big': res.writeHead(200, { 'content-type': 'application/octet-stream' }); return res.end(Buffer.alloc(1 << 20, 7));
        case '/gzip':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          return res.end(zlib.gzipSync('squeezed text '.repeat(100)));
        case '/cookies':
          res.writeHead(200, [['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=two; HttpOnly'], ['Content-Type', 'text/plain']]);
          return res.end('ok');
        case '/slow':
          return setTimeout(() => json(200, { slept: Number(u.searchParams.get('ms')) }), Number(u.searchParams.get('ms')));
        default: return json(404, { error: 'no such path' });
      }
    });
  });
  await new Promise((r) => peer.listen(0, '127.0.0.1', r));
  peerUrl = `http://127.0.0.1:${peer.address().port}`;
  ({ server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_TIMEOUT: '500ms', M3M_RUNTIME_HTTP_MAX_TIMEOUT: '20s' } }));
});
after(async () => {
  await server?.stop();
  await new Promise((r) => peer.close(r));
});

// A project whose /t route runs `body` (with PEER = the test server's URL) and returns its value.
async function project(body, extra = '') {
  const { project } = await runningProject(server, rootToken, `
    const PEER = ${JSON.stringify(peerUrl)};
    service.start(() => {
      router.get('/t', (ctx) => { ${body} });
      ${extra}
    });`);
  return project;
}
async function t(body) {
  const p = await project(body);
  const res = await callRoute(server, p.slug, '/t');
  expectStatus(res, 200, `the route (${describe(res)})`);
  return res.body;
}

test('http.get: status, ok, headers (case-insensitive), json(), text(), bytes(), url', async () => {
  const r = await t(`const r = http.get(PEER + '/json');
    return { status: r.status, ok: r.ok, statusText: r.statusText, ct: r.headers.get('Content-Type'), has: r.headers.has('X-THING'),
             json: r.json(), text: r.text(), bytes: r.bytes() instanceof Uint8Array, len: r.bytes().length, url: r.url,
             redirected: r.redirected, entries: [...r.headers].length > 2 }`);
  assert.equal(r.status, 200);
  assert.equal(r.ok, true);
  assert.equal(r.statusText, 'OK');
  assert.equal(r.ct, 'application/json');
  assert.equal(r.has, true);
  assert.deepEqual(r.json, { hello: 'world', n: 42 });
  assert.equal(r.text, '{"hello":"world","n":42}');
  assert.equal(r.bytes, true);
  assert.equal(r.len, 24);
  assert.equal(r.url, `${peerUrl}/json`);
  assert.equal(r.redirected, false);
  assert.equal(r.entries, true);
});

test('a non-2xx status is returned, not thrown', async () => {
  const r = await t(`const r = http.get(PEER + '/status?code=404'); return { status: r.status, ok: r.ok, body: r.json() }`);
  assert.deepEqual(r, { status: 404, ok: false, body: { code: 404 } });
});

test('bodies: object → JSON, string, bytes, {form}; query, headers and cookies are sent', async () => {
  const r = await t(`
    const j = http.post(PEER + '/echo', { a: [1, 2] }, { headers: { 'X-Custom': 'v1' }, query: { q: 'a b', list: [1, 2] }, cookies: { sid: 'abc', x: '1' } }).json();
    const s = http.put(PEER + '/echo', 'plain text').json();
    const b = http.patch(PEER + '/echo', new Uint8Array([0, 255, 7])).json();
    const f = http.post(PEER + '/echo', { form: { name: 'Анна', n: 3 } }).json();
    const d = http.delete(PEER + '/echo').json();
    const q = http.request({ method: 'post', url: PEER + '/echo', body: [1, 'two'] }).json();
    return { j, s, b, f, d, q }`);
  assert.equal(r.j.method, 'POST');
  assert.equal(r.j.query, '?q=a%20b&list=1&list=2');
  assert.equal(r.j.headers['content-type'], 'application/json');
  assert.equal(r.j.headers['x-custom'], 'v1');
  assert.equal(r.j.headers.cookie, 'sid=abc; x=1');
  assert.equal(Buffer.from(r.j.body, 'base64').toString(), '{"a":[1,2]}');
  assert.equal(r.s.method, 'PUT');
  assert.match(r.s.headers['content-type'], /^text\/plain/);
  assert.equal(Buffer.from(r.s.body, 'base64').toString(), 'plain text');
  assert.equal(r.b.method, 'PATCH');
  assert.equal(r.b.headers['content-type'], 'application/octet-stream');
  assert.deepEqual([...Buffer.from(r.b.body, 'base64')], [0, 255, 7]);
  assert.equal(r.f.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.equal(Buffer.from(r.f.body, 'base64').toString(), 'name=%D0%90%D0%BD%D0%BD%D0%B0&n=3');
  assert.equal(r.d.method, 'DELETE');
  assert.equal(r.q.method, 'POST');
  assert.equal(Buffer.from(r.q.body, 'base64').toString(), '[1,"two"]');
});

test('redirects: followed (url updated), manual, 303 becomes GET, a loop is a REDIRECTS error', async () => {
  const r = await t(`
    const f = http.get(PEER + '/redirect');
    const m = http.get(PEER + '/redirect', { redirect: 'manual' });
    const s = http.post(PEER + '/see-other', { x: 1 }).json();
    let loop; try { http.get(PEER + '/loop') } catch (e) { loop = { name: e.name, code: e.code, isHttpError: e instanceof http.HttpError, msg: e.message } }
    return { f: { status: f.status, url: f.url, redirected: f.redirected, json: f.json() }, m: { status: m.status, location: m.headers.get('location') }, s, loop }`);
  assert.deepEqual(r.f, { status: 200, url: `${peerUrl}/json`, redirected: true, json: { hello: 'world', n: 42 } });
  assert.deepEqual(r.m, { status: 302, location: '/json' });
  assert.equal(r.s.method, 'GET');
  assert.equal(r.s.body, '');
  assert.equal(r.loop.code, 'REDIRECTS');
  assert.equal(r.loop.name, 'HttpError');
  assert.equal(r.loop.isHttpError, true);
  assert.match(r.loop.msg, /\/loop/);
});

test('errors: TOO_LARGE, TIMEOUT, DNS, CONNECT, INVALID — catchable, naming the URL; the run keeps serving', async () => {
  const r = await t(`
    const code = (fn) => { try { fn(); return 'no error' } catch (e) { return e.code + ' ' + (e.name || '') + ' ' + e.message } };
    return {
      large: code(() => http.get(PEER + '/big', { maxBytes: 1000 })),
      fits: http.get(PEER + '/big').bytes().length,
      timeout: code(() => http.get(PEER + '/slow?ms=3000', { timeout: 300 })),
      dns: code(() => http.get('http://no-such-host.invalid/x')),
      refused: code(() => http.get('http://127.0.0.1:1/x')),
      scheme: code(() => http.get('file:///etc/passwd')),
      badMethod: code(() => http.request({ method: 'GE T', url: PEER })),
      crlf: code(() => http.get(PEER + '/json', { headers: { 'X-A': 'a\\r\\nInjected: 1' } })),
      tooLong: code(() => http.get(PEER + '/json', { timeout: 10 * 60 * 1000 })),
    }`);
  assert.match(r.large, /^TOO_LARGE HttpError .*\/big/);
  assert.equal(r.fits, 1 << 20);
  assert.match(r.timeout, /^TIMEOUT HttpError .*\/slow/);
  assert.match(r.dns, /^DNS HttpError .*no-such-host\.invalid/);
  assert.match(r.refused, /^CONNECT HttpError .*127\.0\.0\.1:1/);
  assert.match(r.scheme, /^INVALID HttpError .*file:/);
  assert.match(r.badMethod, /^INVALID_ARGUMENT .*method/);
  assert.match(r.crlf, /^INVALID_ARGUMENT .*control character/);
  assert.match(r.tooLong, /^INVALID_ARGUMENT .*runtime\.http\.max_timeout/);
});

test('gzip is decoded; Set-Cookie headers are kept apart and parsed into cookies', async () => {
  const r = await t(`
    const g = http.get(PEER + '/gzip');
    const c = http.get(PEER + '/cookies');
    return { text: g.text(), cookies: c.cookies, all: c.headers.getSetCookie(), first: c.headers.get('set-cookie') }`);
  assert.equal(r.text, 'squeezed text '.repeat(100));
  assert.deepEqual(r.cookies, { a: '1', b: 'two' });
  assert.deepEqual(r.all, ['a=1; Path=/', 'b=two; HttpOnly']);
  assert.equal(r.first, 'a=1; Path=/');
});

test('a long call is not cut by runtime.timeout (500 ms here): the wait is not CPU time', async () => {
  const r = await t(`return http.get(PEER + '/slow?ms=1500', { timeout: 5000 }).json()`);
  assert.deepEqual(r, { slept: 1500 });
});

test('while one request waits in http.get, the project answers others', async () => {
  const p = await project(`return http.get(PEER + '/slow?ms=1500').json()`, `router.get('/fast', () => ({ fast: true }));`);
  const slow = callRoute(server, p.slug, '/t');
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  const fast = await callRoute(server, p.slug, '/fast');
  const ms = Date.now() - t0;
  expectStatus(fast, 200, 'fast');
  assert.ok(ms < 500, `the fast route answered in ${ms} ms while the other waited`);
  expectStatus(await slow, 200, 'slow');
});

test('project → project calls, and a project calling itself, do not deadlock', async () => {
  const { project: b } = await runningProject(server, rootToken, `service.start(() => router.get('/hello', () => ({ from: 'b' })));`);
  const base = server.url;
  const { project: a } = await runningProject(server, rootToken, `
    service.start(() => {
      router.get('/inner', () => ({ from: 'a' }));
      router.get('/t', () => ({
        b: http.get(${JSON.stringify(base)} + '/r/${b.slug}/hello').json(),
        self: http.get(${JSON.stringify(base)} + '/r/' + service.project.slug + '/inner').json(),
      }));
    });`);
  const res = await callRoute(server, a.slug, '/t');
  expectStatus(res, 200, 'a → b and a → a');
  assert.deepEqual(res.body, { b: { from: 'b' }, self: { from: 'a' } });
});

test('outbound policy: allow_private false refuses loopback (DENIED); deny by host name; checked on redirects', async () => {
  const { server: strict, rootToken: token } = await startWithRoot({
    env: { M3M_RUNTIME_HTTP_ALLOW_PRIVATE: 'false', M3M_RUNTIME_HTTP_DENY: 'blocked.example' },
  });
  try {
    const { project: p } = await runningProject(strict, token, `
      service.start(() => router.get('/t', () => {
        const code = (fn) => { try { fn(); return 'no error' } catch (e) { return e.code + ' ' + e.message } };
        return { loop: code(() => http.get(${JSON.stringify(peerUrl)} + '/json')),
                 local: code(() => http.get('http://localhost:${peer.address().port}/json')),
                 named: code(() => http.get('http://blocked.example/x')) };
      }));`);
    const res = await callRoute(strict, p.slug, '/t');
    expectStatus(res, 200, 'policy route');
    assert.match(res.body.loop, /^DENIED .*127\.0\.0\.1.*allow_private/);
    assert.match(res.body.local, /^DENIED /);
    assert.match(res.body.named, /^DENIED .*blocked\.example.*runtime\.http\.deny/);
  } finally {
    await strict.stop();
  }
  // Redirects pass the policy at each hop: a deny list naming the peer's address by CIDR.
  const { server: s2, rootToken: t2 } = await startWithRoot({ env: { M3M_RUNTIME_HTTP_DENY: '127.0.0.2/32' } });
  try {
    const { project: p } = await runningProject(s2, t2, `
      service.start(() => router.get('/t', () => { try { http.get(${JSON.stringify(peerUrl)} + '/json'); return { ok: true } } catch (e) { return { code: e.code } } }));`);
    const res = await callRoute(s2, p.slug, '/t');
    assert.deepEqual(res.body, { ok: true }, 'an address outside the deny list passes');
  } finally {
    await s2.stop();
  }
});

test('fetch: Response (status, headers, json/text/bytes), POST with a body, Request/Headers/Response classes', async () => {
  const r = await t(`return (async () => {
    const a = await fetch(PEER + '/json');
    const json = await a.json();
    let again; try { await a.text() } catch (e) { again = e instanceof TypeError }
    const b = await fetch(new Request(PEER + '/echo', { method: 'PUT', body: 'hello', headers: { 'X-One': '1' } }));
    const echo = await b.json();
    const h = new Headers({ A: '1' }); h.append('a', '2');
    const made = Response.json({ x: 1 }, { status: 201 });
    return { status: a.status, ok: a.ok, ct: a.headers.get('content-type'), json, again, url: a.url,
             echo: { method: echo.method, body: echo.body, one: echo.headers['x-one'], ct: echo.headers['content-type'] },
             h: h.get('a'), made: { status: made.status, body: await made.json(), ct: made.headers.get('content-type') } };
  })()`);
  assert.equal(r.status, 200);
  assert.equal(r.ok, true);
  assert.equal(r.ct, 'application/json');
  assert.deepEqual(r.json, { hello: 'world', n: 42 });
  assert.equal(r.again, true, 'a body is read once');
  assert.equal(r.url, `${peerUrl}/json`);
  assert.deepEqual(r.echo, { method: 'PUT', body: Buffer.from('hello').toString('base64'), one: '1', ct: 'text/plain;charset=UTF-8' });
  assert.equal(r.h, '1, 2');
  assert.deepEqual(r.made, { status: 201, body: { x: 1 }, ct: 'application/json' });
});

test('fetch: a network failure rejects with a TypeError carrying the code; AbortController and AbortSignal.timeout abort', async () => {
  const r = await t(`return (async () => {
    const why = async (p) => { try { await p; return 'resolved' } catch (e) { return e.name + ' ' + (e.code || '') + ' ' + (e.cause ? e.cause.code : '') } };
    const c = new AbortController();
    const slow = fetch(PEER + '/slow?ms=3000', { signal: c.signal });
    setTimeout(() => c.abort(), 100);
    const t0 = Date.now();
    const aborted = await why(slow);
    const abortMs = Date.now() - t0;
    return {
      refused: await why(fetch('http://127.0.0.1:1/x')),
      dns: await why(fetch('http://no-such-host.invalid/')),
      aborted, abortMs,
      timedOut: await why(fetch(PEER + '/slow?ms=3000', { signal: AbortSignal.timeout(150) })),
      pre: await why(fetch(PEER + '/json', { signal: AbortSignal.abort() })),
    };
  })()`);
  assert.equal(r.refused, 'TypeError CONNECT CONNECT');
  assert.equal(r.dns, 'TypeError DNS DNS');
  assert.match(r.aborted, /^AbortError/);
  assert.ok(r.abortMs < 1500, `the abort took ${r.abortMs} ms`);
  assert.match(r.timedOut, /^TimeoutError/);
  assert.match(r.pre, /^AbortError/);
});

test('fetch never holds the isolate: with a pool of 1, a route answers while another awaits a slow fetch; 200 concurrent fetches complete', async () => {
  const { server: one, rootToken: token } = await startWithRoot({ env: { M3M_RUNTIME_WORKER_POOL_SIZE: '1' } });
  try {
    const { project: p } = await runningProject(one, token, `
      const PEER = ${JSON.stringify(peerUrl)};
      service.start(() => {
        router.get('/slow', async () => (await fetch(PEER + '/slow?ms=1500')).json());
        router.get('/fast', () => ({ fast: true }));
        router.get('/many', async () => {
          const all = await Promise.all(Array.from({ length: 200 }, (_, i) => fetch(PEER + '/echo?i=' + i).then((r) => r.json())));
          return { n: all.length, distinct: new Set(all.map((x) => x.query)).size };
        });
      });`);
    const slow = callRoute(one, p.slug, '/slow');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    expectStatus(await callRoute(one, p.slug, '/fast'), 200, 'fast');
    const ms = Date.now() - t0;
    assert.ok(ms < 500, `the fast route answered in ${ms} ms while a fetch was in flight (pool 1)`);
    const s = await slow;
    expectStatus(s, 200, 'slow');
    assert.deepEqual(s.body, { slept: 1500 });
    const many = await callRoute(one, p.slug, '/many');
    expectStatus(many, 200, 'many');
    assert.deepEqual(many.body, { n: 200, distinct: 200 });
  } finally {
    await one.stop();
  }
});

test('status counts the project\'s outbound HTTP: requests, errors, bytes in and out', async () => {
  const p = await project(`
    http.get(PEER + '/json');
    http.post(PEER + '/echo', 'abcdef');
    try { http.get('http://127.0.0.1:1/x') } catch (e) {}
    return (async () => { await fetch(PEER + '/json'); return { ok: true } })()`);
  expectStatus(await callRoute(server, p.slug, '/t'), 200, 'route');
  const st = expectStatus(await api(server, 'GET', `/api/projects/${p.id}/status`, { token: rootToken }), 200, 'status').body;
  assert.equal(st.http.requests, 4, JSON.stringify(st.http));
  assert.equal(st.http.errors, 1);
  assert.equal(st.http.bytes_out, 6);
  assert.ok(st.http.bytes_in >= 24 * 2 + 10, `bytes_in ${st.http.bytes_in}`);
});
