// Project file storage: the file manager, path safety (the traversal list),
// ranges, limits, thumbnails, public links, permissions and the runtime module.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  api, callRoute, createProject, createUserAndLogin, deploy, expectError, expectFieldError, expectList, expectStatus,
  makePng, pngSize, startRunning, startWithRoot,
} from './fixtures.mjs';
import { STORAGE } from './harness.mjs';

let server, dir, rootToken, project;
const S = () => `/api/projects/${project.id}/storage`;
const form = (files) => {
  const f = new FormData();
  for (const [name, bytes, type] of files) f.append('file', new Blob([bytes], { type: type || 'application/octet-stream' }), name);
  return f;
};

before(async () => {
  ({ server, dir, rootToken } = await startWithRoot({ env: { M3M_STORAGE_MAX_UPLOAD: '1MB' } }));
  project = await createProject(server, rootToken);
});
after(async () => { await server?.stop(); });

test('file manager: mkdir, upload several, list, download, text files, rename, delete, usage', async () => {
  expectStatus(await api(server, 'POST', `${S()}/mkdir`, { token: rootToken, body: { path: 'docs/sub' } }), 201);
  const up = expectStatus(await api(server, 'POST', `${S()}/upload?path=docs`, { token: rootToken,
    body: form([['a.txt', 'hello'], ['b.json', '{"x":1}'], ['bin.dat', Buffer.from([0, 1, 2, 255])]]) }), 201).body;
  assert.deepEqual(up.items.map((e) => e.name), ['a.txt', 'b.json', 'bin.dat']);
  const items = expectList(await api(server, 'GET', `${S()}?path=docs`, { token: rootToken }));
  assert.deepEqual(items.map((e) => [e.name, e.is_dir]), [['sub', true], ['a.txt', false], ['b.json', false], ['bin.dat', false]]);
  const a = items.find((e) => e.name === 'a.txt');
  assert.equal(a.size, 5);
  assert.equal(a.mime_type, 'text/plain; charset=utf-8');
  assert.match(a.modified, /Z$/);
  const dl = expectStatus(await api(server, 'GET', `${S()}/download/docs/bin.dat`, { token: rootToken }), 200);
  assert.deepEqual([...dl.bytes], [0, 1, 2, 255]);
  assert.match(dl.headers.get('content-disposition'), /attachment; filename="bin.dat"/);
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'docs/notes.md', content: '# Hi ✓' } }), 201);
  expectError(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'docs/notes.md', content: 'x' } }), 409, 'CONFLICT');
  expectFieldError(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'docs/x.exe', content: 'x' } }), 'path');
  expectStatus(await api(server, 'PUT', `${S()}/file/docs/notes.md`, { token: rootToken, body: { content: '# Edited' } }), 200);
  assert.equal((await api(server, 'GET', `${S()}/file/docs/notes.md`, { token: rootToken })).body.content, '# Edited');
  expectFieldError(await api(server, 'PUT', `${S()}/file/docs/bin.dat`, { token: rootToken, body: { content: 'x' } }), 'path');
  expectStatus(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: 'docs/a.txt', to: 'docs/sub/a2.txt' } }), 200);
  expectError(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: 'docs/b.json', to: 'docs/notes.md' } }), 409, 'CONFLICT');
  expectError(await api(server, 'GET', `${S()}/download/docs/a.txt`, { token: rootToken }), 404, 'NOT_FOUND');
  const usage = expectStatus(await api(server, 'GET', `${S()}/usage`, { token: rootToken }), 200).body;
  assert.equal(usage.files, 4);
  expectStatus(await api(server, 'DELETE', `${S()}/docs`, { token: rootToken }), 204);
  assert.equal(expectList(await api(server, 'GET', S(), { token: rootToken })).length, 0, 'the folder went recursively');
  expectError(await api(server, 'DELETE', `${S()}/docs`, { token: rootToken }), 404, 'NOT_FOUND');
});

