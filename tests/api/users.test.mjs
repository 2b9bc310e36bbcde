// The users API: create, validate, list, get, update, delete, block, the
// root's protections, /me, password change and avatars.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  assertNoSecretFields,
  createProject,
  createUser,
  createUserAndLogin,
  expectError,
  expectFieldError,
  expectList,
  expectStatus,
  login,
  loginOk,
  makePng,
  missingIdLike,
  pngSize,
  uniq,
} from './fixtures.mjs';
import { startWithRoot } from './fixtures.mjs';

let server;
let rootToken;
let root;
before(async () => {
  ({ server, rootToken, root } = await startWithRoot({ env: { M3M_AUTH_AVATAR_MAX_SIZE: '10KB' } }));
});
after(async () => {
  await server?.stop();
});

const me = (token) => api(server, 'GET', '/api/users/me', { token });

function assertUserShape(u, where) {
  for (const k of ['id', 'email', 'name', 'avatar_url', 'language', 'is_root', 'is_blocked', 'permissions', 'project_ids', 'created_at', 'updated_at']) {
    assert.ok(k in u, `${where}: user.${k} is present in ${JSON.stringify(u)}`);
  }
  assert.equal(typeof u.permissions, 'object');
  assert.equal(typeof u.permissions.create_projects, 'boolean');
  assert.equal(typeof u.permissions.manage_users, 'boolean');
  assert.ok(Array.isArray(u.project_ids), `${where}: project_ids is an array`);
  assertNoSecretFields(u, where);
}

test('root creates a user: 201 with the user, no password, email lower-cased', async () => {
  const email = `${uniq('New')}@Example.COM`;
  const res = await api(server, 'POST', '/api/users', {
    token: rootToken,
    body: { email, password: 'password123', name: 'New Person', permissions: { create_projects: true } },
  });
  expectStatus(res, 201);
  assertUserShape(res.body, 'created user');
  assert.equal(res.body.email, email.toLowerCase());
  assert.equal(res.body.name, 'New Person');
  assert.equal(res.body.is_root, false);
  assert.equal(res.body.is_blocked, false);
  assert.deepEqual(res.body.permissions, { create_projects: true, manage_users: false });
  assert.deepEqual(res.body.project_ids, []);
  assert.ok(!res.text.includes('password123'));
  expectStatus(await login(server, email.toLowerCase(), 'password123'), 200, 'the new user logs in');
});

test('a duplicate email is 409 CONFLICT naming email (also in another case)', async () => {
  const u = await createUser(server, rootToken, {});
  const dup = await api(server, 'POST', '/api/users', { token: rootToken, body: { email: u.email, password: 'password123' } });
  const err = expectError(dup, 409, 'CONFLICT', 'same email');
  assert.ok('email' in err.fields, JSON.stringify(err.fields));
  const upper = await api(server, 'POST', '/api/users', { token: rootToken, body: { email: u.email.toUpperCase(), password: 'password123' } });
  expectError(upper, 409, 'CONFLICT', 'same email in upper case');
});

test('user validation: 400 INVALID_ARGUMENT with error.fields naming the field', async () => {
  const ok = () => ({ email: `${uniq('v')}@example.com`, password: 'password123' });
  const cases = [
    [{ ...ok(), email: 'not-an-email' }, 'email'],
    [{ ...ok(), email: 'a@' }, 'email'],
    [{ ...ok(), email: 42 }, 'email'],
    [{ password: 'password123' }, 'email'],
    [{ ...ok(), password: 'short' }, 'password'],
    [{ ...ok(), password: 'x'.repeat(257) }, 'password'],
    [{ ...ok(), password: 12345678 }, 'password'],
    [{ email: `${uniq('v')}@example.com` }, 'password'],
    [{ ...ok(), permissions: 'yes' }, 'permissions'],
    [{ ...ok(), permissions: { manage_users: 'yes' } }, 'permissions'],
    [{ ...ok(), project_ids: 'all' }, 'project_ids'],
    [{ ...ok(), name: 42 }, 'name'],
  ];
  for (const [body, field] of cases) {
    const res = await api(server, 'POST', '/api/users', { token: rootToken, body });
    expectFieldError(res, field, `POST /api/users ${JSON.stringify(body).slice(0, 120)}`);
  }
  // Nothing of that was created.
  const list = expectList(await api(server, 'GET', '/api/users?search=not-an-email', { token: rootToken }));
  assert.equal(list.length, 0);
});

