// The projects API: create and validate, list by access, update, delete, API
// keys (shown once, masked, regenerated) and members.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  createProject,
  createUserAndLogin,
  expectError,
  expectFieldError,
  expectList,
  expectStatus,
  missingIdLike,
  startWithRoot,
  uniq,
} from './fixtures.mjs';

const COLORS = ['slate', 'red', 'orange', 'amber', 'yellow', 'lime', 'green', 'emerald', 'teal', 'cyan', 'sky', 'blue', 'indigo', 'violet', 'purple', 'pink'];

let server;
let rootToken;
let root;
before(async () => {
  ({ server, rootToken, root } = await startWithRoot());
});
after(async () => {
  await server?.stop();
});

function assertProjectShape(p, where) {
  for (const k of ['id', 'name', 'slug', 'color', 'status', 'active_release', 'auto_start', 'owner_id', 'api_key_hint', 'created_at', 'updated_at']) {
    assert.ok(k in p, `${where}: project.${k} is present in ${JSON.stringify(p)}`);
  }
}

test('create: 201 with the project, the full api_key once; later reads show only api_key_hint', async () => {
  const slug = uniq('create-');
  const res = await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'My Project', slug, color: 'blue' } });
  expectStatus(res, 201);
  const p = res.body;
  assertProjectShape(p, 'created');
  assert.equal(p.name, 'My Project');
  assert.equal(p.slug, slug);
  assert.equal(p.color, 'blue');
  assert.equal(p.status, 'stopped', 'a fresh project is stopped');
  assert.equal(p.active_release, null, 'a fresh project has no active release');
  assert.equal(typeof p.auto_start, 'boolean'); // the default is not in the contract
  assert.equal(p.owner_id, root.id);
  assert.equal(typeof p.api_key, 'string');
  assert.ok(p.api_key.length >= 24, 'a long random key');
  assert.equal(typeof p.api_key_hint, 'string');
  assert.notEqual(p.api_key_hint, p.api_key);

  const got = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  expectStatus(got, 200);
  assertProjectShape(got.body, 'GET');
  assert.ok(!('api_key' in got.body), 'no api_key after creation');
  assert.equal(got.body.api_key_hint, p.api_key_hint);
  assert.ok(!got.text.includes(p.api_key), 'the full key never appears again');
  const list = await api(server, 'GET', '/api/projects', { token: rootToken });
  expectList(list);
  assert.ok(!list.text.includes(p.api_key), 'not in the list either');
  assert.ok(!server.output().includes(p.api_key), 'nor in the log');
});

test('create without color gives color null; name is required and 1-100 characters', async () => {
  const p = await createProject(server, rootToken, {});
  assert.equal(p.color, null);
  expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { slug: uniq('n-') } }), 'name', 'no name');
  expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: '', slug: uniq('n-') } }), 'name', 'empty name');
  expectFieldError(
    await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'n'.repeat(101), slug: uniq('n-') } }),
    'name',
    '101-char name',
  );
  expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 5, slug: uniq('n-') } }), 'name', 'numeric name');
  await createProject(server, rootToken, { name: 'n'.repeat(100) });
  expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'No slug' } }), 'slug', 'no slug');
});

test('slug validation: [a-z0-9-]{2,48}, else 400 naming slug', async () => {
  for (const slug of ['Bad Slug', 'a', 'x'.repeat(49), 'UPPER', 'under_score', 'dot.ted', 'émoji', '', 42]) {
    const res = await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'x', slug } });
    expectFieldError(res, 'slug', `slug ${JSON.stringify(slug)}`);
  }
  const max = `${uniq('m')}-`.padEnd(48, 'z');
  assert.equal(max.length, 48);
  await createProject(server, rootToken, { slug: max });
  await createProject(server, rootToken, { slug: 'z9' }); // 2 characters, fresh server: unique
  await createProject(server, rootToken, { slug: '-a-' }); // dashes anywhere match [a-z0-9-]
});

