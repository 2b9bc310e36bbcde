// Native plugins (issue 18): a plugins folder with working and broken
// plugins; the API lists them, projects call their functions (sync, async,
// waiting, failing), the types show their modules, qrcode's PNG decodes, and
// a reload swaps the library while the server and running projects go on.
// Contract: docs/plugins.md.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BINARY, makeTempDir } from './harness.mjs';
import { api, callRoute, createUserAndLogin, expectError, expectStatus, restartProject, runningProject, startWithRoot, waitFor, waitForState } from './fixtures.mjs';

const BUILD = path.dirname(BINARY);
const SHIPPED = path.join(BUILD, 'plugins');
const FIXTURES = path.join(BUILD, 'tests', 'plugins');

let server;
let rootToken;
let dir;
let pluginsDir;
let project;

const CODE = String.raw`
const outcome = async (f) => {
  try { return { ok: true, value: await f() }; }
  catch (e) { return { ok: false, name: e.name, code: e.code, message: e.message, isError: e instanceof Error }; }
};
service.start(() => {
  router.get('/sync', () => ({
    greet: hello.greet('Ann'),
    add: hello.add(2),
    add2: hello.add(2, 5),
    concat: testplug.concat('a', 'b'),
    echo: testplug.echo({ a: [1, 'x', null, true] }),
    echoBytes: (() => { const b = testplug.echo(new Uint8Array([7, 8, 9])); return { isU8: b instanceof Uint8Array, bytes: Array.from(b) }; })(),
    bytes: Array.from(testplug.bytes(4)),
    project: testplug.project(),
  }));
  router.get('/errors', async () => ({
    crash: await outcome(() => testplug.crash()),
    fail: await outcome(() => testplug.fail(3, 'not yours')),
    badArg: await outcome(() => testplug.concat(1, 'b')),
    laterFail: await outcome(() => testplug.laterFail(20)),
  }));
  router.get('/async', async () => {
    const p = testplug.later('done', 50);
    return { isPromise: p instanceof Promise, value: await p };
  });
  router.get('/wait', () => testplug.wait(400));
  router.get('/ping', () => 'pong');
  router.get('/old10', () => old10.ping('me'));
  const props = (e) => Object.fromEntries(Object.getOwnPropertyNames(e).filter((k) => k !== 'stack').map((k) => [k, e[k]]));
  router.get('/props', async () => {
    const given = { error_code: 400, description: 'Bad Request: as asked', nested: { a: [1, 'x'] }, code: 'HACK', message: 'no', name: 'no', fields: 1 };
    const out = {};
    try { testplug.failWith(given); } catch (e) { out.sync = { ...props(e), name: e.name, isError: e instanceof Error }; }
    try { await testplug.laterFailWith(given); } catch (e) { out.async = { ...props(e), name: e.name, isError: e instanceof Error }; }
    try { testplug.failWith(7); } catch (e) { out.notObject = props(e); }
    return out;
  });
  router.get('/files', async () => {
    storage.write('photos/a.bin', new Uint8Array([1, 2, 3, 255]));
    storage.mkdir('photos/dir');
    return {
      ok: await outcome(() => Array.from(testplug.readFile('photos/a.bin'))),
      missing: await outcome(() => testplug.readFile('photos/missing.bin')),
      up: await outcome(() => testplug.readFile('../other/secret.txt')),
      upInside: await outcome(() => testplug.readFile('photos/../../x')),
      absolute: await outcome(() => testplug.readFile('/etc/passwd')),
      folder: await outcome(() => testplug.readFile('photos/dir')),
      tooLarge: await outcome(() => testplug.readFile('photos/a.bin', 3)),
      atLimit: await outcome(() => testplug.readFile('photos/a.bin', 4).length),
    };
  });
  router.get('/never', async () => outcome(() => testplug.never()));
  router.get('/version', () => ({ version: testplug.version(), added: typeof testplug.added }));
  router.get('/qr', () => Array.from(qrcode.png('https://m3m.example/q?a=1', { size: 4, margin: 2, ecc: 'H' })));
  router.get('/qrbad', async () => ({
    ecc: await outcome(() => qrcode.png('x', { ecc: 'Z' })),
    size: await outcome(() => qrcode.png('x', { size: 1000 })),
  }));
});
`;

