// multipart/form-data request bodies (issue 16, `http` and `fetch`):
// http.* {multipart: [...]} with fields, files from text or bytes and files
// of the project's storage; fetch with a FormData (Blob, File). A local
// server checks each part's headers and bytes with its own parser and with
// undici's (Response.formData()).
// Contract: docs/runtime.md ("multipart/form-data bodies").
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import {
  api, callRoute, createProject, deploy, describe, expectStatus, startRunning, startWithRoot,
} from './fixtures.mjs';

let server;
let rootToken;
let peer;
let peerUrl;
let slug;
const received = []; // {headers, body: Buffer} of each POST the peer saw

// The peer's own parser: splits on the boundary and returns each part's raw
// header lines and exact bytes (no decoding), so the test sees what was sent.
function parseMultipart(contentType, body) {
  const m = /^multipart\/form-data; boundary=([A-Za-z0-9'()+_,\-./:=?]{1,70})$/.exec(contentType);
  assert.ok(m, `a multipart/form-data content type with a boundary: ${contentType}`);
  const delim = Buffer.from(`--${m[1]}`);
  assert.equal(body.subarray(0, delim.length).toString(), delim.toString(), 'the body starts with the boundary');
  assert.equal(body.subarray(body.length - delim.length - 4).toString(), `${delim}--\r\n`, 'and ends with the close delimiter');
  const parts = [];
  let at = delim.length;
  for (;;) {
    if (body.subarray(at, at + 2).toString() === '--') break;
    assert.equal(body.subarray(at, at + 2).toString(), '\r\n');
    const headEnd = body.indexOf('\r\n\r\n', at + 2);
    const headers = body.subarray(at + 2, headEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    parts.push({ headers, data: body.subarray(headEnd + 4, next) });
    at = next + 2 + delim.length;
  }
  return parts;
}

// The storage file: every byte value, twice, plus a PNG signature.
const BINARY = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from([...Array(256).keys(), ...Array(256).keys()])]);

before(async () => {
  peer = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      received.push({ headers: req.headers, body });
      // undici's own multipart parser as a second opinion.
      let fields = null;
      try {
        const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] || '' } }).formData();
        fields = [];
        for (const [k, v] of form) fields.push(typeof v === 'string' ? [k, v] : [k, { name: v.name, type: v.type, size: v.size }]);
      } catch (e) {
        fields = String(e);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: received.length - 1, fields }));
    });
  });
  await new Promise((r) => peer.listen(0, '127.0.0.1', r));
  peerUrl = `http://127.0.0.1:${peer.address().port}`;
  ({ server, rootToken } = await startWithRoot());

  const project = await createProject(server, rootToken);
  const f = new FormData();
  f.append('file', new Blob([BINARY], { type: 'application/octet-stream' }), 'logo.png');
  f.append('file', new Blob(['Привет из хранилища\n']), 'привет.txt');
  expectStatus(await api(server, 'POST', `/api/projects/${project.id}/storage/upload?path=files`, { token: rootToken, body: f }), 201, 'upload');
  const version = await deploy(server, rootToken, project.id, `
    const PEER = ${JSON.stringify(peerUrl)};
    const ROUTES = {
      parts: () => http.post(PEER + '/up', { multipart: [
        { name: 'title', value: 'Отчёт "Q3"' },
        { name: 'note', filename: 'note.txt', content: 'line 1\\r\\nline 2' },
        { name: 'raw', filename: 'data.bin', content: new Uint8Array([0, 1, 2, 13, 10, 45, 45, 255]), contentType: 'application/x-raw' },
        { name: 'buf', filename: 'ab.bin', content: new Uint8Array([7, 8, 9]).buffer },
        { name: 'logo', path: 'files/logo.png' },
        { name: 'doc', path: 'files/привет.txt', filename: 'отчёт.txt', contentType: 'text/plain; charset=utf-8' },
      ] }, { headers: { 'Content-Type': 'text/plain', 'X-Extra': '1' } }).json(),
      formData: async () => {
        const form = new FormData();
        form.append('chat_id', '42');
        form.append('photo', new Blob([new Uint8Array([1, 2, 3, 0, 255])], { type: 'image/png' }), 'кот.png');
        form.append('doc', new File(['hello'], 'hello.txt', { type: 'text/plain' }));
        form.append('anon', new Blob(['x']));
        form.set('chat_id', '43');
        const r = await fetch(PEER + '/up', { method: 'POST', body: form });
        return { status: r.status, json: await r.json(),
                 api: { get: form.get('chat_id'), all: form.getAll('doc').map((f) => f.name), has: form.has('nope'),
                        keys: [...form.keys()], size: form.get('photo').size, type: form.get('photo').type,
                        tag: Object.prototype.toString.call(form), text: await form.get('doc').text(),
                        slice: await new Blob(['abcdef']).slice(1, -1).text() } };
      },
      viaHttp: () => { const form = new FormData(); form.append('a', 'b'); return http.post(PEER + '/up', { multipart: form }).json(); },
      errors: () => {
        const attempt = (parts) => { try { http.post(PEER + '/up', { multipart: parts }); return 'sent'; } catch (e) { return [e.name, e.code, e.message]; } };
        return {
          crlfName: attempt([{ name: 'a\\r\\nX-Injected: 1', value: 'v' }]),
          crlfFile: attempt([{ name: 'a', filename: 'x\\n.txt', content: 'v' }]),
          crlfType: attempt([{ name: 'a', filename: 'x.txt', content: 'v', contentType: 'text/plain\\r\\nX: 1' }]),
          noName: attempt([{ value: 'v' }]),
          two: attempt([{ name: 'a', value: 'v', path: 'files/logo.png' }]),
          none: attempt([{ name: 'a' }]),
          notArray: attempt('x'),
          missing: attempt([{ name: 'a', path: 'files/missing.bin' }]),
          escape: attempt([{ name: 'a', path: '../../etc/passwd' }]),
          badContent: attempt([{ name: 'a', content: 5 }]),
          fetchBody: (() => { try { new Request(PEER, { method: 'POST', body: { a: 1 } }); return 'accepted'; } catch (e) { return e.name; } })(),
          fileNeedsBlob: (() => { try { new FormData().append('a', 'b', 'c.txt'); return 'accepted'; } catch (e) { return e.name; } })(),
        };
      },
    };
    service.start(() => { for (const [k, fn] of Object.entries(ROUTES)) router.get('/' + k, fn); });`);
  await startRunning(server, rootToken, project.id, version);
  slug = project.slug;
});
after(async () => {
  await server?.stop();
  await new Promise((r) => peer.close(r));
});

