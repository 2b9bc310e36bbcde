// storage.driver: gridfs on several nodes (issue 21, part 2; docs/cluster.md):
// two m3m processes share one MongoDB database (FerretDB), so a project's
// files are the same whichever node is asked — uploaded through one node,
// downloaded (whole, by range, by public link, as a thumbnail) through the
// other; written by the project's code where it runs, read everywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, sharedMongoEnv, startServer } from './harness.mjs';
import {
  api, callRoute, createProject, deploy, expectError, expectList, expectStatus, loginOk, makePng, pngSize,
  ROOT_EMAIL, ROOT_PASSWORD, startRunning, startWithRoot,
} from './fixtures.mjs';

const form = (files) => {
  const f = new FormData();
  for (const [name, bytes] of files) f.append('file', new Blob([bytes]), name);
  return f;
};

const CODE = `
  service.start(() => {
    router.post('/note', (req) => { storage.write('from-code/' + req.body.name, req.body.text); return { ok: true }; });
    router.get('/note', (req) => ({ text: storage.read('from-code/' + req.query.name) }));
  });
`;

test('gridfs: a file uploaded through node A is downloaded through node B, and the other way round', async () => {
  const shared = {
    ...(await sharedMongoEnv()),
    M3M_STORAGE_DRIVER: 'gridfs',
    M3M_JWT_SECRET: 'storage-nodes-secret-0123456789abcdef0123456789',
  };
  const { server: a, rootToken: ta } = await startWithRoot({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'files-a' } });
  let b;
  try {
    b = await startServer({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'files-b' } });
    const tb = (await loginOk(b, ROOT_EMAIL, ROOT_PASSWORD)).access_token;
    const p = await createProject(a, ta, {});
    const SA = `/api/projects/${p.id}/storage`;

    // Several chunks (GridFS: 255 KiB each), random bytes.
    const big = Buffer.alloc(2 * 1024 * 1024 + 333);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 9)) & 0xff;
    const png = makePng(90, 60, { noise: true });
    expectStatus(await api(a, 'POST', `${SA}/upload?path=media`, { token: ta, body: form([['big.bin', big], ['p.png', png]]) }), 201);
    expectStatus(await api(a, 'POST', `${SA}/mkdir`, { token: ta, body: { path: 'empty/inner' } }), 201);

    const whole = expectStatus(await api(b, 'GET', `${SA}/download/media/big.bin`, { token: tb }), 200);
    assert.ok(whole.bytes.equals(big), 'node B serves the bytes node A stored');
    const part = expectStatus(await api(b, 'GET', `${SA}/download/media/big.bin`, { token: tb, headers: { Range: 'bytes=1000000-1000099' } }), 206);
    assert.ok(part.bytes.equals(big.subarray(1000000, 1000100)));
    const thumb = expectStatus(await api(b, 'GET', `${SA}/thumbnail/media/p.png`, { token: tb }), 200);
    assert.deepEqual(pngSize(thumb.bytes), { width: 50, height: 50 });
    assert.deepEqual(expectList(await api(b, 'GET', `${SA}?path=empty`, { token: tb })).map((e) => [e.name, e.is_dir]), [['inner', true]],
      'an empty folder made on A is on B');
    const usage = expectStatus(await api(b, 'GET', `${SA}/usage`, { token: tb }), 200).body;
    assert.deepEqual(usage, { bytes: big.length + png.length, files: 2, folders: 3 });

    // A public link made on A answers on B; a rename on B is seen on A.
    const link = expectStatus(await api(a, 'POST', `${SA}/links`, { token: ta, body: { path: 'media/p.png' } }), 201).body;
    assert.ok(expectStatus(await api(b, 'GET', link.url), 200).bytes.equals(png));
    expectStatus(await api(b, 'PUT', `${SA}/rename`, { token: tb, body: { from: 'media', to: 'moved/media' } }), 200);
    assert.ok(expectStatus(await api(a, 'GET', `${SA}/download/moved/media/big.bin`, { token: ta }), 200).bytes.equals(big));
    expectError(await api(a, 'GET', `${SA}/download/media/big.bin`, { token: ta }), 404, 'NOT_FOUND');

    // Replaced on B: A serves the new content at once (its own copy was of the old file).
    expectStatus(await api(b, 'POST', `${SA}/upload?path=moved/media`, { token: tb, body: form([['big.bin', 'small now']]) }), 201);
    assert.equal(expectStatus(await api(a, 'GET', `${SA}/download/moved/media/big.bin`, { token: ta }), 200).text, 'small now');

    // The project's own code writes where it runs (A); B's file manager reads it.
    const version = await deploy(a, ta, p.id, CODE);
    await startRunning(a, ta, p.id, version);
    expectStatus(await callRoute(a, p.slug, '/note', { method: 'POST', body: { name: 'n.txt', text: 'written by the project' } }), 200);
    assert.equal(expectStatus(await api(b, 'GET', `${SA}/file/from-code/n.txt`, { token: tb }), 200).body.content, 'written by the project');
    expectStatus(await api(b, 'PUT', `${SA}/file/from-code/n.txt`, { token: tb, body: { content: 'edited on B' } }), 200);
    assert.equal(expectStatus(await callRoute(a, p.slug, '/note?name=n.txt'), 200).body.text, 'edited on B');

    expectStatus(await api(b, 'DELETE', `${SA}/moved`, { token: tb }), 204);
    expectError(await api(a, 'GET', `${SA}/download/moved/media/big.bin`, { token: ta }), 404, 'NOT_FOUND');
    expectError(await api(a, 'GET', link.url), 404, 'NOT_FOUND');

    // Both stop cleanly (the background sweep of each node included).
    for (const node of [b, a]) assert.equal((await node.stop()).code, 0, node.output());
  } finally {
    await b?.stop();
    await a.stop();
  }
});

test('storage.driver gridfs without database.driver mongodb stops the start with a clear error', () => {
  const r = runCli(['serve'], { env: { M3M_DATABASE_DRIVER: 'sqlite', M3M_STORAGE_DRIVER: 'gridfs' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr + r.stdout, /storage\.driver.*needs database\.driver: mongodb/);
});
