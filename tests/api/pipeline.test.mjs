// The pipeline API (issue 5): branches with drafts, releases, activation and
// rollback, reset, optimistic concurrency, size limit, permissions.
// Contract: docs/api.md, section "Pipeline: branches, drafts, releases (issue 5)".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from './harness.mjs';
import {
  api,
  createProject,
  createUserAndLogin,
  describe,
  expectError,
  expectFieldError,
  expectList,
  expectStatus,
  missingIdLike,
  startWithRoot,
  uniq,
} from './fixtures.mjs';

let server;
let rootToken;
let root;
before(async () => {
  ({ server, rootToken, root } = await startWithRoot());
});
after(async () => {
  await server?.stop();
});

// ---- helpers ----

const base = (pid) => `/api/projects/${pid}/pipeline`;
const enc = (name) => encodeURIComponent(name); // "feature/login" → "feature%2Flogin"
const branchPath = (pid, name) => `${base(pid)}/branches/${enc(name)}`;
const releasePath = (pid, v) => `${base(pid)}/releases/${v}`;

const BRANCH_KEYS = ['name', 'revision', 'exists', 'created_from_release', 'parent_branch', 'created_at', 'updated_at'];
const RELEASE_KEYS = ['version', 'major', 'minor', 'comment', 'tag', 'branch', 'code_size', 'is_active', 'is_running', 'created_by', 'created_at'];

function assertBranch(b, { code, where = 'branch' } = {}) {
  assert.ok(b && typeof b === 'object', `${where}: a JSON object, got ${JSON.stringify(b)}`);
  for (const k of BRANCH_KEYS) assert.ok(k in b, `${where}: branch.${k} is present in ${JSON.stringify(b).slice(0, 300)}`);
  assert.equal(typeof b.name, 'string', `${where}: name`);
  assert.ok(Number.isInteger(b.revision), `${where}: revision is an integer (${b.revision})`);
  assert.equal(typeof b.exists, 'boolean', `${where}: exists`);
  if (code === true) assert.equal(typeof b.code, 'string', `${where}: code is a string`);
  if (code === false) assert.ok(!('code' in b), `${where}: no code in lists (${Object.keys(b)})`);
}

function assertRelease(r, { code, where = 'release' } = {}) {
  assert.ok(r && typeof r === 'object', `${where}: a JSON object, got ${JSON.stringify(r)}`);
  for (const k of RELEASE_KEYS) assert.ok(k in r, `${where}: release.${k} is present in ${JSON.stringify(r).slice(0, 300)}`);
  assert.match(r.version, /^(0|[1-9]\d*)\.(0|[1-9]\d*)$/, `${where}: version "major.minor"`);
  const [ma, mi] = r.version.split('.').map(Number);
  assert.equal(r.major, ma, `${where}: major matches version ${r.version}`);
  assert.equal(r.minor, mi, `${where}: minor matches version ${r.version}`);
  assert.equal(typeof r.is_active, 'boolean', `${where}: is_active`);
  assert.equal(typeof r.is_running, 'boolean', `${where}: is_running`);
  assert.ok(Number.isInteger(r.code_size), `${where}: code_size is an integer`);
  if (code === true) assert.equal(typeof r.code, 'string', `${where}: code is a string`);
  if (code === false) assert.ok(!('code' in r), `${where}: no code in lists (${Object.keys(r)})`);
}

// A fresh project owned by root.
async function newProject() {
  return createProject(server, rootToken, {});
}

async function getBranch(pid, name, auth = { token: rootToken }) {
  const res = await api(server, 'GET', branchPath(pid, name), auth);
  expectStatus(res, 200, `get branch ${name}`);
  assertBranch(res.body, { code: true, where: `GET branch ${name}` });
  return res.body;
}

// Saves a draft (asserts the status, default 200) and returns the branch.
async function save(pid, name, code, revision, status = 200, auth = { token: rootToken }) {
  const res = await api(server, 'PUT', branchPath(pid, name), { ...auth, body: { code, revision } });
  expectStatus(res, status, `save ${name}@${revision}`);
  assertBranch(res.body, { where: `PUT branch ${name}` });
  return res.body;
}

// The first save: creates develop (201) from a project without branches.
async function firstSave(pid, code = `// ${uniq('code')}\nservice.start(() => {})\n`) {
  const b = await save(pid, 'develop', code, 0, 201);
  return { ...b, code };
}

async function release(pid, { branch = 'develop', bump = 'minor', tag = 'stable', comment } = {}, auth = { token: rootToken }) {
  const body = { branch, bump, tag };
  if (comment !== undefined) body.comment = comment;
  const res = await api(server, 'POST', `${base(pid)}/releases`, { ...auth, body });
  expectStatus(res, 201, `release ${bump} from ${branch}`);
  assertRelease(res.body, { where: 'POST release' });
  return res.body;
}

async function listReleases(pid, query = '?per_page=100') {
  const res = await api(server, 'GET', `${base(pid)}/releases${query}`, { token: rootToken });
  const items = expectList(res, 'list releases');
  items.forEach((r, i) => assertRelease(r, { code: false, where: `releases[${i}]` }));
  return { items, body: res.body };
}

async function listBranches(pid, query = '?per_page=100') {
  const res = await api(server, 'GET', `${base(pid)}/branches${query}`, { token: rootToken });
  const items = expectList(res, 'list branches');
  items.forEach((b, i) => assertBranch(b, { code: false, where: `branches[${i}]` }));
  return { items, body: res.body };
}

async function getRelease(pid, v) {
  const res = await api(server, 'GET', releasePath(pid, v), { token: rootToken });
  expectStatus(res, 200, `get release ${v}`);
  assertRelease(res.body, { code: true, where: `GET release ${v}` });
  return res.body;
}

async function activeRelease(pid) {
  const res = await api(server, 'GET', `/api/projects/${pid}`, { token: rootToken });
  expectStatus(res, 200, 'get project');
  return res.body.active_release;
}

// 400 or 404 with the error envelope; when 400, optionally naming `field`.
function expect400or404(res, field, what) {
  assert.ok([400, 404].includes(res.status), `${what}: 400 or 404 expected: ${describe(res)}`);
  if (res.status === 404) return expectError(res, 404, 'NOT_FOUND', what);
  if (field) return expectFieldError(res, field, what);
  return expectError(res, 400, 'INVALID_ARGUMENT', what);
}

// A route not in the contract for this method: 405 (known path, Allow lists
// the methods) or 404; never a success.
function expectNoSuchMethod(res, forbidden, what) {
  assert.ok([404, 405].includes(res.status), `${what}: 404 or 405 expected: ${describe(res)}`);
  if (res.status === 405) {
    expectError(res, 405, 'METHOD_NOT_ALLOWED', what);
    const allow = (res.headers.get('allow') || '').toUpperCase();
    assert.ok(allow.length > 0, `${what}: a 405 has an Allow header`);
    for (const m of forbidden) assert.ok(!allow.split(/\s*,\s*/).includes(m), `${what}: Allow "${allow}" must not list ${m}`);
  } else {
    expectError(res, 404, 'NOT_FOUND', what);
  }
}

const bytes = (s) => Buffer.byteLength(s, 'utf8');

// ---- 1. the story of the issue ----

