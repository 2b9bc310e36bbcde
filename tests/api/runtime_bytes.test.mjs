// Bytes across the module boundary (docs/runtime.md, "Bytes"): a Uint8Array everywhere, and
// any ArrayBuffer or view (DataView, Int16Array…) accepted as its raw bytes — at the top of an
// argument or nested in an object. Node's crypto is the oracle for the bytes that arrived.
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { callRoute, createModel, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

let server, rootToken, project;

function service() {
  const caught = (fn) => {
    try {
      const r = fn();
      return { returned: r instanceof Uint8Array ? 'Uint8Array' : typeof r };
    } catch (e) {
      return { ctor: e.constructor.name, code: e.code, message: e.message };
    }
  };
  router.get('/views', () => {
    const f64 = new Float64Array([1.5, -2, 1e300]);
    const i16 = new Int16Array([0x0102, -1, 0x7fff, -0x8000]);
    const bytes = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    return {
      dataView: crypto.sha256(new DataView(bytes.buffer, 3, 4)),
      arrayBuffer: crypto.sha256(bytes.buffer),
      int16: crypto.sha256(i16),
      float64Sub: crypto.sha256(f64.subarray(1)),
      hmacKeyView: crypto.hmac('sha256', new DataView(bytes.buffer, 1, 3), i16),
      shared: typeof SharedArrayBuffer === 'function'
        ? crypto.sha256(new SharedArrayBuffer(4)) === crypto.sha256(new Uint8Array(4)) : 'absent',
      equalViews: crypto.timingSafeEqual(new Uint16Array([0x0201]), new DataView(new Uint8Array([1, 2]).buffer)),
      storageInt16: (() => {
        storage.write('views/i16.bin', i16);
        storage.write('views/dv.bin', new DataView(bytes.buffer, 8));
        return [Array.from(storage.readBytes('views/i16.bin')), Array.from(storage.readBytes('views/dv.bin'))];
      })(),
    };
  });
  router.get('/big', () => {
    const n = 8 * 1024 * 1024;
    const data = new Uint8Array(n);
    let x = 12345;
    for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; data[i] = x >>> 24; }
    const b64 = encoding.base64Encode(data);
    const back = encoding.base64Decode(b64, 'bytes');
    let same = back instanceof Uint8Array && back.length === n;
    for (let i = 0; same && i < n; i++) same = back[i] === data[i];
    const hexBack = encoding.hexDecode(encoding.hexEncode(data.subarray(0, 1 << 20)), 'bytes');
    let hexSame = hexBack.length === 1 << 20;
    for (let i = 0; hexSame && i < hexBack.length; i++) hexSame = hexBack[i] === data[i];
    return { b64Length: b64.length, b64Sha: crypto.sha256(b64), dataSha: crypto.sha256(data), same, hexSame };
  });
  router.get('/wrong', () => ({
    sha256Array: caught(() => crypto.sha256([1, 2, 3])),
    sha256Object: caught(() => crypto.sha256({ 0: 1, length: 1 })),
    hmacKey: caught(() => crypto.hmac('sha256', 5, 'x')),
    timing: caught(() => crypto.timingSafeEqual('a', {})),
    hexEncodeNull: caught(() => encoding.hexEncode(null)),
    base64EncodeNumber: caught(() => encoding.base64Encode(42)),
    storageNumber: caught(() => storage.write('x.bin', 42)),
    storageObject: caught(() => storage.write('x.bin', { bytes: [1] })),
    storageArray: caught(() => storage.write('x.bin', [1, 2])),
    recordBytes: caught(() => database.docs.insert({ doc: { avatar: new Uint8Array([1, 2]) } })),
    filterBytes: caught(() => database.docs.find({ doc: new Uint8Array(1) })),
    recordOk: caught(() => database.docs.insert({ doc: { a: [1, 'x'] } })),
  }));
}

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  ({ project } = await runningProject(server, rootToken, `(${service.toString()})();`));
  await createModel(server, rootToken, project.id, { name: 'docs', fields: [{ key: 'doc', type: 'document' }] });
});

after(async () => {
  await server?.stop();
});

const get = async (p) => expectStatus(await callRoute(server, project.slug, p, { timeout: 120_000 }), 200, p).body;
const sha256 = (bytes) => nodeCrypto.createHash('sha256').update(Buffer.from(bytes)).digest('hex');
const raw = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);

test('crypto and storage take a DataView, an ArrayBuffer, an Int16Array, a Float64Array subarray as their raw bytes', async () => {
  const r = await get('/views');
  const i16 = new Int16Array([0x0102, -1, 0x7fff, -0x8000]);
  assert.equal(r.dataView, sha256([3, 4, 5, 6]));
  assert.equal(r.arrayBuffer, sha256([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  assert.equal(r.int16, sha256(raw(i16)));
  assert.equal(r.float64Sub, sha256(raw(new Float64Array([1.5, -2, 1e300]).subarray(1))));
  assert.equal(r.hmacKeyView, nodeCrypto.createHmac('sha256', Buffer.from([1, 2, 3])).update(raw(i16)).digest('hex'));
  assert.ok(r.shared === true || r.shared === 'absent', `a SharedArrayBuffer: ${r.shared}`);
  assert.equal(r.equalViews, true);
  assert.deepEqual(r.storageInt16, [[...raw(i16)], [8, 9]]);
});

test('8 MiB of bytes round-trip through encoding.base64Encode / base64Decode (and 1 MiB through hex)', async () => {
  const r = await get('/big');
  const n = 8 * 1024 * 1024;
  const data = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; data[i] = x >>> 24; }
  assert.equal(r.dataSha, sha256(data), 'the bytes made in the project are the ones made here');
  const b64 = Buffer.from(data).toString('base64');
  assert.equal(r.b64Length, b64.length);
  assert.equal(r.b64Sha, sha256(Buffer.from(b64)), "base64Encode matches Node's");
  assert.equal(r.same, true, 'base64Decode gives every byte back');
  assert.equal(r.hexSame, true);
});

test('anything but a string or bytes is INVALID_ARGUMENT; records refuse bytes with a hint', async () => {
  const r = await get('/wrong');
  for (const k of ['sha256Array', 'sha256Object', 'hmacKey', 'timing', 'hexEncodeNull', 'base64EncodeNumber',
    'storageNumber', 'storageObject', 'storageArray', 'recordBytes', 'filterBytes']) {
    assert.equal(r[k].ctor, 'TypeError', `${k}: ${JSON.stringify(r[k])}`);
    assert.equal(r[k].code, 'INVALID_ARGUMENT', `${k}: ${JSON.stringify(r[k])}`);
  }
  assert.match(r.sha256Array.message, /^crypto\.sha256: argument 1 \(data\) must be a string, Uint8Array, ArrayBuffer or ArrayBufferView$/);
  assert.match(r.storageNumber.message, /^storage\.write: argument 2 \(content\) must be a string, Uint8Array/);
  assert.match(r.recordBytes.message, /holds bytes .*storage/);
  assert.deepEqual(r.recordOk, { returned: 'object' });
});