test('no path ever leaves the project\'s folder: each attempt is a 400 and creates nothing outside', async () => {
  const outside = path.join(dir, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  const root = path.join(dir, 'storage', project.id, 'storage');
  mkdirSync(root, { recursive: true });
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'secret-link.txt'));
  // Links exist only on a disk: with GridFS these names are ordinary paths in
  // the database, and the node's disk never shows through (checked below).
  const viaLinks = ['escape/secret.txt', 'escape/new.txt', 'secret-link.txt'];
  const bad = ['../x.txt', 'a/../../x.txt', '/etc/passwd', 'a\\b.txt', 'a\u0000b.txt', 'x'.repeat(300) + '.txt', 'a//b.txt',
    ...(STORAGE === 'local' ? viaLinks : [])];
  for (const p of bad) {
    expectFieldError(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: p, content: 'x' } }), 'path', `create ${JSON.stringify(p)}`);
    expectFieldError(await api(server, 'POST', `${S()}/mkdir`, { token: rootToken, body: { path: p } }), 'path', `mkdir ${JSON.stringify(p)}`);
    expectFieldError(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: p, to: 'ok.txt' } }), 'from', `rename ${JSON.stringify(p)}`);
  }
  for (const p of ['..%2Fx.txt', '%2Fetc%2Fpasswd', 'a%00b', ...(STORAGE === 'local' ? ['escape/secret.txt', 'secret-link.txt'] : [])])
    assert.equal((await api(server, 'GET', `${S()}/download/${p}`, { token: rootToken })).status, 400, `download ${p}`);
  if (STORAGE === 'gridfs')
    for (const p of ['escape/secret.txt', 'secret-link.txt'])
      expectError(await api(server, 'GET', `${S()}/download/${p}`, { token: rootToken }), 404, 'NOT_FOUND');
  expectFieldError(await api(server, 'GET', `${S()}?path=..`, { token: rootToken }), 'path');
  expectFieldError(await api(server, 'POST', `${S()}/upload`, { token: rootToken, body: form([['../up.txt', 'x']]) }), 'file');
  assert.deepEqual(readdirSync(outside), ['secret.txt'], 'nothing written outside');
  assert.ok(!existsSync(path.join(dir, 'storage', project.id, 'x.txt')));
});

test('ranges, the upload limit, permissions', async () => {
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'r.txt', content: '0123456789' } }), 201);
  const part = await api(server, 'GET', `${S()}/download/r.txt`, { token: rootToken, headers: { range: 'bytes=2-5' } });
  assert.equal(part.status, 206);
  assert.equal(part.text, '2345');
  assert.equal(part.headers.get('content-range'), 'bytes 2-5/10');
  assert.equal((await api(server, 'GET', `${S()}/download/r.txt`, { token: rootToken, headers: { range: 'bytes=-3' } })).text, '789');
  assert.equal((await api(server, 'GET', `${S()}/download/r.txt`, { token: rootToken, headers: { range: 'bytes=20-' } })).status, 416);
  const big = await api(server, 'POST', `${S()}/upload`, { token: rootToken, body: form([['big.bin', Buffer.alloc(1024 * 1024 + 1)]]) });
  expectError(big, 413, 'PAYLOAD_TOO_LARGE');
  expectError(await api(server, 'GET', S()), 401, 'UNAUTHENTICATED');
  const user = await createUserAndLogin(server, rootToken);
  assert.ok([403, 404].includes((await api(server, 'GET', S(), { token: user.token })).status));
  const other = await createProject(server, rootToken);
  expectError(await api(server, 'GET', S(), { apiKey: other.api_key }), 403, 'PERMISSION_DENIED');
  expectList(await api(server, 'GET', S(), { apiKey: project.api_key }));
});

test('uploads are bounded by storage.max_upload, not server.max_body; other routes keep server.max_body', async () => {
  const { server: small, rootToken: token } = await startWithRoot({ env: { M3M_SERVER_MAX_BODY: '1MB', M3M_STORAGE_MAX_UPLOAD: '2MB' } });
  try {
    const p = await createProject(small, token);
    const big = Buffer.alloc(1536 * 1024, 7);
    const up = expectStatus(await api(small, 'POST', `/api/projects/${p.id}/storage/upload`, { token, body: form([['big.bin', big]]) }), 201);
    assert.equal(up.body.items[0].size, big.length, 'a file over server.max_body but under storage.max_upload is stored');
    const over = await api(small, 'POST', `/api/projects/${p.id}/storage/upload`, { token, body: form([['huge.bin', Buffer.alloc(3 * 1024 * 1024 + 512 * 1024)]]) });
    expectError(over, 413, 'PAYLOAD_TOO_LARGE');
    const json = await api(small, 'POST', `/api/projects/${p.id}/storage/file`, { token, body: { path: 'big.txt', content: 'x'.repeat(1536 * 1024) } });
    expectError(json, 413, 'PAYLOAD_TOO_LARGE');
    const names = expectList(await api(small, 'GET', `/api/projects/${p.id}/storage`, { token })).map((e) => e.name);
    assert.deepEqual(names, ['big.bin'], 'nothing half-written is left behind');
  } finally {
    await small.stop();
  }
});