before(async () => {
  dir = makeTempDir();
  pluginsDir = path.join(dir, 'plugins');
  mkdirSync(pluginsDir);
  for (const f of ['hello.so', 'qrcode.so']) copyFileSync(path.join(SHIPPED, f), path.join(pluginsDir, f));
  for (const f of ['testplug.so', 'bad_minor.so', 'init_fails.so', 'no_entry.so', 'abi_1_0.so'])
    copyFileSync(path.join(FIXTURES, f), path.join(pluginsDir, f));
  const config = `plugins:\n  path: ${pluginsDir}\n  config:\n    testplug: { prefix: ">" }\n    hello: { greeting: "Hi" }\n    init_fails: { token: 7 }\n`;
  ({ server, rootToken } = await startWithRoot({ dir, config }));
  ({ project } = await runningProject(server, rootToken, CODE));
});

after(async () => {
  await server?.stop();
  // Loading, calling, reloading and unloading leave ASan (and UBSan) quiet.
  assert.doesNotMatch(server?.output() ?? '', /AddressSanitizer|LeakSanitizer|runtime error:/);
});

test('GET /api/plugins lists running and refused plugins; the server runs on', async () => {
  const res = await api(server, 'GET', '/api/plugins', { token: rootToken });
  expectStatus(res, 200);
  const byName = Object.fromEntries(res.body.items.map((p) => [p.name, p]));
  assert.equal(res.body.total, res.body.items.length);
  for (const name of ['hello', 'qrcode', 'testplug', 'abi_1_0']) assert.equal(byName[name]?.state, 'running', JSON.stringify(byName[name]));
  assert.equal(byName.bad_minor.state, 'failed');
  assert.match(byName.bad_minor.error, /bad_minor\.so \(plugin bad_minor\): built for plugin ABI 1\.99; this host accepts 1\.0–1\.1/);
  assert.equal(byName.init_fails.state, 'failed');
  assert.match(byName.init_fails.error, /init failed: missing bot_token \(config was \{"token":7\}\)/);
  assert.equal(byName.no_entry.state, 'failed');
  assert.match(byName.no_entry.error, /no m3m_plugin_init_v1 symbol/);
  assert.match(server.output(), /plugin refused: .*bad_minor\.so/);
  assert.match(server.output(), /plugin testplug 1\.0\.0 loaded from/);
  const health = await api(server, 'GET', '/api/health');
  expectStatus(health, 200);
  const anon = await api(server, 'GET', '/api/plugins');
  expectError(anon, 401, 'UNAUTHENTICATED');
});

test('GET /api/plugins/:name gives metadata and typed functions', async () => {
  const res = await api(server, 'GET', '/api/plugins/testplug', { token: rootToken });
  expectStatus(res, 200);
  const p = res.body;
  assert.deepEqual([p.name, p.version, p.author, p.url, p.abi, p.state, p.error], ['testplug', '1.0.0', 'tests', 'https://example.com/testplug', '1.1', 'running', null]);
  const fns = Object.fromEntries(p.modules[0].functions.map((f) => [f.name, f]));
  assert.equal(fns.later.kind, 'async');
  assert.equal(fns.wait.kind, 'waiting');
  assert.equal(fns.concat.kind, 'sync');
  assert.deepEqual(fns.concat.params, [{ name: 'a', type: 'string', optional: false }, { name: 'b', type: 'string', optional: false }]);
  const missing = await api(server, 'GET', '/api/plugins/nope', { token: rootToken });
  expectError(missing, 404, 'NOT_FOUND');
});

test('a project calls plugin functions with typed arguments, bytes and config', async () => {
  const res = await callRoute(server, project.slug, '/sync');
  expectStatus(res, 200);
  assert.deepEqual(res.body, {
    greet: 'Hi, Ann!', add: 3, add2: 7, concat: '>ab', echo: { a: [1, 'x', null, true] },
    echoBytes: { isU8: true, bytes: [7, 8, 9] }, bytes: [0, 1, 2, 3], project: project.slug,
  });
});

test('plugin errors and exceptions are catchable JS errors with codes', async () => {
  const res = await callRoute(server, project.slug, '/errors');
  expectStatus(res, 200);
  const b = res.body;
  assert.deepEqual(b.crash, { ok: false, name: 'Error', code: 'INTERNAL', message: 'boom from C++', isError: true });
  assert.deepEqual(b.fail, { ok: false, name: 'Error', code: 'PERMISSION_DENIED', message: 'not yours', isError: true });
  assert.deepEqual(b.badArg, { ok: false, name: 'TypeError', code: 'INVALID_ARGUMENT', message: 'testplug.concat: argument 1 (a) must be a string', isError: true });
  assert.deepEqual(b.laterFail, { ok: false, name: 'Error', code: 'NOT_FOUND', message: 'testplug.laterFail: nothing here', isError: true });
});

