// smtp over TLS (issue 16): `smtp.security: tls` (implicit TLS) and
// `starttls` against tests/api/smtp_sink.py with a certificate of a CA made by
// this test, trusted through smtp.ca_file (refused without it); and
// `starttls` against a server that does not offer STARTTLS fails with a clear
// error before anything — the login included — is sent in clear text.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { callRoute, expectStatus, runningProject, sleep, startWithRoot } from './fixtures.mjs';
import { startSink } from './smtp_sink.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'm3m-smtp-tls-'));
const f = (name) => path.join(dir, name);
const CERT = () => `${f('server.pem')}:${f('server.key')}`;

before(() => {
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=m3m smtp test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CODE = `service.start(() => router.post('/send', (ctx) => {
  try { return { ok: smtp.send(ctx.body) } }
  catch (e) { return { caught: { name: e.name, code: e.code, message: e.message } } }
}));`;

const LOGIN = 'mailer';
const PASSWORD = 'tls-Pa55-secret';

// A sink with `sinkArgs`, an m3m whose smtp.* points at it, a running project.
async function withMail(sinkArgs, smtpEnv, fn) {
  const sink = await startSink(['--auth', `${LOGIN}:${PASSWORD}`, ...sinkArgs]);
  let m3m;
  try {
    m3m = await startWithRoot({
      env: {
        M3M_SMTP_HOST: '127.0.0.1',
        M3M_SMTP_PORT: String(sink.port),
        M3M_SMTP_FROM: 'Shop <shop@example.com>',
        M3M_SMTP_USERNAME: LOGIN,
        M3M_SMTP_PASSWORD: PASSWORD,
        M3M_SMTP_TIMEOUT: '10s',
        ...smtpEnv,
      },
    });
    const { project } = await runningProject(m3m.server, m3m.rootToken, CODE);
    const send = async (body) => {
      const res = await callRoute(m3m.server, project.slug, '/send', { method: 'POST', body });
      expectStatus(res, 200, 'POST /send');
      return res.body;
    };
    await fn({ sink, send, server: m3m.server });
  } finally {
    const output = m3m?.server.output() ?? '';
    const exit = await m3m?.server.stop();
    await sink.stop();
    if (exit) assert.deepEqual(exit, { code: 0, signal: null }, output.slice(-3000));
    assert.ok(!output.includes(PASSWORD), 'the password never reaches the server log');
  }
}

const MAIL = { to: 'ada@example.com', subject: 'Über TLS', text: 'sent encrypted' };

async function assertDeliveredOverTls(sink, send) {
  const r = await send(MAIL);
  assert.ok(r.ok, `sent: ${JSON.stringify(r)}`);
  assert.deepEqual(r.ok.accepted, ['ada@example.com']);
  const msg = await sink.next();
  assert.match(String(msg.tls), /^TLSv1\.[23]$/, `the message came over TLS: ${msg.tls}`);
  assert.equal(msg.login, LOGIN);
  assert.deepEqual(msg.rcpt_tos, ['ada@example.com']);
  assert.equal(msg.parts.find((p) => p.type === 'text/plain')?.text.trim(), 'sent encrypted');
  // The login itself was sent inside TLS.
  assert.ok(sink.authAttempts.length >= 1, 'AUTH was used');
  for (const a of sink.authAttempts) assert.match(String(a.tls), /^TLSv1\.[23]$/, `AUTH over TLS: ${JSON.stringify(a)}`);
}

test('security: tls (implicit TLS) with the CA trusted through smtp.ca_file', async () => {
  await withMail(['--tls', CERT()], { M3M_SMTP_SECURITY: 'tls', M3M_SMTP_CA_FILE: f('ca.pem') }, ({ sink, send }) =>
    assertDeliveredOverTls(sink, send));
});

test('security: starttls with the CA trusted through smtp.ca_file', async () => {
  await withMail(['--starttls', CERT()], { M3M_SMTP_SECURITY: 'starttls', M3M_SMTP_CA_FILE: f('ca.pem') }, ({ sink, send }) =>
    assertDeliveredOverTls(sink, send));
});

test('without smtp.ca_file the test CA is not trusted: UNAVAILABLE naming TLS, nothing sent (tls and starttls)', async () => {
  for (const [security, args] of [['tls', ['--tls', CERT()]], ['starttls', ['--starttls', CERT()]]]) {
    await withMail(args, { M3M_SMTP_SECURITY: security }, async ({ sink, send }) => {
      const r = await send(MAIL);
      assert.ok(r.caught, `${security}: expected an error, got ${JSON.stringify(r)}`);
      assert.equal(r.caught.code, 'UNAVAILABLE', JSON.stringify(r.caught));
      assert.match(r.caught.message, /TLS with the SMTP server 127\.0\.0\.1:\d+ failed/, r.caught.message);
      await sleep(300);
      assert.equal(sink.messages.length, 0, `${security}: nothing delivered`);
      assert.deepEqual(sink.authAttempts, [], `${security}: no login attempted`);
    });
  }
});

test('starttls against a server without STARTTLS fails clearly and never sends in clear text', async () => {
  // The sink speaks plain SMTP only (it does not offer STARTTLS) and would accept
  // the login and the message without TLS.
  await withMail([], { M3M_SMTP_SECURITY: 'starttls', M3M_SMTP_CA_FILE: f('ca.pem') }, async ({ sink, send }) => {
    const r = await send(MAIL);
    assert.ok(r.caught, `expected an error, got ${JSON.stringify(r)}`);
    assert.equal(r.caught.code, 'UNAVAILABLE', JSON.stringify(r.caught));
    assert.match(r.caught.message, /does not offer STARTTLS/, r.caught.message);
    assert.match(r.caught.message, /127\.0\.0\.1:\d+/, r.caught.message);
    await sleep(300);
    assert.equal(sink.messages.length, 0, 'no message was delivered in clear text');
    assert.deepEqual(sink.authAttempts, [], 'no login was sent in clear text');
  });
});

test('security: tls against a plain SMTP server fails with a TLS error, nothing sent', async () => {
  await withMail([], { M3M_SMTP_SECURITY: 'tls', M3M_SMTP_CA_FILE: f('ca.pem'), M3M_SMTP_TIMEOUT: '3s' }, async ({ sink, send }) => {
    const r = await send(MAIL);
    assert.ok(r.caught, `expected an error, got ${JSON.stringify(r)}`);
    assert.ok(['UNAVAILABLE', 'TIMEOUT'].includes(r.caught.code), JSON.stringify(r.caught));
    assert.equal(sink.messages.length, 0);
    assert.deepEqual(sink.authAttempts, []);
  });
});

test('smtp.ca_file that cannot be read stops the start with a clear error', async () => {
  await assert.rejects(
    startWithRoot({ env: { M3M_SMTP_HOST: '127.0.0.1', M3M_SMTP_CA_FILE: f('missing.pem') } }),
    (e) => /smtp\.ca_file: cannot read .*missing\.pem/.test(e.message),
  );
});