test('a duplicate slug is 409 CONFLICT, on create and on update', async () => {
  const a = await createProject(server, rootToken, {});
  const b = await createProject(server, rootToken, {});
  expectError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'dup', slug: a.slug } }), 409, 'CONFLICT', 'create');
  expectError(await api(server, 'PUT', `/api/projects/${b.id}`, { token: rootToken, body: { slug: a.slug } }), 409, 'CONFLICT', 'update');
  expectStatus(await api(server, 'PUT', `/api/projects/${a.id}`, { token: rootToken, body: { slug: a.slug } }), 200, 'keeping its own slug');
});

test('color: null and the 16 system colors are accepted, anything else is 400 naming color', async () => {
  const p = await createProject(server, rootToken, { color: null });
  assert.equal(p.color, null);
  const red = await createProject(server, rootToken, { color: 'red' });
  assert.equal(red.color, 'red');
  for (const color of COLORS) {
    const res = await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { color } });
    expectStatus(res, 200, `color ${color}`);
    assert.equal(res.body.color, color);
  }
  const cleared = await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { color: null } });
  expectStatus(cleared, 200, 'color back to null');
  assert.equal(cleared.body.color, null);
  for (const color of ['mauve', 'RED', '#ff0000', '', 3]) {
    expectFieldError(await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'c', slug: uniq('c-'), color } }), 'color', `create color ${JSON.stringify(color)}`);
    expectFieldError(await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { color } }), 'color', `update color ${JSON.stringify(color)}`);
  }
});

test('the list shows only the projects the caller may access (root: all)', async () => {
  const creator = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true } });
  const mine = await createProject(server, creator.token, {});
  assert.equal(mine.owner_id, creator.user.id);
  const rootsOwn = await createProject(server, rootToken, {});

  const list = await api(server, 'GET', '/api/projects?per_page=100', { token: creator.token });
  const ids = expectList(list).map((p) => p.id);
  assert.ok(ids.includes(mine.id), 'the creator sees their project');
  assert.ok(!ids.includes(rootsOwn.id), "the creator does not see root's project");
  assert.equal(list.body.total_items, ids.length);
  for (const p of list.body.items) assert.ok(!('api_key' in p), 'no api_key in lists');

  const all = expectList(await api(server, 'GET', '/api/projects?per_page=100', { token: rootToken })).map((p) => p.id);
  assert.ok(all.includes(mine.id) && all.includes(rootsOwn.id), 'root sees every project');

  const nobody = await createUserAndLogin(server, rootToken, {});
  const none = await api(server, 'GET', '/api/projects', { token: nobody.token });
  assert.equal(expectList(none).length, 0);
  assert.equal(none.body.total_items, 0);

  const paged = await api(server, 'GET', '/api/projects?page=1&per_page=1', { token: rootToken });
  assert.equal(expectList(paged).length, 1);
  assert.equal(paged.body.per_page, 1);
  assert.ok(paged.body.total_pages >= 2);

  const search = await api(server, 'GET', `/api/projects?search=${mine.slug}`, { token: rootToken });
  const found = expectList(search);
  assert.equal(found.length, 1);
  assert.equal(found[0].id, mine.id);
});

test('update name, slug, color and auto_start; validation on update', async () => {
  const p = await createProject(server, rootToken, {});
  const slug = uniq('renamed-');
  const res = await api(server, 'PUT', `/api/projects/${p.id}`, {
    token: rootToken,
    body: { name: 'Renamed', slug, color: 'teal', auto_start: true },
  });
  expectStatus(res, 200);
  assert.equal(res.body.name, 'Renamed');
  assert.equal(res.body.slug, slug);
  assert.equal(res.body.color, 'teal');
  assert.equal(res.body.auto_start, true);
  assert.ok(!('api_key' in res.body));
  const got = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.equal(got.body.name, 'Renamed');
  assert.equal(got.body.slug, slug);
  assert.equal(got.body.auto_start, true);

  const partial = await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { auto_start: false } });
  expectStatus(partial, 200);
  assert.equal(partial.body.auto_start, false);
  assert.equal(partial.body.name, 'Renamed', 'fields not given are kept');
  assert.equal(partial.body.color, 'teal');

  expectFieldError(await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { slug: 'Bad Slug' } }), 'slug');
  expectFieldError(await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { name: '' } }), 'name');
  expectFieldError(await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: { auto_start: 'yes' } }), 'auto_start');
  expectError(await api(server, 'PUT', `/api/projects/${p.id}`, { token: rootToken, body: '{"name":' }), 400, 'INVALID_ARGUMENT', 'malformed JSON');
  expectError(await api(server, 'PUT', `/api/projects/${missingIdLike(p.id)}`, { token: rootToken, body: { name: 'x' } }), 404, 'NOT_FOUND');
});