test('THE STORY: template → first save → 1.0 → edit → 1.1 → 2.0 → rollback → delete → reset → stale save → concurrent releases', async () => {
  const p = await newProject();
  assert.equal(await activeRelease(p.id), null, 'no active release before any release');

  // An empty project: no branches, no releases, and the template for develop.
  assert.equal((await listBranches(p.id)).items.length, 0, 'no branches yet');
  assert.equal((await listReleases(p.id)).items.length, 0, 'no releases yet');
  const tpl = await getBranch(p.id, 'develop');
  assert.equal(tpl.name, 'develop');
  assert.equal(tpl.exists, false, 'the template is not a stored branch');
  assert.equal(tpl.revision, 0, 'the template has revision 0');
  for (const hook of ['service.boot', 'service.start', 'service.shutdown']) {
    assert.ok(tpl.code.includes(hook), `the template has ${hook}:\n${tpl.code}`);
  }
  assert.match(tpl.code, /router\.(get|post|put|delete)\s*\(/, `the template has a router route:\n${tpl.code}`);
  assert.equal((await listBranches(p.id)).items.length, 0, 'reading the template stores nothing');

  // First save creates develop.
  const code1 = `${tpl.code}\n// release 1.0\n`;
  const created = await save(p.id, 'develop', code1, 0, 201);
  assert.equal(created.name, 'develop');
  assert.equal(created.exists, true);
  assert.equal(created.revision, 1, 'the first save: revision 0 + 1');
  let dev = await getBranch(p.id, 'develop');
  assert.equal(dev.exists, true);
  assert.equal(dev.code, code1);
  assert.equal(dev.revision, 1);
  const listed = (await listBranches(p.id)).items;
  assert.deepEqual(listed.map((b) => b.name), ['develop']);
  assert.equal(listed[0].exists, true);

  // Release 1.0 (stable): the first release is active.
  const r10 = await release(p.id, { bump: 'minor', tag: 'stable', comment: 'first release' });
  assert.equal(r10.version, '1.0');
  assert.equal(r10.major, 1);
  assert.equal(r10.minor, 0);
  assert.equal(r10.tag, 'stable');
  assert.equal(r10.comment, 'first release');
  assert.equal(r10.branch, 'develop');
  assert.equal(r10.code_size, bytes(code1));
  assert.equal(r10.is_active, true, 'the first release becomes active');
  assert.equal(r10.is_running, false, 'nothing runs yet');
  assert.ok([root.id, root.email].includes(r10.created_by), `created_by names root (${JSON.stringify(r10.created_by)})`);
  assert.equal(typeof r10.created_at, 'string');
  assert.equal((await getRelease(p.id, '1.0')).code, code1);
  assert.equal(await activeRelease(p.id), '1.0', 'project.active_release');

  // Edit the draft: revision + 1.
  const code2 = `${code1}// release 1.1\n`;
  const edited = await save(p.id, 'develop', code2, dev.revision);
  assert.equal(edited.revision, 2, 'revision + 1');
  assert.equal(edited.exists, true);
  dev = await getBranch(p.id, 'develop');
  assert.equal(dev.code, code2);
  assert.equal(dev.revision, 2);
  assert.equal(typeof dev.updated_at, 'string');

  // 1.1 (minor), then 2.0 (major).
  const r11 = await release(p.id, { bump: 'minor', tag: 'night-build', comment: 'second' });
  assert.equal(r11.version, '1.1');
  assert.equal(r11.code_size, bytes(code2));
  const code3 = `${code2}// release 2.0\n`;
  dev = await save(p.id, 'develop', code3, dev.revision);
  const r20 = await release(p.id, { bump: 'major', tag: 'hot-fix', comment: 'third' });
  assert.equal(r20.version, '2.0');
  assert.equal(r20.major, 2);
  assert.equal(r20.minor, 0);
  assert.equal((await getRelease(p.id, '1.1')).code, code2);
  assert.equal((await getRelease(p.id, '2.0')).code, code3);

  let rels = (await listReleases(p.id)).items;
  assert.deepEqual(rels.map((r) => r.version), ['2.0', '1.1', '1.0'], 'newest first');
  assert.equal(rels.filter((r) => r.is_active).length, 1, 'exactly one active release');

  // Roll forward to 2.0, then back to 1.0.
  const a20 = await api(server, 'POST', `${releasePath(p.id, '2.0')}/activate`, { token: rootToken });
  expectStatus(a20, 200, 'activate 2.0');
  assertRelease(a20.body, { where: 'activate 2.0' });
  assert.equal(a20.body.version, '2.0');
  assert.equal(a20.body.is_active, true);
  assert.equal(await activeRelease(p.id), '2.0');
  const a10 = await api(server, 'POST', `${releasePath(p.id, '1.0')}/activate`, { token: rootToken });
  expectStatus(a10, 200, 'activate 1.0 (rollback)');
  assert.equal(a10.body.version, '1.0');
  assert.equal(a10.body.is_active, true);
  rels = (await listReleases(p.id)).items;
  assert.deepEqual(rels.filter((r) => r.is_active).map((r) => r.version), ['1.0'], 'only 1.0 is active after the rollback');
  assert.equal((await getRelease(p.id, '2.0')).is_active, false);
  assert.equal((await getRelease(p.id, '1.0')).is_active, true);
  assert.equal(await activeRelease(p.id), '1.0', 'project.active_release after rollback');

  // Delete 1.1; the active one cannot be deleted.
  expectStatus(await api(server, 'DELETE', releasePath(p.id, '1.1'), { token: rootToken }), 204, 'delete 1.1');
  expectError(await api(server, 'GET', releasePath(p.id, '1.1'), { token: rootToken }), 404, 'NOT_FOUND', 'deleted 1.1');
  expectError(await api(server, 'DELETE', releasePath(p.id, '1.0'), { token: rootToken }), 409, 'CONFLICT', 'delete the active 1.0');
  rels = (await listReleases(p.id)).items;
  assert.deepEqual(rels.map((r) => r.version), ['2.0', '1.0']);
  assert.equal(await activeRelease(p.id), '1.0', 'the refused delete changed nothing');

  // Reset the draft to 1.0.
  const before = await getBranch(p.id, 'develop');
  const reset = await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: { version: '1.0' } });
  expectStatus(reset, 200, 'reset develop to 1.0');
  assertBranch(reset.body, { where: 'reset' });
  assert.equal(reset.body.revision, before.revision + 1, 'reset: revision + 1');
  dev = await getBranch(p.id, 'develop');
  assert.equal(dev.code, (await getRelease(p.id, '1.0')).code, 'the draft is release 1.0 code');
  assert.equal(dev.code, code1);
  assert.equal(dev.revision, before.revision + 1);

  // A save with the revision read before the reset is stale.
  const stale = await api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// other tab', revision: before.revision } });
  expectError(stale, 409, 'CONFLICT', 'a stale revision');
  const stale0 = await api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// first tab', revision: 0 } });
  expectError(stale0, 409, 'CONFLICT', 'revision 0 once develop exists');
  const future = await api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// future', revision: dev.revision + 5 } });
  expectError(future, 409, 'CONFLICT', 'a revision from the future');
  const still = await getBranch(p.id, 'develop');
  assert.equal(still.code, code1, 'refused saves changed nothing');
  assert.equal(still.revision, dev.revision);

  // Ten concurrent releases: ten distinct versions, no duplicates.
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      api(server, 'POST', `${base(p.id)}/releases`, { token: rootToken, body: { branch: 'develop', bump: 'minor', tag: 'develop', comment: `concurrent ${i}` } }),
    ),
  );
  for (const r of results) expectStatus(r, 201, 'a concurrent release');
  const versions = results.map((r) => r.body.version);
  assert.equal(new Set(versions).size, 10, `ten distinct versions: ${versions}`);
  const expected = Array.from({ length: 10 }, (_, i) => `2.${i + 1}`);
  assert.deepEqual([...versions].sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])), expected, 'minor bumps after 2.0');
  const all = await listReleases(p.id);
  const listedVersions = all.items.map((r) => r.version);
  assert.equal(new Set(listedVersions).size, listedVersions.length, `no duplicates: ${listedVersions}`);
  assert.deepEqual(listedVersions, [...expected].reverse().concat(['2.0', '1.0']), 'all listed, newest first');
  assert.equal(all.body.total_items, 12);
  assert.deepEqual(all.items.filter((r) => r.is_active).map((r) => r.version), ['1.0'], 'still exactly one active');
});

// ---- 2. numeric version order ----