test('a password of exactly 8 and of 256 characters is accepted', async () => {
  await createUser(server, rootToken, { password: '12345678' });
  await createUser(server, rootToken, { password: 'p'.repeat(256) });
});

test('malformed JSON on POST /api/users is 400 INVALID_ARGUMENT', async () => {
  const res = await api(server, 'POST', '/api/users', { token: rootToken, body: '{"email": ' });
  expectError(res, 400, 'INVALID_ARGUMENT');
});

test('the user list is paged and searchable', async () => {
  const tag = uniq('pg');
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await createUser(server, rootToken, { email: `${tag}-${i}@example.com`, name: `Pager ${i}` }));

  const p1 = await api(server, 'GET', `/api/users?search=${tag}&page=1&per_page=2`, { token: rootToken });
  const items1 = expectList(p1);
  assert.equal(items1.length, 2);
  assert.equal(p1.body.page, 1);
  assert.equal(p1.body.per_page, 2);
  assert.equal(p1.body.total_items, 3);
  assert.equal(p1.body.total_pages, 2);
  items1.forEach((u, i) => assertUserShape(u, `list item ${i}`));

  const p2 = await api(server, 'GET', `/api/users?search=${tag}&page=2&per_page=2`, { token: rootToken });
  const items2 = expectList(p2);
  assert.equal(items2.length, 1);
  assert.equal(p2.body.page, 2);
  const ids = new Set([...items1, ...items2].map((u) => u.id));
  assert.deepEqual([...ids].sort(), made.map((u) => u.id).sort(), 'the two pages hold the three users once each');

  const alias = await api(server, 'GET', `/api/users?search=${tag}&perPage=1`, { token: rootToken });
  assert.equal(expectList(alias).length, 1, 'perPage is an alias of per_page');
  assert.equal(alias.body.total_pages, 3);

  const all = await api(server, 'GET', '/api/users?page=1&per_page=2', { token: rootToken });
  assert.equal(expectList(all).length, 2);
  assert.ok(all.body.total_items >= 4, 'root and the three users at least');

  const one = await api(server, 'GET', `/api/users?search=${encodeURIComponent(made[1].email)}`, { token: rootToken });
  const found = expectList(one);
  assert.equal(found.length, 1);
  assert.equal(found[0].id, made[1].id);

  const none = await api(server, 'GET', `/api/users?search=${uniq('zzz')}`, { token: rootToken });
  assert.equal(expectList(none).length, 0);
  assert.equal(none.body.total_items, 0);

  const byName = await api(server, 'GET', `/api/users?search=${encodeURIComponent('Pager 2')}`, { token: rootToken });
  assert.ok(expectList(byName).some((u) => u.id === made[2].id), 'search matches names too');
});

test('get, update and delete a user', async () => {
  const u = await createUser(server, rootToken, { name: 'Before' });
  const got = await api(server, 'GET', `/api/users/${u.id}`, { token: rootToken });
  expectStatus(got, 200);
  assertUserShape(got.body, 'GET user');
  assert.equal(got.body.email, u.email);

  const upd = await api(server, 'PUT', `/api/users/${u.id}`, {
    token: rootToken,
    body: { name: 'After', permissions: { create_projects: true, manage_users: true } },
  });
  expectStatus(upd, 200);
  assert.equal(upd.body.name, 'After');
  assert.deepEqual(upd.body.permissions, { create_projects: true, manage_users: true });
  const again = await api(server, 'GET', `/api/users/${u.id}`, { token: rootToken });
  assert.equal(again.body.name, 'After');

  const bad = await api(server, 'PUT', `/api/users/${u.id}`, { token: rootToken, body: { email: 'nope' } });
  expectFieldError(bad, 'email', 'PUT with a bad email');

  const del = await api(server, 'DELETE', `/api/users/${u.id}`, { token: rootToken });
  expectStatus(del, 204);
  expectError(await api(server, 'GET', `/api/users/${u.id}`, { token: rootToken }), 404, 'NOT_FOUND', 'GET after delete');
  expectError(await api(server, 'DELETE', `/api/users/${u.id}`, { token: rootToken }), 404, 'NOT_FOUND', 'DELETE twice');
  expectError(await api(server, 'GET', `/api/users/${missingIdLike(u.id)}`, { token: rootToken }), 404, 'NOT_FOUND', 'unknown id');
});

