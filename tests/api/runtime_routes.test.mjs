// Project routes served by the JavaScript runtime (issue 6): public routes at
// /r/{slug}/… and /api/r/{slug}/…, params, query, headers, bodies, responses,
// errors, service.project, env.get and the run log format.
// Contract: docs/runtime.md ("Routes", "Modules", "Run control and logs").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createProject,
  deploy,
  describe,
  expectError,
  expectStatus,
  readRunLog,
  runningProject,
  startRunning,
  stopProject,
  startWithRoot,
  uniq,
  waitFor,
} from './fixtures.mjs';

let server;
let rootToken;
let main; // {project, version, status}
const SECRET = `s3cr3t-${uniq('v')}`;

const MAIN_CODE = `
function explodeHere() {
  throw new Error('route-boom-marker');
}
service.start(() => {
  router.get('/hello', () => ({ ok: true }));
  router.get('/users/:id/posts/:post', (ctx) => ({ params: ctx.params, path: ctx.path, method: ctx.method }));
  router.get('/files/*', (ctx) => ({ rest: ctx.params['*'] }));
  router.get('/pick/static', () => ({ which: 'static' }));
  router.get('/pick/:x', (ctx) => ({ which: 'param', x: ctx.params.x }));
  router.get('/pick/*', (ctx) => ({ which: 'star', rest: ctx.params['*'] }));
  router.get('/query', (ctx) => ({ query: ctx.query }));
  router.get('/headers', (ctx) => ({
    upper: ctx.headers['X-Custom'],
    lower: ctx.headers['x-custom'],
    mixed: ctx.headers['x-CUSTOM'],
    keys: Object.keys(ctx.headers),
    auth: ctx.headers['authorization'],
    authUpper: ctx.headers['Authorization'],
    apiKey: ctx.headers['X-Api-Key'],
  }));
  const echo = (ctx) => ({
    method: ctx.method,
    path: ctx.path,
    body: ctx.body === undefined ? '<undefined>' : ctx.body,
    bodyIsNull: ctx.body === null,
    bodyType: typeof ctx.body,
    rawBody: ctx.rawBody,
  });
  router.post('/echo', echo);
  router.put('/echo', echo);
  router.patch('/echo', echo);
  router.delete('/echo', echo);
  router.get('/echo-get', echo);
  router.all('/any', (ctx) => ({ method: ctx.method }));
  router.get('/created', () => router.response(201, { a: 1 }, { 'X-H': 'v' }));
  router.get('/text', () => 'plain words');
  router.get('/html', () => router.response(200, '<b>x</b>', { 'Content-Type': 'text/html' }));
  router.get('/array', () => [1, 2, 3]);
  router.get('/nothing', () => undefined);
  router.get('/empty', () => router.response(202, null));
  router.get('/async', async () => {
    await new Promise((r) => setTimeout(r, 50));
    return { late: true };
  });
  router.get('/async-response', () => new Promise((r) => setTimeout(() => r(router.response(418, { tea: true })), 20)));
  router.get('/throw', () => explodeHere());
  router.get('/reject', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('rejected-marker');
  });
  router.get('/project', () => service.project);
  router.get('/big', () => 'x'.repeat(2000000) + 'END');
  router.get('/bigint', () => ({ n: 1n }));
  router.get('/timer-throws', () => {
    setTimeout(function timerExplodes() { throw new Error('timer-boom-marker'); }, 5);
    Promise.reject(new Error('unhandled-rejection-marker'));
    return { scheduled: true };
  });
  router.get('/reqid', (ctx) => ({ requestId: ctx.requestId }));
  router.get('/env', () => {
    const pick = (k) => ({ value: env.get(k), type: typeof env.get(k) });
    return {
      int: pick('INT_V'),
      float: pick('FLOAT_V'),
      boolT: pick('BOOL_T'),
      boolF: pick('BOOL_F'),
      json: pick('JSON_V'),
      str: pick('STR_V'),
      secret: pick('SECRET_V'),
      missingIsNull: env.get('NO_SUCH_KEY') === null,
    };
  });
  router.get('/lang', async () => {
    class Counter { #n = 0; inc() { return ++this.#n; } static of() { return new Counter(); } }
    const c = Counter.of(); c.inc();
    const o = { a: { b: null } };
    const enc = new TextEncoder().encode('é€');
    const dec = new TextDecoder().decode(new Uint8Array([0xe2, 0x82, 0xac, 0x21]));
    let cleared = 'no';
    const t = setTimeout(() => { cleared = 'fired'; }, 10);
    clearTimeout(t);
    let ticks = 0;
    const iv = setInterval(() => { ticks++; if (ticks === 3) clearInterval(iv); }, 5);
    await new Promise((r) => setTimeout(r, 80));
    const settled = await Promise.allSettled([Promise.resolve(1), Promise.reject(new Error('x'))]);
    return {
      privateField: c.inc(),
      optional: o.a?.b?.c ?? 'dflt',
      at: [1, 2, 3].at(-1),
      hasOwn: Object.hasOwn({ k: 1 }, 'k'),
      enc: Array.from(enc),
      dec,
      cleared,
      ticks,
      settled: settled.map((x) => x.status),
      json: JSON.parse(JSON.stringify({ d: [1, 'two'] })),
      big: String(2n ** 64n),
      errCause: new Error('e', { cause: 'c' }).cause,
    };
  });
  router.get('/log', (ctx) => {
    const m = ctx.query.m;
    console.log('console-line', m);
    logger.info('logger-line ' + m);
    logger.warn('warn-line ' + m);
    logger.error('error-line ' + m);
    logger.debug('debug-line ' + m);
    console.log('obj-line', m, { a: 1 });
    setTimeout(() => logger.info('timer-line ' + m), 10);
    Promise.resolve().then(() => logger.info('micro-line ' + m));
    return { ok: true };
  });
});
`;

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  const project = await createProject(server, rootToken, {});
  const envs = [
    { key: 'INT_V', type: 'integer', value: 42 },
    { key: 'FLOAT_V', type: 'float', value: 1.5 },
    { key: 'BOOL_T', type: 'boolean', value: true },
    { key: 'BOOL_F', type: 'boolean', value: false },
    { key: 'JSON_V', type: 'json', value: { a: [1, 2], b: { c: 'd' } } },
    { key: 'STR_V', type: 'string', value: 'hi there' },
    { key: 'SECRET_V', type: 'string', value: SECRET, secret: true },
  ];
  for (const e of envs) {
    expectStatus(await api(server, 'POST', `/api/projects/${project.id}/env`, { token: rootToken, body: e }), 201, `env ${e.key}`);
  }
  const version = await deploy(server, rootToken, project.id, MAIN_CODE);
  const status = await startRunning(server, rootToken, project.id, version);
  main = { project, version, status };
});
after(async () => {
  await server?.stop();
});

