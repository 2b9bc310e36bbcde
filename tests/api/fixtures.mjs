// Shared helpers for the issue-4 API tests (accounts, projects, environment):
// a server with a root user, login, a JSON request helper, users and projects
// created through the API, and a tiny PNG encoder for avatar uploads.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { makeTempDir, runCli, startServer } from './harness.mjs';

export const ROOT_EMAIL = 'root@example.com';
export const ROOT_PASSWORD = 'rootpass123';
export const MASK = '********';

let counter = 0;
// A short string unique within this process (and random across runs).
export function uniq(prefix = 'u') {
  counter += 1;
  return `${prefix}${counter}${randomBytes(3).toString('hex')}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Creates the root with `m3m new-admin` in a fresh folder, starts the server on
// that same folder, logs root in. Returns {server, rootToken, root, rootLogin, dir}.
export async function startWithRoot({ env = {}, email = ROOT_EMAIL, password = ROOT_PASSWORD, dir, keepDir = false, config } = {}) {
  dir = dir || makeTempDir();
  const r = runCli(['new-admin', email, password], { dir, env });
  if (r.code !== 0) {
    throw new Error(`m3m new-admin failed (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  const server = await startServer({ dir, env, keepDir, config });
  const res = await login(server, email, password);
  if (res.status !== 200) {
    await server.stop();
    throw new Error(`root login failed: ${res.status} ${res.text}`);
  }
  return { server, dir, rootToken: res.body.access_token, root: res.body.user, rootLogin: res.body };
}

// Any request: {status, headers, body (parsed JSON, else text), text}.
// `body`: an object is sent as JSON; a string is sent as-is with a JSON
// content type unless one is given; FormData/Blob/Buffer are sent as-is.
export async function api(server, method, p, { token, apiKey, body, headers = {}, signal } = {}) {
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = v;
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  if (apiKey !== undefined) h['x-api-key'] = apiKey;
  let payload;
  if (body !== undefined) {
    if (body instanceof FormData || body instanceof Blob || Buffer.isBuffer(body) || body instanceof Uint8Array) {
      payload = body;
    } else if (typeof body === 'string') {
      payload = body;
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    } else {
      payload = JSON.stringify(body);
      if (!('content-type' in h)) h['content-type'] = 'application/json';
    }
  }
  const res = await fetch(server.url + p, { method, headers: h, body: payload, signal });
  const buf = Buffer.from(await res.arrayBuffer());
  const text = buf.toString('utf8');
  let parsed = text;
  if (text.length) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text, bytes: buf, method, path: p };
}

// A readable one-liner for assertion messages.
export function describe(res) {
  return `${res.method} ${res.path} → ${res.status} ${res.text.slice(0, 400)}`;
}

export function expectStatus(res, status, what = '') {
  assert.equal(res.status, status, `${what ? what + ': ' : ''}${describe(res)}`);
  return res;
}

// Asserts the error envelope with the given code (and status when given).
export function expectError(res, status, code, what = '') {
  expectStatus(res, status, what);
  const b = res.body;
  assert.equal(typeof b, 'object', `error body is JSON: ${describe(res)}`);
  assert.ok(b && b.error && typeof b.error === 'object', `error envelope: ${describe(res)}`);
  assert.equal(b.error.code, code, describe(res));
  assert.equal(typeof b.error.message, 'string', describe(res));
  assert.ok(b.error.message.length > 0, describe(res));
  assert.equal(typeof b.error.fields, 'object', `error.fields is an object: ${describe(res)}`);
  return b.error;
}

// 400 INVALID_ARGUMENT naming `field` in error.fields (exactly that key, or a
// sub-path of it such as "permissions.create_projects").
export function expectFieldError(res, field, what = '') {
  const err = expectError(res, 400, 'INVALID_ARGUMENT', what);
  const keys = Object.keys(err.fields || {});
  assert.ok(
    keys.some((k) => k === field || k.startsWith(field + '.') || k.startsWith(field + '[')),
    `${what ? what + ': ' : ''}error.fields names "${field}" (got ${JSON.stringify(err.fields)})`,
  );
  return err;
}

