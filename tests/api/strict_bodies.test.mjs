// Strict request bodies (issue 14): every endpoint that takes a JSON body
// (and every POST that takes none) refuses a key it does not know with 400 INVALID_ARGUMENT naming it in
// error.fields ("unknown field") and in the message, and changes nothing.
// Table-driven: each row is a valid body for its endpoint; the test sends it
// with one extra key, checks the refusal and that the stored data (a GET
// snapshot) is unchanged, then sends the same body without the key and
// expects it to succeed (so the extra key alone made the difference).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  createModel,
  createProject,
  createRecord,
  createUserAndLogin,
  deploy,
  describe,
  expectStatus,
  login,
  loginOk,
  ROOT_EMAIL,
  ROOT_PASSWORD,
  startRunning,
  startWithRoot,
  stopProject,
  uniq,
} from './fixtures.mjs';

const EXTRA = 'zzz_unknown';

let server;
let rootToken;
let P; // the project every project-scoped row works in
let pbase;

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  P = await createProject(server, rootToken, {});
  pbase = `/api/projects/${P.id}`;
  await createModel(server, rootToken, P.id, { name: 'items', fields: [{ key: 's', type: 'string' }] });
  expectStatus(await api(server, 'POST', `${pbase}/env`, { token: rootToken, body: { key: 'K', type: 'string', value: 'v' } }), 201);
  expectStatus(await api(server, 'POST', `${pbase}/storage/file`, { token: rootToken, body: { path: 'a.txt', content: 'a' } }), 201);
});

after(async () => {
  await server?.stop();
});

const get = async (p, token = rootToken) => {
  const res = await api(server, 'GET', p, { token });
  expectStatus(res, 200, `snapshot ${p}`);
  return res.body;
};

