// THE PERMISSION MATRIX: every actor against every operation, each cell
// asserting the exact status (and the error code for 401/403/404).
//
// Actors: root; admin with manage_users; user with create_projects; user with
// access to project A only; user with no rights; a blocked user (token taken
// before the block); an expired token; a tampered token; the API key of A.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startServer } from './harness.mjs';
import {
  api,
  createProject,
  createUser,
  createUserAndLogin,
  describe,
  expectStatus,
  loginOk,
  missingIdLike,
  ROOT_EMAIL,
  ROOT_PASSWORD,
  sleep,
  startWithRoot,
  tamperJwt,
  uniq,
} from './fixtures.mjs';

// One secret for the main server and the short-expiry twin on the same data folder.
const JWT_SECRET = randomBytes(32).toString('hex');
const EXPIRY_S = 3;

let server;
let ctx; // ids, tokens and keys, filled in before()

before(async () => {
  const s = await startWithRoot({ env: { M3M_JWT_SECRET: JWT_SECRET } });
  server = s.server;
  const rootToken = s.rootToken;
  const A = await createProject(server, rootToken, { name: 'Project A' });
  const B = await createProject(server, rootToken, { name: 'Project B' });

  const admin = await createUserAndLogin(server, rootToken, { permissions: { manage_users: true } });
  const creator = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true } });
  const memberA = await createUserAndLogin(server, rootToken, { project_ids: [A.id] });
  const nobody = await createUserAndLogin(server, rootToken, {});
  // The blocked user had every right before the block: the 401 is the block's doing.
  const blocked = await createUserAndLogin(server, rootToken, {
    permissions: { manage_users: true, create_projects: true },
    project_ids: [A.id],
  });
  expectStatus(await api(server, 'GET', '/api/users/me', { token: blocked.token }), 200, 'blocked user before the block');
  expectStatus(await api(server, 'POST', `/api/users/${blocked.user.id}/block`, { token: rootToken }), 200, 'block');

  // The expired token: issued by a twin server on the same database and secret
  // with jwt.expiration=3s, proven valid on the main server, then left to expire.
  const expiredUser = await createUser(server, rootToken, {
    permissions: { manage_users: true, create_projects: true },
    project_ids: [A.id],
  });
  const twin = await startServer({ dir: server.dir, keepDir: true, env: { M3M_JWT_SECRET: JWT_SECRET, M3M_JWT_EXPIRATION: `${EXPIRY_S}s` } });
  const issuedAt = Date.now();
  let expiredToken;
  try {
    const l = await loginOk(twin, expiredUser.email, expiredUser.password);
    expiredToken = l.access_token;
  } finally {
    await twin.stop();
  }
  expectStatus(await api(server, 'GET', '/api/users/me', { token: expiredToken }), 200, 'the short-lived token works on the main server before it expires');

  // A target for user administration: member of A with create_projects, both
  // beyond the admin's own reach (issue 14: manage_users stays within its own).
  const targetA = await createUser(server, rootToken, { permissions: { create_projects: true }, project_ids: [A.id] });

  const tampered = tamperJwt((await loginOk(server, ROOT_EMAIL, ROOT_PASSWORD)).access_token);

  ctx = {
    root: s.root,
    targetA,
    adminId: admin.user.id,
    A,
    B,
    missingProject: missingIdLike(B.id),
    tokens: {
      root: rootToken,
      admin: admin.token,
      creator: creator.token,
      memberA: memberA.token,
      nobody: nobody.token,
      blocked: blocked.token,
      expired: expiredToken,
      tampered,
    },
  };
  // Wait until the short-lived token is surely past its expiry (whole seconds).
  const wait = issuedAt + (EXPIRY_S + 1.5) * 1000 - Date.now();
  if (wait > 0) await sleep(wait);
});

after(async () => {
  await server?.stop();
});

const ACTORS = [
  { name: 'root', auth: () => ({ token: ctx.tokens.root }) },
  { name: 'admin with manage_users', auth: () => ({ token: ctx.tokens.admin }) },
  { name: 'user with create_projects', auth: () => ({ token: ctx.tokens.creator }) },
  { name: 'user with access to A only', auth: () => ({ token: ctx.tokens.memberA }) },
  { name: 'user with no rights', auth: () => ({ token: ctx.tokens.nobody }) },
  { name: 'blocked user', auth: () => ({ token: ctx.tokens.blocked }) },
  { name: 'expired token', auth: () => ({ token: ctx.tokens.expired }) },
  { name: 'tampered token', auth: () => ({ token: ctx.tokens.tampered }) },
  { name: 'API key of A', auth: () => ({ apiKey: ctx.A.api_key }) },
];