test('versions compare numerically: 1.10 > 1.9, 2.0 > 1.10; paging newest first', async () => {
  const p = await newProject();
  let dev = await firstSave(p.id, '// v1.0\n');
  const codes = { '1.0': '// v1.0\n' };
  assert.equal((await release(p.id, { bump: 'minor' })).version, '1.0');
  for (let i = 1; i <= 10; i++) {
    const code = `// v1.${i}\n`;
    dev = await save(p.id, 'develop', code, dev.revision);
    const r = await release(p.id, { bump: 'minor', tag: 'night-build' });
    assert.equal(r.version, `1.${i}`, `minor bump ${i}`);
    codes[r.version] = code;
  }
  dev = await save(p.id, 'develop', '// v2.0\n', dev.revision);
  assert.equal((await release(p.id, { bump: 'major' })).version, '2.0', 'major after 1.10');
  codes['2.0'] = '// v2.0\n';

  const order = ['2.0', '1.10', '1.9', '1.8', '1.7', '1.6', '1.5', '1.4', '1.3', '1.2', '1.1', '1.0'];
  const { items, body } = await listReleases(p.id);
  assert.deepEqual(items.map((r) => r.version), order);
  assert.equal(body.total_items, 12);
  const i10 = order.indexOf('1.10');
  assert.ok(i10 < order.indexOf('1.9') && i10 > order.indexOf('2.0'));

  // 1.10 and 1.1 are different releases.
  const r110 = await getRelease(p.id, '1.10');
  assert.equal(r110.version, '1.10');
  assert.equal(r110.minor, 10);
  assert.equal(r110.code, codes['1.10']);
  assert.equal((await getRelease(p.id, '1.1')).code, codes['1.1']);

  // Paging.
  const page1 = await api(server, 'GET', `${base(p.id)}/releases?page=1&per_page=5`, { token: rootToken });
  assert.deepEqual(expectList(page1).map((r) => r.version), order.slice(0, 5));
  assert.equal(page1.body.page, 1);
  assert.equal(page1.body.per_page, 5);
  assert.equal(page1.body.total_items, 12);
  assert.equal(page1.body.total_pages, 3);
  const page3 = await api(server, 'GET', `${base(p.id)}/releases?page=3&per_page=5`, { token: rootToken });
  assert.deepEqual(expectList(page3).map((r) => r.version), order.slice(10));
  const alias = await api(server, 'GET', `${base(p.id)}/releases?page=2&perPage=5`, { token: rootToken });
  assert.deepEqual(expectList(alias).map((r) => r.version), order.slice(5, 10), 'perPage alias');

  // A major bump after 2.0 → 3.0, a minor one → 3.1.
  assert.equal((await release(p.id, { bump: 'major' })).version, '3.0');
  assert.equal((await release(p.id, { bump: 'minor' })).version, '3.1');
});

test('the first release is 1.0 whatever the bump; a major bump resets the minor', async () => {
  const p = await newProject();
  await firstSave(p.id);
  const first = await release(p.id, { bump: 'major', tag: 'develop' });
  assert.equal(first.version, '1.0', 'the first release with bump major');
  assert.equal(first.is_active, true);
  assert.equal((await release(p.id, { bump: 'minor' })).version, '1.1');
  assert.equal((await release(p.id, { bump: 'minor' })).version, '1.2');
  assert.equal((await release(p.id, { bump: 'major' })).version, '2.0');
  assert.equal((await release(p.id, { bump: 'minor' })).version, '2.1');
});

test('a deleted version is never reused: numbering continues from the highest ever issued', async () => {
  const p = await newProject();
  await firstSave(p.id);
  await release(p.id); // 1.0, active
  await release(p.id); // 1.1
  await release(p.id); // 1.2
  expectStatus(await api(server, 'DELETE', releasePath(p.id, '1.2'), { token: rootToken }), 204, 'delete the newest');
  const next = await release(p.id);
  assert.equal(next.version, '1.3', 'version 1.2 named other code once; it is never issued again');
  const { items } = await listReleases(p.id);
  const vs = items.map((r) => r.version);
  assert.equal(new Set(vs).size, vs.length, 'no duplicate versions');
});

// ---- 3. frozen releases ----

test('releases are frozen: no endpoint edits them; their code survives draft edits, resets and activation', async () => {
  const p = await newProject();
  const codeA = '// frozen A\nservice.start(() => {})\n';
  let dev = await firstSave(p.id, codeA);
  const r = await release(p.id, { comment: 'frozen' });
  assert.equal(r.version, '1.0');

  const codeB = '// draft B\n';
  dev = await save(p.id, 'develop', codeB, dev.revision);
  assert.equal((await getBranch(p.id, 'develop')).code, codeB);

  for (const method of ['PUT', 'PATCH', 'POST']) {
    const res = await api(server, method, releasePath(p.id, '1.0'), {
      token: rootToken,
      body: { code: '// hacked', comment: 'hacked', tag: 'develop', version: '9.9' },
    });
    expectNoSuchMethod(res, [method], `${method} /releases/1.0`);
  }
  for (const method of ['PUT', 'PATCH']) {
    const res = await api(server, method, `${releasePath(p.id, '1.0')}/code`, { token: rootToken, body: { code: '// hacked' } });
    assert.ok([404, 405].includes(res.status), `${method} /releases/1.0/code: ${describe(res)}`);
  }

  const got = await getRelease(p.id, '1.0');
  assert.equal(got.code, codeA, 'the code the release was created with');
  assert.equal(got.code_size, bytes(codeA));
  assert.equal(got.comment, 'frozen');
  assert.equal(got.tag, 'stable');

  // A second release from the edited draft does not touch 1.0.
  const r11 = await release(p.id);
  assert.equal((await getRelease(p.id, '1.1')).code, codeB);
  assert.equal(r11.code_size, bytes(codeB));
  // Activation, reset and further edits leave both as they were.
  expectStatus(await api(server, 'POST', `${releasePath(p.id, '1.1')}/activate`, { token: rootToken }), 200, 'activate 1.1');
  expectStatus(await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: { version: '1.0' } }), 200, 'reset');
  dev = await getBranch(p.id, 'develop');
  await save(p.id, 'develop', '// draft C\n', dev.revision);
  assert.equal((await getRelease(p.id, '1.0')).code, codeA);
  assert.equal((await getRelease(p.id, '1.1')).code, codeB);
});

// ---- 4. branches ----

test('branches: from a release, from another branch, source validation, duplicates', async () => {
  const p = await newProject();
  const codeRel = '// released\n';
  let dev = await firstSave(p.id, codeRel);
  await release(p.id); // 1.0
  const codeDraft = '// develop draft after 1.0\n';
  dev = await save(p.id, 'develop', codeDraft, dev.revision);

  // From a release: the release's code.
  const fromRel = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'hotfix', from_release: '1.0' } });
  expectStatus(fromRel, 201, 'from_release');
  assertBranch(fromRel.body, { where: 'from_release' });
  assert.equal(fromRel.body.name, 'hotfix');
  assert.equal(fromRel.body.exists, true);
  assert.equal(fromRel.body.created_from_release, '1.0');
  assert.equal(fromRel.body.parent_branch, null);
  const hot = await getBranch(p.id, 'hotfix');
  assert.equal(hot.code, codeRel);
  assert.equal(hot.created_from_release, '1.0');

  // From a branch: a copy of its current draft.
  const fromBranch = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'copy', from_branch: 'develop' } });
  expectStatus(fromBranch, 201, 'from_branch');
  assertBranch(fromBranch.body, { where: 'from_branch' });
  assert.equal(fromBranch.body.parent_branch, 'develop');
  assert.equal(fromBranch.body.created_from_release, null);
  const copy = await getBranch(p.id, 'copy');
  assert.equal(copy.code, codeDraft);
  // The copy is independent of its parent.
  await save(p.id, 'copy', '// copy edited\n', copy.revision);
  assert.equal((await getBranch(p.id, 'develop')).code, codeDraft);

  // Source validation.
  expectError(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'nosrc' } }), 400, 'INVALID_ARGUMENT', 'no source once branches exist');
  expectError(
    await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'both', from_release: '1.0', from_branch: 'develop' } }),
    400,
    'INVALID_ARGUMENT',
    'both sources',
  );
  expect400or404(
    await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'ghost-rel', from_release: '9.9' } }),
    'from_release',
    'from an unknown release',
  );
  expect400or404(
    await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'ghost-br', from_branch: 'nope' } }),
    'from_branch',
    'from an unknown branch',
  );
  for (const name of ['nosrc', 'both', 'ghost-rel', 'ghost-br']) {
    expectError(await api(server, 'GET', branchPath(p.id, name), { token: rootToken }), 404, 'NOT_FOUND', `refused ${name} was not created`);
  }

  // Duplicates.
  expectError(
    await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'copy', from_branch: 'develop' } }),
    409,
    'CONFLICT',
    'duplicate name',
  );
  expectError(
    await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'develop', from_release: '1.0' } }),
    409,
    'CONFLICT',
    'duplicate develop',
  );

  // Concurrent creation of the same name: exactly one wins.
  const racers = await Promise.all(
    Array.from({ length: 5 }, () => api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'race', from_branch: 'develop' } })),
  );
  const statuses = racers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409, 409], `one 201, the rest 409: ${racers.map(describe).join('\n')}`);

  const names = (await listBranches(p.id)).items.map((b) => b.name);
  assert.deepEqual(names, ['copy', 'develop', 'hotfix', 'race']);
});

