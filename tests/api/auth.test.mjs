// Authentication: login, refresh rotation, logout, bad/expired/tampered tokens
// and the login attempt limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ROOT_EMAIL,
  ROOT_PASSWORD,
  api,
  assertNoSecretFields,
  createUser,
  expectError,
  expectStatus,
  login,
  loginOk,
  sleep,
  startWithRoot,
  tamperJwt,
} from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot());
});
after(async () => {
  await server?.stop();
});

function expect401(res, what) {
  expectError(res, 401, 'UNAUTHENTICATED', what);
  assert.match(res.headers.get('www-authenticate') || '', /^Bearer/i, `WWW-Authenticate: Bearer on ${what}`);
}

test('login returns an access token, Bearer type, expiry, a refresh token and the user', async () => {
  const res = await login(server, ROOT_EMAIL, ROOT_PASSWORD);
  expectStatus(res, 200);
  const b = res.body;
  assert.equal(typeof b.access_token, 'string');
  assert.equal(b.access_token.split('.').length, 3, 'the access token is a JWT');
  assert.equal(b.token_type, 'Bearer');
  assert.equal(typeof b.expires_in, 'number');
  assert.equal(b.expires_in, 168 * 3600, 'expires_in is jwt.expiration in seconds (default 168h)');
  assert.equal(typeof b.refresh_token, 'string');
  assert.ok(b.refresh_token.length >= 16);
  assert.notEqual(b.refresh_token, b.access_token);
  assert.equal(b.user.email, ROOT_EMAIL);
  assert.equal(b.user.is_root, true);
  for (const k of ['id', 'email', 'name', 'avatar_url', 'is_root', 'is_blocked', 'permissions', 'project_ids', 'created_at', 'updated_at']) {
    assert.ok(k in b.user, `user.${k} is present`);
  }
  assertNoSecretFields(b.user, 'login.user');
  assert.ok(!res.text.includes(ROOT_PASSWORD));
  const me = await api(server, 'GET', '/api/users/me', { token: b.access_token });
  expectStatus(me, 200);
  assert.equal(me.body.id, b.user.id);
});

test('login is case-insensitive on the email', async () => {
  const res = await login(server, 'ROOT@Example.COM', ROOT_PASSWORD);
  expectStatus(res, 200);
  assert.equal(res.body.user.email, ROOT_EMAIL);
});

test('a wrong password is 401 UNAUTHENTICATED, and an unknown email gets the same message', async () => {
  const u = await createUser(server, rootToken, {});
  const wrong = await login(server, u.email, 'not-the-password');
  const errWrong = expectError(wrong, 401, 'UNAUTHENTICATED', 'wrong password');
  assert.ok(!wrong.text.includes('not-the-password'), 'the tried password is not echoed');
  const unknown = await login(server, 'nobody-here@example.com', 'whatever123');
  const errUnknown = expectError(unknown, 401, 'UNAUTHENTICATED', 'unknown email');
  assert.equal(errUnknown.message, errWrong.message, 'no user enumeration through the message');
  assert.ok(!('access_token' in wrong.body));
});

test('login with missing or mistyped fields is 400 INVALID_ARGUMENT naming the field', async () => {
  const cases = [
    [{}, 'email'],
    [{ email: ROOT_EMAIL }, 'password'],
    [{ password: ROOT_PASSWORD }, 'email'],
    [{ email: 42, password: ROOT_PASSWORD }, 'email'],
    [{ email: ROOT_EMAIL, password: ['x'] }, 'password'],
  ];
  for (const [body, field] of cases) {
    const res = await api(server, 'POST', '/api/auth/login', { body });
    const err = expectError(res, 400, 'INVALID_ARGUMENT', JSON.stringify(body));
    assert.ok(field in err.fields, `fields.${field} for ${JSON.stringify(body)}: ${JSON.stringify(err.fields)}`);
  }
});