async function t(name) {
  const res = await callRoute(server, slug, '/' + name);
  expectStatus(res, 200, `route /${name} (${describe(res)})`);
  return res.body;
}

test('http.post {multipart}: fields, files from text and bytes, files of the storage — headers and bytes as sent', async () => {
  const r = await t('parts');
  const req = received[r.n];
  assert.equal(req.headers['x-extra'], '1');
  const parts = parseMultipart(req.headers['content-type'], req.body);
  assert.match(req.headers['content-type'], /boundary=m3m-form-[a-z0-9]{32}$/, 'the Content-Type given is replaced');
  assert.equal(Number(req.headers['content-length']), req.body.length);
  assert.equal(parts.length, 6);
  const [title, note, raw, buf, logo, doc] = parts;
  assert.deepEqual(title.headers, ['Content-Disposition: form-data; name="title"']);
  assert.equal(title.data.toString('utf8'), 'Отчёт "Q3"');
  assert.deepEqual(note.headers, ['Content-Disposition: form-data; name="note"; filename="note.txt"', 'Content-Type: text/plain; charset=utf-8']);
  assert.equal(note.data.toString(), 'line 1\r\nline 2');
  assert.deepEqual(raw.headers, ['Content-Disposition: form-data; name="raw"; filename="data.bin"', 'Content-Type: application/x-raw']);
  assert.deepEqual([...raw.data], [0, 1, 2, 13, 10, 45, 45, 255]);
  assert.deepEqual([...buf.data], [7, 8, 9], 'an ArrayBuffer');
  assert.deepEqual(logo.headers, ['Content-Disposition: form-data; name="logo"; filename="logo.png"', 'Content-Type: image/png'],
    'a storage file: named after its path, typed by its extension');
  assert.ok(logo.data.equals(BINARY), 'the storage file byte for byte');
  assert.deepEqual(doc.headers, ['Content-Disposition: form-data; name="doc"; filename="отчёт.txt"', 'Content-Type: text/plain; charset=utf-8'],
    'a UTF-8 filename is sent as UTF-8 (RFC 7578 §4.2, as browsers do)');
  assert.equal(doc.data.toString('utf8'), 'Привет из хранилища\n');
  // undici parses the same body to the same fields.
  assert.deepEqual(r.fields, [
    ['title', 'Отчёт "Q3"'],
    ['note', { name: 'note.txt', type: 'text/plain; charset=utf-8', size: 14 }],
    ['raw', { name: 'data.bin', type: 'application/x-raw', size: 8 }],
    ['buf', { name: 'ab.bin', type: 'application/octet-stream', size: 3 }],
    ['logo', { name: 'logo.png', type: 'image/png', size: BINARY.length }],
    ['doc', { name: 'отчёт.txt', type: 'text/plain; charset=utf-8', size: Buffer.byteLength('Привет из хранилища\n') }],
  ]);
});