test('branches: the first branch may be created with POST and no source (the template)', async () => {
  const p = await newProject();
  const res = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'main' } });
  expectStatus(res, 201, 'first branch without a source');
  assertBranch(res.body, { where: 'POST first branch' });
  assert.equal(res.body.exists, true);
  const main = await getBranch(p.id, 'main');
  for (const hook of ['service.boot', 'service.start', 'service.shutdown']) assert.ok(main.code.includes(hook), `template code has ${hook}`);
  // Now branches exist: develop is not a template any more, it is unknown.
  expectError(await api(server, 'GET', branchPath(p.id, 'develop'), { token: rootToken }), 404, 'NOT_FOUND', 'develop once other branches exist');
  expectError(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'second' } }), 400, 'INVALID_ARGUMENT', 'a second branch needs a source');
});

test('branch names: [a-z0-9][a-z0-9._/-]{0,62}, else 400 naming name', async () => {
  const p = await newProject();
  await firstSave(p.id);
  const bad = ['-x', 'UPPER', 'Dev', 'a'.repeat(64), 'a b', '', '.x', '/x', '_x', 'é', 'a\\b', 'a:b', 'a?b', 'a#b', 'a%b', 42, null];
  for (const name of bad) {
    const res = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name, from_branch: 'develop' } });
    expectFieldError(res, 'name', `name ${JSON.stringify(name)}`);
  }
  expectFieldError(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { from_branch: 'develop' } }), 'name', 'no name');

  const good = ['a'.repeat(63), 'x', '9', 'v1.2_rc-3', 'feature/login', 'a/b/c', 'z-', 'z.', 'z/'];
  for (const name of good) {
    const res = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name, from_branch: 'develop' } });
    expectStatus(res, 201, `name ${JSON.stringify(name)}`);
    assert.equal(res.body.name, name);
    assert.equal((await getBranch(p.id, name)).name, name, `GET ${enc(name)}`);
  }
  // Renames are validated the same way.
  for (const new_name of ['-x', 'UPPER', 'a'.repeat(64), 'a b', '']) {
    const res = await api(server, 'POST', `${branchPath(p.id, 'x')}/rename`, { token: rootToken, body: { new_name } });
    expectFieldError(res, 'new_name', `rename to ${JSON.stringify(new_name)}`);
  }
  expectFieldError(await api(server, 'POST', `${branchPath(p.id, 'x')}/rename`, { token: rootToken, body: {} }), 'new_name', 'rename without new_name');
});

test('branches with a slash work through %2F: get, save, reset, rename, delete', async () => {
  const p = await newProject();
  await firstSave(p.id, '// base\n');
  await release(p.id); // 1.0
  const created = await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'feature/login', from_branch: 'develop' } });
  expectStatus(created, 201, 'create feature/login');
  assert.equal(created.body.name, 'feature/login');

  const got = await api(server, 'GET', `${base(p.id)}/branches/feature%2Flogin`, { token: rootToken });
  expectStatus(got, 200, 'GET feature%2Flogin');
  assert.equal(got.body.name, 'feature/login');
  assert.equal(got.body.code, '// base\n');

  const saved = await api(server, 'PUT', `${base(p.id)}/branches/feature%2Flogin`, { token: rootToken, body: { code: '// login', revision: got.body.revision } });
  expectStatus(saved, 200, 'PUT feature%2Flogin');
  assert.equal(saved.body.name, 'feature/login');
  assert.equal(saved.body.revision, got.body.revision + 1);

  const reset = await api(server, 'POST', `${base(p.id)}/branches/feature%2Flogin/reset`, { token: rootToken, body: { version: '1.0' } });
  expectStatus(reset, 200, 'reset feature%2Flogin');
  assert.equal((await getBranch(p.id, 'feature/login')).code, '// base\n');

  // A release from a branch with a slash records the name.
  const rel = await release(p.id, { branch: 'feature/login' });
  assert.equal(rel.branch, 'feature/login');

  const renamed = await api(server, 'POST', `${base(p.id)}/branches/feature%2Flogin/rename`, { token: rootToken, body: { new_name: 'feature/signin' } });
  expectStatus(renamed, 200, 'rename feature%2Flogin');
  assert.equal(renamed.body.name, 'feature/signin');
  expectError(await api(server, 'GET', `${base(p.id)}/branches/feature%2Flogin`, { token: rootToken }), 404, 'NOT_FOUND', 'old name');
  expectStatus(await api(server, 'GET', `${base(p.id)}/branches/feature%2Fsignin`, { token: rootToken }), 200, 'new name');
  const lower = await api(server, 'GET', `${base(p.id)}/branches/feature%2fsignin`, { token: rootToken });
  expectStatus(lower, 200, 'lower-case %2f');
  assert.equal(lower.body.name, 'feature/signin');
  // An unencoded slash is outside the contract: either the branch or 404, never an error.
  const raw = await api(server, 'GET', `${base(p.id)}/branches/feature/signin`, { token: rootToken });
  assert.ok([200, 404].includes(raw.status), `raw slash: 200 or 404, not an error: ${describe(raw)}`);

  expectStatus(await api(server, 'DELETE', `${base(p.id)}/branches/feature%2Fsignin`, { token: rootToken }), 204, 'delete feature%2Fsignin');
  expectError(await api(server, 'GET', `${base(p.id)}/branches/feature%2Fsignin`, { token: rootToken }), 404, 'NOT_FOUND', 'deleted');
  assert.deepEqual((await listBranches(p.id)).items.map((b) => b.name), ['develop']);
});

test('rename: old name 404, new name 200 with the same draft; conflicts and unknown names', async () => {
  const p = await newProject();
  let dev = await firstSave(p.id, '// d\n');
  dev = await save(p.id, 'develop', '// d2\n', dev.revision);
  expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'other', from_branch: 'develop' } }), 201);

  const res = await api(server, 'POST', `${branchPath(p.id, 'develop')}/rename`, { token: rootToken, body: { new_name: 'main' } });
  expectStatus(res, 200, 'rename develop → main');
  assertBranch(res.body, { where: 'rename' });
  assert.equal(res.body.name, 'main');
  expectError(await api(server, 'GET', branchPath(p.id, 'develop'), { token: rootToken }), 404, 'NOT_FOUND', 'old name (branches exist: no template)');
  const main = await getBranch(p.id, 'main');
  assert.equal(main.code, '// d2\n', 'the draft moved with the name');
  assert.equal(main.exists, true);
  // The draft's token still works for the next save (or was bumped: use what GET says).
  await save(p.id, 'main', '// d3\n', main.revision);

  expectError(await api(server, 'POST', `${branchPath(p.id, 'main')}/rename`, { token: rootToken, body: { new_name: 'other' } }), 409, 'CONFLICT', 'rename onto an existing name');
  expectError(await api(server, 'POST', `${branchPath(p.id, 'nope')}/rename`, { token: rootToken, body: { new_name: 'fresh' } }), 404, 'NOT_FOUND', 'rename an unknown branch');
  const same = await api(server, 'POST', `${branchPath(p.id, 'main')}/rename`, { token: rootToken, body: { new_name: 'main' } });
  assert.ok([200, 409].includes(same.status), `rename onto itself is 200 (no-op) or 409: ${describe(same)}`);
  assert.deepEqual((await listBranches(p.id)).items.map((b) => b.name), ['main', 'other']);

  // Releases made from a branch keep recording the name they were made from.
  const rel = await release(p.id, { branch: 'main' });
  assert.equal(rel.branch, 'main');
});