test('login with malformed JSON is 400 INVALID_ARGUMENT; another content type is 415', async () => {
  const bad = await api(server, 'POST', '/api/auth/login', { body: '{"email": "root@example.com", "password": ' });
  expectError(bad, 400, 'INVALID_ARGUMENT', 'malformed JSON');
  const notObject = await api(server, 'POST', '/api/auth/login', { body: '["root@example.com"]' });
  expectError(notObject, 400, 'INVALID_ARGUMENT', 'a JSON array body');
  const form = await api(server, 'POST', '/api/auth/login', {
    body: 'email=root%40example.com&password=rootpass123',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE', 'form-encoded login');
});

test('refresh rotates: a new refresh token that works, and the next rotation works too', async () => {
  const u = await createUser(server, rootToken, {});
  const first = await loginOk(server, u.email, u.password);

  const r1 = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
  expectStatus(r1, 200, 'first refresh');
  assert.equal(r1.body.token_type, 'Bearer');
  assert.equal(typeof r1.body.access_token, 'string');
  assert.equal(typeof r1.body.expires_in, 'number');
  assert.equal(typeof r1.body.refresh_token, 'string');
  assert.notEqual(r1.body.refresh_token, first.refresh_token, 'a new refresh token');
  assert.equal(r1.body.user?.id, u.id, 'same shape as login: carries the user');
  assertNoSecretFields(r1.body.user, 'refresh.user');
  expectStatus(await api(server, 'GET', '/api/users/me', { token: r1.body.access_token }), 200, 'the refreshed access token works');

  const r2 = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
  expectStatus(r2, 200, 'refresh with the new token');
  assert.notEqual(r2.body.refresh_token, r1.body.refresh_token);
  expectStatus(await api(server, 'GET', '/api/users/me', { token: r2.body.access_token }), 200);
});

test('reusing the just-rotated refresh token is 401 and revokes the session (its newer tokens die)', async () => {
  const u = await createUser(server, rootToken, {});
  const first = await loginOk(server, u.email, u.password);
  const r1 = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
  expectStatus(r1, 200);
  const reuse = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
  expectError(reuse, 401, 'UNAUTHENTICATED', 'reused refresh token');
  const latest = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
  expectError(latest, 401, 'UNAUTHENTICATED', 'the rotated-to refresh token after the reuse');
  expect401(await api(server, 'GET', '/api/users/me', { token: r1.body.access_token }), "the revoked session's access token");
  // Another session of the same user is not affected.
  const other = await loginOk(server, u.email, u.password);
  expectStatus(await api(server, 'GET', '/api/users/me', { token: other.access_token }), 200, 'another session');
});

test('reusing a refresh token rotated two generations ago also revokes the session', async () => {
  const u = await createUser(server, rootToken, {});
  const first = await loginOk(server, u.email, u.password);
  const r1 = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
  expectStatus(r1, 200);
  const r2 = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
  expectStatus(r2, 200);
  const reuse = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: first.refresh_token } });
  expectError(reuse, 401, 'UNAUTHENTICATED', 'reuse of the first refresh token');
  const latest = await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: r2.body.refresh_token } });
  expectError(latest, 401, 'UNAUTHENTICATED', 'the latest refresh token after reuse of an older one (session revoked)');
  expect401(await api(server, 'GET', '/api/users/me', { token: r2.body.access_token }), "the revoked session's access token");
});

test('refresh with garbage, a missing field or an access token is refused', async () => {
  expectError(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: 'garbage' } }), 401, 'UNAUTHENTICATED', 'garbage refresh token');
  const l = await loginOk(server, ROOT_EMAIL, ROOT_PASSWORD);
  expectError(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: l.access_token } }), 401, 'UNAUTHENTICATED', 'an access token as refresh token');
  const missing = await api(server, 'POST', '/api/auth/refresh', { body: {} });
  const err = expectError(missing, 400, 'INVALID_ARGUMENT', 'no refresh_token');
  assert.ok('refresh_token' in err.fields, JSON.stringify(err.fields));
});

test('logout is 204; then that access token and its refresh token are 401, other sessions live', async () => {
  const u = await createUser(server, rootToken, {});
  const s1 = await loginOk(server, u.email, u.password);
  const s2 = await loginOk(server, u.email, u.password);
  const out = await api(server, 'POST', '/api/auth/logout', { token: s1.access_token });
  expectStatus(out, 204, 'logout');
  assert.equal(out.text, '');
  expect401(await api(server, 'GET', '/api/users/me', { token: s1.access_token }), 'access token after logout');
  expectError(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: s1.refresh_token } }), 401, 'UNAUTHENTICATED', 'refresh token after logout');
  expectStatus(await api(server, 'GET', '/api/users/me', { token: s2.access_token }), 200, 'the other session');
  expect401(await api(server, 'POST', '/api/auth/logout', { token: s1.access_token }), 'logout twice');
});

test('logout without a token is 401', async () => {
  expect401(await api(server, 'POST', '/api/auth/logout'), 'logout without token');
});