test('delete is 204, then the project is 404', async () => {
  const p = await createProject(server, rootToken, {});
  const del = await api(server, 'DELETE', `/api/projects/${p.id}`, { token: rootToken });
  expectStatus(del, 204);
  assert.equal(del.text, '');
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken }), 404, 'NOT_FOUND', 'GET after delete');
  expectError(await api(server, 'DELETE', `/api/projects/${p.id}`, { token: rootToken }), 404, 'NOT_FOUND', 'DELETE twice');
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: p.api_key }), 401, 'UNAUTHENTICATED', 'the key of a deleted project');
  // The slug is free again.
  await createProject(server, rootToken, { slug: p.slug });
});

test('the API key acts on its project; regenerate-key kills the old key', async () => {
  const p = await createProject(server, rootToken, {});
  const withKey = await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: p.api_key });
  expectStatus(withKey, 200, 'GET with X-API-Key');
  assert.equal(withKey.body.id, p.id);

  expectError(await api(server, 'POST', `/api/projects/${p.id}/regenerate-key`, { apiKey: p.api_key }), 403, 'PERMISSION_DENIED', 'a key regenerates itself');
  expectError(await api(server, 'DELETE', `/api/projects/${p.id}`, { apiKey: p.api_key }), 403, 'PERMISSION_DENIED', 'a key deletes its project');

  const regen = await api(server, 'POST', `/api/projects/${p.id}/regenerate-key`, { token: rootToken });
  expectStatus(regen, 200, 'regenerate-key');
  const newKey = regen.body.api_key;
  assert.equal(typeof newKey, 'string');
  assert.notEqual(newKey, p.api_key);
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: p.api_key }), 401, 'UNAUTHENTICATED', 'the old key');
  expectStatus(await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: newKey }), 200, 'the new key');

  const got = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.ok(!got.text.includes(newKey), 'the new key is masked too');

  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: 'not-a-key' }), 401, 'UNAUTHENTICATED', 'a garbage key');
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: newKey + 'x' }), 401, 'UNAUTHENTICATED', 'a key with an extra char');
});