test('fetch with a FormData body: Blob and File parts, UTF-8 filename, set() replacing; the FormData/Blob API', async () => {
  const r = await t('formData');
  assert.equal(r.status, 200);
  const req = received[r.json.n];
  const parts = parseMultipart(req.headers['content-type'], req.body);
  assert.deepEqual(parts.map((p) => p.headers), [
    ['Content-Disposition: form-data; name="chat_id"'],
    ['Content-Disposition: form-data; name="photo"; filename="кот.png"', 'Content-Type: image/png'],
    ['Content-Disposition: form-data; name="doc"; filename="hello.txt"', 'Content-Type: text/plain'],
    ['Content-Disposition: form-data; name="anon"; filename="blob"', 'Content-Type: application/octet-stream'],
  ]);
  assert.equal(parts[0].data.toString(), '43', 'set() replaced the value in place');
  assert.deepEqual([...parts[1].data], [1, 2, 3, 0, 255]);
  assert.equal(parts[2].data.toString(), 'hello');
  assert.deepEqual(r.json.fields.map(([k]) => k), ['chat_id', 'photo', 'doc', 'anon']);
  assert.deepEqual(r.api, { get: '43', all: ['hello.txt'], has: false, keys: ['chat_id', 'photo', 'doc', 'anon'], size: 5,
    type: 'image/png', tag: '[object FormData]', text: 'hello', slice: 'bcde' });
});

test('http.post {multipart: FormData} works too', async () => {
  const r = await t('viaHttp');
  assert.deepEqual(r.fields, [['a', 'b']]);
});

test('bad parts are refused before anything is sent: CR/LF in names, filenames, types; missing or escaping paths', async () => {
  const before = received.length;
  const r = await t('errors');
  assert.equal(received.length, before, 'nothing reached the server');
  const invalid = (v, mention, what) => {
    assert.ok(Array.isArray(v), `${what}: threw (${JSON.stringify(v)})`);
    assert.equal(v[0], 'TypeError', `${what}: ${v}`);
    assert.equal(v[1], 'INVALID_ARGUMENT', `${what}: ${v}`);
    assert.ok(v[2].includes(mention), `${what}: "${v[2]}" mentions ${mention}`);
  };
  invalid(r.crlfName, 'multipart[0].name', 'CR/LF in a name');
  invalid(r.crlfFile, 'multipart[0].filename', 'LF in a filename');
  invalid(r.crlfType, 'multipart[0].contentType', 'CR/LF in a content type');
  invalid(r.noName, 'multipart[0].name', 'no name');
  invalid(r.two, 'exactly one of value, content or path', 'value and path');
  invalid(r.none, 'exactly one of value, content or path', 'neither');
  assert.equal(r.notArray[0], 'TypeError');
  assert.match(r.notArray[2], /multipart must be an array/);
  assert.equal(r.missing[1], 'NOT_FOUND', `a missing storage file: ${r.missing}`);
  assert.match(r.missing[2], /multipart\[0\]\.path \(files\/missing\.bin\)/);
  assert.equal(r.escape[1], 'INVALID_ARGUMENT', `a path out of the storage: ${r.escape}`);
  assert.match(r.escape[2], /multipart\[0\]\.path/);
  invalid(r.badContent, 'multipart[0].content', 'content neither text nor bytes');
  assert.equal(r.fetchBody, 'TypeError', 'fetch refuses a plain object body');
  assert.equal(r.fileNeedsBlob, 'TypeError', 'a filename needs a Blob');
});