test('delete: 204, then 404; unknown 404; the last branch cannot be deleted (409)', async () => {
  const p = await newProject();
  await firstSave(p.id);
  for (const name of ['b1', 'b2']) {
    expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name, from_branch: 'develop' } }), 201, `create ${name}`);
  }
  expectStatus(await api(server, 'DELETE', branchPath(p.id, 'b1'), { token: rootToken }), 204, 'delete b1');
  expectError(await api(server, 'GET', branchPath(p.id, 'b1'), { token: rootToken }), 404, 'NOT_FOUND', 'deleted b1');
  expectError(await api(server, 'DELETE', branchPath(p.id, 'b1'), { token: rootToken }), 404, 'NOT_FOUND', 'delete b1 again');
  expectError(await api(server, 'DELETE', branchPath(p.id, 'never'), { token: rootToken }), 404, 'NOT_FOUND', 'delete unknown');
  expectError(await api(server, 'GET', branchPath(p.id, 'never'), { token: rootToken }), 404, 'NOT_FOUND', 'get unknown');
  expectError(await api(server, 'PUT', branchPath(p.id, 'never'), { token: rootToken, body: { code: '// x', revision: 0 } }), 404, 'NOT_FOUND', 'save an unknown branch');

  // Delete develop itself while another exists: develop is then unknown, not a template.
  expectStatus(await api(server, 'DELETE', branchPath(p.id, 'develop'), { token: rootToken }), 204, 'delete develop');
  expectError(await api(server, 'GET', branchPath(p.id, 'develop'), { token: rootToken }), 404, 'NOT_FOUND', 'develop deleted while b2 exists');
  expectError(await api(server, 'DELETE', branchPath(p.id, 'b2'), { token: rootToken }), 409, 'CONFLICT', 'the last branch');
  expectStatus(await api(server, 'GET', branchPath(p.id, 'b2'), { token: rootToken }), 200, 'the refused delete kept b2');
  assert.deepEqual((await listBranches(p.id)).items.map((b) => b.name), ['b2']);

  // Two concurrent deletes of the last two: at most one succeeds.
  expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'b3', from_branch: 'b2' } }), 201);
  const [d2, d3] = await Promise.all([
    api(server, 'DELETE', branchPath(p.id, 'b2'), { token: rootToken }),
    api(server, 'DELETE', branchPath(p.id, 'b3'), { token: rootToken }),
  ]);
  assert.deepEqual([d2.status, d3.status].sort(), [204, 409], `one delete wins, the other is the last: ${describe(d2)} / ${describe(d3)}`);
  assert.equal((await listBranches(p.id)).items.length, 1, 'one branch remains');
});

test('the branch list is ordered by name, paged, and carries no code', async () => {
  const p = await newProject();
  await firstSave(p.id);
  for (const name of ['zeta', 'alpha', 'mid', 'beta']) {
    expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name, from_branch: 'develop' } }), 201, `create ${name}`);
  }
  const all = await listBranches(p.id);
  assert.deepEqual(all.items.map((b) => b.name), ['alpha', 'beta', 'develop', 'mid', 'zeta']);
  assert.equal(all.body.total_items, 5);
  for (const b of all.items) assert.equal(b.exists, true);

  const r1 = await api(server, 'GET', `${base(p.id)}/branches?page=1&per_page=2`, { token: rootToken });
  assert.deepEqual(expectList(r1).map((b) => b.name), ['alpha', 'beta']);
  assert.equal(r1.body.page, 1);
  assert.equal(r1.body.per_page, 2);
  assert.equal(r1.body.total_items, 5);
  assert.equal(r1.body.total_pages, 3);
  const r3 = await api(server, 'GET', `${base(p.id)}/branches?page=3&per_page=2`, { token: rootToken });
  assert.deepEqual(expectList(r3).map((b) => b.name), ['zeta']);
  const r2 = await api(server, 'GET', `${base(p.id)}/branches?page=2&perPage=2`, { token: rootToken });
  assert.deepEqual(expectList(r2).map((b) => b.name), ['develop', 'mid'], 'perPage alias');
  const beyond = await api(server, 'GET', `${base(p.id)}/branches?page=9&per_page=2`, { token: rootToken });
  assert.deepEqual(expectList(beyond), [], 'a page past the end is empty');
  const dflt = await api(server, 'GET', `${base(p.id)}/branches`, { token: rootToken });
  expectList(dflt);
  assert.equal(dflt.body.page, 1);
  assert.equal(dflt.body.per_page, 30, 'the default page size of the conventions');
});

test('saving: validation of code and revision; two tabs racing on one revision → one 200, one 409', async () => {
  const p = await newProject();
  // Two first saves at once: exactly one creates develop.
  const [f1, f2] = await Promise.all([
    api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// tab 1', revision: 0 } }),
    api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// tab 2', revision: 0 } }),
  ]);
  assert.deepEqual([f1.status, f2.status].sort(), [201, 409], `one first save wins: ${describe(f1)} / ${describe(f2)}`);
  const winner = f1.status === 201 ? '// tab 1' : '// tab 2';
  const loser = f1.status === 201 ? f2 : f1;
  expectError(loser, 409, 'CONFLICT', 'the losing first save');
  let dev = await getBranch(p.id, 'develop');
  assert.equal(dev.code, winner);

  // Two saves from the same revision.
  const [s1, s2] = await Promise.all([
    api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// edit A', revision: dev.revision } }),
    api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: '// edit B', revision: dev.revision } }),
  ]);
  assert.deepEqual([s1.status, s2.status].sort(), [200, 409], `one save wins: ${describe(s1)} / ${describe(s2)}`);
  const won = s1.status === 200 ? s1 : s2;
  assert.equal(won.body.revision, dev.revision + 1);
  const after = await getBranch(p.id, 'develop');
  assert.equal(after.code, s1.status === 200 ? '// edit A' : '// edit B', 'the winner is stored, the loser is not');
  assert.equal(after.revision, dev.revision + 1);
  dev = after;

  // Validation.
  const put = (body) => api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body });
  expectFieldError(await put({ revision: dev.revision }), 'code', 'no code');
  expectFieldError(await put({ code: 5, revision: dev.revision }), 'code', 'numeric code');
  expectFieldError(await put({ code: null, revision: dev.revision }), 'code', 'null code');
  expectFieldError(await put({ code: '// x' }), 'revision', 'no revision');
  expectFieldError(await put({ code: '// x', revision: '1' }), 'revision', 'string revision');
  expectFieldError(await put({ code: '// x', revision: 1.5 }), 'revision', 'fractional revision');
  const neg = await put({ code: '// x', revision: -1 });
  if (neg.status === 409) expectError(neg, 409, 'CONFLICT', 'negative revision');
  else expectFieldError(neg, 'revision', 'negative revision');
  expectError(await put('{"code": "x", "revision": '), 400, 'INVALID_ARGUMENT', 'malformed JSON');
  expectError(
    await api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: 'code=x', headers: { 'content-type': 'text/plain' } }),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'text/plain body',
  );
  assert.equal((await getBranch(p.id, 'develop')).revision, dev.revision, 'refused saves changed nothing');

  // Empty code is a valid draft; unicode is kept as is.
  const e = await save(p.id, 'develop', '', dev.revision);
  const uni = '// héllo wörld ✓ 日本\n';
  await save(p.id, 'develop', uni, e.revision);
  assert.equal((await getBranch(p.id, 'develop')).code, uni);
  const r = await release(p.id);
  assert.equal(r.code_size, bytes(uni), 'code_size counts UTF-8 bytes');
  assert.equal((await getRelease(p.id, r.version)).code, uni);
});