// The list envelope of the API conventions; returns items.
export function expectList(res, what = '') {
  expectStatus(res, 200, what);
  const b = res.body;
  assert.ok(b && Array.isArray(b.items), `list envelope with items: ${describe(res)}`);
  for (const k of ['page', 'per_page', 'total_items', 'total_pages']) {
    assert.equal(typeof b[k], 'number', `list envelope has ${k}: ${describe(res)}`);
  }
  return b.items;
}

export function login(server, email, password, extra = {}) {
  return api(server, 'POST', '/api/auth/login', { body: { email, password }, ...extra });
}

// Logs in and returns the login body (asserts 200).
export async function loginOk(server, email, password) {
  const res = await login(server, email, password);
  expectStatus(res, 200, `login ${email}`);
  return res.body;
}

// Creates a user through the API as `token` (asserts 201); returns the user
// plus the password used.
export async function createUser(server, token, { email, password = 'password123', name, permissions, project_ids } = {}) {
  email = email || `${uniq('user')}@example.com`;
  const body = { email, password };
  if (name !== undefined) body.name = name;
  if (permissions !== undefined) body.permissions = permissions;
  if (project_ids !== undefined) body.project_ids = project_ids;
  const res = await api(server, 'POST', '/api/users', { token, body });
  expectStatus(res, 201, `create user ${email}`);
  return { ...res.body, password };
}

// Creates a user and logs them in: {user, token, refresh, password}.
export async function createUserAndLogin(server, rootToken, opts = {}) {
  const user = await createUser(server, rootToken, opts);
  const l = await loginOk(server, user.email, user.password);
  return { user, token: l.access_token, refresh: l.refresh_token, password: user.password, login: l };
}

// Creates a project (asserts 201); the result includes api_key.
export async function createProject(server, token, { name, slug, color } = {}) {
  slug = slug || uniq('p');
  const body = { name: name || `Project ${slug}`, slug };
  if (color !== undefined) body.color = color;
  const res = await api(server, 'POST', '/api/projects', { token, body });
  expectStatus(res, 201, `create project ${slug}`);
  assert.equal(typeof res.body.api_key, 'string', `api_key in ${describe(res)}`);
  return res.body;
}

