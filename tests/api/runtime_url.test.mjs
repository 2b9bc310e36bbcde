// The URL and URLSearchParams globals (issue 16, `encoding`): WHATWG URL
// semantics from npm whatwg-url bundled into the binary — relative
// resolution, IDNA hosts, IPv4 forms, searchParams bound to the URL, invalid
// input throwing TypeError — evaluated lazily, and declared in the types.
// Contract: docs/runtime.md ("URL and URLSearchParams").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, describe, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

let server;
let rootToken;
after(async () => {
  await server?.stop();
});

// One project whose routes each run a body and return its value.
let slug;
async function t(name) {
  const res = await callRoute(server, slug, '/' + name);
  expectStatus(res, 200, `route /${name} (${describe(res)})`);
  return res.body;
}
const ROUTES = {
  // The globals exist (lazy data properties until first read) and are not enumerable.
  lazy: `return { enumerable: Object.keys(globalThis).filter((k) => /^(URL|URLSearchParams|FormData|Blob|File)$/.test(k)),
                   own: ['URL', 'URLSearchParams'].map((k) => Object.prototype.hasOwnProperty.call(globalThis, k)),
                   type: typeof URL, name: URL.name, sameSP: new URL('http://a').searchParams instanceof URLSearchParams }`,
  resolve: `const r = (u, b) => new URL(u, b).href;
    return [
      r('../c?x=1#f', 'http://a/b/d/e'),
      r('//x.org/y', 'https://base.example/p'),
      r('?q=2', 'http://a/b?c#d'),
      r('#frag', 'http://a/b?c#d'),
      r('/a/./b/../c/%7Efoo', 'http://h'),
      r('g;x?y#s', 'http://a/b/c/d;p?q'),
      r('../../../g', 'http://a/b/c/d;p?q'),
      r('HTTP://EXAMPLE.COM:80/a b?c d#e f'),
      r('https://user:pa ss@h.example:0443/'),
      r('file:///C:/x/../y'),
    ]`,
  parts: `const u = new URL('https://user:pw@sub.example.com:8443/p/a/t/h?query=string#hash');
    return { protocol: u.protocol, username: u.username, password: u.password, host: u.host, hostname: u.hostname,
             port: u.port, pathname: u.pathname, search: u.search, hash: u.hash, origin: u.origin,
             json: JSON.stringify({ u }), str: String(u), tag: Object.prototype.toString.call(u) }`,
  hosts: `const h = (s) => new URL(s).host;
    return [h('http://пример.рф/'), h('http://Bücher.EXAMPLE/'), h('http://0x7f.1/'), h('http://[0:0::1]:8080/'),
            h('http://192.168.0.257/'.replace('257', '255')), new URL('http://пример.рф/путь?к=в').href]`,
  params: `const u = new URL('https://x.org/p?a=1&b=2&a=3');
    const sp = u.searchParams;
    const before = { a: sp.get('a'), all: sp.getAll('a'), has: sp.has('b'), size: sp.size };
    sp.append('c', 'с пробелом & знаком');
    sp.set('a', '9');
    sp.delete('b');
    const afterEdit = u.href;
    u.search = '?z=1&y=2';
    const afterSearch = [...u.searchParams];
    u.searchParams.sort();
    return { before, afterEdit, afterSearch, sorted: u.href,
             fromObject: new URLSearchParams({ q: 'a&b', n: 1, sp: 'x y' }).toString(),
             fromPairs: new URLSearchParams([['k', 'v'], ['k', 'w']]).getAll('k'),
             decoded: new URLSearchParams('a=%FF&b=%E2%82%AC+x&c=%zz').toString(),
             get: [new URLSearchParams('a=%FF').get('a'), new URLSearchParams('b=%E2%82%AC+x').get('b')],
             iter: [...new URLSearchParams('?x=1&y=2').keys()] }`,
  invalid: `const bad = ['nope', 'http://exa mple.com/', 'http://[::1', 'https://', 'http://a:99999/', '//relative-without-base'];
    const out = bad.map((s) => { try { new URL(s); return 'parsed: ' + s; } catch (e) { return [e instanceof TypeError, e.name, String(e.message).length > 0]; } });
    let base;
    try { new URL('x', 'not a base'); } catch (e) { base = e instanceof TypeError; }
    return { out, base, canParse: [URL.canParse('http://a'), URL.canParse('nope'), URL.canParse('x', 'http://a/')],
             parse: URL.parse === undefined ? 'absent' : URL.parse('nope') }`,
  lone: `return [new URL('http://x/\\uD800').pathname, new URLSearchParams({ k: '\\uDC00' }).toString()]`,
  override: `globalThis.URLSearchParams = 'mine'; return [typeof URLSearchParams, typeof URL]`,
};

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  const routes = Object.entries(ROUTES).map(([k, body]) => `router.get('/${k}', () => { ${body} });`).join('\n');
  ({ project: { slug } } = await runningProject(server, rootToken, `service.start(() => { ${routes} });`));
});

test('URL and URLSearchParams are globals, not enumerable', async () => {
  const r = await t('lazy');
  assert.deepEqual(r.enumerable, [], 'web globals are not enumerable');
  assert.deepEqual(r.own, [true, true]);
  assert.equal(r.type, 'function');
  assert.equal(r.name, 'URL');
  assert.equal(r.sameSP, true, 'searchParams is an instance of the global URLSearchParams');
});

test('relative references resolve as the URL Standard says (WHATWG cases)', async () => {
  assert.deepEqual(await t('resolve'), [
    'http://a/b/c?x=1#f',
    'https://x.org/y',
    'http://a/b?q=2',
    'http://a/b?c#frag',
    'http://h/a/c/%7Efoo',
    'http://a/b/c/g;x?y#s',
    'http://a/g',
    'http://example.com/a%20b?c%20d#e%20f',
    'https://user:pa%20ss@h.example/',
    'file:///C:/y',
  ]);
});