test('an async plugin function is a Promise settled from another thread', async () => {
  const res = await callRoute(server, project.slug, '/async');
  expectStatus(res, 200);
  assert.deepEqual(res.body, { isPromise: true, value: 'done' });
});

test('a waiting plugin function releases the project while it waits', async () => {
  const t0 = Date.now();
  const waiting = callRoute(server, project.slug, '/wait');
  await new Promise((r) => setTimeout(r, 100));
  const ping = await callRoute(server, project.slug, '/ping');
  expectStatus(ping, 200);
  assert.ok(Date.now() - t0 < 380, `ping answered during the wait (${Date.now() - t0} ms)`);
  const res = await waiting;
  expectStatus(res, 200);
  assert.equal(res.body, 'waited');
});

test('qrcode.png makes a PNG that decodes to the text', async () => {
  const res = await callRoute(server, project.slug, '/qr');
  expectStatus(res, 200);
  const png = Buffer.from(res.body);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const file = path.join(dir, 'qr.png');
  writeFileSync(file, png);
  const z = spawnSync('zbarimg', ['--quiet', '--raw', file], { encoding: 'utf8' });
  assert.equal(z.status, 0, z.stderr);
  assert.equal(z.stdout.trim(), 'https://m3m.example/q?a=1');
  const bad = await callRoute(server, project.slug, '/qrbad');
  assert.equal(bad.body.ecc.code, 'INVALID_ARGUMENT');
  assert.match(bad.body.ecc.message, /options\.ecc must be "L", "M", "Q" or "H"/);
  assert.equal(bad.body.size.code, 'INVALID_ARGUMENT');
});

test('ABI 1.1 host: a plugin built against 1.0 (minor 0, 1.0 fields only) still loads and runs', async () => {
  const res = await api(server, 'GET', '/api/plugins/abi_1_0', { token: rootToken });
  expectStatus(res, 200);
  assert.deepEqual([res.body.state, res.body.abi, res.body.error], ['running', '1.0', null]);
  assert.match(server.output(), /plugin abi_1_0 1\.0\.0 loaded from .* \(plugin ABI 1\.0; modules: old10\)/);
  const call = await callRoute(server, project.slug, '/old10');
  expectStatus(call, 200);
  assert.equal(call.body, 'pong to me');
});

test('ABI 1.1: a plugin error carries extra properties onto the JS error (sync and async)', async () => {
  const res = await callRoute(server, project.slug, '/props');
  expectStatus(res, 200);
  const expected = {
    message: 'testplug.failWith: as asked', code: 'CONFLICT', fields: {}, // the host's own stay
    error_code: 400, description: 'Bad Request: as asked', nested: { a: [1, 'x'] }, name: 'Error', isError: true,
  };
  assert.deepEqual(res.body.sync, expected);
  assert.deepEqual(res.body.async, { ...expected, message: 'testplug.laterFailWith: as asked' });
  // Properties that are not an object: none, the error is still the plugin's.
  assert.deepEqual(res.body.notObject, { message: 'testplug.failWith: as asked', code: 'CONFLICT', fields: {} });
});

test("ABI 1.1: call_read_file reads the calling project's storage with the host's path checks", async () => {
  const res = await callRoute(server, project.slug, '/files');
  expectStatus(res, 200);
  const b = res.body;
  assert.deepEqual(b.ok, { ok: true, value: [1, 2, 3, 255] });
  assert.deepEqual(b.missing, { ok: false, name: 'Error', code: 'NOT_FOUND', message: 'no file "photos/missing.bin" in the project\'s storage', isError: true });
  for (const k of ['up', 'upInside', 'absolute']) {
    assert.equal(b[k].code, 'INVALID_ARGUMENT', `${k}: ${JSON.stringify(b[k])}`);
    assert.match(b[k].message, /^invalid path: /, k);
  }
  assert.equal(b.folder.code, 'INVALID_ARGUMENT');
  assert.match(b.folder.message, /"photos\/dir" is a folder, not a file/);
  assert.deepEqual(b.tooLarge, { ok: false, name: 'RangeError', code: 'PAYLOAD_TOO_LARGE', message: '"photos/a.bin" is larger than 3 bytes', isError: true });
  assert.deepEqual(b.atLimit, { ok: true, value: 4 });
});