// ---- 5. errors ----

test('errors: reset, release, activate and delete with unknown or bad arguments', async () => {
  const p = await newProject();

  // No branch yet: a release has nothing to freeze.
  expect400or404(await api(server, 'POST', `${base(p.id)}/releases`, { token: rootToken, body: { branch: 'develop', bump: 'minor', tag: 'stable' } }), 'branch', 'release before any branch');

  await firstSave(p.id);
  await release(p.id); // 1.0
  const rel = (body) => api(server, 'POST', `${base(p.id)}/releases`, { token: rootToken, body });

  // Reset.
  expectError(await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: { version: '9.9' } }), 404, 'NOT_FOUND', 'reset to an unknown version');
  expectError(await api(server, 'POST', `${branchPath(p.id, 'nope')}/reset`, { token: rootToken, body: { version: '1.0' } }), 404, 'NOT_FOUND', 'reset an unknown branch');
  expectFieldError(await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: {} }), 'version', 'reset without version');
  expect400or404(await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: { version: '1.a' } }), 'version', 'reset to a malformed version');
  expect400or404(await api(server, 'POST', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken, body: { version: 1 } }), 'version', 'reset to a number');

  // Release arguments.
  expect400or404(await rel({ branch: 'nope', bump: 'minor', tag: 'stable' }), 'branch', 'release from an unknown branch');
  expectFieldError(await rel({ bump: 'minor', tag: 'stable' }), 'branch', 'release without branch');
  expectFieldError(await rel({ branch: 'develop', bump: 'patch', tag: 'stable' }), 'bump', 'bump patch');
  expectFieldError(await rel({ branch: 'develop', bump: 'MAJOR', tag: 'stable' }), 'bump', 'bump MAJOR');
  expectFieldError(await rel({ branch: 'develop', tag: 'stable' }), 'bump', 'no bump');
  expectFieldError(await rel({ branch: 'develop', bump: 'minor', tag: 'beta' }), 'tag', 'tag beta');
  expectFieldError(await rel({ branch: 'develop', bump: 'minor', tag: 'Stable' }), 'tag', 'tag Stable');
  expectFieldError(await rel({ branch: 'develop', bump: 'minor', tag: 'hotfix' }), 'tag', 'tag hotfix');
  expectFieldError(await rel({ branch: 'develop', bump: 'minor' }), 'tag', 'no tag');
  expectFieldError(await rel({ branch: 'develop', bump: 'minor', tag: 'stable', comment: 42 }), 'comment', 'numeric comment');
  assert.deepEqual((await listReleases(p.id)).items.map((r) => r.version), ['1.0'], 'refused releases created nothing');

  // Every tag of the contract is accepted; the comment is optional.
  for (const tag of ['stable', 'hot-fix', 'night-build', 'develop']) {
    const r = await release(p.id, { tag });
    assert.equal(r.tag, tag);
  }

  // Unknown versions.
  expectError(await api(server, 'GET', releasePath(p.id, '7.7'), { token: rootToken }), 404, 'NOT_FOUND', 'get unknown');
  expectError(await api(server, 'POST', `${releasePath(p.id, '7.7')}/activate`, { token: rootToken }), 404, 'NOT_FOUND', 'activate unknown');
  expectError(await api(server, 'DELETE', releasePath(p.id, '7.7'), { token: rootToken }), 404, 'NOT_FOUND', 'delete unknown');

  // Malformed versions in paths.
  for (const v of ['1', '1.a', '01.0', '1.00', '1.0.0', '-1.0', 'a.b', '1.', '.1', 'latest']) {
    expect400or404(await api(server, 'GET', releasePath(p.id, v), { token: rootToken }), 'version', `GET /releases/${v}`);
    expect400or404(await api(server, 'POST', `${releasePath(p.id, v)}/activate`, { token: rootToken }), 'version', `activate ${v}`);
    expect400or404(await api(server, 'DELETE', releasePath(p.id, v), { token: rootToken }), 'version', `DELETE ${v}`);
  }
  assert.equal(await activeRelease(p.id), '1.0', 'nothing changed the active release');

  // Activating the active release again is fine and keeps exactly one active.
  const again = await api(server, 'POST', `${releasePath(p.id, '1.0')}/activate`, { token: rootToken });
  expectStatus(again, 200, 'activate the active one');
  assert.equal((await listReleases(p.id)).items.filter((r) => r.is_active).length, 1);

  // Unknown project.
  const ghost = missingIdLike(p.id);
  expectError(await api(server, 'GET', `${base(ghost)}/branches`, { token: rootToken }), 404, 'NOT_FOUND', 'unknown project branches');
  expectError(await api(server, 'GET', `${base(ghost)}/releases`, { token: rootToken }), 404, 'NOT_FOUND', 'unknown project releases');
  expectError(await api(server, 'GET', `${base(ghost)}/branches/develop`, { token: rootToken }), 404, 'NOT_FOUND', 'unknown project template');
});

test('methods outside the contract are 405 with Allow (or 404)', async () => {
  const p = await newProject();
  await firstSave(p.id);
  await release(p.id);
  expectNoSuchMethod(await api(server, 'DELETE', `${base(p.id)}/branches`, { token: rootToken }), ['DELETE'], 'DELETE /branches');
  expectNoSuchMethod(await api(server, 'PUT', `${base(p.id)}/releases`, { token: rootToken, body: {} }), ['PUT'], 'PUT /releases');
  expectNoSuchMethod(await api(server, 'DELETE', `${base(p.id)}/releases`, { token: rootToken }), ['DELETE'], 'DELETE /releases');
  expectNoSuchMethod(await api(server, 'GET', `${releasePath(p.id, '1.0')}/activate`, { token: rootToken }), ['GET'], 'GET activate');
  expectNoSuchMethod(await api(server, 'GET', `${branchPath(p.id, 'develop')}/reset`, { token: rootToken }), ['GET'], 'GET reset');
  // HEAD is served for every GET route; a trailing slash is ignored.
  expectStatus(await api(server, 'HEAD', `${base(p.id)}/branches`, { token: rootToken }), 200, 'HEAD branches');
  expectStatus(await api(server, 'HEAD', releasePath(p.id, '1.0'), { token: rootToken }), 200, 'HEAD release');
  expectList(await api(server, 'GET', `${base(p.id)}/releases/`, { token: rootToken }), 'trailing slash');
});

// ---- 6. size limit ----

test('the default code limit is 1MB: one byte more is 413 PAYLOAD_TOO_LARGE', async () => {
  const p = await newProject();
  const MB = 1024 * 1024;
  const over = '/'.repeat(MB + 1);
  expectError(await api(server, 'PUT', branchPath(p.id, 'develop'), { token: rootToken, body: { code: over, revision: 0 } }), 413, 'PAYLOAD_TOO_LARGE', '1MB + 1 first save');
  assert.equal((await getBranch(p.id, 'develop')).exists, false, 'the refused first save created nothing');
  const exact = '/'.repeat(MB);
  const b = await save(p.id, 'develop', exact, 0, 201);
  assert.equal(b.exists, true);
  const r = await release(p.id);
  assert.equal(r.code_size, MB);
});