test('a used (cached) API key dies with its project', async () => {
  const p = await createProject(server, rootToken, {});
  for (let i = 0; i < 2; i++) expectStatus(await api(server, 'GET', `/api/projects/${p.id}/env`, { apiKey: p.api_key }), 200, 'key in use');
  expectStatus(await api(server, 'DELETE', `/api/projects/${p.id}`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', `/api/projects/${p.id}/env`, { apiKey: p.api_key }), 401, 'UNAUTHENTICATED', 'the deleted project\'s key');
});

test('members: adding a user gives access, removing takes it away', async () => {
  const p = await createProject(server, rootToken, {});
  const u = await createUserAndLogin(server, rootToken, {});
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'before being a member');

  const add = await api(server, 'POST', `/api/projects/${p.id}/members`, { token: rootToken, body: { user_id: u.user.id } });
  expectStatus(add, 201, 'add member');
  assert.ok(expectListLike(add).some((m) => m.id === u.user.id), `the returned list holds the member: ${add.text}`);

  expectStatus(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 200, 'a member reads the project');
  const members = await api(server, 'GET', `/api/projects/${p.id}/members`, { token: u.token });
  const m = expectList(members).find((x) => x.id === u.user.id);
  assert.ok(m, 'the member is listed');
  assert.equal(m.email, u.user.email);
  assert.ok('name' in m);
  const myProjects = expectList(await api(server, 'GET', '/api/projects', { token: u.token })).map((x) => x.id);
  assert.deepEqual(myProjects, [p.id]);
  const meRes = await api(server, 'GET', '/api/users/me', { token: u.token });
  assert.ok(meRes.body.project_ids.map(String).includes(String(p.id)), 'project_ids lists the project');

  // A member without manage_users cannot add or remove members.
  const other = await createUserAndLogin(server, rootToken, {});
  expectError(
    await api(server, 'POST', `/api/projects/${p.id}/members`, { token: u.token, body: { user_id: other.user.id } }),
    403,
    'PERMISSION_DENIED',
    'a plain member adds a member',
  );
  expectError(await api(server, 'DELETE', `/api/projects/${p.id}/members/${u.user.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'a plain member removes');

  const rm = await api(server, 'DELETE', `/api/projects/${p.id}/members/${u.user.id}`, { token: rootToken });
  expectStatus(rm, 204, 'remove member');
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'after removal');
  assert.equal(expectList(await api(server, 'GET', '/api/projects', { token: u.token })).length, 0);
});

test('members: unknown user, missing user_id, removing a non-member', async () => {
  const p = await createProject(server, rootToken, {});
  const u = await createUserAndLogin(server, rootToken, {});
  // The contract does not say which: an unknown user is 404, or 400 naming user_id.
  const unknown = await api(server, 'POST', `/api/projects/${p.id}/members`, { token: rootToken, body: { user_id: missingIdLike(u.user.id) } });
  if (unknown.status === 400) expectFieldError(unknown, 'user_id', 'unknown user');
  else expectError(unknown, 404, 'NOT_FOUND', 'unknown user');
  expectFieldError(await api(server, 'POST', `/api/projects/${p.id}/members`, { token: rootToken, body: {} }), 'user_id', 'no user_id');
  // Removing a non-member: 404, or an idempotent 204.
  const rm = await api(server, 'DELETE', `/api/projects/${p.id}/members/${u.user.id}`, { token: rootToken });
  assert.ok([204, 404].includes(rm.status), `remove a non-member: ${rm.status} ${rm.text}`);
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'still no access');
});

test('members: a manage_users admin with access to the project can add members', async () => {
  const p = await createProject(server, rootToken, {});
  const admin = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true }, project_ids: [p.id] });
  const u = await createUserAndLogin(server, rootToken, {});
  expectStatus(await api(server, 'POST', `/api/projects/${p.id}/members`, { token: admin.token, body: { user_id: u.user.id } }), 201);
  expectStatus(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 200);
  // Without access to a project, manage_users alone is not enough.
  const q = await createProject(server, rootToken, {});
  expectError(await api(server, 'POST', `/api/projects/${q.id}/members`, { token: admin.token, body: { user_id: u.user.id } }), 403, 'PERMISSION_DENIED');
});

test('project access granted through the users API (project_ids) works both ways', async () => {
  const p = await createProject(server, rootToken, {});
  const u = await createUserAndLogin(server, rootToken, {});
  const upd = await api(server, 'PUT', `/api/users/${u.user.id}`, { token: rootToken, body: { project_ids: [p.id] } });
  expectStatus(upd, 200);
  assert.deepEqual(upd.body.project_ids.map(String), [String(p.id)]);
  expectStatus(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 200, 'access via project_ids');
  const members = expectList(await api(server, 'GET', `/api/projects/${p.id}/members`, { token: rootToken }));
  assert.ok(members.some((m) => m.id === u.user.id), 'listed as a member');
  expectStatus(await api(server, 'PUT', `/api/users/${u.user.id}`, { token: rootToken, body: { project_ids: [] } }), 200);
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'access removed');
});

test('an unknown project is 404 for root and for a user without access', async () => {
  const p = await createProject(server, rootToken, {});
  const missing = missingIdLike(p.id);
  const u = await createUserAndLogin(server, rootToken, {});
  expectError(await api(server, 'GET', `/api/projects/${missing}`, { token: rootToken }), 404, 'NOT_FOUND', 'root');
  expectError(await api(server, 'GET', `/api/projects/${missing}`, { token: u.token }), 404, 'NOT_FOUND', 'plain user');
  expectError(await api(server, 'GET', `/api/projects/${p.id}`, { token: u.token }), 403, 'PERMISSION_DENIED', 'existing project without access');
});

// POST /members answers "201 list": accept the list envelope or a bare array.
function expectListLike(res) {
  if (Array.isArray(res.body)) return res.body;
  assert.ok(res.body && Array.isArray(res.body.items), `a list: ${res.text}`);
  return res.body.items;
}