// Operations; `expect` is per actor in the order of ACTORS
// (root, admin, creator, memberA, nobody, blocked, expired, tampered, keyA).
// null = not asserted (the contract does not decide it).
const OPS = [
  {
    name: 'GET /api/users',
    method: 'GET',
    path: () => '/api/users',
    expect: [200, 200, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/users',
    method: 'POST',
    path: () => '/api/users',
    body: () => ({ email: `${uniq('matrix')}@example.com`, password: 'password123' }),
    expect: [201, 201, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'GET /api/users/me',
    method: 'GET',
    path: () => '/api/users/me',
    expect: [200, 200, 200, 200, 200, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/projects',
    method: 'POST',
    path: () => '/api/projects',
    body: () => ({ name: 'Matrix project', slug: uniq('mx-') }),
    expect: [201, 403, 201, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'GET /api/projects/A',
    method: 'GET',
    path: () => `/api/projects/${ctx.A.id}`,
    expect: [200, 403, 403, 200, 403, 401, 401, 401, 200],
  },
  {
    name: 'PUT /api/projects/A',
    method: 'PUT',
    path: () => `/api/projects/${ctx.A.id}`,
    body: () => ({ name: `A ${uniq('renamed')}` }),
    expect: [200, 403, 403, 200, 403, 401, 401, 401, 200],
  },
  {
    name: 'GET /api/projects/B',
    method: 'GET',
    path: () => `/api/projects/${ctx.B.id}`,
    expect: [200, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'GET /api/projects/A/env',
    method: 'GET',
    path: () => `/api/projects/${ctx.A.id}/env`,
    expect: [200, 403, 403, 200, 403, 401, 401, 401, 200],
  },
  {
    name: 'POST /api/projects/A/env',
    method: 'POST',
    path: () => `/api/projects/${ctx.A.id}/env`,
    body: () => ({ key: uniq('K_'), type: 'string', value: 'v' }),
    expect: [201, 403, 403, 201, 403, 401, 401, 401, 201],
  },
  {
    name: 'GET /api/projects/B/env',
    method: 'GET',
    path: () => `/api/projects/${ctx.B.id}/env`,
    expect: [200, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/projects/B/regenerate-key',
    method: 'POST',
    path: () => `/api/projects/${ctx.B.id}/regenerate-key`,
    expect: [null, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    // root's own DELETE of B runs last, in its own test below.
    name: 'DELETE /api/projects/B',
    method: 'DELETE',
    path: () => `/api/projects/${ctx.B.id}`,
    expect: [null, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/users/:rootId/block',
    method: 'POST',
    path: () => `/api/users/${ctx.root.id}/block`,
    expect: [403, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    // The admin holds manage_users only: a member of A with create_projects is out of its reach.
    name: 'PUT /api/users/:targetA (password)',
    method: 'PUT',
    path: () => `/api/users/${ctx.targetA.id}`,
    body: () => ({ password: ctx.targetA.password }),
    expect: [200, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/users/:targetA/unblock',
    method: 'POST',
    path: () => `/api/users/${ctx.targetA.id}/unblock`,
    expect: [200, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'POST /api/users granting project A',
    method: 'POST',
    path: () => '/api/users',
    body: () => ({ email: `${uniq('matrix')}@example.com`, password: 'password123', project_ids: [ctx.A.id] }),
    expect: [201, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    // root's cell would change the admin for the cells after it: not run.
    name: 'PUT /api/users/:admin granting itself create_projects',
    method: 'PUT',
    path: () => `/api/users/${ctx.adminId}`,
    body: () => ({ permissions: { create_projects: true } }),
    expect: [null, 403, 403, 403, 403, 401, 401, 401, 403],
  },
  {
    name: 'GET /api/projects/<missing>',
    method: 'GET',
    path: () => `/api/projects/${ctx.missingProject}`,
    expect: [404, 404, 404, 404, 404, 401, 401, 401, null],
  },
];

const CODES = { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND' };

async function runCell(actor, op, expected) {
  const res = await api(server, op.method, op.path(), { ...actor.auth(), body: op.body ? op.body() : undefined });
  assert.equal(res.status, expected, `${actor.name}: ${describe(res)}`);
  if (CODES[expected]) {
    assert.equal(res.body?.error?.code, CODES[expected], `${actor.name}: ${describe(res)}`);
  }
  if (expected === 401) {
    assert.match(res.headers.get('www-authenticate') || '', /^Bearer/i, `${actor.name}: WWW-Authenticate on 401`);
  }
  return res;
}

for (const op of OPS) {
  ACTORS.forEach((actor, i) => {
    const expected = op.expect[i];
    if (expected === null) return;
    test(`${actor.name} × ${op.name} → ${expected}`, async () => {
      await runCell(actor, op, expected);
    });
  });
}

test('the refused cells changed nothing: root still unblocked, B still there', async () => {
  const r = await api(server, 'GET', `/api/users/${ctx.root.id}`, { token: ctx.tokens.root });
  expectStatus(r, 200);
  assert.equal(r.body.is_blocked, false);
  const admin = await api(server, 'GET', '/api/users/me', { token: ctx.tokens.admin });
  assert.deepEqual(admin.body.permissions, { create_projects: false, manage_users: true }, 'the admin did not grant itself');
  await loginOk(server, ctx.targetA.email, ctx.targetA.password);
  expectStatus(await api(server, 'GET', `/api/projects/${ctx.B.id}`, { token: ctx.tokens.root }), 200);
});

test('root × DELETE /api/projects/B → 204 (last), then B is 404', async () => {
  await runCell(ACTORS[0], OPS.find((o) => o.name === 'DELETE /api/projects/B'), 204);
  const after = await api(server, 'GET', `/api/projects/${ctx.B.id}`, { token: ctx.tokens.root });
  assert.equal(after.status, 404, describe(after));
});
