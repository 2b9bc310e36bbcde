// The HTTP layer's unhappy paths against the real binary: malformed requests,
// limits, slow and idle clients, pipelining.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseResponses, rawExchange, startServer } from './harness.mjs';

let server;
before(async () => {
  server = await startServer({
    env: {
      M3M_SERVER_MAX_BODY: '1KB',
      M3M_SERVER_MAX_HEADER: '4KB',
      M3M_SERVER_READ_TIMEOUT: '500ms',
      M3M_SERVER_IDLE_TIMEOUT: '700ms',
    },
  });
});
after(async () => {
  assert.equal((await server.stop()).code, 0);
});

test('a body over server.max_body is 413 in the error format', async () => {
  const { status, body } = await server.json('/api/health', { method: 'POST', body: 'x'.repeat(4096) });
  assert.equal(status, 413);
  assert.equal(body.error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(body.error.message, /server\.max_body/);
});

test('headers over server.max_header are 431', async () => {
  const { data } = await rawExchange(server.port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(8000)}\r\n\r\n`);
  const [res] = parseResponses(data);
  assert.equal(res.status, 431);
  assert.equal(JSON.parse(res.body).error.code, 'PAYLOAD_TOO_LARGE');
});

test('malformed HTTP gets a 400 JSON error and the connection is closed', async () => {
  for (const garbage of ['THIS IS NOT HTTP\r\n\r\n', 'GET /api/health HTTP/1.1\r\nHost x\r\n\r\n', '\x00\x01\x02\xff\r\n\r\n']) {
    const { data, closed } = await rawExchange(server.port, garbage);
    const [res] = parseResponses(data);
    assert.ok(res, `an answer to ${JSON.stringify(garbage)}`);
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).error.code, 'INVALID_ARGUMENT');
    assert.equal(closed, true);
  }
});

test('a bad Content-Length is a 400', async () => {
  const { data } = await rawExchange(server.port, 'POST /api/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.equal(parseResponses(data)[0].status, 400);
});

test('pipelined requests are answered in order on one connection', async () => {
  const req = (id) => `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-${id}\r\n\r\n`;
  const { data } = await rawExchange(server.port, req(1) + req(2) + `GET /api/nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: pipe-3\r\nConnection: close\r\n\r\n`);
  const res = parseResponses(data);
  assert.equal(res.length, 3);
  assert.deepEqual(res.map((r) => r.headers['x-request-id']), ['pipe-1', 'pipe-2', 'pipe-3']);
  assert.deepEqual(res.map((r) => r.status), [200, 200, 404]);
});

test('a slow-loris client (headers never finish) is cut after server.read_timeout', async () => {
  const { closed, ms } = await rawExchange(server.port, 'GET /api/health HTTP/1.1\r\nHost: x\r\n', { waitMs: 4000 });
  assert.equal(closed, true);
  assert.ok(ms >= 400 && ms < 3000, `closed after ${ms}ms`);
});

test('a client dribbling header bytes cannot extend the read timeout', async () => {
  const chunks = 'GET /api/health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n'.split('');
  const { closed, ms } = await rawExchange(server.port, chunks, { waitMs: 6000, delayMs: 100 });
  assert.equal(closed, true);
  assert.ok(ms < 3000, `closed after ${ms}ms`);
});

test('an idle keep-alive connection is closed after server.idle_timeout', async () => {
  const { closed, ms } = await rawExchange(server.port, [], { waitMs: 4000 });
  assert.equal(closed, true);
  assert.ok(ms >= 600 && ms < 3000, `closed after ${ms}ms`);
});

test('the server keeps serving after all of the above', async () => {
  const { status } = await server.json('/api/health');
  assert.equal(status, 200);
});