test('changing a user to an email already taken is 409', async () => {
  const a = await createUser(server, rootToken, {});
  const b = await createUser(server, rootToken, {});
  const res = await api(server, 'PUT', `/api/users/${b.id}`, { token: rootToken, body: { email: a.email } });
  expectError(res, 409, 'CONFLICT');
});

test('blocking: the user cannot log in (403) and the existing token dies at once; unblock lets them log in again', async () => {
  const { user, token } = await createUserAndLogin(server, rootToken, {});
  expectStatus(await me(token), 200);
  const blk = await api(server, 'POST', `/api/users/${user.id}/block`, { token: rootToken });
  expectStatus(blk, 200, 'block');
  assert.equal(blk.body.is_blocked, true);
  expectError(await me(token), 401, 'UNAUTHENTICATED', 'token of a blocked user');
  expectError(await login(server, user.email, user.password), 403, 'PERMISSION_DENIED', 'a blocked user logs in');

  const unb = await api(server, 'POST', `/api/users/${user.id}/unblock`, { token: rootToken });
  expectStatus(unb, 200, 'unblock');
  assert.equal(unb.body.is_blocked, false);
  expectError(await me(token), 401, 'UNAUTHENTICATED', 'the token killed by the block stays dead');
  const l = await loginOk(server, user.email, user.password);
  expectStatus(await me(l.access_token), 200, 'a fresh login after unblock');
});

test('deleting a user kills their token', async () => {
  const { user, token } = await createUserAndLogin(server, rootToken, {});
  expectStatus(await me(token), 200);
  expectStatus(await api(server, 'DELETE', `/api/users/${user.id}`, { token: rootToken }), 204);
  expectError(await me(token), 401, 'UNAUTHENTICATED', 'token of a deleted user');
  expectError(await login(server, user.email, user.password), 401, 'UNAUTHENTICATED', 'a deleted user logs in');
});

test('an admin changing a user password kills the old token; the new password logs in', async () => {
  const { user, token, refresh } = await createUserAndLogin(server, rootToken, {});
  const res = await api(server, 'PUT', `/api/users/${user.id}`, { token: rootToken, body: { password: 'brand-new-pass' } });
  expectStatus(res, 200);
  assertNoSecretFields(res.body, 'PUT user');
  expectError(await me(token), 401, 'UNAUTHENTICATED', 'old access token');
  expectError(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: refresh } }), 401, 'UNAUTHENTICATED', 'old refresh token');
  expectError(await login(server, user.email, user.password), 401, 'UNAUTHENTICATED', 'old password');
  await loginOk(server, user.email, 'brand-new-pass');
  const short = await api(server, 'PUT', `/api/users/${user.id}`, { token: rootToken, body: { password: 'short' } });
  expectFieldError(short, 'password');
});