test('deleting or renaming a symlink inside the storage acts on the link, never on its target', async () => {
  const root = path.join(dir, 'storage', project.id, 'storage');
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'real/keep.txt', content: 'kept' } }), 201);
  mkdirSync(root, { recursive: true });
  symlinkSync(STORAGE === 'gridfs' ? path.join(dir, 'storage') : path.join(root, 'real'), path.join(root, 'alias'));
  if (STORAGE === 'gridfs') {
    // The files are in MongoDB: nothing on the node's disk shows through.
    expectError(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: 'alias', to: 'alias2' } }), 404, 'NOT_FOUND');
    expectError(await api(server, 'GET', `${S()}/file/alias/keep.txt`, { token: rootToken }), 404, 'NOT_FOUND');
    assert.deepEqual(expectList(await api(server, 'GET', `${S()}`, { token: rootToken })).map((e) => e.name).filter((n) => n === 'alias'), []);
  } else {
    expectStatus(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: 'alias', to: 'alias2' } }), 200);
    assert.ok(existsSync(path.join(root, 'real', 'keep.txt')), 'the target folder did not move');
    expectStatus(await api(server, 'DELETE', `${S()}/alias2`, { token: rootToken }), 204);
  }
  assert.equal((await api(server, 'GET', `${S()}/file/real/keep.txt`, { token: rootToken })).body.content, 'kept');
  expectStatus(await api(server, 'DELETE', `${S()}/real`, { token: rootToken }), 204);
});

test('concurrent creates of one file: exactly one wins, the rest are 409, nothing is clobbered', async () => {
  const tries = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'race/one.txt', content: `writer ${i}` } })));
  const statuses = tries.map((r) => r.status).sort();
  assert.equal(statuses.filter((st) => st === 201).length, 1, JSON.stringify(statuses));
  assert.equal(statuses.filter((st) => st === 409).length, 19);
  const winner = tries.findIndex((r) => r.status === 201);
  assert.equal((await api(server, 'GET', `${S()}/file/race/one.txt`, { token: rootToken })).body.content, `writer ${winner}`);
  assert.deepEqual(expectList(await api(server, 'GET', `${S()}?path=race`, { token: rootToken })).map((e) => e.name), ['one.txt']);
  if (STORAGE === 'local')
    assert.deepEqual(readdirSync(path.join(dir, 'storage', project.id, 'storage', 'race')), ['one.txt'], 'no temp files left on disk');
  expectStatus(await api(server, 'DELETE', `${S()}/race`, { token: rootToken }), 204);
});

test('thumbnails: 50×50, cached, regenerated when the file changes; non-images are refused', async () => {
  const png = makePng(120, 80, { noise: true });
  expectStatus(await api(server, 'POST', `${S()}/upload?path=img`, { token: rootToken, body: form([['p.png', png, 'image/png']]) }), 201);
  const t1 = expectStatus(await api(server, 'GET', `${S()}/thumbnail/img/p.png`, { token: rootToken }), 200);
  assert.equal(t1.headers.get('content-type'), 'image/png');
  assert.deepEqual(pngSize(t1.bytes), { width: 50, height: 50 });
  const cacheDir = path.join(dir, 'storage', project.id, 'thumbnails');
  assert.equal(readdirSync(cacheDir).length, 1, 'cached on first request');
  const t2 = await api(server, 'GET', `${S()}/thumbnail/img/p.png`, { token: rootToken });
  assert.deepEqual(t2.bytes, t1.bytes);
  await new Promise((r) => setTimeout(r, 20));
  expectStatus(await api(server, 'POST', `${S()}/upload?path=img`, { token: rootToken, body: form([['p.png', makePng(60, 90, { noise: true }), 'image/png']]) }), 201);
  const t3 = expectStatus(await api(server, 'GET', `${S()}/thumbnail/img/p.png`, { token: rootToken }), 200);
  assert.notDeepEqual(t3.bytes, t1.bytes, 'a changed file gets a new thumbnail');
  expectStatus(await api(server, 'POST', `${S()}/upload?path=img`, { token: rootToken, body: form([['bad.png', 'not a png']]) }), 201);
  expectError(await api(server, 'GET', `${S()}/thumbnail/img/bad.png`, { token: rootToken }), 415, 'UNSUPPORTED_MEDIA_TYPE');
});

