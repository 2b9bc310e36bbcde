// The `crypto` and `encoding` runtime modules and the atob/btoa globals (issue 16), called
// from a running project: known vectors (FIPS 180, RFC 1321, RFC 4231, RFC 4648), every
// output encoding, Uint8Array/ArrayBuffer in and out, passwords, random values, and the
// errors (with .code) for wrong types and bad encodings. Node's own crypto is the oracle
// where no published vector exists.
// Contract: docs/runtime.md ("crypto", "encoding").
import assert from 'node:assert/strict';
import nodeCrypto from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, callRoute, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

let server, rootToken, project;

// The service: a function serialized into the project (runs inside m3m, not in Node).
function service() {
  const u8 = (x) => Array.from(x);
  const caught = (fn) => {
    try {
      const r = fn();
      return { returned: r instanceof Uint8Array ? 'Uint8Array' : typeof r };
    } catch (e) {
      return { ctor: e.constructor.name, name: e.name, code: e.code, message: e.message };
    }
  };

  router.get('/digests', () => {
    const out = {};
    for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
      out[alg] = {
        abc: crypto[alg]('abc'),
        empty: crypto[alg](''),
        hex: crypto[alg]('abc', 'hex'),
        base64: crypto[alg]('abc', 'base64'),
        base64url: crypto[alg]('abc', 'base64url'),
        bytes: u8(crypto[alg]('abc', 'bytes')),
        bytesIsUint8Array: crypto[alg]('abc', 'bytes') instanceof Uint8Array,
        fromUint8Array: crypto[alg](new Uint8Array([97, 98, 99])),
        fromArrayBuffer: crypto[alg](new Uint8Array([97, 98, 99]).buffer),
        fromSubarray: crypto[alg](new Uint8Array([0, 97, 98, 99, 0]).subarray(1, 4)),
        fromDataView: crypto[alg](new DataView(new Uint8Array([97, 98, 99]).buffer)),
      };
    }
    out.sha256Utf8 = crypto.sha256('héllo ✓ 😀');
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    out.sha256AllBytes = crypto.sha256(all);
    out.sha256Uint16 = crypto.sha256(new Uint16Array([0x0201, 0x0403]));  // its raw (little-endian) bytes
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
    out.sha512Big = crypto.sha512(big);
    out.sha1Million = crypto.sha1('a'.repeat(1000000));
    return out;
  });

  router.get('/hmac', () => {
    const bytes = (n, v) => new Uint8Array(n).fill(v);
    const key4 = new Uint8Array(25);
    for (let i = 0; i < 25; i++) key4[i] = i + 1;
    const cases = {
      1: [bytes(20, 0x0b), 'Hi There'],
      2: ['Jefe', 'what do ya want for nothing?'],
      3: [bytes(20, 0xaa), bytes(50, 0xdd)],
      4: [key4, bytes(50, 0xcd)],
      6: [bytes(131, 0xaa), 'Test Using Larger Than Block-Size Key - Hash Key First'],
      7: [bytes(131, 0xaa), 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'],
    };
    const out = {};
    for (const [n, [key, data]] of Object.entries(cases)) {
      out[n] = { sha256: crypto.hmac('sha256', key, data), sha512: crypto.hmac('sha512', key, data) };
    }
    out.encodings = {
      base64: crypto.hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'base64'),
      base64url: crypto.hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'base64url'),
      bytes: u8(crypto.hmac('sha256', 'Jefe', 'what do ya want for nothing?', 'bytes')),
      md5: crypto.hmac('md5', 'key', 'The quick brown fox jumps over the lazy dog'),
      sha1: crypto.hmac('sha1', 'key', 'The quick brown fox jumps over the lazy dog'),
      emptyKey: crypto.hmac('sha256', '', ''),
    };
    return out;
  });

  router.get('/random', () => {
    const uuids = [];
    for (let i = 0; i < 200; i++) uuids.push(crypto.randomUUID());
    const u8arr = new Uint8Array(64);
    const same = crypto.getRandomValues(u8arr) === u8arr;
    const u32 = crypto.getRandomValues(new Uint32Array(16));
    const buf = new Uint8Array(32);
    crypto.getRandomValues(buf.subarray(8, 16));
    const max = crypto.getRandomValues(new Uint8Array(65536));
    const i16 = crypto.getRandomValues(new Int16Array(8));
    return {
      hex: crypto.randomBytes(16),
      hex2: crypto.randomBytes(16),
      base64: crypto.randomBytes(16, 'base64'),
      base64url: crypto.randomBytes(16, 'base64url'),
      bytes: crypto.randomBytes(16, 'bytes') instanceof Uint8Array ? u8(crypto.randomBytes(16, 'bytes')) : null,
      zero: crypto.randomBytes(0),
      zeroBytes: crypto.randomBytes(0, 'bytes').length,
      mib: crypto.randomBytes(1048576, 'bytes').length,
      uuids,
      getRandomValues: {
        same, u8: u8(u8arr), u32: Array.from(u32), u32Type: u32 instanceof Uint32Array, i16Type: i16 instanceof Int16Array,
        subarray: u8(buf), maxLength: max.length, maxNonZero: max.some((b) => b !== 0),
      },
      quota: caught(() => crypto.getRandomValues(new Uint8Array(65537))),
      quota32: caught(() => crypto.getRandomValues(new Uint32Array(16385))),
    };
  });

  router.get('/timing', () => ({
    equal: crypto.timingSafeEqual('abc', 'abc'),
    differ: crypto.timingSafeEqual('abc', 'abd'),
    lengths: crypto.timingSafeEqual('abc', 'abcd'),
    lengthsBytes: crypto.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])),
    empty: crypto.timingSafeEqual('', new Uint8Array(0)),
    mixed: crypto.timingSafeEqual('abc', new Uint8Array([97, 98, 99])),
    utf8: crypto.timingSafeEqual('é', new Uint8Array([0xc3, 0xa9])),
    bytes: crypto.timingSafeEqual(new Uint8Array([0, 255]), new Uint8Array([0, 255]).buffer),
    bytesDiffer: crypto.timingSafeEqual(new Uint8Array([0, 255]), new Uint8Array([0, 254])),
    macs: crypto.timingSafeEqual(crypto.hmac('sha256', 'k', 'm'), crypto.hmac('sha256', 'k', 'm')),
  }));

  router.get('/passwords', () => {
    const hash = crypto.hashPassword('correct horse battery staple');
    const again = crypto.hashPassword('correct horse battery staple');
    const unicode = crypto.hashPassword('пароль ✓ 😀');
    return {
      hash,
      differs: hash !== again,
      ok: crypto.verifyPassword('correct horse battery staple', hash),
      okAgain: crypto.verifyPassword('correct horse battery staple', again),
      wrong: crypto.verifyPassword('correct horse battery stapler', hash),
      empty: crypto.verifyPassword('', hash),
      unicode: crypto.verifyPassword('пароль ✓ 😀', unicode),
      unicodeWrong: crypto.verifyPassword('пароль ✓', unicode),
      garbage: crypto.verifyPassword('x', 'not a hash'),
      garbageArgon: crypto.verifyPassword('x', '$argon2id$v=19$m=19456,t=2,p=1$garbage$garbage'),
      emptyHash: crypto.verifyPassword('x', ''),
      tampered: crypto.verifyPassword('correct horse battery staple', hash.slice(0, -2) + (hash.endsWith('AA') ? 'BB' : 'AA')),
    };
  });

  router.get('/encoding', () => {
    const rfc = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'];
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = i;
    let latin1 = '';
    for (let i = 0; i < 256; i++) latin1 += String.fromCharCode(i);
    return {
      base64: rfc.map((s) => encoding.base64Encode(s)),
      base64Back: rfc.map((s) => encoding.base64Decode(encoding.base64Encode(s))),
      base64url: rfc.map((s) => encoding.base64urlEncode(s)),
      base64urlBack: rfc.map((s) => encoding.base64urlDecode(encoding.base64urlEncode(s))),
      hex: rfc.map((s) => encoding.hexEncode(s)),
      hexBack: rfc.map((s) => encoding.hexDecode(encoding.hexEncode(s).toUpperCase())),
      utf8: encoding.base64Encode('héllo ✓'),
      utf8Back: encoding.base64Decode(encoding.base64Encode('héllo ✓')),
      unpadded: encoding.base64Decode('Zm9vYg'),
      allBase64: encoding.base64Encode(all),
      allBase64url: encoding.base64urlEncode(all.buffer),
      allHex: encoding.hexEncode(all),
      allBack: u8(encoding.base64Decode(encoding.base64Encode(all), 'bytes')),
      allBackUrl: u8(encoding.base64urlDecode(encoding.base64urlEncode(all), 'bytes')),
      allBackHex: u8(encoding.hexDecode(encoding.hexEncode(all), 'bytes')),
      bytesType: encoding.base64Decode('AAE=', 'bytes') instanceof Uint8Array,
      utf8Explicit: encoding.hexDecode('6869', 'utf8'),
      json: encoding.jsonParse('{"a":[1,2,{"b":null}],"c":"é"}'),
      jsonOut: encoding.jsonStringify({ a: [1, 2], c: 'é' }),
      jsonIndent: encoding.jsonStringify({ a: 1 }, 2),
      url: encoding.urlEncode("a b&c=d/é?!'()*~-._"),
      urlBack: encoding.urlDecode(encoding.urlEncode("a b&c=d/é?!'()*~-._")),
      urlPlus: encoding.urlDecode('a+b%2Bc'),
      globals: [typeof atob, typeof btoa],
      btoa: btoa('hello'),
      btoaLatin1: btoa(latin1),
      atob: atob('aGVsbG8='),
      atobLoose: atob(' aGVs\nbG8 '),
      atobUnpadded: atob('aGVsbG8'),
      atobLatin1: atob(btoa(latin1)) === latin1,
      atobNumber: atob(1234),
    };
  });

  router.get('/errors', () => {
    const cycle = {};
    cycle.self = cycle;
    return {
      md5Number: caught(() => crypto.md5(42)),
      md5Null: caught(() => crypto.md5(null)),
      sha256Missing: caught(() => crypto.sha256()),
      sha1Array: caught(() => crypto.sha1([1, 2, 3])),
      badEncoding: caught(() => crypto.sha512('abc', 'latin1')),
      hmacAlgorithm: caught(() => crypto.hmac('sha384', 'k', 'd')),
      hmacKey: caught(() => crypto.hmac('sha256', 42, 'd')),
      hmacData: caught(() => crypto.hmac('sha256', 'k', {})),
      randomNegative: caught(() => crypto.randomBytes(-1)),
      randomFraction: caught(() => crypto.randomBytes(1.5)),
      randomString: caught(() => crypto.randomBytes('4')),
      randomHuge: caught(() => crypto.randomBytes(1048577)),
      randomEncoding: caught(() => crypto.randomBytes(4, 'utf8')),
      timingType: caught(() => crypto.timingSafeEqual(1, 'a')),
      hashType: caught(() => crypto.hashPassword(12345678)),
      verifyType: caught(() => crypto.verifyPassword('a', null)),
      grvArray: caught(() => crypto.getRandomValues([1, 2])),
      grvFloat: caught(() => crypto.getRandomValues(new Float64Array(2))),
      grvDataView: caught(() => crypto.getRandomValues(new DataView(new ArrayBuffer(4)))),
      tooLarge: caught(() => crypto.sha256('x'.repeat(64 * 1024 * 1024 + 1))),
      b64Bad: caught(() => encoding.base64Decode('!!!!')),
      b64Type: caught(() => encoding.base64Decode(5)),
      b64Length: caught(() => encoding.base64Decode('Zm9vY')),
      b64Space: caught(() => encoding.base64Decode('Zm9v YmFy')),
      b64Output: caught(() => encoding.base64Decode('Zm9v', 'latin1')),
      b64NotUtf8: caught(() => encoding.base64Decode('/w==')),
      b64NotUtf8Bytes: caught(() => encoding.base64Decode('/w==', 'bytes')),
      b64urlStd: caught(() => encoding.base64urlDecode('+/+/')),
      b64EncType: caught(() => encoding.base64Encode(123)),
      hexOdd: caught(() => encoding.hexDecode('abc')),
      hexBad: caught(() => encoding.hexDecode('zz')),
      hexEncType: caught(() => encoding.hexEncode(undefined)),
      jsonBad: caught(() => encoding.jsonParse('{')),
      jsonType: caught(() => encoding.jsonParse(1)),
      jsonUndefined: caught(() => encoding.jsonStringify(undefined)),
      jsonCycle: caught(() => encoding.jsonStringify(cycle)),
      jsonIndent: caught(() => encoding.jsonStringify({}, {})),
      urlBadEscape: caught(() => encoding.urlDecode('%E0%A4%A')),
      urlNotUtf8: caught(() => encoding.urlDecode('%FF')),
      urlSurrogate: caught(() => encoding.urlEncode('\uD800')),
      urlType: caught(() => encoding.urlEncode(1)),
      atobLength: caught(() => atob('a')),
      atobChars: caught(() => atob('!!!!')),
      atobPadding: caught(() => atob('aGVsbG8==')),
      atobNone: caught(() => atob()),
      btoaWide: caught(() => btoa('€')),
      btoaSurrogate: caught(() => btoa('\uD800')),
    };
  });
}

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  ({ project } = await runningProject(server, rootToken, `(${service.toString()})();`));
});
after(async () => {
  await server?.stop();
});