test('root cannot be deleted or blocked, even by a manage_users admin; only root edits root', async () => {
  const admin = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true } });
  expectError(await api(server, 'DELETE', `/api/users/${root.id}`, { token: admin.token }), 403, 'PERMISSION_DENIED', 'admin deletes root');
  expectError(await api(server, 'POST', `/api/users/${root.id}/block`, { token: admin.token }), 403, 'PERMISSION_DENIED', 'admin blocks root');
  expectError(await api(server, 'POST', `/api/users/${root.id}/block`, { token: rootToken }), 403, 'PERMISSION_DENIED', 'root blocks root');
  expectError(await api(server, 'PUT', `/api/users/${root.id}`, { token: admin.token, body: { name: 'Hijacked' } }), 403, 'PERMISSION_DENIED', 'admin renames root');
  expectError(
    await api(server, 'PUT', `/api/users/${root.id}`, { token: admin.token, body: { password: 'hijacked-pass' } }),
    403,
    'PERMISSION_DENIED',
    'admin changes the root password',
  );
  expectError(
    await api(server, 'PUT', `/api/users/${root.id}`, { token: admin.token, body: { email: 'mine@example.com' } }),
    403,
    'PERMISSION_DENIED',
    'admin changes the root email',
  );
  // Root is intact and still works.
  const r = await api(server, 'GET', `/api/users/${root.id}`, { token: rootToken });
  expectStatus(r, 200);
  assert.equal(r.body.is_blocked, false);
  assert.notEqual(r.body.name, 'Hijacked');
  assert.equal(r.body.email, root.email);
  // Root may edit root.
  const own = await api(server, 'PUT', `/api/users/${root.id}`, { token: rootToken, body: { name: 'The Root' } });
  expectStatus(own, 200, 'root renames root');
  assert.equal(own.body.name, 'The Root');
  assert.equal(own.body.is_root, true);
  // The admin can still manage ordinary users.
  const victim = await createUser(server, admin.token, {});
  expectStatus(await api(server, 'POST', `/api/users/${victim.id}/block`, { token: admin.token }), 200, 'admin blocks a user');
  expectStatus(await api(server, 'DELETE', `/api/users/${victim.id}`, { token: admin.token }), 204, 'admin deletes a user');
});

test('an admin cannot delete themselves (400)', async () => {
  const admin = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true } });
  const res = await api(server, 'DELETE', `/api/users/${admin.user.id}`, { token: admin.token });
  expectError(res, 400, 'INVALID_ARGUMENT', 'delete yourself');
  expectStatus(await me(admin.token), 200, 'still there');
});

test('a user without manage_users sees only themselves', async () => {
  const plain = await createUserAndLogin(server, rootToken, {});
  const other = await createUser(server, rootToken, {});
  expectError(await api(server, 'GET', '/api/users', { token: plain.token }), 403, 'PERMISSION_DENIED', 'list users');
  expectError(await api(server, 'GET', `/api/users/${other.id}`, { token: plain.token }), 403, 'PERMISSION_DENIED', 'get another user');
  expectError(await api(server, 'GET', `/api/users/${root.id}`, { token: plain.token }), 403, 'PERMISSION_DENIED', 'get root');
  expectError(await api(server, 'PUT', `/api/users/${other.id}`, { token: plain.token, body: { name: 'x' } }), 403, 'PERMISSION_DENIED', 'update another user');
  expectError(await api(server, 'DELETE', `/api/users/${other.id}`, { token: plain.token }), 403, 'PERMISSION_DENIED', 'delete another user');
  expectError(await api(server, 'POST', `/api/users/${other.id}/block`, { token: plain.token }), 403, 'PERMISSION_DENIED', 'block another user');
  expectError(
    await api(server, 'POST', '/api/users', { token: plain.token, body: { email: `${uniq('x')}@example.com`, password: 'password123' } }),
    403,
    'PERMISSION_DENIED',
    'create a user',
  );
  const self = await api(server, 'GET', `/api/users/${plain.user.id}`, { token: plain.token });
  expectStatus(self, 200, 'get yourself by id');
  const m = await me(plain.token);
  expectStatus(m, 200);
  assertUserShape(m.body, '/me');
  assert.equal(m.body.id, plain.user.id);
  assert.equal(m.body.is_root, false);
});

test('a user cannot raise their own permissions (by /me or by id)', async () => {
  const plain = await createUserAndLogin(server, rootToken, {});
  const viaMe = await api(server, 'PUT', '/api/users/me', {
    token: plain.token,
    body: { name: 'Sneaky', permissions: { manage_users: true, create_projects: true }, is_root: true },
  });
  // Bodies are strict: keys /me does not take are refused, naming them.
  const err = expectError(viaMe, 400, 'INVALID_ARGUMENT', 'PUT /me with permissions');
  assert.equal(err.fields.permissions, 'unknown field');
  assert.equal(err.fields.is_root, 'unknown field');
  assert.notEqual((await me(plain.token)).body.name, 'Sneaky', 'the refused body changed nothing');
  const viaId = await api(server, 'PUT', `/api/users/${plain.user.id}`, {
    token: plain.token,
    body: { permissions: { manage_users: true, create_projects: true } },
  });
  expectError(viaId, 403, 'PERMISSION_DENIED', 'PUT /api/users/<self> with permissions without manage_users');
  const m = await me(plain.token);
  expectStatus(m, 200);
  assert.deepEqual(m.body.permissions, { create_projects: false, manage_users: false });
  assert.equal(m.body.is_root, false);
});

