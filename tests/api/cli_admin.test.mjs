// `m3m new-admin {email} {password}`: creating the root user from the command line.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { makeTempDir, runCli, startServer } from './harness.mjs';
import { api, expectStatus, login, assertNoSecretFields } from './fixtures.mjs';

const out = (r) => `${r.stdout}\n${r.stderr}`;

test('new-admin creates the root user (exit 0) without printing the password', () => {
  const dir = makeTempDir();
  const r = runCli(['new-admin', 'root@example.com', 'rootpass123'], { dir });
  assert.equal(r.code, 0, out(r));
  assert.ok(!out(r).includes('rootpass123'), `the password is not printed:\n${out(r)}`);
  rmSync(dir, { recursive: true, force: true });
});

test('a second new-admin with the same email refuses with a clear message and exit != 0', () => {
  const dir = makeTempDir();
  const first = runCli(['new-admin', 'root@example.com', 'rootpass123'], { dir });
  assert.equal(first.code, 0, out(first));
  const again = runCli(['new-admin', 'root@example.com', 'otherpass123'], { dir });
  assert.notEqual(again.code, 0, 'same email again is refused');
  assert.notEqual(again.code, null, 'exits, not killed');
  assert.match(out(again), /exist|already|taken|in use/i, `a clear message:\n${out(again)}`);
  // Emails are stored lower-case: a different case is the same email.
  const upper = runCli(['new-admin', 'ROOT@Example.com', 'otherpass123'], { dir });
  assert.notEqual(upper.code, 0, `the same email in other case is refused too:\n${out(upper)}`);
  rmSync(dir, { recursive: true, force: true });
});

test('new-admin refuses a password shorter than 8 characters and creates nothing', () => {
  const dir = makeTempDir();
  const weak = runCli(['new-admin', 'root@example.com', 'short7c'], { dir });
  assert.notEqual(weak.code, 0, out(weak));
  assert.notEqual(weak.code, null);
  assert.match(out(weak), /password/i, `the message names the password:\n${out(weak)}`);
  assert.match(out(weak), /8/, `the message gives the minimum length:\n${out(weak)}`);
  assert.ok(!out(weak).includes('short7c'), 'the refused password is not echoed');
  // Nothing was created: the same email with a good password now works.
  const ok = runCli(['new-admin', 'root@example.com', 'rootpass123'], { dir });
  assert.equal(ok.code, 0, out(ok));
  rmSync(dir, { recursive: true, force: true });
});

test('new-admin refuses an invalid email', () => {
  for (const email of ['not-an-email', 'a@', '@example.com', '']) {
    const r = runCli(['new-admin', email, 'rootpass123']);
    assert.notEqual(r.code, 0, `email ${JSON.stringify(email)} is refused:\n${out(r)}`);
    assert.notEqual(r.code, null);
    assert.match(out(r), /email/i, `the message names the email (${JSON.stringify(email)}):\n${out(r)}`);
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('new-admin without its arguments is refused', () => {
  for (const args of [['new-admin'], ['new-admin', 'root@example.com']]) {
    const r = runCli(args);
    assert.notEqual(r.code, 0, `${args.join(' ')}:\n${out(r)}`);
    assert.notEqual(r.code, null);
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('a root created by new-admin logs in, is_root=true with every permission', async () => {
  const dir = makeTempDir();
  const r = runCli(['new-admin', 'Root@Example.com', 'rootpass123'], { dir });
  assert.equal(r.code, 0, out(r));
  const server = await startServer({ dir });
  try {
    const res = await login(server, 'root@example.com', 'rootpass123');
    expectStatus(res, 200);
    const user = res.body.user;
    assert.equal(user.email, 'root@example.com', 'emails are stored lower-case');
    assert.equal(user.is_root, true);
    assert.equal(user.is_blocked, false);
    assert.deepEqual(user.permissions, { create_projects: true, manage_users: true });
    assertNoSecretFields(res.body.user, 'login.user');

    const me = await api(server, 'GET', '/api/users/me', { token: res.body.access_token });
    expectStatus(me, 200);
    assert.equal(me.body.is_root, true);
    assert.equal(me.body.id, user.id);
    assert.deepEqual(me.body.permissions, { create_projects: true, manage_users: true });
    assert.ok(!server.output().includes('rootpass123'), 'the password is never logged');
  } finally {
    await server.stop();
  }
});

test('new-admin works while the server is running on the same database', async () => {
  const dir = makeTempDir();
  const server = await startServer({ dir, keepDir: true });
  try {
    const r = runCli(['new-admin', 'live@example.com', 'livepass123'], { dir });
    assert.equal(r.code, 0, out(r));
    const res = await login(server, 'live@example.com', 'livepass123');
    expectStatus(res, 200);
    assert.equal(res.body.user.is_root, true);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