const route = (p, opts) => callRoute(server, main.project.slug, p, opts);

function expectJson(res, status, what) {
  expectStatus(res, status, what);
  assert.match(res.headers.get('content-type') || '', /^application\/json/, `${what}: JSON content type: ${describe(res)}`);
  return res.body;
}

test('hello route answers at /r/{slug} and /api/r/{slug} without any auth', async () => {
  for (const prefix of ['/r', '/api/r']) {
    const res = await route('/hello', { prefix });
    assert.deepEqual(expectJson(res, 200, `${prefix} hello`), { ok: true });
    assert.ok(res.headers.get('x-request-id'), `${prefix}: X-Request-Id on a project route`);
  }
});

test('the Authorization and X-Api-Key headers reach the handler untouched (m3m auth does not consume them)', async () => {
  const bogus = 'Bearer not-an-m3m-token.at.all';
  for (const prefix of ['/r', '/api/r']) {
    const res = await route('/headers', { prefix, headers: { Authorization: bogus, 'X-Api-Key': 'someone-elses-key' } });
    const b = expectJson(res, 200, `${prefix} with a foreign Authorization`);
    assert.equal(b.auth, bogus, `${prefix}: ctx.headers.authorization`);
    assert.equal(b.authUpper, bogus, `${prefix}: ctx.headers.Authorization`);
    assert.equal(b.apiKey, 'someone-elses-key', `${prefix}: ctx.headers['X-Api-Key']`);
  }
  // A real m3m token is passed on as well, not stripped.
  const res = await route('/headers', { headers: { Authorization: `Bearer ${rootToken}` } });
  assert.equal(expectJson(res, 200, 'with an m3m token').auth, `Bearer ${rootToken}`);
});