test('public links: served without auth, listed, follow a rename, revoked, gone with the file', async () => {
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'pub/hello.txt', content: 'public!' } }), 201);
  const link = expectStatus(await api(server, 'POST', `${S()}/links`, { token: rootToken, body: { path: 'pub/hello.txt' } }), 201).body;
  assert.ok(link.token.length >= 22, '≥ 128 bits');
  assert.equal((await api(server, 'GET', link.url)).text, 'public!');
  const listed = expectList(await api(server, 'GET', `${S()}/links`, { token: rootToken }));
  assert.ok(listed.some((l) => l.path === 'pub/hello.txt' && !('token' in l)));
  expectStatus(await api(server, 'PUT', `${S()}/rename`, { token: rootToken, body: { from: 'pub', to: 'public' } }), 200);
  assert.equal((await api(server, 'GET', link.url)).text, 'public!', 'the link follows the folder rename');
  assert.equal(expectList(await api(server, 'GET', `${S()}/links`, { token: rootToken }))[0].path, 'public/hello.txt');
  expectStatus(await api(server, 'DELETE', `${S()}/links/${link.token}`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', link.url), 404, 'NOT_FOUND');
  const again = expectStatus(await api(server, 'POST', `${S()}/links`, { token: rootToken, body: { path: 'public/hello.txt' } }), 201).body;
  expectError(await api(server, 'GET', again.url.replace('hello.txt', 'other.txt')), 404, 'NOT_FOUND');
  expectStatus(await api(server, 'DELETE', `${S()}/public/hello.txt`, { token: rootToken }), 204);
  expectError(await api(server, 'GET', again.url), 404, 'NOT_FOUND');
  assert.equal(expectList(await api(server, 'GET', `${S()}/links`, { token: rootToken })).length, 0);
  expectError(await api(server, 'GET', '/api/storage/public/forged-token/hello.txt'), 404, 'NOT_FOUND');
  // A name that needs percent-encoding in the URL.
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'pub/my notes #1 ü?.txt', content: 'odd' } }), 201);
  const odd = expectStatus(await api(server, 'POST', `${S()}/links`, { token: rootToken, body: { path: 'pub/my notes #1 ü?.txt' } }), 201).body;
  assert.match(odd.url, /\/my%20notes%20%231%20%C3%BC%3F\.txt$/);
  assert.equal((await api(server, 'GET', odd.url)).text, 'odd');
  const cd = (await api(server, 'GET', `${S()}/download/pub/${encodeURIComponent('my notes #1 ü?.txt')}`, { token: rootToken })).headers.get('content-disposition');
  assert.equal(cd, `attachment; filename="my notes #1 __?.txt"; filename*=UTF-8''my%20notes%20%231%20%C3%BC%3F.txt`, 'RFC 6266');
});