test('components, origin, toString and toJSON', async () => {
  assert.deepEqual(await t('parts'), {
    protocol: 'https:', username: 'user', password: 'pw', host: 'sub.example.com:8443', hostname: 'sub.example.com',
    port: '8443', pathname: '/p/a/t/h', search: '?query=string', hash: '#hash', origin: 'https://sub.example.com:8443',
    json: '{"u":"https://user:pw@sub.example.com:8443/p/a/t/h?query=string#hash"}',
    str: 'https://user:pw@sub.example.com:8443/p/a/t/h?query=string#hash', tag: '[object URL]',
  });
});

test('hosts: IDNA to punycode (UTS #46), IPv4 shorthand, IPv6 compression', async () => {
  assert.deepEqual(await t('hosts'), [
    'xn--e1afmkfd.xn--p1ai',
    'xn--bcher-kva.example',
    '127.0.0.1',
    '[::1]:8080',
    '192.168.0.255',
    'http://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C?%D0%BA=%D0%B2',
  ]);
});

test('searchParams: reading, and mutations reflected in href (and search in searchParams)', async () => {
  const r = await t('params');
  assert.deepEqual(r.before, { a: '1', all: ['1', '3'], has: true, size: 3 });
  assert.equal(r.afterEdit, 'https://x.org/p?a=9&c=%D1%81+%D0%BF%D1%80%D0%BE%D0%B1%D0%B5%D0%BB%D0%BE%D0%BC+%26+%D0%B7%D0%BD%D0%B0%D0%BA%D0%BE%D0%BC');
  assert.deepEqual(r.afterSearch, [['z', '1'], ['y', '2']]);
  assert.equal(r.sorted, 'https://x.org/p?y=2&z=1');
  assert.equal(r.fromObject, 'q=a%26b&n=1&sp=x+y');
  assert.deepEqual(r.fromPairs, ['v', 'w']);
  assert.equal(r.decoded, 'a=%EF%BF%BD&b=%E2%82%AC+x&c=%25zz', 'invalid UTF-8 decodes to U+FFFD; a bad escape stays');
  assert.deepEqual(r.get, ['\uFFFD', '€ x']);
  assert.deepEqual(r.iter, ['x', 'y']);
});

test('an invalid URL (or base) throws TypeError; canParse says so without throwing', async () => {
  const r = await t('invalid');
  for (const [i, o] of r.out.entries()) assert.deepEqual(o, [true, 'TypeError', true], `case ${i}`);
  assert.equal(r.base, true);
  assert.deepEqual(r.canParse, [true, false, true]);
  assert.equal(r.parse, null, 'URL.parse returns null for invalid input');
});

test('lone surrogates are encoded as U+FFFD', async () => {
  assert.deepEqual(await t('lone'), ['/%EF%BF%BD', 'k=%EF%BF%BD']);
});

test('a project may replace the globals (writable), and another route still sees the bundle', async () => {
  assert.deepEqual(await t('override'), ['string', 'function']);
});

test('GET /api/runtime/types declares URL, URLSearchParams, Blob, File and FormData', async () => {
  const dts = (await api(server, 'GET', '/api/runtime/types', { token: rootToken })).text;
  for (const name of ['URL', 'URLSearchParams', 'Blob', 'File', 'FormData'])
    assert.match(dts, new RegExp(`declare class ${name}\\b`), `declares ${name}`);
  for (const member of ['searchParams: URLSearchParams', 'static canParse(', 'toJSON(): string', 'getAll(name: string): string[]',
    'append(name: string, value: string | Blob, filename?: string)'])
    assert.ok(dts.includes(member), `declares ${member}`);
  assert.match(dts, /multipart: HttpMultipartPart\[\] \| FormData/, 'http bodies take {multipart}');
  assert.match(dts, /type BodyInit = [^;]*FormData/, 'fetch bodies take FormData');
});

// The bundle's own UTF-8 codec (src/runtime/js/text_codec.js, injected in
// place of the runtime's TextEncoder/TextDecoder) against Node's, on random
// input heavy in edge bytes: overlongs, surrogates, truncated sequences, BOMs.
test('the URL bundle\'s UTF-8 codec matches the Encoding Standard (Node\'s TextEncoder/TextDecoder)', async () => {
  const { TextEncoder: E, TextDecoder: D } = await import('../../src/runtime/js/text_codec.js');
  const mine = { e: new E(), d: new D() };
  const node = { e: new TextEncoder(), d: new TextDecoder('utf-8', { ignoreBOM: true }) };
  const edgeBytes = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xbb, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xfe, 0xff];
  const edgeUnits = [0x41, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe9, 0x7ff, 0x800, 0xffff, 0xfeff, 0x10];
  let seed = 42;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let n = 0; n < 20000; n++) {
    const len = rnd(12);
    const bytes = Uint8Array.from({ length: len }, () => (rnd(2) ? edgeBytes[rnd(edgeBytes.length)] : rnd(256)));
    assert.equal(mine.d.decode(bytes), node.d.decode(bytes), `decode ${[...bytes]}`);
    const s = String.fromCharCode(...Array.from({ length: len }, () => edgeUnits[rnd(edgeUnits.length)]));
    assert.deepEqual([...mine.e.encode(s)], [...node.e.encode(s)], `encode ${JSON.stringify(s)}`);
  }
  const long = 'Ünïcödé ✓ 𝄞 '.repeat(5000);
  assert.equal(mine.d.decode(mine.e.encode(long)), long);
  assert.equal(mine.d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]).buffer), '\uFEFFa', 'the BOM is kept (ignoreBOM)');
});