test('ctx.headers: lower-case names, lookups in any case', async () => {
  const res = await route('/headers', { headers: { 'X-Custom': 'Value-1' } });
  const b = expectJson(res, 200, 'headers');
  assert.equal(b.upper, 'Value-1', "ctx.headers['X-Custom']");
  assert.equal(b.lower, 'Value-1', "ctx.headers['x-custom']");
  assert.equal(b.mixed, 'Value-1', "ctx.headers['x-CUSTOM']");
  assert.ok(b.keys.includes('x-custom'), `keys are lower-case: ${b.keys}`);
  assert.ok(!b.keys.includes('X-Custom'), `keys are lower-case: ${b.keys}`);
});

test(':params, * and path inside the project', async () => {
  for (const prefix of ['/r', '/api/r']) {
    const b = expectJson(await route('/users/7/posts/abc', { prefix }), 200, `${prefix} params`);
    assert.deepEqual(b.params, { id: '7', post: 'abc' });
    assert.equal(b.path, '/users/7/posts/abc', `${prefix}: ctx.path is the path inside the project`);
    assert.equal(b.method, 'GET');
  }
  assert.equal(expectJson(await route('/files/a/b/c.txt'), 200, 'star').rest, 'a/b/c.txt');
  assert.equal(expectJson(await route('/files/one'), 200, 'star, one segment').rest, 'one');
});

test('static segments win over :params, which win over *', async () => {
  assert.deepEqual(expectJson(await route('/pick/static'), 200, 'static'), { which: 'static' });
  assert.deepEqual(expectJson(await route('/pick/other'), 200, 'param'), { which: 'param', x: 'other' });
  assert.deepEqual(expectJson(await route('/pick/a/b'), 200, 'star'), { which: 'star', rest: 'a/b' });
});

test('query: an object with the first value of each key, decoded', async () => {
  const b = expectJson(await route('/query?a=1&a=2&b=x%20y&c=&d=%C3%A9'), 200, 'query');
  assert.equal(b.query.a, '1', 'first value wins');
  assert.equal(b.query.b, 'x y');
  assert.equal(b.query.c, '');
  assert.equal(b.query.d, 'é');
  const none = expectJson(await route('/query'), 200, 'no query');
  assert.deepEqual(none.query, {});
});

test('JSON body is parsed (with or without a charset)', async () => {
  const payload = { n: 1, s: 'ü', arr: [true, null], o: { x: 'y' } };
  const b = expectJson(await route('/echo', { method: 'POST', body: payload }), 200, 'json body');
  assert.deepEqual(b.body, payload);
  assert.equal(b.rawBody, JSON.stringify(payload));
  const c = expectJson(
    await route('/echo', { method: 'POST', body: JSON.stringify([1, 2]), headers: { 'content-type': 'application/json; charset=utf-8' } }),
    200,
    'json body with charset',
  );
  assert.deepEqual(c.body, [1, 2]);
});