const get = async (p) => expectStatus(await callRoute(server, project.slug, p), 200, p).body;
const node = (alg, data, enc = 'hex') => nodeCrypto.createHash(alg).update(data).digest(enc);
const nodeHmac = (alg, key, data, enc = 'hex') => nodeCrypto.createHmac(alg, key).update(data).digest(enc);

test('md5, sha1, sha256, sha512: FIPS 180 / RFC 1321 vectors, every output encoding, bytes in', async () => {
  const r = await get('/digests');
  const abc = {
    md5: '900150983cd24fb0d6963f7d28e17f72',
    sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    sha512: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  };
  const empty = {
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    sha512: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
  };
  for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
    const d = r[alg];
    assert.equal(d.abc, abc[alg], `${alg}('abc')`);
    assert.equal(d.empty, empty[alg], `${alg}('')`);
    assert.equal(d.hex, abc[alg], `${alg} hex`);
    const raw = Buffer.from(abc[alg], 'hex');
    assert.equal(d.base64, raw.toString('base64'), `${alg} base64 (padded)`);
    assert.equal(d.base64url, raw.toString('base64url'), `${alg} base64url (no padding)`);
    assert.ok(!d.base64url.includes('='), 'base64url has no padding');
    assert.deepEqual(d.bytes, [...raw], `${alg} bytes`);
    assert.equal(d.bytesIsUint8Array, true, `${alg} 'bytes' is a Uint8Array`);
    for (const k of ['fromUint8Array', 'fromArrayBuffer', 'fromSubarray', 'fromDataView']) assert.equal(d[k], abc[alg], `${alg} ${k}`);
  }
  assert.equal(r.sha256Utf8, node('sha256', Buffer.from('héllo ✓ 😀', 'utf8')), 'strings hash as UTF-8');
  assert.equal(r.sha256AllBytes, node('sha256', Buffer.from([...Array(256).keys()])), 'every byte value');
  assert.equal(r.sha256Uint16, node('sha256', Buffer.from([1, 2, 3, 4])), 'a Uint16Array hashes as its raw bytes');
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 255;
  assert.equal(r.sha512Big, node('sha512', big), '1 MiB of bytes');
  assert.equal(r.sha1Million, '34aa973cd4c4daa4f61eeb2bdbad27316534016f', 'FIPS 180: one million a');
});