test('public links have a stable id: listed, revoked by id by any member, never by another project', async () => {
  expectStatus(await api(server, 'POST', `${S()}/file`, { token: rootToken, body: { path: 'ids/a.txt', content: 'A' } }), 201);
  const a = expectStatus(await api(server, 'POST', `${S()}/links`, { token: rootToken, body: { path: 'ids/a.txt' } }), 201).body;
  const b = expectStatus(await api(server, 'POST', `${S()}/links`, { token: rootToken, body: { path: 'ids/a.txt' } }), 201).body;
  assert.match(a.id, /^[0-9a-f]{16}$/);
  assert.notEqual(a.id, b.id);
  assert.ok(!a.token.includes(a.id), 'the id is not a piece of the token');
  const listed = expectList(await api(server, 'GET', `${S()}/links`, { token: rootToken }));
  assert.deepEqual(listed.filter((l) => l.path === 'ids/a.txt').map((l) => l.id).sort(), [a.id, b.id].sort());
  // Another project's key cannot revoke it; an unknown id is 404; a malformed one too.
  const other = await createProject(server, rootToken);
  expectError(await api(server, 'DELETE', `/api/projects/${other.id}/storage/links/${a.id}`, { token: rootToken }), 404, 'NOT_FOUND');
  expectError(await api(server, 'DELETE', `${S()}/links/${a.id}`, { apiKey: other.api_key }), 403, 'PERMISSION_DENIED');
  expectError(await api(server, 'DELETE', `${S()}/links/0000000000000000`, { token: rootToken }), 404, 'NOT_FOUND');
  expectError(await api(server, 'DELETE', `${S()}/links/${a.id.toUpperCase()}`, { token: rootToken }), 404, 'NOT_FOUND');
  assert.equal((await api(server, 'GET', a.url)).text, 'A', 'still served after the refused revokes');
  // The project's own API key (any member, not only the creating browser) revokes by id.
  expectStatus(await api(server, 'DELETE', `${S()}/links/${a.id}`, { apiKey: project.api_key }), 204);
  expectError(await api(server, 'GET', a.url), 404, 'NOT_FOUND');
  assert.equal((await api(server, 'GET', b.url)).text, 'A', 'the other link stays');
  expectError(await api(server, 'DELETE', `${S()}/links/${a.id}`, { token: rootToken }), 404, 'NOT_FOUND');
  expectStatus(await api(server, 'DELETE', `${S()}/links/${b.token}`, { token: rootToken }), 204, 'the token still revokes');
});

test('runtime storage module: text and binary round trips, folders, stat, path rules', async () => {
  const code = `
service.start(() => router.get('/fs', () => {
  storage.write('data/a/b.txt', 'héllo');
  const bytes = new Uint8Array(256); for (let i = 0; i < 256; i++) bytes[i] = i;
  storage.write('data/bin', bytes);
  const back = storage.readBytes('data/bin');
  let same = back.length === 256; for (let i = 0; i < 256; i++) same = same && back[i] === i;
  // Every length mod 3 (base64 padding) and a large buffer, from an ArrayBuffer too.
  let sizes = true;
  for (const n of [0, 1, 2, 3, 257, 1 << 20]) {
    const src = new Uint8Array(n); for (let i = 0; i < n; i++) src[i] = (i * 31 + 7) & 255;
    storage.write('sizes/' + n, n % 2 ? src : src.buffer);
    const got = storage.readBytes('sizes/' + n);
    sizes = sizes && got.length === n && got.every((v, i) => v === src[i]) && storage.stat('sizes/' + n).size === n;
  }
  let badContent; try { storage.write('x.bin', 42) } catch (e) { badContent = e instanceof TypeError }
  storage.mkdir('empty');
  const out = { text: storage.read('data/a/b.txt'), same, list: storage.list('data'), root: storage.list(),
    exists: storage.exists('data/a/b.txt'), stat: storage.stat('data/a/b.txt'), none: storage.stat('nope') };
  let traversal; try { storage.read('../../etc/passwd') } catch (e) { traversal = e.code + ': ' + (e.fields && e.fields.path) }
  storage.delete('data/a');
  out.after = storage.exists('data/a/b.txt');
  out.traversal = traversal;
  out.sizes = sizes;
  out.badContent = badContent;
  return out;
}));`;
  await startRunning(server, rootToken, project.id, await deploy(server, rootToken, project.id, code));
  const r = expectStatus(await callRoute(server, project.slug, '/fs'), 200).body;
  assert.equal(r.text, 'héllo');
  assert.equal(r.same, true, 'all 256 byte values round-trip');
  assert.deepEqual(r.list, ['a', 'bin']);
  assert.ok(r.root.includes('data') && r.root.includes('empty'));
  assert.equal(r.exists, true);
  assert.equal(r.stat.size, 6);
  assert.equal(r.stat.is_dir, false);
  assert.equal(r.none, null);
  assert.match(r.traversal, /^INVALID_ARGUMENT: /);
  assert.equal(r.after, false);
  assert.equal(r.sizes, true, 'binary round trips of every padding and 1 MB');
  assert.equal(r.badContent, true, 'a number is not content');
  const viaApi = expectStatus(await api(server, 'GET', `${S()}/download/data/bin`, { token: rootToken }), 200);
  assert.equal(viaApi.bytes.length, 256, 'the file manager sees what the service wrote');
});