test('malformed JSON body: ctx.body === null and ctx.rawBody is the text (the handler decides)', async () => {
  const text = '{"broken": ';
  const res = await route('/echo', { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
  const b = expectJson(res, 200, 'malformed json reaches the handler');
  assert.equal(b.bodyIsNull, true, `ctx.body is null: ${JSON.stringify(b)}`);
  assert.equal(b.rawBody, text);
});

test('form body → object of fields; text body → string; no body → null', async () => {
  const form = await route('/echo', {
    method: 'POST',
    body: 'a=1&b=two+words&c=%C3%A9',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const f = expectJson(form, 200, 'form body');
  assert.deepEqual(f.body, { a: '1', b: 'two words', c: 'é' });
  assert.equal(f.rawBody, 'a=1&b=two+words&c=%C3%A9');

  const text = await route('/echo', { method: 'POST', body: 'just text\nline 2', headers: { 'content-type': 'text/plain' } });
  const t = expectJson(text, 200, 'text body');
  assert.equal(t.body, 'just text\nline 2');
  assert.equal(t.rawBody, 'just text\nline 2');

  const none = expectJson(await route('/echo-get'), 200, 'no body');
  assert.equal(none.bodyIsNull, true, `no body → ctx.body null: ${JSON.stringify(none)}`);
});

test('POST, PUT, PATCH, DELETE routes and router.all', async () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const b = expectJson(await route('/echo', { method, body: { m: method } }), 200, `${method} /echo`);
    assert.equal(b.method, method);
    assert.deepEqual(b.body, { m: method });
  }
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    const b = expectJson(await route('/any', { method }), 200, `${method} /any`);
    assert.equal(b.method, method);
  }
  // /echo has no GET route: not a success.
  const get = await route('/echo');
  assert.ok([404, 405].includes(get.status), `GET on a POST-only route: ${describe(get)}`);
});

test('router.response(status, body, headers): status, header and JSON body', async () => {
  const res = await route('/created');
  assert.deepEqual(expectJson(res, 201, 'router.response'), { a: 1 });
  assert.equal(res.headers.get('x-h'), 'v');
});

test('string → text/plain, array → JSON, headers may set the content type, undefined → 204, null body → empty', async () => {
  const t = await route('/text');
  expectStatus(t, 200, 'string');
  assert.match(t.headers.get('content-type') || '', /^text\/plain/, describe(t));
  assert.equal(t.text, 'plain words');

  const h = await route('/html');
  expectStatus(h, 200, 'html');
  assert.match(h.headers.get('content-type') || '', /^text\/html/);
  assert.equal(h.text, '<b>x</b>');

  assert.deepEqual(expectJson(await route('/array'), 200, 'array'), [1, 2, 3]);

  const u = await route('/nothing');
  expectStatus(u, 204, 'undefined');
  assert.equal(u.text, '');

  const e = await route('/empty');
  expectStatus(e, 202, 'router.response(202, null)');
  assert.equal(e.text, '');
});

test('async handlers: awaiting a timer, and a Promise of router.response', async () => {
  assert.deepEqual(expectJson(await route('/async'), 200, 'async'), { late: true });
  assert.deepEqual(expectJson(await route('/async-response'), 418, 'promise of response'), { tea: true });
});

test('ctx.requestId is the request id of the response', async () => {
  const res = await route('/reqid', { headers: { 'X-Request-Id': 'rt-reqid-123' } });
  const b = expectJson(res, 200, 'reqid');
  assert.equal(res.headers.get('x-request-id'), 'rt-reqid-123');
  assert.equal(b.requestId, 'rt-reqid-123');
  const res2 = await route('/reqid');
  assert.equal(expectJson(res2, 200, 'reqid').requestId, res2.headers.get('x-request-id'));
});

test('a handler that throws → 500 INTERNAL with the request id; the stack is in the run log', async () => {
  const rid = `rt-throw-${uniq('r')}`;
  const res = await route('/throw', { headers: { 'X-Request-Id': rid } });
  expectError(res, 500, 'INTERNAL', 'throwing handler');
  assert.equal(res.headers.get('x-request-id'), rid);
  assert.ok(res.text.includes(rid), `the error names the request id ${rid}: ${res.text}`);
  // Routes are public: the stack stays in the run log (docs/api.md: INTERNAL carries the request id, details go to the log).
  assert.ok(!/explodeHere|\bat .*:\d+:\d+/.test(res.text), `no stack trace in the public response: ${res.text}`);

  const rej = await route('/reject');
  expectError(rej, 500, 'INTERNAL', 'rejected promise');
  assert.ok(rej.text.includes(rej.headers.get('x-request-id')), `rejection names the request id: ${rej.text}`);

  const log = (await readRunLog(server, rootToken, main.project.id)).join('\n');
  assert.match(log, /route-boom-marker/, 'the error message is in the run log');
  assert.match(log, /explodeHere/, 'the stack trace (function name) is in the run log');
  assert.match(log, /rejected-marker/, 'the rejection is in the run log');
  // The project keeps serving.
  assert.deepEqual(expectJson(await route('/hello'), 200, 'after errors'), { ok: true });
});

test('an exception in a timer callback or an unhandled rejection is logged; the project keeps serving', async () => {
  expectJson(await route('/timer-throws'), 200, 'schedule');
  const log = await waitFor(
    async () => {
      const l = (await readRunLog(server, rootToken, main.project.id)).join('\n');
      return /timer-boom-marker/.test(l) && /unhandled-rejection-marker/.test(l) ? l : null;
    },
    { what: 'the timer exception and the unhandled rejection in the run log', timeout: 5000 },
  );
  assert.match(log, /timerExplodes/, 'with the stack of the timer callback');
  assert.match(log, /\[ERROR\][^\n]*timer-boom-marker/, 'logged at ERROR level');
  assert.deepEqual(expectJson(await route('/hello'), 200, 'still serving'), { ok: true });
});

test('a large response is delivered whole; an unserializable result is a 500 and the project keeps serving', async () => {
  const big = await route('/big');
  expectStatus(big, 200, 'big');
  assert.equal(big.text.length, 2000003);
  assert.ok(big.text.endsWith('xEND'));
  expectError(await route('/bigint'), 500, 'INTERNAL', 'a BigInt cannot be sent as JSON');
  assert.deepEqual(expectJson(await route('/hello'), 200, 'after'), { ok: true });
});

test('unknown slug → 404 NOT_FOUND; no matching route → 404 NOT_FOUND', async () => {
  for (const prefix of ['/r', '/api/r']) {
    expectError(await callRoute(server, 'no-such-project-zz', '/hello', { prefix }), 404, 'NOT_FOUND', `${prefix} unknown slug`);
    expectError(await route('/no/such/route', { prefix }), 404, 'NOT_FOUND', `${prefix} no route`);
  }
});

test('a stopped or never started project → 503 UNAVAILABLE with Retry-After', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => router.get('/hello', () => ({ ok: true })))`);
  assert.deepEqual(expectJson(await callRoute(server, project.slug, '/hello'), 200, 'running'), { ok: true });
  expectStatus(await stopProject(server, rootToken, project.id), 200, 'stop');
  for (const prefix of ['/r', '/api/r']) {
    const res = await callRoute(server, project.slug, '/hello', { prefix });
    expectError(res, 503, 'UNAVAILABLE', `${prefix} stopped project`);
    assert.equal(res.headers.get('retry-after'), '5', `Retry-After: ${describe(res)}`);
  }
  const never = await createProject(server, rootToken, {});
  const res = await callRoute(server, never.slug, '/hello');
  expectError(res, 503, 'UNAVAILABLE', 'never started project');
  assert.ok(res.headers.get('retry-after'), 'Retry-After on a never started project');
});

test('service.project is {id, slug, url} with url ending in /r/{slug}', async () => {
  const b = expectJson(await route('/project'), 200, 'service.project');
  assert.equal(b.id, main.project.id);
  assert.equal(b.slug, main.project.slug);
  assert.equal(typeof b.url, 'string');
  assert.match(b.url, /^https?:\/\//, 'url is absolute (server.uri)');
  assert.ok(b.url.endsWith(`/r/${main.project.slug}`), `url ends in /r/{slug}: ${b.url}`);
});

test('env.get: typed values, secrets readable, null for a missing key', async () => {
  const b = expectJson(await route('/env'), 200, 'env');
  assert.deepEqual(b.int, { value: 42, type: 'number' });
  assert.deepEqual(b.float, { value: 1.5, type: 'number' });
  assert.deepEqual(b.boolT, { value: true, type: 'boolean' });
  assert.deepEqual(b.boolF, { value: false, type: 'boolean' });
  assert.deepEqual(b.json, { value: { a: [1, 2], b: { c: 'd' } }, type: 'object' });
  assert.deepEqual(b.str, { value: 'hi there', type: 'string' });
  assert.deepEqual(b.secret, { value: SECRET, type: 'string' }, 'the runtime gets the secret value, not the mask');
  assert.equal(b.missingIsNull, true, 'env.get of a missing key is null');
});

test('standard language features: ES2022, Promises, timers (clear*), TextEncoder/TextDecoder', async () => {
  const b = expectJson(await route('/lang'), 200, 'lang');
  assert.deepEqual(b, {
    privateField: 2,
    optional: 'dflt',
    at: 3,
    hasOwn: true,
    enc: [195, 169, 226, 130, 172],
    dec: '€!',
    cleared: 'no',
    ticks: 3,
    settled: ['fulfilled', 'rejected'],
    json: { d: [1, 'two'] },
    big: '18446744073709551616',
    errCause: 'c',
  });
});

test('concurrent requests to one project are all answered (queued on its loop, none dropped)', async () => {
  const st0 = (await api(server, 'GET', `/api/projects/${main.project.id}/status`, { token: rootToken })).body;
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => route(i % 2 ? '/hello' : '/async')),
  );
  for (const r of results) expectStatus(r, 200, 'concurrent request');
  assert.equal(results.filter((r) => r.body.late === true).length, 20);
  const st1 = (await api(server, 'GET', `/api/projects/${main.project.id}/status`, { token: rootToken })).body;
  assert.ok(st1.calls >= st0.calls + 40, `calls counted: ${st0.calls} → ${st1.calls}`);
});

test('console.* and logger.* write `[YYYY-MM-DD HH:MM:SS] [LEVEL] message` lines (UTC), from handlers, timers and microtasks', async () => {
  const m = uniq('m');
  const before = Date.now();
  expectJson(await route(`/log?m=${m}`), 200, 'log route');
  await new Promise((r) => setTimeout(r, 300)); // the timer's line
  const res = await api(server, 'GET', `/api/projects/${main.project.id}/logs?tail=200`, { token: rootToken });
  expectStatus(res, 200, 'logs');
  const lines = res.body.lines;
  for (const l of lines) assert.equal(typeof l, 'string', `a log line is a string: ${JSON.stringify(l)}`);
  const find = (re) => lines.find((l) => re.test(l));
  const stamp = String.raw`^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\] `;
  // Lines written for the request (its handler, a microtask it queued) carry
  // its id after the level; a timer's line belongs to no request.
  const id = String.raw`\[id=[0-9a-f]{16}\] `;
  const checks = [
    [new RegExp(`${stamp}\\[INFO\\] ${id}console-line ${m}$`), 'console.log'],
    [new RegExp(`${stamp}\\[INFO\\] ${id}logger-line ${m}$`), 'logger.info'],
    [new RegExp(`${stamp}\\[WARN(ING)?\\] ${id}warn-line ${m}$`), 'logger.warn'],
    [new RegExp(`${stamp}\\[ERROR\\] ${id}error-line ${m}$`), 'logger.error'],
    [new RegExp(`${stamp}\\[DEBUG\\] ${id}debug-line ${m}$`), 'logger.debug'],
    [new RegExp(`${stamp}\\[INFO\\] ${id}obj-line ${m} \\{"a":1\\}$`), 'console.log with an object (JSON-encoded)'],
    [new RegExp(`${stamp}\\[INFO\\] timer-line ${m}$`), 'logger.info from a timer'],
    [new RegExp(`${stamp}\\[INFO\\] ${id}micro-line ${m}$`), 'logger.info from a microtask'],
  ];
  for (const [re, what] of checks) {
    const line = find(re);
    assert.ok(line, `${what}: a line matching ${re} in:\n${lines.slice(-30).join('\n')}`);
    const t = Date.parse(re.exec(line)[1].replace(' ', 'T') + 'Z');
    assert.ok(Math.abs(t - before) < 120_000, `${what}: timestamp ${line.slice(0, 21)} is UTC now`);
  }
});

test('renaming a running project\'s slug moves its routes at once; the old slug is gone', async () => {
  const { project } = await runningProject(server, rootToken, `service.start(() => router.get('/hello', () => ({ ok: true })))`);
  const newSlug = uniq('moved');
  expectStatus(await callRoute(server, project.slug, '/hello'), 200, 'before the rename');
  expectStatus(await api(server, 'PUT', `/api/projects/${project.id}`, { token: rootToken, body: { slug: newSlug } }), 200, 'rename');
  expectStatus(await callRoute(server, newSlug, '/hello'), 200, 'the new slug serves without a restart');
  expectError(await callRoute(server, project.slug, '/hello'), 404, 'NOT_FOUND', 'the old slug is unknown');
  await stopProject(server, rootToken, project.id);
});

test('a header value with CR/LF cannot split the response (500, the run log says why); framing stays the server\'s', async () => {
  const code = `service.start(() => {
    router.get('/split', () => router.response(200, 'body', { 'X-Evil': 'a\\r\\nSet-Cookie: pwned=1', 'X-Ok': 'yes' }));
    router.get('/framing', () => router.response(200, 'body', { 'X-Ok': 'yes', 'Content-Length': '999' }));
  });`;
  const { project } = await runningProject(server, rootToken, code);
  const res = await callRoute(server, project.slug, '/split');
  assert.equal(res.status, 500, 'an answer that is not valid HTTP is not sent');
  assert.ok(!res.text.includes('pwned'), res.text);
  assert.equal(res.headers.get('x-ok'), null);
  assert.equal(res.headers.get('set-cookie'), null, 'no injected header');
  const log = (await readRunLog(server, rootToken, project.id)).join('\n');
  assert.match(log, /GET \/split .*failed: the response header X-Evil has a control character/);
  const framed = await callRoute(server, project.slug, '/framing');
  assert.equal(framed.status, 200);
  assert.equal(framed.text, 'body');
  assert.equal(framed.headers.get('x-ok'), 'yes');
  assert.equal(framed.headers.get('content-length'), '4', 'the server frames the body');
});