test('hmac: RFC 4231 test cases 1-4, 6, 7 (SHA-256, SHA-512), keys as bytes or strings, output encodings', async () => {
  const r = await get('/hmac');
  const expected = {
    1: ['b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854'],
    2: ['5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737'],
    3: ['773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe', 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb'],
    4: ['82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b', 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd'],
    6: ['60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54', '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598'],
    7: ['9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2', 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58'],
  };
  for (const [n, [sha256, sha512]] of Object.entries(expected)) {
    assert.equal(r[n].sha256, sha256, `RFC 4231 case ${n}, HMAC-SHA-256`);
    assert.equal(r[n].sha512, sha512, `RFC 4231 case ${n}, HMAC-SHA-512`);
  }
  const raw = Buffer.from(expected[2][0], 'hex');
  assert.equal(r.encodings.base64, raw.toString('base64'));
  assert.equal(r.encodings.base64url, raw.toString('base64url'));
  assert.deepEqual(r.encodings.bytes, [...raw]);
  const fox = 'The quick brown fox jumps over the lazy dog';
  assert.equal(r.encodings.md5, '80070713463e7749b90c2dc24911e275');
  assert.equal(r.encodings.sha1, 'de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9');
  assert.equal(r.encodings.md5, nodeHmac('md5', 'key', fox));
  assert.equal(r.encodings.emptyKey, nodeHmac('sha256', '', ''));
});

test('randomBytes, randomUUID (v4) and getRandomValues (in place, typed arrays, 65536-byte quota)', async () => {
  const r = await get('/random');
  assert.match(r.hex, /^[0-9a-f]{32}$/);
  assert.notEqual(r.hex, r.hex2, 'two draws differ');
  assert.equal(Buffer.from(r.base64, 'base64').length, 16);
  assert.match(r.base64, /^[A-Za-z0-9+/]{22}==$/);
  assert.match(r.base64url, /^[A-Za-z0-9_-]{22}$/);
  assert.ok(Array.isArray(r.bytes) && r.bytes.length === 16 && r.bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256));
  assert.equal(r.zero, '');
  assert.equal(r.zeroBytes, 0);
  assert.equal(r.mib, 1048576);

  const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const u of r.uuids) assert.match(u, V4);
  assert.equal(new Set(r.uuids).size, r.uuids.length, 'no repeated UUID');

  const g = r.getRandomValues;
  assert.equal(g.same, true, 'returns the array it filled');
  assert.ok(g.u8.some((b) => b !== 0), 'a Uint8Array is filled');
  assert.equal(g.u32Type, true);
  assert.equal(g.u32.length, 16);
  assert.ok(g.u32.some((v) => v > 0xffffff), 'a Uint32Array gets 32-bit values');
  assert.equal(g.i16Type, true);
  assert.deepEqual(g.subarray.slice(0, 8), [0, 0, 0, 0, 0, 0, 0, 0], 'only the view is filled (before)');
  assert.deepEqual(g.subarray.slice(16), new Array(16).fill(0), 'only the view is filled (after)');
  assert.ok(g.subarray.slice(8, 16).some((b) => b !== 0), 'the view is filled');
  assert.equal(g.maxLength, 65536);
  assert.equal(g.maxNonZero, true);
  for (const q of [r.quota, r.quota32]) {
    assert.equal(q.name, 'QuotaExceededError', JSON.stringify(q));
    assert.match(q.message, /65536/);
    assert.equal(q.code, 'PAYLOAD_TOO_LARGE');
  }
});

test('timingSafeEqual: same bytes, different bytes, different lengths, strings against bytes', async () => {
  const r = await get('/timing');
  assert.deepEqual(r, {
    equal: true, differ: false, lengths: false, lengthsBytes: false, empty: true, mixed: true, utf8: true,
    bytes: true, bytesDiffer: false, macs: true,
  });
});

test('hashPassword / verifyPassword: Argon2id round trip, wrong password, garbage hash', async () => {
  const r = await get('/passwords');
  assert.match(r.hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/, 'the same parameters as the server accounts');
  assert.equal(r.differs, true, 'salted: two hashes of one password differ');
  assert.equal(r.ok, true);
  assert.equal(r.okAgain, true);
  assert.equal(r.wrong, false);
  assert.equal(r.empty, false);
  assert.equal(r.unicode, true);
  assert.equal(r.unicodeWrong, false);
  assert.equal(r.garbage, false);
  assert.equal(r.garbageArgon, false);
  assert.equal(r.emptyHash, false);
  assert.equal(r.tampered, false);
});

test('encoding: RFC 4648 base64 / base64url / base16 vectors, bytes in and out, JSON, URL, atob/btoa', async () => {
  const r = await get('/encoding');
  assert.deepEqual(r.base64, ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zm9vYmE=', 'Zm9vYmFy']);
  assert.deepEqual(r.base64url, ['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy']);
  assert.deepEqual(r.hex, ['', '66', '666f', '666f6f', '666f6f62', '666f6f6261', '666f6f626172']);
  const rfc = ['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'];
  assert.deepEqual(r.base64Back, rfc);
  assert.deepEqual(r.base64urlBack, rfc);
  assert.deepEqual(r.hexBack, rfc, 'hexDecode reads upper case');
  assert.equal(r.utf8, Buffer.from('héllo ✓').toString('base64'));
  assert.equal(r.utf8Back, 'héllo ✓');
  assert.equal(r.unpadded, 'foob', 'padding is optional');
  const all = Buffer.from([...Array(256).keys()]);
  assert.equal(r.allBase64, all.toString('base64'));
  assert.equal(r.allBase64url, all.toString('base64url'));
  assert.equal(r.allHex, all.toString('hex'));
  for (const k of ['allBack', 'allBackUrl', 'allBackHex']) assert.deepEqual(r[k], [...all], k);
  assert.equal(r.bytesType, true);
  assert.equal(r.utf8Explicit, 'hi');
  assert.deepEqual(r.json, { a: [1, 2, { b: null }], c: 'é' });
  assert.equal(r.jsonOut, '{"a":[1,2],"c":"é"}');
  assert.equal(r.jsonIndent, '{\n  "a": 1\n}');
  assert.equal(r.url, 'a%20b%26c%3Dd%2F%C3%A9%3F%21%27%28%29%2A~-._');
  assert.equal(r.urlBack, "a b&c=d/é?!'()*~-._");
  assert.equal(r.urlPlus, 'a+b+c');
  assert.deepEqual(r.globals, ['function', 'function']);
  assert.equal(r.btoa, 'aGVsbG8=');
  let latin1 = '';
  for (let i = 0; i < 256; i++) latin1 += String.fromCharCode(i);
  assert.equal(r.btoaLatin1, Buffer.from(latin1, 'latin1').toString('base64'), 'btoa of every char U+0000-U+00FF');
  assert.equal(r.btoaLatin1, btoa(latin1), "the same as Node's btoa");
  assert.equal(r.atob, 'hello');
  assert.equal(r.atobLoose, 'hello', 'atob skips whitespace');
  assert.equal(r.atobUnpadded, 'hello', 'atob takes unpadded input');
  assert.equal(r.atobLatin1, true, 'atob(btoa(s)) === s for every Latin-1 character');
  assert.equal(r.atobNumber, atob(1234), 'atob converts its argument to a string, as the web does');
});

test('errors: wrong types throw TypeError INVALID_ARGUMENT; bad encodings and limits throw with a code', async () => {
  const r = await get('/errors');
  const typeErrors = ['md5Number', 'md5Null', 'sha256Missing', 'sha1Array', 'badEncoding', 'hmacAlgorithm', 'hmacKey',
    'hmacData', 'randomNegative', 'randomFraction', 'randomString', 'randomHuge', 'randomEncoding', 'timingType',
    'hashType', 'verifyType', 'grvArray', 'grvFloat', 'grvDataView', 'b64Bad', 'b64Type', 'b64Length', 'b64Space',
    'b64Output', 'b64NotUtf8', 'b64urlStd', 'b64EncType', 'hexOdd', 'hexBad', 'hexEncType', 'jsonType',
    'jsonUndefined', 'jsonCycle', 'jsonIndent', 'urlBadEscape', 'urlNotUtf8', 'urlSurrogate', 'urlType', 'atobNone'];
  for (const k of typeErrors) {
    assert.equal(r[k].ctor, 'TypeError', `${k}: ${JSON.stringify(r[k])}`);
    assert.equal(r[k].code, 'INVALID_ARGUMENT', `${k}: ${JSON.stringify(r[k])}`);
  }
  // Messages name the public function and the argument.
  assert.match(r.md5Number.message, /^crypto\.md5: argument 1 \(data\) must be a string, Uint8Array/);
  assert.match(r.hmacAlgorithm.message, /^crypto\.hmac: argument 1 \(algorithm\)/);
  assert.match(r.randomHuge.message, /^crypto\.randomBytes: .*1048576/);
  assert.match(r.b64Bad.message, /^encoding\.base64Decode: argument 1 \(text\) is not base64/);
  assert.match(r.b64NotUtf8.message, /not UTF-8.*'bytes'/);
  assert.match(r.hexOdd.message, /^encoding\.hexDecode: /);
  assert.match(r.b64urlStd.message, /^encoding\.base64urlDecode: /);
  assert.equal(r.b64NotUtf8Bytes.returned, 'Uint8Array', "the same bytes decode with 'bytes'");
  // jsonParse: a SyntaxError, as JSON.parse, with the code.
  assert.equal(r.jsonBad.ctor, 'SyntaxError');
  assert.equal(r.jsonBad.code, 'INVALID_ARGUMENT');
  assert.match(r.jsonBad.message, /^encoding\.jsonParse: /);
  // Past 64 MiB: a RangeError PAYLOAD_TOO_LARGE before the string is copied.
  assert.equal(r.tooLarge.ctor, 'RangeError', JSON.stringify(r.tooLarge));
  assert.equal(r.tooLarge.code, 'PAYLOAD_TOO_LARGE');
  // atob/btoa: InvalidCharacterError, as in browsers.
  for (const k of ['atobLength', 'atobChars', 'atobPadding', 'btoaWide', 'btoaSurrogate']) {
    assert.equal(r[k].name, 'InvalidCharacterError', `${k}: ${JSON.stringify(r[k])}`);
    assert.equal(r[k].code, 'INVALID_ARGUMENT', k);
  }
});

test('GET /api/runtime/types declares crypto, encoding, atob and btoa with every function', async () => {
  const res = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  const dts = expectStatus(res, 200).text;
  assert.match(dts, /declare const crypto: \{/);
  assert.match(dts, /declare const encoding: \{/);
  assert.match(dts, /declare function atob\(data: string\): string;/);
  assert.match(dts, /declare function btoa\(data: string\): string;/);
  for (const f of ['md5', 'sha1', 'sha256', 'sha512', 'hmac', 'randomBytes', 'randomUUID', 'getRandomValues',
    'timingSafeEqual', 'hashPassword', 'verifyPassword', 'base64Encode', 'base64Decode', 'base64urlEncode',
    'base64urlDecode', 'hexEncode', 'hexDecode', 'jsonParse', 'jsonStringify', 'urlEncode', 'urlDecode']) {
    assert.match(dts, new RegExp(`\\n  ${f}[<(]`), `${f} is declared`);
  }
  assert.match(dts, /sha256\(data: string \| ArrayBuffer \| ArrayBufferView, encoding: 'bytes'\): Uint8Array;/);
  assert.match(dts, /base64Decode\(text: string, output: 'bytes'\): Uint8Array;/);
  assert.match(dts, /getRandomValues<T extends M3MIntegerArray>\(array: T\): T;/);
  // The native plumbing (binary strings) stays out of the declarations.
  assert.doesNotMatch(dts, /\bdigest\(algorithm/);
  assert.doesNotMatch(dts, /keyBinary/);
});