test('pipeline.max_code_size from the environment (2KB): 4KB → 413, the limit itself passes', async () => {
  const s = await startWithRoot({ env: { M3M_PIPELINE_MAX_CODE_SIZE: '2KB' } });
  try {
    const token = s.rootToken;
    const p = await createProject(s.server, token, {});
    const put = (code, revision) => api(s.server, 'PUT', `${base(p.id)}/branches/develop`, { token, body: { code, revision } });

    expectError(await put('x'.repeat(4096), 0), 413, 'PAYLOAD_TOO_LARGE', '4KB first save');
    const tpl = await api(s.server, 'GET', `${base(p.id)}/branches/develop`, { token });
    expectStatus(tpl, 200);
    assert.equal(tpl.body.exists, false, 'nothing was created');

    const first = await put('x'.repeat(1024), 0);
    expectStatus(first, 201, '1KB first save');
    expectError(await put('x'.repeat(4096), first.body.revision), 413, 'PAYLOAD_TOO_LARGE', '4KB save');
    expectError(await put('x'.repeat(2049), first.body.revision), 413, 'PAYLOAD_TOO_LARGE', '2KB + 1 save');
    // Multi-byte characters count as bytes: 1025 × "é" = 2050 bytes.
    expectError(await put('é'.repeat(1025), first.body.revision), 413, 'PAYLOAD_TOO_LARGE', '2050 bytes of é');
    const atLimit = await put('x'.repeat(2048), first.body.revision);
    expectStatus(atLimit, 200, 'exactly 2KB');
    assert.equal(atLimit.body.revision, first.body.revision + 1, 'only the accepted save bumped the revision');
    const got = await api(s.server, 'GET', `${base(p.id)}/branches/develop`, { token });
    assert.equal(got.body.code.length, 2048);
  } finally {
    await s.server.stop();
  }
});

// ---- 7. permissions ----

test('permissions: no access → 403, member → 200, the project key reads/saves/releases, another key → 403, none → 401', async () => {
  const A = await newProject();
  const B = await newProject();
  const member = await createUserAndLogin(server, rootToken, { project_ids: [A.id] });
  const nobody = await createUserAndLogin(server, rootToken, { permissions: { create_projects: true, manage_users: true } });

  // A's key: read the template, first save, read, save, release, activate, list.
  const key = { apiKey: A.api_key };
  const tpl = await api(server, 'GET', branchPath(A.id, 'develop'), key);
  expectStatus(tpl, 200, 'key reads the template');
  const first = await api(server, 'PUT', branchPath(A.id, 'develop'), { ...key, body: { code: '// by key', revision: 0 } });
  expectStatus(first, 201, 'key creates develop');
  const second = await api(server, 'PUT', branchPath(A.id, 'develop'), { ...key, body: { code: '// by key 2', revision: first.body.revision } });
  expectStatus(second, 200, 'key saves');
  expectList(await api(server, 'GET', `${base(A.id)}/branches`, key), 'key lists branches');
  const rel = await api(server, 'POST', `${base(A.id)}/releases`, { ...key, body: { branch: 'develop', bump: 'minor', tag: 'stable' } });
  expectStatus(rel, 201, 'key releases');
  expectList(await api(server, 'GET', `${base(A.id)}/releases`, key), 'key lists releases');
  expectStatus(await api(server, 'GET', releasePath(A.id, '1.0'), key), 200, 'key reads a release');
  expectStatus(await api(server, 'POST', `${releasePath(A.id, '1.0')}/activate`, key), 200, 'key activates');

  // The member.
  const m = { token: member.token };
  expectList(await api(server, 'GET', `${base(A.id)}/branches`, m), 'member lists');
  const mb = await api(server, 'GET', branchPath(A.id, 'develop'), m);
  expectStatus(mb, 200, 'member reads');
  expectStatus(await api(server, 'PUT', branchPath(A.id, 'develop'), { ...m, body: { code: '// by member', revision: mb.body.revision } }), 200, 'member saves');
  expectStatus(await api(server, 'POST', `${base(A.id)}/releases`, { ...m, body: { branch: 'develop', bump: 'minor', tag: 'stable' } }), 201, 'member releases');

  // Without access (even with every global permission), another project's key, no credentials.
  const cur = await getBranch(A.id, 'develop');
  const ops = [
    ['GET', `${base(A.id)}/branches`],
    ['POST', `${base(A.id)}/branches`, { name: 'intruder', from_branch: 'develop' }],
    ['GET', branchPath(A.id, 'develop')],
    ['PUT', branchPath(A.id, 'develop'), { code: '// intruder', revision: cur.revision }],
    ['POST', `${branchPath(A.id, 'develop')}/rename`, { new_name: 'intruder' }],
    ['POST', `${branchPath(A.id, 'develop')}/reset`, { version: '1.0' }],
    ['DELETE', branchPath(A.id, 'develop')],
    ['GET', `${base(A.id)}/releases`],
    ['POST', `${base(A.id)}/releases`, { branch: 'develop', bump: 'minor', tag: 'stable' }],
    ['GET', releasePath(A.id, '1.0')],
    ['POST', `${releasePath(A.id, '1.1')}/activate`],
    ['DELETE', releasePath(A.id, '1.1')],
  ];
  for (const [method, path, body] of ops) {
    const opts = body ? { body } : {};
    expectError(await api(server, method, path, { ...opts, token: nobody.token }), 403, 'PERMISSION_DENIED', `no access: ${method} ${path}`);
    expectError(await api(server, method, path, { ...opts, apiKey: B.api_key }), 403, 'PERMISSION_DENIED', `B's key: ${method} ${path}`);
    expectError(await api(server, method, path, opts), 401, 'UNAUTHENTICATED', `no credentials: ${method} ${path}`);
    expectError(await api(server, method, path, { ...opts, apiKey: 'not-a-key' }), 401, 'UNAUTHENTICATED', `a bogus key: ${method} ${path}`);
  }
  // Nothing changed.
  const now = await getBranch(A.id, 'develop');
  assert.equal(now.code, cur.code);
  assert.equal(now.revision, cur.revision);
  assert.deepEqual((await listBranches(A.id)).items.map((b) => b.name), ['develop']);
  assert.deepEqual((await listReleases(A.id)).items.map((r) => r.version), ['1.1', '1.0']);
  assert.equal(await activeRelease(A.id), '1.0');

  // B's template is not readable by A's key or A's member either.
  expectError(await api(server, 'GET', branchPath(B.id, 'develop'), key), 403, 'PERMISSION_DENIED', "A's key on B");
  expectError(await api(server, 'GET', branchPath(B.id, 'develop'), m), 403, 'PERMISSION_DENIED', "A's member on B");
});

// ---- 8. running vs active ----

test('is_running is false while the project is not started; project.active_release follows activation', async () => {
  const p = await newProject();
  assert.equal(await activeRelease(p.id), null);
  let dev = await firstSave(p.id, '// 1.0\n');
  await release(p.id);
  assert.equal(await activeRelease(p.id), '1.0', 'the first release becomes active');
  dev = await save(p.id, 'develop', '// 1.1\n', dev.revision);
  await release(p.id);
  dev = await save(p.id, 'develop', '// 2.0\n', dev.revision);
  await release(p.id, { bump: 'major' });

  for (const v of ['1.1', '2.0', '1.0', '1.1']) {
    const a = await api(server, 'POST', `${releasePath(p.id, v)}/activate`, { token: rootToken });
    expectStatus(a, 200, `activate ${v}`);
    assert.equal(a.body.is_running, false);
    assert.equal(await activeRelease(p.id), v, `project.active_release after activating ${v}`);
    const { items } = await listReleases(p.id);
    assert.deepEqual(items.filter((r) => r.is_active).map((r) => r.version), [v], `only ${v} is active`);
    for (const r of items) assert.equal(r.is_running, false, `${r.version} is not running`);
  }
  for (const v of ['1.0', '1.1', '2.0']) assert.equal((await getRelease(p.id, v)).is_running, false);

  // Concurrent activations: all succeed, and afterwards exactly one is active,
  // the same one the project reports.
  const acts = await Promise.all(['1.0', '2.0', '1.1', '2.0', '1.0'].map((v) => api(server, 'POST', `${releasePath(p.id, v)}/activate`, { token: rootToken })));
  for (const a of acts) expectStatus(a, 200, 'a concurrent activation');
  let active = (await listReleases(p.id)).items.filter((r) => r.is_active).map((r) => r.version);
  assert.equal(active.length, 1, `exactly one active after concurrent activations: ${active}`);
  assert.equal(await activeRelease(p.id), active[0], 'the project agrees with the list');
  expectStatus(await api(server, 'POST', `${releasePath(p.id, '1.1')}/activate`, { token: rootToken }), 200);

  // Activating and deleting the same release at once never leaves a deleted release active.
  for (let i = 0; i < 4; i++) {
    const v = (await release(p.id)).version;
    const [a, d] = await Promise.all([
      api(server, 'POST', `${releasePath(p.id, v)}/activate`, { token: rootToken }),
      api(server, 'DELETE', releasePath(p.id, v), { token: rootToken }),
    ]);
    assert.ok([200, 404].includes(a.status) && [204, 409].includes(d.status), `activate ${a.status} / delete ${d.status}`);
    const items = (await listReleases(p.id)).items;
    active = items.filter((r) => r.is_active).map((r) => r.version);
    assert.equal(active.length, 1, `exactly one active after the race on ${v}: ${active}`);
    assert.equal(await activeRelease(p.id), active[0], `project.active_release names an existing, active release (race on ${v})`);
    if (d.status === 204) assert.ok(!items.some((r) => r.version === v), `${v} deleted`);
    else assert.equal(active[0], v, `${v} kept because it became active`);
    expectStatus(await api(server, 'POST', `${releasePath(p.id, '1.1')}/activate`, { token: rootToken }), 200);
    if (d.status === 409) expectStatus(await api(server, 'DELETE', releasePath(p.id, v), { token: rootToken }), 204);
  }
  const proj = await api(server, 'GET', `/api/projects/${p.id}`, { token: rootToken });
  assert.equal(proj.body.status, 'stopped', 'nothing runs without a runtime');

  // Every non-active release can be deleted (none is running); the active one cannot.
  expectStatus(await api(server, 'DELETE', releasePath(p.id, '2.0'), { token: rootToken }), 204, 'delete 2.0');
  expectStatus(await api(server, 'DELETE', releasePath(p.id, '1.0'), { token: rootToken }), 204, 'delete 1.0');
  expectError(await api(server, 'DELETE', releasePath(p.id, '1.1'), { token: rootToken }), 409, 'CONFLICT', 'delete the active 1.1');
  assert.deepEqual((await listReleases(p.id)).items.map((r) => r.version), ['1.1']);
  assert.equal(await activeRelease(p.id), '1.1');
  // The next major follows the highest version (existing, or ever issued).
  const next = (await release(p.id, { bump: 'major' })).version;
  assert.ok(['2.0', '3.0'].includes(next), `major after 1.1 with 2.0 deleted: 2.0 or 3.0 (got ${next})`);
});

