// /api/health, the error format, routing statuses, CORS and the OpenAPI document.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DRIVER, startServer } from './harness.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  const { code } = await server.stop();
  assert.equal(code, 0, 'SIGTERM ends the server with exit code 0');
});

function assertErrorShape(body, code) {
  assert.equal(typeof body.error, 'object', JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.equal(typeof body.error.fields, 'object');
}

test('GET /api/health reports status, version, uptime and the database', async () => {
  const { status, headers, body } = await server.json('/api/health');
  assert.equal(status, 200);
  assert.match(headers.get('content-type'), /^application\/json/);
  assert.equal(body.status, 'ok');
  assert.match(body.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof body.uptime_s, 'number');
  assert.ok(body.uptime_s >= 0);
  assert.deepEqual(body.database, { driver: DRIVER, ok: true });
});

test('unknown routes are 404 in the error format', async () => {
  const { status, body } = await server.json('/api/does-not-exist');
  assert.equal(status, 404);
  assertErrorShape(body, 'NOT_FOUND');
});

test('a known path with a wrong method is 405 with Allow', async () => {
  const { status, headers, body } = await server.json('/api/health', { method: 'DELETE' });
  assert.equal(status, 405);
  assert.equal(headers.get('allow'), 'GET, HEAD');
  assertErrorShape(body, 'METHOD_NOT_ALLOWED');
});

test('HEAD is answered like GET without a body', async () => {
  const res = await server.fetch('/api/health', { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  assert.ok(Number(res.headers.get('content-length')) > 0);
});

test('every response carries a request id, and a sane given one is echoed', async () => {
  const a = await server.fetch('/api/health');
  assert.match(a.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  const b = await server.fetch('/api/health', { headers: { 'X-Request-Id': 'trace-123' } });
  assert.equal(b.headers.get('x-request-id'), 'trace-123');
  const c = await server.fetch('/api/health', { headers: { 'X-Request-Id': 'bad id with spaces' } });
  assert.notEqual(c.headers.get('x-request-id'), 'bad id with spaces');
});

test('the access log has one line per request with method, path, status, bytes, duration and id', async () => {
  await server.fetch('/api/health', { headers: { 'X-Request-Id': 'log-check-1' } });
  await new Promise((r) => setTimeout(r, 100));
  assert.match(server.output(), /http GET \/api\/health 200 \d+B [\d.]+ms id=log-check-1/);
});

test('CORS: the UI dev server origin gets a preflight answer, others do not', async () => {
  const ok = await server.fetch('/api/health', {
    method: 'OPTIONS',
    headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'GET' },
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  assert.match(ok.headers.get('access-control-allow-headers'), /Authorization/);
  const get = await server.fetch('/api/health', { headers: { Origin: 'http://localhost:5173' } });
  assert.equal(get.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  const evil = await server.fetch('/api/health', { headers: { Origin: 'http://evil.example' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});

test('percent-encoding errors in the path are 400, not a crash', async () => {
  const { status, body } = await server.json('/api/%zz');
  assert.ok(status === 400 || status === 404, `status ${status}`);
  assert.ok(body.error);
});

test('GET /api/openapi.json describes the API', async () => {
  const { status, body } = await server.json('/api/openapi.json');
  assert.equal(status, 200);
  assert.match(body.openapi, /^3\./);
  assert.ok(body.paths['/api/health'].get);
  assert.ok(body.components.schemas.Error);
});