test('PUT /api/users/me changes the name (and validates the email)', async () => {
  const u = await createUserAndLogin(server, rootToken, { name: 'Old Name' });
  const res = await api(server, 'PUT', '/api/users/me', { token: u.token, body: { name: 'New Name' } });
  expectStatus(res, 200);
  assert.equal(res.body.name, 'New Name');
  assertUserShape(res.body, 'PUT /me');
  assert.equal((await me(u.token)).body.name, 'New Name');
  expectFieldError(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { email: 'bad' } }), 'email', 'PUT /me bad email');
  const taken = await api(server, 'PUT', '/api/users/me', { token: u.token, body: { email: root.email } });
  expectError(taken, 409, 'CONFLICT', 'PUT /me with the root email');
  const newEmail = `${uniq('Moved')}@Example.com`;
  const moved = await api(server, 'PUT', '/api/users/me', { token: u.token, body: { email: newEmail } });
  expectStatus(moved, 200, 'PUT /me email');
  assert.equal(moved.body.email, newEmail.toLowerCase());
  await loginOk(server, newEmail, u.password);
  expectError(await login(server, u.user.email, u.password), 401, 'UNAUTHENTICATED', 'the old email');
  expectStatus(await api(server, 'GET', '/api/users/me/', { token: u.token }), 200, 'a trailing slash is ignored');
});

test('the UI language is kept with the account: "en", "ru" or null (the browser\'s)', async () => {
  const u = await createUserAndLogin(server, rootToken);
  assert.equal((await me(u.token)).body.language, null, 'a new account follows the browser');
  const ru = expectStatus(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { language: 'ru' } }), 200);
  assert.equal(ru.body.language, 'ru');
  assert.equal((await me(u.token)).body.language, 'ru');
  const fresh = await loginOk(server, u.user.email, u.password);
  assert.equal(fresh.user.language, 'ru', 'the login answer carries it');
  expectStatus(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { name: 'Renamed' } }), 200);
  assert.equal((await me(u.token)).body.language, 'ru', 'absent = unchanged');
  expectFieldError(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { language: 'de' } }), 'language', 'an unknown language');
  expectFieldError(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { language: 7 } }), 'language', 'a number');
  expectFieldError(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { language: 'RU' } }), 'language', 'case matters');
  assert.equal((await me(u.token)).body.language, 'ru', 'refused input changes nothing');
  const cleared = expectStatus(await api(server, 'PUT', '/api/users/me', { token: u.token, body: { language: null } }), 200);
  assert.equal(cleared.body.language, null);
});

test('PUT /api/users/me/password needs the current password; success returns a new token pair and kills old tokens', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const wrong = await api(server, 'PUT', '/api/users/me/password', {
    token: u.token,
    body: { current_password: 'not-my-password', new_password: 'next-password-1' },
  });
  expectFieldError(wrong, 'current_password', 'wrong current password');
  expectStatus(await me(u.token), 200, 'a wrong current password changes nothing');

  const weak = await api(server, 'PUT', '/api/users/me/password', {
    token: u.token,
    body: { current_password: u.password, new_password: 'short' },
  });
  expectFieldError(weak, 'new_password', 'short new password');

  const ok = await api(server, 'PUT', '/api/users/me/password', {
    token: u.token,
    body: { current_password: u.password, new_password: 'next-password-1' },
  });
  expectStatus(ok, 200);
  assert.equal(typeof ok.body.access_token, 'string');
  assert.equal(typeof ok.body.refresh_token, 'string');
  assert.ok(!ok.text.includes('next-password-1'));
  expectError(await me(u.token), 401, 'UNAUTHENTICATED', 'old access token');
  expectError(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: u.refresh } }), 401, 'UNAUTHENTICATED', 'old refresh token');
  expectStatus(await me(ok.body.access_token), 200, 'the new access token');
  expectStatus(await api(server, 'POST', '/api/auth/refresh', { body: { refresh_token: ok.body.refresh_token } }), 200, 'the new refresh token');
  expectError(await login(server, u.user.email, u.password), 401, 'UNAUTHENTICATED', 'old password');
  await loginOk(server, u.user.email, 'next-password-1');
  assert.ok(!server.output().includes('next-password-1'), 'passwords are never logged');
});