test('a tampered token is 401', async () => {
  const l = await loginOk(server, ROOT_EMAIL, ROOT_PASSWORD);
  expect401(await api(server, 'GET', '/api/users/me', { token: tamperJwt(l.access_token) }), 'payload changed');
  const [h, p, s] = l.access_token.split('.');
  const sig = s.slice(0, -2) + (s.slice(-2) === 'AA' ? 'BA' : 'AA');
  expect401(await api(server, 'GET', '/api/users/me', { token: `${h}.${p}.${sig}` }), 'signature changed');
  expect401(await api(server, 'GET', '/api/users/me', { token: `${h}.${p}.` }), 'signature removed');
  // alg "none" with the same claims.
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  expect401(await api(server, 'GET', '/api/users/me', { token: `${none}.${p}.` }), 'alg none');
  expectStatus(await api(server, 'GET', '/api/users/me', { token: l.access_token }), 200, 'the untouched token still works');
});

test('Bearer garbage, another scheme, and no header are 401', async () => {
  expect401(await api(server, 'GET', '/api/users/me', { token: 'garbage' }), 'Bearer garbage');
  expect401(await api(server, 'GET', '/api/users/me', { headers: { authorization: 'Bearer ' } }), 'empty Bearer');
  expect401(await api(server, 'GET', '/api/users/me', { headers: { authorization: 'Basic cm9vdDpwdw==' } }), 'Basic');
  expect401(await api(server, 'GET', '/api/users/me'), 'no Authorization header');
  expect401(await api(server, 'GET', '/api/users'), 'no Authorization header on /api/users');
  expect401(await api(server, 'GET', '/api/projects'), 'no Authorization header on /api/projects');
});

test('a token signed by another server (other secret) is 401', async () => {
  const other = await startWithRoot();
  try {
    expect401(await api(server, 'GET', '/api/users/me', { token: other.rootToken }), 'foreign token');
  } finally {
    await other.server.stop();
  }
});

test('an expired access token is 401 while its refresh token still works (jwt.expiration=1s)', async () => {
  const s = await startWithRoot({ env: { M3M_JWT_EXPIRATION: '1s' } });
  try {
    const l = s.rootLogin;
    assert.equal(l.expires_in, 1, 'expires_in follows jwt.expiration');
    await sleep(2500);
    const res = await api(s.server, 'GET', '/api/users/me', { token: l.access_token });
    expect401(res, 'expired token');
    const r = await api(s.server, 'POST', '/api/auth/refresh', { body: { refresh_token: l.refresh_token } });
    expectStatus(r, 200, 'refresh after the access token expired');
    expectStatus(await api(s.server, 'GET', '/api/users/me', { token: r.body.access_token }), 200, 'fresh token');
  } finally {
    await s.server.stop();
  }
});

test('login attempts are limited per email: the 4th is 429 with Retry-After even with the right password', async () => {
  const s = await startWithRoot({ env: { M3M_AUTH_LOGIN_MAX_ATTEMPTS: '3', M3M_AUTH_LOGIN_WINDOW: '1m' } });
  try {
    const victim = await createUser(s.server, s.rootToken, {});
    const bystander = await createUser(s.server, s.rootToken, {});
    for (let i = 1; i <= 3; i++) {
      expectError(await login(s.server, victim.email, `wrong-password-${i}`), 401, 'UNAUTHENTICATED', `failure ${i}`);
    }
    const limited = await login(s.server, victim.email, victim.password);
    expectError(limited, 429, 'LIMIT_EXCEEDED', '4th attempt with the right password');
    const retry = limited.headers.get('retry-after');
    assert.match(retry || '', /^\d+$/, `Retry-After in seconds (got ${retry})`);
    assert.ok(Number(retry) >= 1 && Number(retry) <= 60, `Retry-After within the 1m window (got ${retry})`);
    assert.ok(!('access_token' in limited.body));
    // The same email in other case is the same email.
    expectError(await login(s.server, victim.email.toUpperCase(), victim.password), 429, 'LIMIT_EXCEEDED', 'same email, upper case');
    // Another email from the same IP is not affected.
    expectStatus(await login(s.server, bystander.email, bystander.password), 200, 'another email logs in');
    expectStatus(await login(s.server, ROOT_EMAIL, ROOT_PASSWORD), 200, 'root logs in');
  } finally {
    await s.server.stop();
  }
});

test('GET /api/auth/login is 405 with Allow: POST; HEAD /api/users/me without a token is 401', async () => {
  const res = await api(server, 'GET', '/api/auth/login');
  expectError(res, 405, 'METHOD_NOT_ALLOWED');
  assert.match(res.headers.get('allow') || '', /POST/);
  const head = await fetch(server.url + '/api/users/me', { method: 'HEAD' });
  assert.equal(head.status, 401);
});

test('the server output never contains a password', async () => {
  await sleep(100);
  assert.ok(!server.output().includes(ROOT_PASSWORD), 'root password not logged');
  assert.ok(!server.output().includes('not-the-password'), 'a wrong password not logged');
});