// Fails when an object tree has a key that looks like a password or a hash.
export function assertNoSecretFields(obj, where = 'body') {
  const walk = (v, p) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${p}[${i}]`));
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        assert.ok(!/pass|hash|salt|secret_key/i.test(k), `${where}: unexpected field ${p}.${k}`);
        walk(x, `${p}.${k}`);
      }
    }
  };
  walk(obj, where);
}

// An id of the same shape as `id` that names nothing.
export function missingIdLike(id) {
  if (typeof id === 'number') return id + 987654;
  if (/^\d+$/.test(id)) return String(Number(id) + 987654);
  return String(id).replace(/[0-9a-zA-Z]/g, (c) => (/[0-9]/.test(c) ? '0' : /[a-f]/.test(c) ? 'f' : 'z'));
}

// Changes one character of a JWT's payload segment (keeps it base64url).
export function tamperJwt(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'the access token is a JWT (3 parts)');
  const p = parts[1];
  const i = Math.floor(p.length / 2);
  const c = p[i] === 'A' ? 'B' : 'A';
  parts[1] = p.slice(0, i) + c + p.slice(i + 1);
  return parts.join('.');
}

// Every file under `<dir>/logs` concatenated (empty when none).
export function readLogs(dir) {
  let out = '';
  const walk = (d) => {
    let names = [];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const f = path.join(d, n);
      if (statSync(f).isDirectory()) walk(f);
      else out += readFileSync(f, 'utf8');
    }
  };
  walk(path.join(dir, 'logs'));
  return out;
}

// ---- a minimal PNG encoder (8-bit RGB, no interlace) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// One PNG chunk: length, type, data, CRC-32 (also used to build hostile PNGs in images.test.mjs).
export function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// pixel(x, y) → [r, g, b]; default a gradient. `noise` makes it incompressible.
export function makePng(width, height, { pixel, noise = false } = {}) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const rnd = noise ? randomBytes(width * 3 * height) : null;
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      let rgb;
      if (rnd) {
        const i = (y * width + x) * 3;
        rgb = [rnd[i], rnd[i + 1], rnd[i + 2]];
      } else {
        rgb = pixel ? pixel(x, y) : [(x * 255) / Math.max(1, width - 1), (y * 255) / Math.max(1, height - 1), 128];
      }
      raw[o++] = rgb[0] & 0xff;
      raw[o++] = rgb[1] & 0xff;
      raw[o++] = rgb[2] & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: noise ? 0 : 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// {width, height} of a PNG buffer, or null when it is not a PNG.
export function pngSize(buf) {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(sig) || buf.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

// ---- runtime (issue 6): deploying code, run control, run logs, project routes ----

// Polls `fn` until it returns a truthy value (returned) or `timeout` ms pass
// (throws, naming `what` and the last value seen).
export async function waitFor(fn, { timeout = 10_000, interval = 50, what = 'condition' } = {}) {
  const t0 = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - t0 > timeout) {
      throw new Error(`timed out after ${timeout}ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 400)})`);
    }
    await sleep(interval);
  }
}

// Saves `code` as the draft of `branch` (reading the branch first for its
// current revision) and creates a release from it. Returns the version string.
// A new release is not necessarily the active one: pass the version to start.
export async function deploy(server, token, projectId, code, { branch = 'develop', bump = 'minor', tag = 'stable', comment } = {}) {
  const bpath = `/api/projects/${projectId}/pipeline/branches/${encodeURIComponent(branch)}`;
  const got = await api(server, 'GET', bpath, { token });
  expectStatus(got, 200, `deploy: read branch ${branch}`);
  const revision = got.body.exists === false ? 0 : got.body.revision;
  const saved = await api(server, 'PUT', bpath, { token, body: { code, revision } });
  assert.ok([200, 201].includes(saved.status), `deploy: save draft: ${describe(saved)}`);
  const body = { branch, bump, tag };
  if (comment !== undefined) body.comment = comment;
  const rel = await api(server, 'POST', `/api/projects/${projectId}/pipeline/releases`, { token, body });
  expectStatus(rel, 201, 'deploy: create release');
  assert.equal(typeof rel.body.version, 'string', `deploy: release version in ${describe(rel)}`);
  return rel.body.version;
}

// POST /api/projects/:id/start (with {version} when given). Returns the raw
// response ({status, body, ...}); does not assert, so failures can be tested.
export async function startProject(server, token, projectId, version) {
  const body = version === undefined ? {} : { version };
  return api(server, 'POST', `/api/projects/${projectId}/start`, { token, body });
}

// Starts and asserts the project is running; returns the status body.
export async function startRunning(server, token, projectId, version) {
  const res = await startProject(server, token, projectId, version);
  expectStatus(res, 200, `start project ${projectId}`);
  const st = await projectStatus(server, token, projectId);
  assert.equal(st.state, 'running', `state after start: ${JSON.stringify(st)}`);
  return st;
}

export async function stopProject(server, token, projectId) {
  return api(server, 'POST', `/api/projects/${projectId}/stop`, { token, body: {} });
}

export async function restartProject(server, token, projectId) {
  return api(server, 'POST', `/api/projects/${projectId}/restart`, { token, body: {} });
}

// GET /api/projects/:id/status (asserts 200) → the status body.
export async function projectStatus(server, token, projectId) {
  const res = await api(server, 'GET', `/api/projects/${projectId}/status`, { token });
  expectStatus(res, 200, `status of ${projectId}`);
  return res.body;
}

// A run-log line as text (lines are strings by contract; tolerate objects
// with a text field so that other assertions still say something useful).
// Waits until the project's run state is `state`; returns that status.
export function waitForState(server, token, projectId, state, { timeout = 10_000, what } = {}) {
  return waitFor(
    async () => {
      const s = await projectStatus(server, token, projectId);
      return s.state === state ? s : null;
    },
    { what: what || `the project to be ${state}`, timeout },
  );
}

export function logLineText(l) {
  if (typeof l === 'string') return l;
  if (l && typeof l === 'object') return l.line ?? l.text ?? l.message ?? JSON.stringify(l);
  return String(l);
}

// Every line of the run log, oldest first, read through GET /logs pages.
export async function readRunLog(server, token, projectId, { limit = 1000 } = {}) {
  const out = [];
  let cursor;
  for (let i = 0; i < 200; i++) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor !== undefined && cursor !== null) q.set('cursor', String(cursor));
    const res = await api(server, 'GET', `/api/projects/${projectId}/logs?${q}`, { token });
    expectStatus(res, 200, 'read run log');
    assert.ok(Array.isArray(res.body.lines), `logs body has lines: ${describe(res)}`);
    out.push(...res.body.lines.map(logLineText));
    if (!res.body.lines.length || res.body.next_cursor === undefined || res.body.next_cursor === null || res.body.next_cursor === cursor) break;
    cursor = res.body.next_cursor;
  }
  return out;
}

// Calls a project route without any credentials: /r/{slug}{p} (or /api/r/...).
// Fails (rejects with a clear message) when no answer comes within `timeout` ms.
export async function callRoute(server, slug, p, { method = 'GET', body, headers = {}, prefix = '/r', timeout = 30_000 } = {}) {
  try {
    return await api(server, method, `${prefix}/${slug}${p}`, { body, headers, signal: AbortSignal.timeout(timeout) });
  } catch (e) {
    if (e?.name === 'TimeoutError') throw new Error(`${method} ${prefix}/${slug}${p}: no answer within ${timeout} ms`);
    throw e;
  }
}

// Creates a project, deploys `code` and starts it (asserts running).
// Returns {project, version, status}.
export async function runningProject(server, token, code, { slug } = {}) {
  const project = await createProject(server, token, { slug });
  const version = await deploy(server, token, project.id, code);
  const status = await startRunning(server, token, project.id, version);
  return { project, version, status };
}

// ---- data models and records (docs/models.md) ----

// /api/projects/:id/models[/:model] (the model by id or name).
export function modelsPath(projectId, model) {
  return `/api/projects/${projectId}/models${model === undefined ? '' : '/' + encodeURIComponent(model)}`;
}

// /api/projects/:id/models/:model/data[/:recordId].
export function recordsPath(projectId, model, recordId) {
  return `${modelsPath(projectId, model)}/data${recordId === undefined ? '' : '/' + encodeURIComponent(recordId)}`;
}

// POST a model (asserts 201) → the model.
export async function createModel(server, token, projectId, body) {
  const res = await api(server, 'POST', modelsPath(projectId), { token, body });
  expectStatus(res, 201, `create model ${body?.name}`);
  return res.body;
}

// POST a record (asserts 201) → the record.
export async function createRecord(server, token, projectId, model, body) {
  const res = await api(server, 'POST', recordsPath(projectId, model), { token, body });
  expectStatus(res, 201, `create record in ${model}`);
  return res.body;
}

// Every record of a model (all pages of perPage=500, default order unless
// `query.sort` is given), for "nothing changed" snapshots.
export async function listAllRecords(server, token, projectId, model, query = {}) {
  const out = [];
  for (let page = 1; page < 1000; page++) {
    const q = new URLSearchParams({ ...query, page: String(page), perPage: '500' });
    const res = await api(server, 'GET', `${recordsPath(projectId, model)}?${q}`, { token });
    const items = expectList(res, `list ${model} page ${page}`);
    out.push(...items);
    if (items.length < 500) break;
  }
  return out;
}