// ---- avatars ----

function avatarForm(bytes, filename = 'a.png', type = 'image/png') {
  const fd = new FormData();
  fd.append('avatar', new Blob([bytes], { type }), filename);
  return fd;
}

async function fetchAvatar(url) {
  const u = new URL(url, server.url); // avatar_url may be absolute (server.uri) or relative
  return api(server, 'GET', u.pathname + u.search);
}

test('avatar: a real PNG upload sets avatar_url, served as a 256x256 PNG without auth', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const png = makePng(64, 40);
  assert.ok(png.length < 10 * 1024, 'the test image is under the 10KB limit');
  const res = await api(server, 'PUT', '/api/users/me/avatar', { token: u.token, body: avatarForm(png) });
  expectStatus(res, 200);
  assertUserShape(res.body, 'avatar upload');
  assert.equal(typeof res.body.avatar_url, 'string');
  assert.ok(res.body.avatar_url.length > 0);

  const img = await fetchAvatar(res.body.avatar_url);
  expectStatus(img, 200, 'GET avatar_url');
  assert.match(img.headers.get('content-type') || '', /^image\/png/);
  assert.deepEqual(pngSize(img.bytes), { width: 256, height: 256 }, 'a resized 256x256 PNG');

  const byId = await api(server, 'GET', `/api/users/${u.user.id}/avatar`);
  expectStatus(byId, 200, 'GET /api/users/:id/avatar');
  assert.match(byId.headers.get('content-type') || '', /^image\/png/);

  expectStatus(await me(u.token), 200);
  assert.equal((await me(u.token)).body.avatar_url, res.body.avatar_url);

  const del = await api(server, 'DELETE', '/api/users/me/avatar', { token: u.token });
  expectStatus(del, 200, 'DELETE avatar');
  assert.equal(del.body.avatar_url, null);
});

test('avatar: a text file named x.png is 400', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const res = await api(server, 'PUT', '/api/users/me/avatar', {
    token: u.token,
    body: avatarForm(Buffer.from('this is not an image at all\n'.repeat(10)), 'x.png', 'image/png'),
  });
  expectError(res, 400, 'INVALID_ARGUMENT', 'text as png');
  const truncated = makePng(32, 32).subarray(0, 40);
  expectError(
    await api(server, 'PUT', '/api/users/me/avatar', { token: u.token, body: avatarForm(truncated) }),
    400,
    'INVALID_ARGUMENT',
    'truncated png',
  );
  assert.equal((await me(u.token)).body.avatar_url, null, 'no avatar was set');
});

test('avatar: a multipart body without the avatar field is 400; without a token 401', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const fd = new FormData();
  fd.append('picture', new Blob([makePng(8, 8)], { type: 'image/png' }), 'a.png');
  expectError(await api(server, 'PUT', '/api/users/me/avatar', { token: u.token, body: fd }), 400, 'INVALID_ARGUMENT', 'no avatar field');
  expectError(await api(server, 'PUT', '/api/users/me/avatar', { body: avatarForm(makePng(8, 8)) }), 401, 'UNAUTHENTICATED', 'no token');
});

test('avatar: a file over auth.avatar_max_size (10KB) is 413', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const big = makePng(128, 128, { noise: true });
  assert.ok(big.length > 45 * 1024, `the test image is about 50KB (${big.length})`);
  const res = await api(server, 'PUT', '/api/users/me/avatar', { token: u.token, body: avatarForm(big) });
  expectError(res, 413, 'PAYLOAD_TOO_LARGE', 'avatar of 50KB');
  assert.equal((await me(u.token)).body.avatar_url, null, 'no avatar was set');
});

// --- manage_users reaches only users within its own reach (issue 14) -------

// A manager of project A (not B), a member of B (carol), and B itself.
async function reachWorld() {
  const A = await createProject(server, rootToken, {});
  const B = await createProject(server, rootToken, {});
  const mgr = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true }, project_ids: [A.id] });
  const carol = await createUserAndLogin(server, rootToken, { project_ids: [B.id] });
  return { A, B, mgr, carol };
}

