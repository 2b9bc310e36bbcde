// WebAssembly in project code (issue 14): off by default (runtime.wasm);
// when on, its memory cannot escape runtime.memory_limit_mb (one memory is
// capped, the total fails the project with "memory limit exceeded"), the
// server's RSS stays bounded, and the async compile API resolves.
// Contract: docs/runtime.md ("Limits"), docs/configuration.md (runtime.wasm).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  callRoute,
  describe,
  expectStatus,
  projectStatus,
  readRunLog,
  runningProject,
  startWithRoot,
  waitFor,
} from './fixtures.mjs';

let off; // default configuration
let on; // runtime.wasm: true, 64 MB per project
before(async () => {
  off = await startWithRoot();
  on = await startWithRoot({ env: { M3M_RUNTIME_WASM: 'true', M3M_RUNTIME_MEMORY_LIMIT_MB: '64', M3M_RUNTIME_REQUEST_TIMEOUT: '5s' } });
});
after(async () => {
  await off?.server.stop();
  await on?.server.stop();
});

const rssMb = (server) => {
  const m = readFileSync(`/proc/${server.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return Number(m[1]) / 1024;
};

// (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
const ADD_MODULE = `new Uint8Array([0,97,115,109,1,0,0,0, 1,7,1,96,2,127,127,1,127, 3,2,1,0, 7,7,1,3,97,100,100,0,0, 10,9,1,7,0,32,0,32,1,106,11])`;

test('WebAssembly is off by default: typeof WebAssembly is "undefined"', async () => {
  const { server, rootToken } = off;
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/type', () => ({ type: typeof WebAssembly, inGlobal: 'WebAssembly' in globalThis }));
  });`);
  const res = expectStatus(await callRoute(server, project.slug, '/type'), 200);
  assert.deepEqual(res.body, { type: 'undefined', inGlobal: false });
});

test('with runtime.wasm on, await WebAssembly.instantiate(bytes) resolves (and compile errors reject)', async () => {
  const { server, rootToken } = on;
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/add', async () => {
      const { instance } = await WebAssembly.instantiate(${ADD_MODULE});
      return { sum: instance.exports.add(2, 3) };
    });
    router.get('/compile', async () => {
      const module = await WebAssembly.compile(${ADD_MODULE});
      const instance = await WebAssembly.instantiate(module);
      return { sum: instance.exports.add(40, 2) };
    });
    router.get('/bad', async () => {
      try { await WebAssembly.instantiate(new Uint8Array([1, 2, 3, 4])); return { rejected: false }; }
      catch (e) { return { rejected: true, name: e.name }; }
    });
  });`);
  for (let i = 0; i < 3; i++) {
    const res = expectStatus(await callRoute(server, project.slug, '/add', { timeout: 10_000 }), 200, 'instantiate');
    assert.deepEqual(res.body, { sum: 5 });
  }
  assert.deepEqual(expectStatus(await callRoute(server, project.slug, '/compile', { timeout: 10_000 }), 200).body, { sum: 42 });
  assert.deepEqual(expectStatus(await callRoute(server, project.slug, '/bad', { timeout: 10_000 }), 200).body, { rejected: true, name: 'CompileError' });
});

test('with runtime.wasm on, one memory cannot grow past the limit and many memories fail the project with "memory limit exceeded"; RSS stays bounded', async () => {
  const { server, rootToken } = on;
  const baseline = rssMb(server);
  const { project } = await runningProject(server, rootToken, `service.start(() => {
    router.get('/grow', () => {
      const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
      const out = [];
      for (let i = 0; i < 3; i++) {
        try { m.grow(16384); out.push('grew'); } catch (e) { out.push(e.name); }
      }
      return { out, bytes: m.buffer.byteLength };
    });
    router.get('/fits', () => {
      const m = new WebAssembly.Memory({ initial: 1 });
      m.grow(100);
      new Uint8Array(m.buffer).fill(1);
      return { bytes: m.buffer.byteLength };
    });
    const kept = [];
    router.get('/many', () => {
      for (let i = 0; i < 40; i++) {
        const m = new WebAssembly.Memory({ initial: 1 });
        m.grow(800); // 50 MB, each under the cap
        new Uint8Array(m.buffer).fill(1);
        kept.push(m);
      }
      return { kept: kept.length };
    });
  });`);
  const grow = expectStatus(await callRoute(server, project.slug, '/grow'), 200, 'the grow attack');
  assert.deepEqual(grow.body.out, ['RangeError', 'RangeError', 'RangeError'], describe(grow));
  assert.equal(grow.body.bytes, 65536);
  assert.deepEqual(expectStatus(await callRoute(server, project.slug, '/fits'), 200).body, { bytes: 101 * 65536 });

  const many = await callRoute(server, project.slug, '/many');
  expectStatus(many, 500, 'the memory bomb');
  await waitFor(async () => (await projectStatus(server, rootToken, project.id)).state === 'failed', { what: 'the project failed' });
  const status = await projectStatus(server, rootToken, project.id);
  assert.match(status.last_error, /memory limit exceeded/, JSON.stringify(status));
  const log = (await readRunLog(server, rootToken, project.id)).join('\n');
  assert.match(log, /memory limit exceeded/);
  const grown = rssMb(server) - baseline;
  // 40 × 50 MB = 2 GB if it escaped; the budget is 64 MB (at most about twice that in one task).
  assert.ok(grown < 400, `the server's RSS grew ${grown.toFixed(0)} MB`);
  expectStatus(await callRoute(server, project.slug, '/fits'), 503, 'the failed project serves nothing');
});
