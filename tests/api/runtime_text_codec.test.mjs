// TextEncoder / TextDecoder in a project (the Encoding Standard's UTF-8),
// with Node's own TextEncoder/TextDecoder as the oracle on random input:
// lone surrogates encode as U+FFFD, invalid byte sequences decode as U+FFFD
// per maximal subpart, `fatal` throws, the BOM is stripped unless ignoreBOM.
// Regression: the prelude used to throw a URIError on a lone surrogate and
// return invalid UTF-8 as Latin-1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

let server, rootToken, project;

// Runs inside m3m.
function service() {
  router.post('/encode', (req) => {
    const strings = req.body.strings;
    return strings.map((s) => Array.from(new TextEncoder().encode(s)));
  });
  router.post('/decode', (req) => {
    return req.body.inputs.map((bytes) => new TextDecoder().decode(new Uint8Array(bytes)));
  });
  router.get('/edges', () => {
    const caught = (fn) => {
      try {
        return { value: fn() };
      } catch (e) {
        return { error: e.constructor.name, message: e.message };
      }
    };
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]);
    const dest = new Uint8Array(4);
    const into = new TextEncoder().encodeInto('aпри', dest);
    return {
      fatalBad: caught(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0x68, 0xc3]))),
      fatalGood: caught(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xd0, 0xbf]))),
      bomStripped: new TextDecoder().decode(bom),
      bomKept: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bom).length,
      label: caught(() => new TextDecoder('latin1')),
      utf8Label: new TextDecoder('UTF8').encoding,
      notBytes: caught(() => new TextDecoder().decode('abc')),
      fromBuffer: new TextDecoder().decode(new Uint8Array([0x68, 0x69]).buffer),
      fromDataView: new TextDecoder().decode(new DataView(new Uint8Array([0x6f, 0x6b]).buffer)),
      empty: new TextDecoder().decode(),
      into: { ...into, dest: Array.from(dest) },
      big: new TextDecoder().decode(new TextEncoder().encode('ж'.repeat(1 << 20))).length,
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

function randomString(n) {
  const units = [];
  for (let i = 0; i < n; i++) {
    const r = Math.random();
    if (r < 0.3) units.push(0x20 + Math.floor(Math.random() * 0x5f));
    else if (r < 0.5) units.push(0x400 + Math.floor(Math.random() * 0x100));
    else if (r < 0.65) units.push(0xd800 + Math.floor(Math.random() * 0x800)); // surrogates, often lone
    else if (r < 0.8) units.push(0xe000 + Math.floor(Math.random() * 0x2000));
    else units.push(Math.floor(Math.random() * 0x10000));
  }
  // JSON carries lone surrogates as \uXXXX escapes.
  return String.fromCharCode(...units);
}

function randomBytes(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = Math.random();
    out.push(r < 0.4 ? Math.floor(Math.random() * 0x80) : r < 0.7 ? 0x80 + Math.floor(Math.random() * 0x40) : 0xc0 + Math.floor(Math.random() * 0x40));
  }
  return out;
}

test('TextEncoder.encode matches Node on 2,000 random strings with lone surrogates', async () => {
  const strings = Array.from({ length: 2000 }, (_, i) => randomString(1 + (i % 40)));
  const res = await callRoute(server, project.slug, '/encode', { method: 'POST', body: { strings } });
  expectStatus(res, 200);
  const enc = new TextEncoder();
  strings.forEach((s, i) => assert.deepEqual(res.body[i], Array.from(enc.encode(s)), `string ${i}: ${JSON.stringify(s)}`));
});

test('TextDecoder.decode matches Node on 2,000 random byte sequences (invalid UTF-8 → U+FFFD per maximal subpart)', async () => {
  const inputs = Array.from({ length: 2000 }, (_, i) => randomBytes(1 + (i % 40)));
  const res = await callRoute(server, project.slug, '/decode', { method: 'POST', body: { inputs } });
  expectStatus(res, 200);
  const dec = new TextDecoder();
  inputs.forEach((b, i) => assert.equal(res.body[i], dec.decode(new Uint8Array(b)), `bytes ${i}: ${b}`));
});

test('fatal, BOM, labels, input kinds, encodeInto, a 2 MiB round trip', async () => {
  const res = await callRoute(server, project.slug, '/edges');
  expectStatus(res, 200);
  const e = res.body;
  assert.equal(e.fatalBad.error, 'TypeError');
  assert.equal(e.fatalGood.value, 'п');
  assert.equal(e.bomStripped, 'hi');
  assert.equal(e.bomKept, 3);
  assert.equal(e.label.error, 'RangeError');
  assert.equal(e.utf8Label, 'utf-8');
  assert.equal(e.notBytes.error, 'TypeError');
  assert.equal(e.fromBuffer, 'hi');
  assert.equal(e.fromDataView, 'ok');
  assert.equal(e.empty, '');
  // 'a' (1 byte) + 'п' (2 bytes) fit in 4 bytes; 'р' would not: whole characters only.
  assert.deepEqual(e.into, { read: 2, written: 3, dest: [0x61, 0xd0, 0xbf, 0] });
  assert.equal(e.big, 1 << 20);
});