test('the carol attack: a manager refused project B cannot reset the password of B\'s member and read B as her', async () => {
  const { A, B, mgr, carol } = await reachWorld();
  // Refused the project for itself …
  expectError(
    await api(server, 'PUT', `/api/users/${mgr.user.id}`, { token: mgr.token, body: { project_ids: [A.id, B.id] } }),
    403,
    'PERMISSION_DENIED',
    'manager grants itself B',
  );
  // … and refused the detour through B's member.
  const reset = await api(server, 'PUT', `/api/users/${carol.user.id}`, { token: mgr.token, body: { password: 'taken-over-1' } });
  const err = expectError(reset, 403, 'PERMISSION_DENIED', 'manager resets carol\'s password');
  assert.match(err.message, /within your own/);
  expectError(await login(server, carol.user.email, 'taken-over-1'), 401, 'UNAUTHENTICATED', 'the manager cannot log in as carol');
  // Carol is untouched: her password and her token still work, she still reads B.
  expectStatus(await api(server, 'GET', `/api/projects/${B.id}`, { token: carol.token }), 200, 'carol\'s token still reads B');
  await loginOk(server, carol.user.email, carol.password);
  expectError(await api(server, 'GET', `/api/projects/${B.id}`, { token: mgr.token }), 403, 'PERMISSION_DENIED', 'the manager still cannot read B');
  const m = await api(server, 'GET', `/api/users/${mgr.user.id}`, { token: rootToken });
  assert.deepEqual(m.body.project_ids, [A.id], 'the manager\'s access is unchanged');
});

test('a manager cannot rename, block, unblock, delete or add to its project a user with access it lacks', async () => {
  const { A, mgr, carol } = await reachWorld();
  for (const [method, path, body] of [
    ['POST', `/api/projects/${A.id}/members`, { user_id: carol.user.id }],
    ['PUT', `/api/users/${carol.user.id}`, { name: 'Renamed' }],
    ['PUT', `/api/users/${carol.user.id}`, { email: `${uniq('moved')}@example.com` }],
    ['POST', `/api/users/${carol.user.id}/block`, undefined],
    ['POST', `/api/users/${carol.user.id}/unblock`, undefined],
    ['DELETE', `/api/users/${carol.user.id}`, undefined],
  ]) {
    expectError(await api(server, method, path, { token: mgr.token, body }), 403, 'PERMISSION_DENIED', `${method} ${path}`);
  }
  const c = await api(server, 'GET', `/api/users/${carol.user.id}`, { token: rootToken });
  expectStatus(c, 200, 'carol still exists');
  assert.equal(c.body.is_blocked, false);
  assert.equal(c.body.email, carol.user.email);
  assert.deepEqual(c.body.project_ids, carol.user.project_ids);
  expectStatus(await me(carol.token), 200, 'carol\'s token still works');
});

test('a manager cannot touch a user with a broader permission (create_projects), nor grant it', async () => {
  const mgr = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true } });
  const creator = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true } });
  expectError(await api(server, 'PUT', `/api/users/${creator.user.id}`, { token: mgr.token, body: { password: 'taken-over-1' } }), 403, 'PERMISSION_DENIED', 'reset');
  expectError(await api(server, 'POST', `/api/users/${creator.user.id}/block`, { token: mgr.token }), 403, 'PERMISSION_DENIED', 'block');
  expectError(await api(server, 'DELETE', `/api/users/${creator.user.id}`, { token: mgr.token }), 403, 'PERMISSION_DENIED', 'delete');
  await loginOk(server, creator.user.email, creator.password);
  // Granting: to a new user, to an existing one, to itself.
  const email = `${uniq('grant')}@example.com`;
  expectError(
    await api(server, 'POST', '/api/users', { token: mgr.token, body: { email, password: 'password123', permissions: { create_projects: true } } }),
    403,
    'PERMISSION_DENIED',
    'create a user with create_projects',
  );
  const list = await api(server, 'GET', `/api/users?search=${encodeURIComponent(email)}`, { token: rootToken });
  assert.equal(list.body.total_items, 0, 'no user was created');
  const plain = await createUser(server, mgr.token, {});
  expectError(
    await api(server, 'PUT', `/api/users/${plain.id}`, { token: mgr.token, body: { permissions: { create_projects: true } } }),
    403,
    'PERMISSION_DENIED',
    'grant create_projects to a user',
  );
  expectError(
    await api(server, 'PUT', `/api/users/${mgr.user.id}`, { token: mgr.token, body: { permissions: { create_projects: true } } }),
    403,
    'PERMISSION_DENIED',
    'grant itself create_projects',
  );
  expectError(
    await api(server, 'PUT', `/api/users/${mgr.user.id}`, { token: mgr.token, body: { permissions: { manage_users: false } } }),
    403,
    'PERMISSION_DENIED',
    'drop its own manage_users',
  );
  expectError(
    await api(server, 'PUT', `/api/users/${mgr.user.id}`, { token: mgr.token, body: { password: 'no-current-1' } }),
    403,
    'PERMISSION_DENIED',
    'its own password without the current one',
  );
  const after = await me(mgr.token);
  assert.deepEqual(after.body.permissions, { create_projects: false, manage_users: true });
  assert.equal((await api(server, 'GET', `/api/users/${plain.id}`, { token: rootToken })).body.permissions.create_projects, false);
});

