// http.* over TLS (issue 16): a local HTTPS server with a certificate of a
// self-signed CA made by this test; trusted only through runtime.http.ca_file.
// And a redirect to a denied host: every hop passes the outbound policy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { callRoute, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'm3m-tls-'));
const f = (name) => path.join(dir, name);
let tlsServer;
let tlsUrl;
let plain;
let plainUrl;

before(async () => {
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=m3m test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
  tlsServer = https.createServer({ key: readFileSync(f('server.key')), cert: readFileSync(f('server.pem')) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ secure: true, path: req.url }));
  });
  await new Promise((r) => tlsServer.listen(0, '127.0.0.1', r));
  tlsUrl = `https://localhost:${tlsServer.address().port}`;
  plain = http.createServer((req, res) => {
    res.writeHead(302, { location: 'http://blocked.example/secret' });
    res.end();
  });
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  plainUrl = `http://127.0.0.1:${plain.address().port}`;
});
after(async () => {
  await new Promise((r) => tlsServer.close(r));
  await new Promise((r) => plain.close(r));
});

const code = `service.start(() => router.get('/t', (ctx) => {
  try { const r = http.get(ctx.query.url); return { status: r.status, body: r.json() } }
  catch (e) { return { code: e.code, message: e.message } }
}));`;

test('HTTPS to a server whose CA is trusted through runtime.http.ca_file; refused (TLS) without it', async () => {
  const withCa = await startWithRoot({ env: { M3M_RUNTIME_HTTP_CA_FILE: f('ca.pem') } });
  try {
    const { project } = await runningProject(withCa.server, withCa.rootToken, code);
    const res = await callRoute(withCa.server, project.slug, `/t?url=${encodeURIComponent(tlsUrl + '/x')}`);
    expectStatus(res, 200, 'route');
    assert.deepEqual(res.body, { status: 200, body: { secure: true, path: '/x' } });
  } finally {
    await withCa.server.stop();
  }
  const without = await startWithRoot();
  try {
    const { project } = await runningProject(without.server, without.rootToken, code);
    const res = await callRoute(without.server, project.slug, `/t?url=${encodeURIComponent(tlsUrl + '/x')}`);
    expectStatus(res, 200, 'route');
    assert.equal(res.body.code, 'TLS', JSON.stringify(res.body));
    assert.match(res.body.message, /localhost/);
  } finally {
    await without.server.stop();
  }
});

test('a redirect to a denied host is refused at that hop (DENIED), naming it', async () => {
  const { server, rootToken } = await startWithRoot({ env: { M3M_RUNTIME_HTTP_DENY: 'blocked.example' } });
  try {
    const { project } = await runningProject(server, rootToken, code);
    const res = await callRoute(server, project.slug, `/t?url=${encodeURIComponent(plainUrl + '/go')}`);
    expectStatus(res, 200, 'route');
    assert.equal(res.body.code, 'DENIED', JSON.stringify(res.body));
    assert.match(res.body.message, /blocked\.example.*runtime\.http\.deny/);
  } finally {
    await server.stop();
  }
});
