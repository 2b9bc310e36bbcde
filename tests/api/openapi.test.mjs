// The OpenAPI document served at /api/openapi.json: version and security
// schemes, every endpoint with its operationId, internal $refs, unique ids, and
// real responses of the running server checked against the declared schemas.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, test } from 'node:test';
import { makeTempDir, runCli, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE = path.resolve(here, '../../src/http/openapi/openapi.json');

const ROOT_EMAIL = 'openapi-root@example.com';
const ROOT_PASSWORD = 'rootpass123';

// [method, path, operationId, tag, success status ('default' for the project
// routes: their answer is the service's own)]
const OPERATIONS = [
  ['get', '/api/health', 'getHealth', 'system', 200],
  ['get', '/api/ping', 'ping', 'system', 200],
  ['get', '/api/openapi.json', 'getOpenApi', 'system', 200],
  ['get', '/metrics', 'getMetrics', 'system', 200],
  ['post', '/api/auth/login', 'login', 'auth', 200],
  ['post', '/api/auth/refresh', 'refreshToken', 'auth', 200],
  ['post', '/api/auth/logout', 'logout', 'auth', 204],
  ['get', '/api/users/me', 'getMe', 'users', 200],
  ['put', '/api/users/me', 'updateMe', 'users', 200],
  ['put', '/api/users/me/password', 'changeMyPassword', 'users', 200],
  ['put', '/api/users/me/avatar', 'uploadMyAvatar', 'users', 200],
  ['delete', '/api/users/me/avatar', 'deleteMyAvatar', 'users', 200],
  ['get', '/api/users/{id}/avatar', 'getUserAvatar', 'users', 200],
  ['get', '/api/users', 'listUsers', 'users', 200],
  ['post', '/api/users', 'createUser', 'users', 201],
  ['get', '/api/users/{id}', 'getUser', 'users', 200],
  ['put', '/api/users/{id}', 'updateUser', 'users', 200],
  ['delete', '/api/users/{id}', 'deleteUser', 'users', 204],
  ['post', '/api/users/{id}/block', 'blockUser', 'users', 200],
  ['post', '/api/users/{id}/unblock', 'unblockUser', 'users', 200],
  ['post', '/api/projects', 'createProject', 'projects', 201],
  ['get', '/api/projects', 'listProjects', 'projects', 200],
  ['get', '/api/projects/{id}', 'getProject', 'projects', 200],
  ['put', '/api/projects/{id}', 'updateProject', 'projects', 200],
  ['delete', '/api/projects/{id}', 'deleteProject', 'projects', 204],
  ['post', '/api/projects/{id}/regenerate-key', 'regenerateProjectKey', 'projects', 200],
  ['get', '/api/projects/{id}/members', 'listProjectMembers', 'projects', 200],
  ['post', '/api/projects/{id}/members', 'addProjectMember', 'projects', 201],
  ['delete', '/api/projects/{id}/members/{userId}', 'removeProjectMember', 'projects', 204],
  ['get', '/api/projects/{id}/env', 'listEnv', 'env', 200],
  ['post', '/api/projects/{id}/env', 'createEnv', 'env', 201],
  ['get', '/api/projects/{id}/env/{key}', 'getEnv', 'env', 200],
  ['put', '/api/projects/{id}/env/{key}', 'updateEnv', 'env', 200],
  ['delete', '/api/projects/{id}/env/{key}', 'deleteEnv', 'env', 204],
  ['get', '/api/projects/{id}/pipeline/branches', 'listBranches', 'pipeline', 200],
  ['post', '/api/projects/{id}/pipeline/branches', 'createBranch', 'pipeline', 201],
  ['get', '/api/projects/{id}/pipeline/branches/{name}', 'getBranch', 'pipeline', 200],
  ['put', '/api/projects/{id}/pipeline/branches/{name}', 'saveDraft', 'pipeline', 200],
  ['post', '/api/projects/{id}/pipeline/branches/{name}/rename', 'renameBranch', 'pipeline', 200],
  ['post', '/api/projects/{id}/pipeline/branches/{name}/reset', 'resetBranch', 'pipeline', 200],
  ['delete', '/api/projects/{id}/pipeline/branches/{name}', 'deleteBranch', 'pipeline', 204],
  ['get', '/api/projects/{id}/pipeline/releases', 'listReleases', 'pipeline', 200],
  ['post', '/api/projects/{id}/pipeline/releases', 'createRelease', 'pipeline', 201],
  ['get', '/api/projects/{id}/pipeline/releases/{version}', 'getRelease', 'pipeline', 200],
  ['delete', '/api/projects/{id}/pipeline/releases/{version}', 'deleteRelease', 'pipeline', 204],
  ['post', '/api/projects/{id}/pipeline/releases/{version}/activate', 'activateRelease', 'pipeline', 200],
  ['post', '/api/projects/{id}/start', 'startProject', 'runtime', 200],
  ['post', '/api/projects/{id}/stop', 'stopProject', 'runtime', 200],
  ['post', '/api/projects/{id}/restart', 'restartProject', 'runtime', 200],
  ['get', '/api/projects/{id}/status', 'getProjectStatus', 'runtime', 200],
  ['get', '/api/projects/{id}/logs', 'getProjectLogs', 'runtime', 200],
  ['get', '/api/projects/{id}/logs/stream', 'streamProjectLogs', 'runtime', 200],
  ['get', '/api/projects/{id}/logs/download', 'downloadProjectLogs', 'runtime', 200],
  ['get', '/api/runtime/types', 'getRuntimeTypes', 'runtime', 200],
  ['get', '/api/plugins', 'listPlugins', 'plugins', 200],
  ['get', '/api/plugins/{name}', 'getPlugin', 'plugins', 200],
  ['post', '/api/plugins/{name}/reload', 'reloadPlugin', 'plugins', 200],
  ['get', '/api/cluster/nodes', 'listClusterNodes', 'cluster', 200],
  ['get', '/api/projects/{id}/models', 'listModels', 'models', 200],
  ['post', '/api/projects/{id}/models', 'createModel', 'models', 201],
  ['get', '/api/projects/{id}/models/{model}', 'getModel', 'models', 200],
  ['put', '/api/projects/{id}/models/{model}', 'updateModel', 'models', 200],
  ['delete', '/api/projects/{id}/models/{model}', 'deleteModel', 'models', 204],
  ['get', '/api/projects/{id}/models/{model}/data', 'listRecords', 'models', 200],
  ['post', '/api/projects/{id}/models/{model}/data', 'createRecord', 'models', 201],
  ['get', '/api/projects/{id}/models/{model}/data/{recordId}', 'getRecord', 'models', 200],
  ['put', '/api/projects/{id}/models/{model}/data/{recordId}', 'updateRecord', 'models', 200],
  ['patch', '/api/projects/{id}/models/{model}/data/{recordId}', 'patchRecord', 'models', 200],
  ['delete', '/api/projects/{id}/models/{model}/data/{recordId}', 'deleteRecord', 'models', 204],
  ['get', '/api/goals', 'listGoals', 'goals', 200],
  ['post', '/api/goals', 'createGoal', 'goals', 201],
  ['get', '/api/goals/stats', 'getGoalStats', 'goals', 200],
  ['get', '/api/goals/{goalId}', 'getGoal', 'goals', 200],
  ['put', '/api/goals/{goalId}', 'updateGoal', 'goals', 200],
  ['delete', '/api/goals/{goalId}', 'deleteGoal', 'goals', 204],
  ['get', '/api/projects/{id}/goals', 'listProjectGoals', 'goals', 200],
  ['post', '/api/projects/{id}/goals', 'createProjectGoal', 'goals', 201],
  ['put', '/api/projects/{id}/goals/{goalId}', 'updateProjectGoal', 'goals', 200],
  ['delete', '/api/projects/{id}/goals/{goalId}', 'deleteProjectGoal', 'goals', 204],
  ['get', '/api/projects/{id}/storage', 'listStorage', 'storage', 200],
  ['get', '/api/projects/{id}/storage/usage', 'getStorageUsage', 'storage', 200],
  ['post', '/api/projects/{id}/storage/mkdir', 'makeStorageFolder', 'storage', 201],
  ['post', '/api/projects/{id}/storage/upload', 'uploadStorageFiles', 'storage', 201],
  ['get', '/api/projects/{id}/storage/download/{filePath}', 'downloadStorageFile', 'storage', 200],
  ['get', '/api/projects/{id}/storage/thumbnail/{filePath}', 'getStorageThumbnail', 'storage', 200],
  ['put', '/api/projects/{id}/storage/rename', 'renameStoragePath', 'storage', 200],
  ['post', '/api/projects/{id}/storage/file', 'createTextFile', 'storage', 201],
  ['get', '/api/projects/{id}/storage/file/{filePath}', 'readTextFile', 'storage', 200],
  ['put', '/api/projects/{id}/storage/file/{filePath}', 'editTextFile', 'storage', 200],
  ['get', '/api/projects/{id}/storage/links', 'listStorageLinks', 'storage', 200],
  ['post', '/api/projects/{id}/storage/links', 'createStorageLink', 'storage', 201],
  ['delete', '/api/projects/{id}/storage/links/{link}', 'revokeStorageLink', 'storage', 204],
  ['delete', '/api/projects/{id}/storage/{filePath}', 'deleteStoragePath', 'storage', 204],
  ['get', '/api/storage/public/{token}/{filename}', 'getPublicFile', 'storage', 200],
];
// The public project routes: every method at both prefixes.
const PROJECT_ROUTES = [];
for (const [prefix, infix] of [['/r/{slug}/{path}', ''], ['/api/r/{slug}/{path}', 'Api']]) {
  for (const method of ['get', 'post', 'put', 'patch', 'delete', 'options']) {
    const id = `callProjectRoute${infix}${method[0].toUpperCase()}${method.slice(1)}`;
    OPERATIONS.push([method, prefix, id, 'project-routes', 'default']);
    PROJECT_ROUTES.push(id);
  }
}
const PUBLIC = new Set(['getHealth', 'ping', 'getOpenApi', 'login', 'refreshToken', 'getUserAvatar', 'getPublicFile', ...PROJECT_ROUTES]);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let server;
let doc;
before(async () => {
  const dir = makeTempDir();
  const r = runCli(['new-admin', ROOT_EMAIL, ROOT_PASSWORD], { dir });
  assert.equal(r.code, 0, `m3m new-admin failed:\n${r.stdout}\n${r.stderr}`);
  server = await startServer({ dir });
  const res = await server.json('/api/openapi.json');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  doc = res.body;
});
after(async () => {
  await server?.stop();
});

// ---- helpers -----------------------------------------------------------

// Resolves a local JSON pointer ("#/components/schemas/User"); undefined when it names nothing.
function pointer(ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return undefined;
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function deref(node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    assert.ok(!seen.has(node.$ref), `$ref cycle at ${node.$ref}`);
    seen.add(node.$ref);
    const target = pointer(node.$ref);
    assert.ok(target !== undefined, `unresolved $ref ${node.$ref}`);
    // OpenAPI 3.1: keywords next to $ref apply too.
    const { $ref, ...siblings } = node;
    node = Object.keys(siblings).length ? { allOf: [target], ...siblings } : target;
  }
  return node;
}

// A schema with its $refs and allOf merged into one view:
// {types, properties, required, items, enum, additional}.
function flatten(schema) {
  const s = deref(schema) || {};
  const out = { types: null, properties: {}, required: new Set(), items: null, enum: null, additional: s.additionalProperties };
  const addTypes = (t) => {
    if (t === undefined) return;
    const list = [].concat(t);
    out.types = out.types ? out.types.filter((x) => list.includes(x)) : list;
  };
  addTypes(s.type);
  Object.assign(out.properties, s.properties || {});
  for (const r of s.required || []) out.required.add(r);
  if (s.items) out.items = s.items;
  if (s.enum) out.enum = s.enum;
  for (const part of s.allOf || []) {
    const f = flatten(part);
    if (f.types) addTypes(f.types);
    for (const [k, v] of Object.entries(f.properties)) {
      // A later branch may narrow a property (e.g. the items of a list envelope).
      out.properties[k] = k in out.properties ? { allOf: [out.properties[k], v] } : v;
    }
    for (const r of f.required) out.required.add(r);
    if (f.items) out.items = out.items ? { allOf: [out.items, f.items] } : f.items;
    if (f.enum) out.enum = f.enum;
    if (f.additional !== undefined && out.additional === undefined) out.additional = f.additional;
  }
  return out;
}

function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

// Checks `value` against `schema`: types, enums, required keys, and that every
// key of an object is declared; recurses into properties and array items.
// Returns a list of problems (empty when it fits).
function check(schema, value, where = '$', problems = []) {
  const f = flatten(schema);
  const t = jsonType(value);
  if (f.types && !f.types.includes(t) && !(t === 'integer' && f.types.includes('number'))) {
    problems.push(`${where}: is ${t}, schema allows ${f.types.join('|')}`);
    return problems;
  }
  if (f.enum && !f.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(f.enum)}`);
  }
  if (t === 'object') {
    for (const r of f.required) if (!(r in value)) problems.push(`${where}: required key "${r}" is missing`);
    const declared = Object.keys(f.properties);
    for (const [k, v] of Object.entries(value)) {
      if (k in f.properties) check(f.properties[k], v, `${where}.${k}`, problems);
      else if (f.additional && typeof f.additional === 'object') check(f.additional, v, `${where}.${k}`, problems);
      else if (f.additional === true) continue; // open objects (a record's field keys)
      else if (declared.length || f.additional === false) problems.push(`${where}: key "${k}" is not declared in the schema`);
    }
  }
  if (t === 'array' && f.items) value.forEach((x, i) => check(f.items, x, `${where}[${i}]`, problems));
  return problems;
}

function operation(method, p) {
  const op = doc.paths?.[p]?.[method];
  assert.ok(op, `${method.toUpperCase()} ${p} is not in the served OpenAPI document`);
  return op;
}

function declaredResponse(method, p, status) {
  const op = operation(method, p);
  const r = op.responses?.[String(status)];
  assert.ok(r, `${op.operationId} does not declare a ${status} response (has ${Object.keys(op.responses || {}).join(', ')})`);
  return deref(r);
}

// Asserts that a real response's status is declared for the operation and its
// JSON body fits the declared schema; returns the declared response.
function assertMatches(method, p, res) {
  const declared = declaredResponse(method, p, res.status);
  const schema = declared.content?.['application/json']?.schema;
  assert.ok(schema, `${method.toUpperCase()} ${p} ${res.status} declares no application/json schema`);
  const problems = check(schema, res.body);
  assert.deepEqual(problems, [], `${method.toUpperCase()} ${p} → ${res.status} ${JSON.stringify(res.body)}`);
  return declared;
}

async function call(method, p, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return server.json(p, { method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

// ---- the document ------------------------------------------------------

test('(a) it is OpenAPI 3.1 with the bearerAuth and apiKey security schemes and no global security', () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info?.title, 'string');
  assert.equal(typeof doc.info?.version, 'string');
  const schemes = doc.components?.securitySchemes || {};
  assert.equal(schemes.bearerAuth?.type, 'http');
  assert.match(schemes.bearerAuth?.scheme || '', /^bearer$/i);
  assert.equal(schemes.bearerAuth?.bearerFormat, 'JWT');
  assert.equal(schemes.apiKey?.type, 'apiKey');
  assert.equal(schemes.apiKey?.in, 'header');
  assert.equal(schemes.apiKey?.name, 'X-API-Key');
  assert.equal(doc.security, undefined, 'each operation lists its own security');
});

test('the served document is the one in src/http/openapi/openapi.json (a stale binary fails here)', () => {
  const source = JSON.parse(readFileSync(SOURCE, 'utf8'));
  const differ = [...new Set([...Object.keys(source.paths), ...Object.keys(doc.paths || {})])].filter(
    (p) => !isDeepStrictEqual(source.paths[p], doc.paths?.[p]),
  );
  assert.ok(
    isDeepStrictEqual(doc, source),
    `the binary serves another document than ${SOURCE} (rebuild it); paths that differ: ${differ.join(', ') || 'none (elsewhere)'}`,
  );
});

test('(b) every endpoint is documented with its method, operationId, tag, security and success status', () => {
  const problems = [];
  for (const [method, p, id, tag, status] of OPERATIONS) {
    const op = doc.paths?.[p]?.[method];
    if (!op) {
      problems.push(`${method.toUpperCase()} ${p} (${id}) is missing`);
      continue;
    }
    if (op.operationId !== id) problems.push(`${method.toUpperCase()} ${p}: operationId ${op.operationId}, want ${id}`);
    if (!op.tags?.includes(tag)) problems.push(`${id}: tags ${JSON.stringify(op.tags)}, want ${tag}`);
    if (!op.summary) problems.push(`${id}: no summary`);
    if (!op.responses?.[String(status)]) problems.push(`${id}: no ${status} response`);
    if (!Array.isArray(op.security)) problems.push(`${id}: no security of its own`);
    else if (PUBLIC.has(id) && op.security.length !== 0) problems.push(`${id}: is public, want security []`);
    else if (!PUBLIC.has(id)) {
      if (op.security.length === 0) problems.push(`${id}: needs credentials, but security is []`);
      if (!op.responses?.['401']) problems.push(`${id}: needs credentials, but declares no 401`);
      for (const req of op.security) {
        for (const name of Object.keys(req)) {
          if (!doc.components?.securitySchemes?.[name]) problems.push(`${id}: unknown security scheme ${name}`);
        }
      }
    }
    for (const [s, r] of Object.entries(op.responses || {})) {
      if (Number(s) < 400 || (id === 'getHealth' && s === '503')) continue; // an unhealthy /api/health is a Health body
      if (s === 'default' && PROJECT_ROUTES.includes(id)) continue; // the service's own answer, any body
      const schema = deref(r).content?.['application/json']?.schema;
      if (schema?.$ref !== '#/components/schemas/Error') problems.push(`${id}: ${s} is not an Error response`);
    }
    for (const param of (p.match(/\{[^}]+\}/g) || []).map((x) => x.slice(1, -1))) {
      const declared = [...(doc.paths[p].parameters || []), ...(op.parameters || [])].map((x) => deref(x));
      if (!declared.some((d) => d.in === 'path' && d.name === param && d.required === true)) {
        problems.push(`${id}: path parameter ${param} is not declared`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('(b) request bodies: JSON where JSON is read, multipart/form-data with a binary avatar for the upload', () => {
  for (const id of ['login', 'refreshToken', 'updateMe', 'changeMyPassword', 'createUser', 'updateUser', 'createProject',
    'updateProject', 'addProjectMember', 'createEnv', 'updateEnv', 'createBranch', 'saveDraft', 'renameBranch', 'resetBranch',
    'createRelease', 'startProject', 'createModel', 'updateModel', 'createRecord', 'updateRecord', 'patchRecord']) {
    const [method, p] = OPERATIONS.find((o) => o[2] === id);
    const body = deref(doc.paths?.[p]?.[method]?.requestBody);
    assert.ok(body?.content?.['application/json']?.schema, `${id} has a JSON request body`);
  }
  const upload = deref(doc.paths?.['/api/users/me/avatar']?.put?.requestBody);
  const form = upload?.content?.['multipart/form-data']?.schema;
  assert.ok(form, 'uploadMyAvatar takes multipart/form-data');
  const avatar = flatten(form).properties.avatar;
  assert.ok(avatar, 'the form has an avatar field');
  assert.equal(deref(avatar).type, 'string');
  assert.ok(deref(avatar).format === 'binary' || deref(avatar).contentMediaType, 'avatar is binary');
});

test('(c) every $ref resolves to an existing component', () => {
  const refs = [];
  const walk = (node, where) => {
    if (Array.isArray(node)) return node.forEach((x, i) => walk(x, `${where}/${i}`));
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref') refs.push([v, where]);
        else walk(v, `${where}/${k}`);
      }
    }
  };
  walk(doc, '#');
  assert.ok(refs.length > 0, 'the document uses $refs');
  const broken = refs.filter(([ref]) => !ref.startsWith('#/components/') || pointer(ref) === undefined);
  assert.deepEqual(broken.map(([ref, where]) => `${where} → ${ref}`), []);
});

test('(d) operationIds are unique', () => {
  const seen = new Map();
  const dup = [];
  for (const [p, item] of Object.entries(doc.paths || {})) {
    for (const m of METHODS) {
      const id = item[m]?.operationId;
      if (!id) continue;
      if (seen.has(id)) dup.push(`${id}: ${seen.get(id)} and ${m.toUpperCase()} ${p}`);
      else seen.set(id, `${m.toUpperCase()} ${p}`);
    }
  }
  assert.deepEqual(dup, []);
});

test('the schema checker itself rejects undeclared and missing keys', () => {
  const schema = { type: 'object', required: ['a'], properties: { a: { type: 'string' } } };
  assert.deepEqual(check(schema, { a: 'x' }), []);
  assert.equal(check(schema, { a: 'x', b: 1 }).length, 1);
  assert.equal(check(schema, {}).length, 1);
  assert.equal(check(schema, { a: 1 }).length, 1);
});

// ---- real responses against the declared schemas -----------------------

test('(e) GET /api/health fits the Health schema', async () => {
  assertMatches('get', '/api/health', await call('get', '/api/health'));
});

test('(e) a 404 error body fits the Error schema (an avatar that does not exist)', async () => {
  const res = await call('get', '/api/users/00000000-0000-4000-8000-000000000000/avatar');
  assert.equal(res.status, 404);
  assertMatches('get', '/api/users/{id}/avatar', res);
});

test('(e) GET /api/users/me without a token is a declared 401 with WWW-Authenticate: Bearer', async () => {
  const res = await call('get', '/api/users/me');
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  const declared = assertMatches('get', '/api/users/me', res);
  const headers = Object.keys(declared.headers || {}).map((h) => h.toLowerCase());
  assert.ok(headers.includes('www-authenticate'), 'the 401 response declares WWW-Authenticate');
});

test('(e) a validation error is a declared 400', async () => {
  const res = await call('post', '/api/auth/login', { body: { email: 42 } });
  assert.equal(res.status, 400);
  assertMatches('post', '/api/auth/login', res);
});

test('(e) login, me, a project, its members and env fit TokenPair, User, ProjectCreated, lists and EnvValue', async () => {
  const login = await call('post', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  assertMatches('post', '/api/auth/login', login);
  const token = login.body.access_token;

  const me = await call('get', '/api/users/me', { token });
  assert.equal(me.status, 200);
  assertMatches('get', '/api/users/me', me);

  const users = await call('get', '/api/users?per_page=5', { token });
  assert.equal(users.status, 200);
  assertMatches('get', '/api/users', users);

  const created = await call('post', '/api/projects', { token, body: { name: 'OpenAPI check', slug: 'openapi-check', color: 'teal' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assertMatches('post', '/api/projects', created);
  const id = created.body.id;

  const list = await call('get', '/api/projects', { token });
  assert.equal(list.status, 200);
  assertMatches('get', '/api/projects', list);

  const members = await call('get', `/api/projects/${id}/members`, { token });
  assert.equal(members.status, 200);
  assertMatches('get', '/api/projects/{id}/members', members);

  const env = await call('post', `/api/projects/${id}/env`, { token, body: { key: 'PORT', type: 'integer', value: 8080 } });
  assert.equal(env.status, 201, JSON.stringify(env.body));
  assertMatches('post', '/api/projects/{id}/env', env);

  const envList = await call('get', `/api/projects/${id}/env`, { token });
  assert.equal(envList.status, 200);
  assertMatches('get', '/api/projects/{id}/env', envList);

  const dup = await call('post', '/api/projects', { token, body: { name: 'Again', slug: 'openapi-check' } });
  assert.equal(dup.status, 409);
  assertMatches('post', '/api/projects', dup);
});

test('(e) a model, its records, a list with skipTotal and a unique violation fit their schemas', async () => {
  const login = await call('post', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
  const token = login.body.access_token;
  const project = await call('post', '/api/projects', { token, body: { name: 'OpenAPI models', slug: 'openapi-models' } });
  const id = project.body.id;
  const model = await call('post', `/api/projects/${id}/models`, { token, body: { name: 'orders', fields: [
    { key: 'title', type: 'string', unique: true }, { key: 'tags', type: 'select', values: ['a'], multiple: true }],
  table_config: { columns: ['title'] }, form_config: { field_views: { title: 'input' } } } });
  assert.equal(model.status, 201, JSON.stringify(model.body));
  assertMatches('post', '/api/projects/{id}/models', model);
  assertMatches('get', '/api/projects/{id}/models', await call('get', `/api/projects/${id}/models`, { token }));
  const record = await call('post', `/api/projects/${id}/models/orders/data`, { token, body: { title: 'x', tags: ['a'] } });
  assert.equal(record.status, 201, JSON.stringify(record.body));
  assertMatches('post', '/api/projects/{id}/models/{model}/data', record);
  const list = await call('get', `/api/projects/${id}/models/orders/data?skipTotal=true`, { token });
  assert.equal(list.body.total_items, -1);
  assertMatches('get', '/api/projects/{id}/models/{model}/data', list);
  const dup = await call('post', `/api/projects/${id}/models/orders/data`, { token, body: { title: 'x' } });
  assert.equal(dup.status, 409);
  assertMatches('post', '/api/projects/{id}/models/{model}/data', dup);
});

test('(e) get/put a model, get/put/patch a record with expand, and the 400/404 errors of records fit their schemas', async () => {
  const login = await call('post', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
  const token = login.body.access_token;
  const project = await call('post', '/api/projects', { token, body: { name: 'OpenAPI records', slug: 'openapi-records' } });
  const id = project.body.id;
  const base = `/api/projects/${id}/models`;
  assert.equal((await call('post', base, { token, body: { name: 'people', fields: [{ key: 'name', type: 'string' }] } })).status, 201);
  const books = await call('post', base, { token, body: { name: 'books', fields: [
    { key: 'title', type: 'string', required: true }, { key: 'author', type: 'ref', model: 'people', on_delete: 'set_null' },
    { key: 'meta', type: 'document' }], indexes: [{ fields: ['title', 'author'], unique: true }] } });
  assert.equal(books.status, 201, JSON.stringify(books.body));
  assertMatches('get', '/api/projects/{id}/models/{model}', await call('get', `${base}/books`, { token }));
  const changed = await call('put', `${base}/books`, { token, body: { description: 'Books', fields: [
    { key: 'title', type: 'string', required: true }, { key: 'author', type: 'ref', model: 'people', on_delete: 'set_null' },
    { key: 'meta', type: 'document' }, { key: 'pages', type: 'integer', min: 1, default: 1 }] } });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assertMatches('put', '/api/projects/{id}/models/{model}', changed);
  const badModel = await call('post', base, { token, body: { name: 'bad', fields: [{ key: 'f', type: 'bool', min: 1 }] } });
  assert.equal(badModel.status, 400);
  assertMatches('post', '/api/projects/{id}/models', badModel);

  const person = await call('post', `${base}/people/data`, { token, body: { name: 'Ann' } });
  const book = await call('post', `${base}/books/data`, { token, body: { title: 'T', author: person.body.id, meta: { a: [1, null] } } });
  assert.equal(book.status, 201, JSON.stringify(book.body));
  const rec = `${base}/books/data/${book.body.id}`;
  const got = await call('get', `${rec}?expand=author`, { token });
  assert.equal(got.body.expand.author.name, 'Ann');
  assertMatches('get', '/api/projects/{id}/models/{model}/data/{recordId}', got);
  assertMatches('put', '/api/projects/{id}/models/{model}/data/{recordId}', await call('put', rec, { token, body: { pages: 3 } }));
  assertMatches('patch', '/api/projects/{id}/models/{model}/data/{recordId}', await call('patch', rec, { token, body: { title: 'U' } }));
  const listed = await call('get', `${base}/books/data?expand=author&filter=${encodeURIComponent("title = 'U'")}&sort=-created&perPage=5`, { token });
  assert.equal(listed.status, 200);
  assertMatches('get', '/api/projects/{id}/models/{model}/data', listed);

  const badFilter = await call('get', `${base}/books/data?filter=${encodeURIComponent('title =')}`, { token });
  assert.equal(badFilter.status, 400);
  assertMatches('get', '/api/projects/{id}/models/{model}/data', badFilter);
  const badRecord = await call('patch', rec, { token, body: { pages: 0, nope: 1 } });
  assert.equal(badRecord.status, 400);
  assertMatches('patch', '/api/projects/{id}/models/{model}/data/{recordId}', badRecord);
  const missing = await call('get', `${base}/books/data/zzzzzzzzzzzzzzz`, { token });
  assert.equal(missing.status, 404);
  assertMatches('get', '/api/projects/{id}/models/{model}/data/{recordId}', missing);
});

test('(e) a goal, the goal list and statistics fit their schemas', async () => {
  const login = await call('post', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
  const token = login.body.access_token;
  const goal = await call('post', '/api/goals', { token, body: { name: 'Visits', slug: 'visits', type: 'daily_counter', color: 'teal' } });
  assert.equal(goal.status, 201, JSON.stringify(goal.body));
  assertMatches('post', '/api/goals', goal);
  assertMatches('get', '/api/goals', await call('get', '/api/goals', { token }));
  const stats = await call('get', `/api/goals/stats?goals=${goal.body.id}`, { token });
  assert.equal(stats.status, 200, JSON.stringify(stats.body));
  assert.equal(stats.body.goals[0].days.length, 30);
  assertMatches('get', '/api/goals/stats', stats);
});

test('(f) request bodies are strict: every JSON request schema (and its nested objects) is closed, as the server is', () => {
  // RecordInput is the one open body: its keys are the model's fields, checked by the server against the model.
  const OPEN = new Set(['#/components/schemas/RecordInput']);
  const problems = [];
  const closed = (schema, where) => {
    if (schema?.$ref && OPEN.has(schema.$ref)) return;
    const f = flatten(schema);
    if (!f.types?.includes('object') && !Object.keys(f.properties).length) return;
    // A map with typed values (additionalProperties: {schema}) is closed enough: its keys are data.
    const isMap = f.additional && typeof f.additional === 'object';
    if (f.additional !== false && !isMap) problems.push(`${where}: additionalProperties is not false`);
    for (const [k, v] of Object.entries(f.properties)) {
      const d = flatten(v);
      if (d.types?.includes('object') || Object.keys(d.properties).length) closed(v, `${where}.${k}`);
      else if (d.types?.includes('array') && d.items) {
        const it = flatten(d.items);
        if (it.types?.includes('object') || Object.keys(it.properties).length) closed(d.items, `${where}.${k}[]`);
      }
    }
  };
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const schema = deref(op?.requestBody)?.content?.['application/json']?.schema;
      if (schema) closed(schema, `${method.toUpperCase()} ${p}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('(e) GET /api/cluster/nodes (one node on SQLite) fits its schema', async () => {
  const login = await call('post', '/api/auth/login', { body: { email: ROOT_EMAIL, password: ROOT_PASSWORD } });
  const res = await call('get', '/api/cluster/nodes', { token: login.body.access_token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assertMatches('get', '/api/cluster/nodes', res);
  assert.equal(res.body.total, 1);
  assert.equal(res.body.items[0].self, true);
  assert.equal(res.body.items[0].live, true);
  assertMatches('get', '/api/cluster/nodes', await call('get', '/api/cluster/nodes'));
});