test('a manager cannot grant a project it lacks, on create or on edit', async () => {
  const { A, B, mgr } = await reachWorld();
  const email = `${uniq('inb')}@example.com`;
  expectError(
    await api(server, 'POST', '/api/users', { token: mgr.token, body: { email, password: 'password123', project_ids: [B.id] } }),
    403,
    'PERMISSION_DENIED',
    'create a member of B',
  );
  const u = await createUser(server, mgr.token, { project_ids: [A.id] });
  expectError(
    await api(server, 'PUT', `/api/users/${u.id}`, { token: mgr.token, body: { project_ids: [A.id, B.id] } }),
    403,
    'PERMISSION_DENIED',
    'add B to a user',
  );
  assert.deepEqual((await api(server, 'GET', `/api/users/${u.id}`, { token: rootToken })).body.project_ids, [A.id]);
});

test('within its reach a manager still does everything: create, grant what it holds, edit, reset, block, delete', async () => {
  const { A, mgr } = await reachWorld();
  const u = await createUser(server, mgr.token, { permissions: { manage_users: true }, project_ids: [A.id] });
  assert.deepEqual(u.permissions, { create_projects: false, manage_users: true });
  assert.deepEqual(u.project_ids, [A.id]);
  const edited = await api(server, 'PUT', `/api/users/${u.id}`, {
    token: mgr.token,
    body: { name: 'Helper', password: 'reset-by-mgr-1', permissions: { manage_users: false }, project_ids: [] },
  });
  expectStatus(edited, 200, 'edit within reach');
  assert.equal(edited.body.name, 'Helper');
  assert.deepEqual(edited.body.permissions, { create_projects: false, manage_users: false });
  assert.deepEqual(edited.body.project_ids, []);
  await loginOk(server, u.email, 'reset-by-mgr-1');
  expectStatus(await api(server, 'POST', `/api/users/${u.id}/block`, { token: mgr.token }), 200, 'block');
  expectStatus(await api(server, 'POST', `/api/users/${u.id}/unblock`, { token: mgr.token }), 200, 'unblock');
  expectStatus(await api(server, 'DELETE', `/api/users/${u.id}`, { token: mgr.token }), 204, 'delete');
  // Its own profile: name by id with the unchanged permissions sent back, and /me.
  const self = await api(server, 'PUT', `/api/users/${mgr.user.id}`, {
    token: mgr.token,
    body: { name: 'Manager', permissions: { create_projects: false, manage_users: true }, project_ids: [A.id] },
  });
  expectStatus(self, 200, 'its own name with unchanged permissions');
  expectStatus(await api(server, 'PUT', '/api/users/me', { token: mgr.token, body: { name: 'Me' } }), 200, '/me');
  // Root is unrestricted.
  const { carol } = await reachWorld();
  expectStatus(await api(server, 'PUT', `/api/users/${carol.user.id}`, { token: rootToken, body: { password: 'root-reset-1' } }), 200, 'root resets anyone');
});