test('deleting a project removes its pipeline', async () => {
  const p = await newProject();
  await firstSave(p.id);
  await release(p.id);
  expectStatus(await api(server, 'DELETE', `/api/projects/${p.id}`, { token: rootToken }), 204, 'delete project');
  expectError(await api(server, 'GET', `${base(p.id)}/branches`, { token: rootToken }), 404, 'NOT_FOUND', 'branches of a deleted project');
  expectError(await api(server, 'GET', releasePath(p.id, '1.0'), { token: rootToken }), 404, 'NOT_FOUND', 'release of a deleted project');
});

test('releases outlive their branch, and a branch outlives the release it came from', async () => {
  const p = await newProject();
  await firstSave(p.id, '// from develop\n');
  await release(p.id); // 1.0, active
  expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'temp', from_branch: 'develop' } }), 201);
  await save(p.id, 'temp', '// from temp\n', (await getBranch(p.id, 'temp')).revision);
  const r11 = await release(p.id, { branch: 'temp' });
  assert.equal(r11.branch, 'temp');
  expectStatus(await api(server, 'DELETE', branchPath(p.id, 'temp'), { token: rootToken }), 204, 'delete temp');
  const got = await getRelease(p.id, r11.version);
  assert.equal(got.code, '// from temp\n', 'the release survives its branch');
  assert.equal(got.branch, 'temp', 'and still names it');

  expectStatus(await api(server, 'POST', `${base(p.id)}/branches`, { token: rootToken, body: { name: 'fix', from_release: r11.version } }), 201);
  expectStatus(await api(server, 'DELETE', releasePath(p.id, r11.version), { token: rootToken }), 204, 'delete the release fix came from');
  const fix = await getBranch(p.id, 'fix');
  assert.equal(fix.code, '// from temp\n', 'the branch keeps its draft');
  assert.equal(fix.created_from_release, r11.version, 'and its origin');
});

test('everything survives a restart; the database itself refuses to change a release code', async () => {
  const s = await startWithRoot({ keepDir: true });
  let second;
  try {
    const token = s.rootToken;
    const p = await createProject(s.server, token, {});
    const b = `/api/projects/${p.id}/pipeline`;
    const c1 = await api(s.server, 'PUT', `${b}/branches/develop`, { token, body: { code: '// persisted 1.0', revision: 0 } });
    expectStatus(c1, 201);
    expectStatus(await api(s.server, 'POST', `${b}/releases`, { token, body: { branch: 'develop', bump: 'minor', tag: 'stable', comment: 'c' } }), 201);
    const c2 = await api(s.server, 'PUT', `${b}/branches/develop`, { token, body: { code: '// persisted draft', revision: c1.body.revision } });
    expectStatus(c2, 200);
    expectStatus(await api(s.server, 'POST', `${b}/releases`, { token, body: { branch: 'develop', bump: 'major', tag: 'hot-fix' } }), 201);
    expectStatus(await api(s.server, 'POST', `${b}/branches`, { token, body: { name: 'feature/x', from_release: '1.0' } }), 201);
    expectStatus(await api(s.server, 'POST', `${b}/releases/2.0/activate`, { token }), 200);
    await s.server.stop();

    // The frozen-code guarantee holds below the API too (skipped without the sqlite3 CLI).
    const db = path.join(s.dir, 'data', 'm3m.db');
    const probe = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
    if (probe.status === 0) {
      const tables = spawnSync('sqlite3', [db, "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%release%'"], { encoding: 'utf8' });
      const table = tables.stdout.split('\n').map((t) => t.trim()).find((t) => /^[a-z_]+$/.test(t) && /releases?$/.test(t));
      if (table) {
        const upd = spawnSync('sqlite3', [db, `UPDATE ${table} SET code = 'tampered'`], { encoding: 'utf8' });
        assert.ok(upd.status !== 0 || /frozen|constraint|abort/i.test(upd.stderr), `UPDATE ${table} SET code is refused by the database: exit ${upd.status} ${upd.stderr}`);
      }
    }

    second = await startServer({ dir: s.dir, keepDir: true });
    const login = await api(second, 'POST', '/api/auth/login', { body: { email: s.root.email, password: 'rootpass123' } });
    expectStatus(login, 200, 'login after restart');
    const t2 = login.body.access_token;
    const dev = await api(second, 'GET', `${b}/branches/develop`, { token: t2 });
    expectStatus(dev, 200);
    assert.equal(dev.body.code, '// persisted draft');
    assert.equal(dev.body.revision, c2.body.revision);
    assert.equal(dev.body.exists, true);
    const names = expectList(await api(second, 'GET', `${b}/branches`, { token: t2 })).map((x) => x.name);
    assert.deepEqual(names, ['develop', 'feature/x']);
    const rels = expectList(await api(second, 'GET', `${b}/releases`, { token: t2 }));
    assert.deepEqual(rels.map((r) => [r.version, r.is_active]), [['2.0', true], ['1.0', false]]);
    const r10 = await api(second, 'GET', `${b}/releases/1.0`, { token: t2 });
    assert.equal(r10.body.code, '// persisted 1.0', 'the release code is unchanged');
    assert.equal(r10.body.comment, 'c');
    const proj = await api(second, 'GET', `/api/projects/${p.id}`, { token: t2 });
    assert.equal(proj.body.active_release, '2.0');
    // The stale token of before the restart is still stale.
    expectError(await api(second, 'PUT', `${b}/branches/develop`, { token: t2, body: { code: '// late', revision: c1.body.revision } }), 409, 'CONFLICT', 'stale after restart');
    const next = await api(second, 'POST', `${b}/releases`, { token: t2, body: { branch: 'develop', bump: 'minor', tag: 'stable' } });
    expectStatus(next, 201);
    assert.equal(next.body.version, '2.1', 'numbering continues after a restart');
  } finally {
    if (second) await second.stop();
    else await s.server.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});