// Each row: name; setup() → ctx (fresh resources where the control would
// disturb another row); req(ctx) → {method, path, body, token?}; snapshot(ctx)
// → the stored state the refused request must not change; ok: the control's
// expected status.
const ROWS = [
  {
    name: 'POST /api/auth/login',
    req: () => ({ method: 'POST', path: '/api/auth/login', body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } }),
    ok: 200,
  },
  {
    name: 'POST /api/auth/refresh',
    setup: async () => ({ refresh: (await loginOk(server, ROOT_EMAIL, ROOT_PASSWORD)).refresh_token }),
    req: (c) => ({ method: 'POST', path: '/api/auth/refresh', body: { refresh_token: c.refresh } }),
    ok: 200, // the refused call did not consume (rotate) the refresh token
  },
  {
    name: 'PUT /api/users/me',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({ method: 'PUT', path: '/api/users/me', token: c.token, body: { name: 'New name' } }),
    snapshot: (c) => get('/api/users/me', c.token),
    ok: 200,
  },
  {
    name: 'PUT /api/users/me/password',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({
      method: 'PUT',
      path: '/api/users/me/password',
      token: c.token,
      body: { current_password: c.password, new_password: 'another-pass-1' },
    }),
    snapshot: async (c) => (await login(server, c.user.email, c.password)).status,
    ok: 200,
  },
  {
    name: 'POST /api/users',
    setup: async () => ({ email: `${uniq('strict')}@example.com` }),
    req: (c) => ({ method: 'POST', path: '/api/users', body: { email: c.email, password: 'password123' } }),
    snapshot: () => get('/api/users?per_page=500'),
    ok: 201,
  },
  {
    name: 'PUT /api/users/:id',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({ method: 'PUT', path: `/api/users/${c.user.id}`, body: { name: 'Renamed' } }),
    snapshot: (c) => get(`/api/users/${c.user.id}`),
    ok: 200,
  },
  {
    name: 'POST /api/projects',
    req: () => ({ method: 'POST', path: '/api/projects', body: { name: 'Strict', slug: uniq('strict-') } }),
    snapshot: () => get('/api/projects?per_page=500'),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id',
    req: () => ({ method: 'PUT', path: pbase, body: { name: 'Renamed project' } }),
    snapshot: () => get(pbase),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/members',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({ method: 'POST', path: `${pbase}/members`, body: { user_id: c.user.id } }),
    snapshot: () => get(`${pbase}/members`),
    ok: 201,
  },
  {
    name: 'POST /api/projects/:id/env',
    req: () => ({ method: 'POST', path: `${pbase}/env`, body: { key: uniq('E_'), type: 'string', value: 'x' } }),
    snapshot: () => get(`${pbase}/env?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/env/:key',
    req: () => ({ method: 'PUT', path: `${pbase}/env/K`, body: { value: uniq('w') } }),
    snapshot: () => get(`${pbase}/env/K`),
    ok: 200,
  },
  {
    name: 'POST /api/goals',
    req: () => ({ method: 'POST', path: '/api/goals', body: { name: 'G', slug: uniq('g-'), type: 'counter' } }),
    snapshot: () => get('/api/goals?per_page=500'),
    ok: 201,
  },
  {
    name: 'PUT /api/goals/:goalId',
    setup: async () =>
      expectStatus(await api(server, 'POST', '/api/goals', { token: rootToken, body: { name: 'G', slug: uniq('g-'), type: 'counter' } }), 201).body,
    req: (g) => ({ method: 'PUT', path: `/api/goals/${g.id}`, body: { name: 'G2' } }),
    snapshot: (g) => get(`/api/goals/${g.id}`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/goals',
    req: () => ({ method: 'POST', path: `${pbase}/goals`, body: { name: 'PG', slug: uniq('pg-'), type: 'counter' } }),
    snapshot: () => get(`${pbase}/goals?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/goals/:goalId',
    setup: async () =>
      expectStatus(await api(server, 'POST', `${pbase}/goals`, { token: rootToken, body: { name: 'PG', slug: uniq('pg-'), type: 'counter' } }), 201).body,
    req: (g) => ({ method: 'PUT', path: `${pbase}/goals/${g.id}`, body: { name: 'PG2' } }),
    snapshot: () => get(`${pbase}/goals?per_page=500`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/models',
    req: () => ({ method: 'POST', path: `${pbase}/models`, body: { name: uniq('m'), fields: [{ key: 'n', type: 'integer' }] } }),
    snapshot: () => get(`${pbase}/models?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/models/:model',
    req: () => ({ method: 'PUT', path: `${pbase}/models/items`, body: { description: uniq('d') } }),
    snapshot: () => get(`${pbase}/models/items`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/models/:model/data',
    req: () => ({ method: 'POST', path: `${pbase}/models/items/data`, body: { s: 'x' } }),
    snapshot: () => get(`${pbase}/models/items/data?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/models/:model/data/:record',
    setup: () => createRecord(server, rootToken, P.id, 'items', { s: 'before' }),
    req: (r) => ({ method: 'PUT', path: `${pbase}/models/items/data/${r.id}`, body: { s: 'after' } }),
    snapshot: (r) => get(`${pbase}/models/items/data/${r.id}`),
    ok: 200,
  },
  {
    name: 'PATCH /api/projects/:id/models/:model/data/:record',
    setup: () => createRecord(server, rootToken, P.id, 'items', { s: 'before' }),
    req: (r) => ({ method: 'PATCH', path: `${pbase}/models/items/data/${r.id}`, body: { s: 'after' } }),
    snapshot: (r) => get(`${pbase}/models/items/data/${r.id}`),
    ok: 200,
  },
  {
    // First save of develop (revision 0 → 201); the rows below need it.
    name: 'PUT /api/projects/:id/pipeline/branches/:name',
    req: () => ({ method: 'PUT', path: `${pbase}/pipeline/branches/develop`, body: { code: 'service.start(() => {})\n', revision: 0 } }),
    snapshot: () => get(`${pbase}/pipeline/branches/develop`),
    ok: 201,
  },
  {
    name: 'POST /api/projects/:id/pipeline/branches',
    req: () => ({ method: 'POST', path: `${pbase}/pipeline/branches`, body: { name: uniq('b'), from_branch: 'develop' } }),
    snapshot: () => get(`${pbase}/pipeline/branches?per_page=500`),
    ok: 201,
  },
  {
    name: 'POST /api/projects/:id/pipeline/branches/:name/rename',
    setup: async () => {
      const name = uniq('b');
      expectStatus(await api(server, 'POST', `${pbase}/pipeline/branches`, { token: rootToken, body: { name, from_branch: 'develop' } }), 201);
      return { name };
    },
    req: (c) => ({ method: 'POST', path: `${pbase}/pipeline/branches/${c.name}/rename`, body: { new_name: uniq('r') } }),
    snapshot: () => get(`${pbase}/pipeline/branches?per_page=500`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/pipeline/releases',
    req: () => ({ method: 'POST', path: `${pbase}/pipeline/releases`, body: { branch: 'develop', bump: 'minor', tag: 'stable' } }),
    snapshot: () => get(`${pbase}/pipeline/releases?per_page=500`),
    ok: 201,
  },
  {
    name: 'POST /api/projects/:id/pipeline/branches/:name/reset',
    setup: async () => ({ version: await deploy(server, rootToken, P.id, `// ${uniq('c')}\nservice.start(() => {})\n`) }),
    req: (c) => ({ method: 'POST', path: `${pbase}/pipeline/branches/develop/reset`, body: { version: c.version } }),
    snapshot: () => get(`${pbase}/pipeline/branches/develop`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/start',
    setup: async () => ({ version: await deploy(server, rootToken, P.id, 'service.start(() => {})\n') }),
    req: (c) => ({ method: 'POST', path: `${pbase}/start`, body: { version: c.version } }),
    snapshot: () => get(`${pbase}/status`),
    ok: 200,
    cleanup: () => stopProject(server, rootToken, P.id),
  },
  {
    name: 'POST /api/projects/:id/storage/mkdir',
    req: () => ({ method: 'POST', path: `${pbase}/storage/mkdir`, body: { path: uniq('dir') } }),
    snapshot: () => get(`${pbase}/storage?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/storage/rename',
    setup: async () => {
      const from = `${uniq('f')}.txt`;
      expectStatus(await api(server, 'POST', `${pbase}/storage/file`, { token: rootToken, body: { path: from, content: 'x' } }), 201);
      return { from };
    },
    req: (c) => ({ method: 'PUT', path: `${pbase}/storage/rename`, body: { from: c.from, to: `${uniq('t')}.txt` } }),
    snapshot: () => get(`${pbase}/storage?per_page=500`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/storage/file',
    req: () => ({ method: 'POST', path: `${pbase}/storage/file`, body: { path: `${uniq('n')}.txt`, content: 'new' } }),
    snapshot: () => get(`${pbase}/storage?per_page=500`),
    ok: 201,
  },
  {
    name: 'PUT /api/projects/:id/storage/file/*path',
    req: () => ({ method: 'PUT', path: `${pbase}/storage/file/a.txt`, body: { content: uniq('edited') } }),
    snapshot: () => get(`${pbase}/storage/file/a.txt`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/storage/links',
    req: () => ({ method: 'POST', path: `${pbase}/storage/links`, body: { path: 'a.txt' } }),
    snapshot: () => get(`${pbase}/storage/links?per_page=500`),
    ok: 201,
  },
];

// A fresh running project: {id, version}.
async function running() {
  const p = await createProject(server, rootToken, {});
  const version = await deploy(server, rootToken, p.id, 'service.start(() => {})\n');
  await startRunning(server, rootToken, p.id, version);
  return { id: p.id, version };
}
const runState = async (c) => {
  const { state, release, started_at } = await get(`/api/projects/${c.id}/status`);
  return { state, release, started_at };
};

// Endpoints that take no body: an empty one or {} passes, any key is refused
// the same way (it would otherwise be silently ignored).
const BODYLESS = [
  {
    name: 'POST /api/auth/logout',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({ method: 'POST', path: '/api/auth/logout', token: c.token, body: {} }),
    snapshot: async (c) => (await api(server, 'GET', '/api/users/me', { token: c.token })).status,
    ok: 204,
  },
  {
    name: 'POST /api/users/:id/block',
    setup: async () => createUserAndLogin(server, rootToken, {}),
    req: (c) => ({ method: 'POST', path: `/api/users/${c.user.id}/block`, body: {} }),
    snapshot: (c) => get(`/api/users/${c.user.id}`),
    ok: 200,
  },
  {
    name: 'POST /api/users/:id/unblock',
    setup: async () => {
      const u = await createUserAndLogin(server, rootToken, {});
      expectStatus(await api(server, 'POST', `/api/users/${u.user.id}/block`, { token: rootToken }), 200);
      return u;
    },
    req: (c) => ({ method: 'POST', path: `/api/users/${c.user.id}/unblock`, body: {} }),
    snapshot: (c) => get(`/api/users/${c.user.id}`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/regenerate-key',
    setup: () => createProject(server, rootToken, {}),
    req: (p) => ({ method: 'POST', path: `/api/projects/${p.id}/regenerate-key`, body: {} }),
    snapshot: async (p) => (await api(server, 'GET', `/api/projects/${p.id}`, { apiKey: p.api_key })).status,
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/pipeline/releases/:version/activate',
    setup: async () => {
      const p = await createProject(server, rootToken, {});
      const first = await deploy(server, rootToken, p.id, '// one\nservice.start(() => {})\n');
      await deploy(server, rootToken, p.id, '// two\nservice.start(() => {})\n');
      return { id: p.id, first };
    },
    req: (c) => ({ method: 'POST', path: `/api/projects/${c.id}/pipeline/releases/${c.first}/activate`, body: {} }),
    snapshot: (c) => get(`/api/projects/${c.id}/pipeline/releases?per_page=500`),
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/stop',
    setup: running,
    req: (c) => ({ method: 'POST', path: `/api/projects/${c.id}/stop`, body: {} }),
    snapshot: runState,
    ok: 200,
  },
  {
    name: 'POST /api/projects/:id/restart',
    setup: running,
    req: (c) => ({ method: 'POST', path: `/api/projects/${c.id}/restart`, body: {} }),
    snapshot: runState,
    ok: 200,
    cleanup: (c) => stopProject(server, rootToken, c.id),
  },
];

for (const row of [...ROWS, ...BODYLESS]) {
  test(`${row.name}: an unknown field is 400 naming it, nothing changes; without it → ${row.ok}`, async () => {
    const ctx = row.setup ? await row.setup() : {};
    const r = row.req(ctx);
    const token = r.token ?? rootToken;
    const before = row.snapshot ? await row.snapshot(ctx) : undefined;

    const refused = await api(server, r.method, r.path, { token, body: { ...r.body, [EXTRA]: true } });
    expectStatus(refused, 400, 'with the unknown field');
    assert.equal(refused.body.error.code, 'INVALID_ARGUMENT', describe(refused));
    assert.deepEqual(refused.body.error.fields, { [EXTRA]: 'unknown field' }, describe(refused));
    assert.match(refused.body.error.message, new RegExp(`unknown field: ${EXTRA}`), describe(refused));
    if (row.snapshot) assert.deepEqual(await row.snapshot(ctx), before, `${row.name}: the stored data is unchanged`);

    const control = await api(server, r.method, r.path, { token, body: r.body });
    expectStatus(control, row.ok, 'the same body without the unknown field');
    if (row.cleanup) await row.cleanup(ctx);
  });
}

test('the issue\'s example: PUT /api/users/:id {"blocked": true} is 400 and the user stays unblocked', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const res = await api(server, 'PUT', `/api/users/${u.user.id}`, { token: rootToken, body: { blocked: true } });
  expectStatus(res, 400);
  assert.deepEqual(res.body.error.fields, { blocked: 'unknown field' });
  assert.match(res.body.error.message, /blocked/);
  assert.equal((await get(`/api/users/${u.user.id}`)).is_blocked, false);
  expectStatus(await api(server, 'GET', '/api/users/me', { token: u.token }), 200, 'their token still works');
});

test('nested objects are strict: permissions.is_root is named; several unknown keys are all listed', async () => {
  const u = await createUserAndLogin(server, rootToken, {});
  const nested = await api(server, 'PUT', `/api/users/${u.user.id}`, {
    token: rootToken,
    body: { permissions: { manage_users: true, is_root: true } },
  });
  expectStatus(nested, 400);
  assert.deepEqual(nested.body.error.fields, { 'permissions.is_root': 'unknown field' });
  assert.match(nested.body.error.message, /permissions\.is_root/);
  assert.equal((await get(`/api/users/${u.user.id}`)).permissions.manage_users, false, 'the valid part was not applied');
  const many = await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 'X', slug: uniq('x-'), b: 1, a: 2, name2: 3 } });
  expectStatus(many, 400);
  assert.deepEqual(Object.keys(many.body.error.fields).sort(), ['a', 'b', 'name2']);
  assert.match(many.body.error.message, /unknown fields: a, b, name2/);
  // A model's nested objects (a field, an index, table_config, form_config) too.
  const model = await api(server, 'POST', `${pbase}/models`, {
    token: rootToken,
    body: { name: uniq('m'), fields: [{ key: 'n', type: 'integer', zzz_field: 1 }], table_config: { zzz_table: 1 } },
  });
  expectStatus(model, 400);
  assert.deepEqual(model.body.error.fields, { 'fields.0.zzz_field': 'unknown field', 'table_config.zzz_table': 'unknown field' });
  assert.match(model.body.error.message, /unknown fields: fields\.0\.zzz_field, table_config\.zzz_table/);
  // Unknown keys are reported together with the other mistakes.
  const mixed = await api(server, 'POST', '/api/projects', { token: rootToken, body: { name: 5, slug: uniq('x-'), extra: 1 } });
  expectStatus(mixed, 400);
  assert.equal(mixed.body.error.fields.extra, 'unknown field');
  assert.ok('name' in mixed.body.error.fields, describe(mixed));
});

test('the table covers every operation that takes a JSON body in /api/openapi.json', async () => {
  const doc = (await api(server, 'GET', '/api/openapi.json')).body;
  const norm = (s) => s.replace(/\{[^}]+\}|:[A-Za-z]+|\*[A-Za-z]+/g, '{}');
  const covered = new Set(ROWS.map((r) => norm(r.name)));
  const missing = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const body = op?.requestBody?.$ref ? null : op?.requestBody;
      if (!body?.content?.['application/json']) continue;
      const name = norm(`${method.toUpperCase()} ${p}`);
      if (!covered.has(name)) missing.push(name);
    }
  }
  assert.deepEqual(missing, []);
});