test('GET /api/runtime/types declares the plugin modules like built-ins', async () => {
  const res = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  expectStatus(res, 200);
  assert.match(res.text, /declare const testplug: \{/);
  assert.match(res.text, /later\(value: string, ms: number\): Promise<string>;/);
  assert.match(res.text, /wait\(ms: number\): string;/);
  assert.match(res.text, /greet\(name: string\): string;/);
  assert.match(res.text, /add\(a: number, b\?: number\): number;/);
  assert.match(res.text, /png\(text: string, options\?: \{ size\?: number; margin\?: number; ecc\?: "L" \| "M" \| "Q" \| "H" \}\): Uint8Array;/);
  assert.doesNotMatch(res.text, /declare const bad_minor/);
  // ABI 1.1 named types: declared once before the module, used by name.
  assert.match(res.text, /\/\*\* A point\. \*\/\ninterface TestplugPoint \{\n  x: number;\n  \/\*\* Defaults to 0\. \*\/\n  y\?: number;\n\}\n/);
  assert.match(res.text, /\ntype TestplugId = string \| number;\n/);
  assert.match(res.text, /origin\(id: TestplugId\): TestplugPoint;/);
  assert.match(res.text, /declare const old10: \{/);
});

test('reload: root only; swaps the library; pending results reject; projects see new functions at restart', async () => {
  const { token: userToken } = await createUserAndLogin(server, rootToken);
  const denied = await api(server, 'POST', '/api/plugins/testplug/reload', { token: userToken, body: {} });
  expectError(denied, 403, 'PERMISSION_DENIED');
  const unknown = await api(server, 'POST', '/api/plugins/nope/reload', { token: rootToken, body: {} });
  expectError(unknown, 404, 'NOT_FOUND');

  const never = callRoute(server, project.slug, '/never');  // a pending result during the reload
  await new Promise((r) => setTimeout(r, 150));
  // Replace the file (a new inode, as an install does), then reload.
  copyFileSync(path.join(FIXTURES, 'testplug_v2.so'), path.join(pluginsDir, 'testplug.tmp'));
  renameSync(path.join(pluginsDir, 'testplug.tmp'), path.join(pluginsDir, 'testplug.so'));
  const res = await api(server, 'POST', '/api/plugins/testplug/reload', { token: rootToken, body: {} });
  expectStatus(res, 200);
  assert.equal(res.body.version, '2.0.0');
  assert.equal(res.body.state, 'running');
  assert.ok(res.body.modules[0].functions.some((f) => f.name === 'added'));

  const pending = await never;
  assert.equal(pending.body.ok, false);
  assert.equal(pending.body.code, 'UNAVAILABLE');
  assert.match(pending.body.message, /testplug\.never: plugin testplug stopped/);

  // The running project reaches the new library; its globals stay until restart.
  const before = await callRoute(server, project.slug, '/version');
  assert.deepEqual(before.body, { version: '2.0.0', added: 'undefined' });
  expectStatus(await restartProject(server, rootToken, project.id), 200);
  await waitForState(server, rootToken, project.id, 'running');
  const afterRestart = await callRoute(server, project.slug, '/version');
  assert.deepEqual(afterRestart.body, { version: '2.0.0', added: 'function' });
  const types = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  assert.match(types.text, /added\(\): boolean;/);

  // A failed plugin can be retried: still refused, listed with its error, server fine.
  const again = await api(server, 'POST', '/api/plugins/bad_minor/reload', { token: rootToken, body: {} });
  expectStatus(again, 200);
  assert.equal(again.body.state, 'failed');
  assert.match(again.body.error, /built for plugin ABI 1\.99/);
});

test('docs/plugins.md shows the hello plugin whole, and it fits on a screen', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const hello = readFileSync(path.join(root, 'plugins/hello/hello.cpp'), 'utf8');
  assert.ok(hello.split('\n').length <= 30, `hello.cpp has ${hello.split('\n').length} lines`);
  assert.ok(readFileSync(path.join(root, 'docs/plugins.md'), 'utf8').includes('```cpp\n' + hello + '```'), 'docs/plugins.md quotes plugins/hello/hello.cpp');
});
