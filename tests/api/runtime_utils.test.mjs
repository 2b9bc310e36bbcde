// The `utils` runtime module (issue 16): random, randomInt, uuid, slugify,
// truncate, capitalize, regexMatch, regexReplace, formatDate, parseDate,
// timestamp — called from a running project's JS. (utils.sleep, the waiting
// call: runtime_concurrency.test.mjs.)
// Contract: docs/runtime.md ("utils"), the declarations in GET /api/runtime/types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, expectStatus, runningProject, startWithRoot, stopProject } from './fixtures.mjs';

let server;
let rootToken;
let project;

// The project: /call runs utils[fn](...args) with args decoded from JSON
// ({$: 'NaN'|'Infinity'|'undefined'}, {$date: ms|string}, {$re: [source, flags]});
// the other routes run what JSON cannot carry (functions, RegExp state, many calls).
const CODE = String.raw`
const decode = (v) => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('$' in v) return v.$ === 'NaN' ? NaN : v.$ === 'Infinity' ? Infinity : v.$ === '-Infinity' ? -Infinity : undefined;
    if ('$date' in v) return new Date(v.$date);
    if ('$re' in v) return new RegExp(v.$re[0], v.$re[1]);
  }
  return v;
};
const outcome = (f) => {
  try {
    const r = f();
    return { ok: true, value: r instanceof Date ? r.getTime() : r, isDate: r instanceof Date, type: typeof r, isArray: Array.isArray(r) };
  } catch (e) {
    return { ok: false, isError: e instanceof Error, name: e && e.name, code: e && e.code, message: String(e && e.message) };
  }
};
service.start(() => {
  router.post('/call', (ctx) => outcome(() => utils[ctx.body.fn](...ctx.body.args.map(decode))));
  router.post('/calls', (ctx) => ctx.body.map((c) => outcome(() => utils[c.fn](...c.args.map(decode)))));
  router.get('/shape', () => Object.fromEntries(Object.keys(utils).map((k) => [k, typeof utils[k]])));
  router.get('/frozen', () => {
    'use strict';
    let threw = false;
    try { utils.slugify = () => 'x'; } catch (e) { threw = true; }
    return { threw, still: utils.slugify('A B') };
  });
  router.get('/random', () => {
    const counts = {};
    for (let i = 0; i < 60000; i++) { const v = utils.randomInt(1, 6); counts[v] = (counts[v] || 0) + 1; }
    let min = 1, max = 0, sum = 0, allNumbers = true;
    for (let i = 0; i < 20000; i++) {
      const r = utils.random();
      if (typeof r !== 'number') allNumbers = false;
      min = Math.min(min, r); max = Math.max(max, r); sum += r;
    }
    const big = [];
    for (let i = 0; i < 200; i++) big.push(utils.randomInt(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    const pair = new Set();
    for (let i = 0; i < 200; i++) pair.add(utils.randomInt(-1, 0));
    return { counts, min, max, mean: sum / 20000, allNumbers, big, pair: [...pair].sort(),
             same: utils.randomInt(7, 7), negatives: utils.randomInt(-10, -10) };
  });
  router.get('/uuids', () => {
    const v4 = [], v7 = [], v7b = [];
    for (let i = 0; i < 500; i++) { v4.push(utils.uuid()); v7.push(utils.uuid({ version: 7 })); v7b.push(utils.uuid({})); }
    return { v4, v7, v7b, explicit4: utils.uuid({ version: 4 }), before: Date.now() };
  });
  router.get('/regex', () => {
    const ver = utils.regexMatch('release v1.25.3', '(?<major>\\d+)\\.(?<minor>\\d+)\\.(?<patch>\\d+)');
    const re = /o/g;
    re.lastIndex = 5;
    const sticky = /foo/y;
    return {
      named: { all: [...ver], index: ver.index, groups: { ...ver.groups }, isArray: Array.isArray(ver) },
      global: utils.regexMatch('a1b22c333', '\\d+', 'g'),
      globalNoMatch: utils.regexMatch('abc', '\\d', 'g'),
      noMatch: utils.regexMatch('abc', '\\d'),
      optionalGroup: utils.regexMatch('ac', 'a(b)?c').map((x) => (x === undefined ? '<undefined>' : x)),
      caseless: utils.regexMatch('HeLLo', 'hello', 'i')[0],
      unicode: utils.regexMatch('😀x', '^.$', 'u').length + '/' + utils.regexMatch('😀', '^.$', 'u').length,
      dotAll: utils.regexMatch('a\nb', 'a.b', 's')[0],
      multiline: utils.regexMatch('x\ny', '^y', 'gm'),
      regexObject: utils.regexMatch('foo boo', re),
      regexObjectLastIndexKept: re.lastIndex,
      regexObjectFlagsOverride: utils.regexMatch('foo boo', /O/g, 'i')[0],
      stickyFresh: utils.regexMatch('foo', sticky)[0],
      lookbehind: utils.regexMatch('price: $42', '(?<=\\$)\\d+')[0],
      backref: utils.regexMatch('abcabc', '(abc)\\1')[0],
      replaceAllDefault: utils.regexReplace('a-b-c', '-', '+'),
      replaceFirst: utils.regexReplace('a-b-c', '-', '+', ''),
      replaceGroups: utils.regexReplace('2026-12-24', '(\\d+)-(\\d+)-(\\d+)', '$3.$2.$1'),
      replaceNamed: utils.regexReplace('John Smith', '(?<first>\\w+) (?<last>\\w+)', '$<last>, $<first>'),
      replaceWhole: utils.regexReplace('cat', 'a', '[$&]'),
      replaceDollar: utils.regexReplace('5', '\\d', '$$$&'),
      replaceFn: utils.regexReplace('a1b2', '\\d', (m) => String(Number(m) * 10)),
      replaceFnNamed: utils.regexReplace('k=v', '(?<k>\\w)=(?<v>\\w)', (...a) => JSON.stringify(a[a.length - 1])),
      replaceRegexNonGlobal: utils.regexReplace('aaa', /a/, 'b'),
      replaceRegexGlobal: utils.regexReplace('aaa', /A/gi, 'b'),
      replaceCaseless: utils.regexReplace('Hello hello', 'hello', 'bye', 'gi'),
    };
  });
  router.get('/dates', () => {
    const t = utils.timestamp();
    const now = Date.now();
    const p = utils.parseDate('24.12.2026 18:30', 'DD.MM.YYYY HH:mm', 'Europe/Berlin');
    return {
      timestamp: t, now, timestampIsInteger: Number.isInteger(t),
      parsedIsDate: p instanceof Date, parsedIso: p.toISOString(),
      defaultFormat: utils.formatDate(new Date(0)),
      defaultParse: utils.parseDate('2026-03-29T10:00:00.123+02:00').toISOString(),
      fromString: utils.formatDate('2026-03-29T10:00:00Z', 'HH:mm z', 'Europe/Berlin'),
      fromWallString: utils.formatDate('2026-03-29T10:00', 'HH:mm Z', 'Europe/Berlin'),
      fromNumber: utils.formatDate(1.9, 'SSS'),
      nullFormat: utils.formatDate(0, null, 'Asia/Tokyo'),
    };
  });
});
`;

before(async () => {
  ({ server, rootToken } = await startWithRoot());
  ({ project } = await runningProject(server, rootToken, CODE));
});
after(async () => {
  if (project) await stopProject(server, rootToken, project.id).catch(() => {});
  if (!server) return;
  const { code } = await server.stop();
  // Under ASan (make test-build), a leak or a memory error (ICU's per-thread transliterators included) fails the exit.
  assert.ok(!/Sanitizer/.test(server.output()), server.output().slice(-3000));
  assert.equal(code, 0, `m3m exited cleanly: ${server.output().slice(-2000)}`);
});

async function calls(list) {
  const res = await callRoute(server, project.slug, '/calls', { method: 'POST', body: list });
  expectStatus(res, 200, 'the /calls route');
  return res.body;
}
async function call(fn, ...args) {
  return (await calls([{ fn, args }]))[0];
}
const U = { $: 'undefined' };

test('every function of the seeds\' utils exists, and the global cannot be changed', async () => {
  const shape = (await callRoute(server, project.slug, '/shape')).body;
  for (const fn of ['sleep', 'random', 'randomInt', 'uuid', 'slugify', 'truncate', 'capitalize', 'regexMatch',
    'regexReplace', 'formatDate', 'parseDate', 'timestamp'])
    assert.equal(shape[fn], 'function', `utils.${fn}: ${JSON.stringify(shape)}`);
  const frozen = (await callRoute(server, project.slug, '/frozen')).body;
  assert.deepEqual(frozen, { threw: true, still: 'a-b' });
});

test('GET /api/runtime/types declares utils with every function and its exact signature', async () => {
  const res = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  expectStatus(res, 200);
  const dts = res.text;
  const start = dts.indexOf('declare const utils');
  assert.ok(start >= 0, 'declare const utils');
  const block = dts.slice(start, dts.indexOf('\n};', start));
  const expected = [
    /\bsleep\(ms: number\): void;/,
    /\brandom\(\): number;/,
    /\brandomInt\(min: number, max: number\): number;/,
    /\buuid\(options\?: M3MUuidOptions\): string;/,
    /\bslugify\(text: string\): string;/,
    /\btruncate\(text: string, length: number, suffix\?: string\): string;/,
    /\bcapitalize\(text: string\): string;/,
    /\bregexMatch\(text: string, pattern: string \| RegExp, flags\?: string\): M3MRegexMatch;/,
    /\bregexReplace\(text: string, pattern: string \| RegExp, replacement: string \| \(\(match: string, \.\.\.rest: any\[\]\) => string\), flags\?: string\): string;/,
    /\bformatDate\(date: Date \| number \| string, format\?: string \| null, timezone\?: string \| null\): string;/,
    /\bparseDate\(text: string, format\?: string \| null, timezone\?: string \| null\): Date;/,
    /\btimestamp\(\): number;/,
  ];
  for (const re of expected) assert.match(block, re);
  assert.match(dts, /interface M3MUuidOptions\s*\{[^}]*version\?: 4 \| 7;/);
  assert.match(dts, /interface M3MRegexMatch extends Array<string>/);
  assert.ok(!/native|Base64/.test(block), 'the wrapper\'s native functions are not declared');
});

test('slugify: Cyrillic, German umlauts, other scripts, emoji, empty', async () => {
  const table = [
    ['Привет, мир!', 'privet-mir'],
    ['Щука съешь ёжика', 'shchuka-syesh-yezhika'],
    ['Жёлтый Юля Цой', 'zheltyy-yulya-tsoy'],
    ['Größe Über Straße', 'grosse-uber-strasse'],
    ['Äpfel und Öl', 'apfel-und-ol'],
    ['Łódź Æsir œuvre', 'lodz-aesir-oeuvre'],
    ['中文 你好', 'zhong-wen-ni-hao'],
    ['Ελληνικά', 'ellenika'],
    ['Hello   World!!!', 'hello-world'],
    ["don't  stop", 'dont-stop'],
    ['😀 emoji ✓ 🎉', 'emoji'],
    ['😀🎉', ''],
    ['', ''],
    ['  --  ', ''],
    ['ABC-123_def', 'abc-123-def'],
  ];
  const out = await calls(table.map(([text]) => ({ fn: 'slugify', args: [text] })));
  table.forEach(([text, slug], i) => {
    assert.equal(out[i].ok, true, `slugify(${JSON.stringify(text)}): ${JSON.stringify(out[i])}`);
    assert.equal(out[i].value, slug, `slugify(${JSON.stringify(text)})`);
  });
  // huge input is refused (sane cap), a large one works
  const big = await calls([
    { fn: 'slugify', args: ['я'.repeat(50_000)] },
    { fn: 'slugify', args: ['a'.repeat(100_001)] },
  ]);
  assert.equal(big[0].ok, true, JSON.stringify(big[0]).slice(0, 300));
  assert.equal(big[0].value, 'ya'.repeat(50_000));
  assert.equal(big[1].code, 'INVALID_ARGUMENT');
  assert.match(big[1].message, /utils\.slugify: argument 1 \(text\) is longer than 100000 bytes/);
});

test('truncate counts characters (code points), capitalize title-cases the first one', async () => {
  const table = [
    [['Hello, world', 8], 'Hello...'],
    [['Hello', 5], 'Hello'],
    [['Hello', 100], 'Hello'],
    [['Привет, мир', 7, '…'], 'Привет…'],
    [['😀😀😀😀', 3, ''], '😀😀😀'],
    [['😀😀😀😀', 3, '…'], '😀😀…'],
    [['abcdef', 4, U], 'a...'],
    [['abcdef', 3], 'abc'],
    [['abcdef', 0], ''],
  ];
  const out = await calls(table.map(([args]) => ({ fn: 'truncate', args })));
  table.forEach(([args, want], i) => assert.equal(out[i].value, want, `truncate(${JSON.stringify(args)}): ${JSON.stringify(out[i])}`));

  const caps = [['hello', 'Hello'], ['élan', 'Élan'], ['ёжик', 'Ёжик'], ['ßa', 'Ssa'], ['mcDonald', 'McDonald'], ['', ''], ['1st', '1st']];
  const c = await calls(caps.map(([t]) => ({ fn: 'capitalize', args: [t] })));
  caps.forEach(([t, want], i) => assert.equal(c[i].value, want, `capitalize(${JSON.stringify(t)})`));
});

test('regexMatch / regexReplace follow JavaScript RegExp: named groups, g, flags, $-patterns, functions', async () => {
  const r = (await callRoute(server, project.slug, '/regex')).body;
  assert.deepEqual(r.named, { all: ['1.25.3', '1', '25', '3'], index: 9, groups: { major: '1', minor: '25', patch: '3' }, isArray: true });
  assert.deepEqual(r.global, ['1', '22', '333']);
  assert.deepEqual(r.globalNoMatch, []);
  assert.deepEqual(r.noMatch, [], 'no match: an empty array (the seeds type it string[])');
  assert.deepEqual(r.optionalGroup, ['ac', '<undefined>']);
  assert.equal(r.caseless, 'HeLLo');
  assert.equal(r.unicode, '0/1', 'the u flag: an emoji is one character');
  assert.equal(r.dotAll, 'a\nb');
  assert.deepEqual(r.multiline, ['y']);
  assert.deepEqual(r.regexObject, ['o', 'o', 'o', 'o'], 'a RegExp keeps its flags (g)');
  assert.equal(r.regexObjectLastIndexKept, 5, "the caller's RegExp is not touched");
  assert.equal(r.regexObjectFlagsOverride, 'o');
  assert.equal(r.stickyFresh, 'foo', 'a fresh copy: lastIndex starts at 0');
  assert.equal(r.lookbehind, '42');
  assert.equal(r.backref, 'abcabc');
  assert.equal(r.replaceAllDefault, 'a+b+c', 'a string pattern without flags replaces every match');
  assert.equal(r.replaceFirst, 'a+b-c', "flags '' replaces the first");
  assert.equal(r.replaceGroups, '24.12.2026');
  assert.equal(r.replaceNamed, 'Smith, John');
  assert.equal(r.replaceWhole, 'c[a]t');
  assert.equal(r.replaceDollar, '$5');
  assert.equal(r.replaceFn, 'a10b20');
  assert.equal(r.replaceFnNamed, '{"k":"k","v":"v"}');
  assert.equal(r.replaceRegexNonGlobal, 'baa', 'a RegExp without g replaces the first');
  assert.equal(r.replaceRegexGlobal, 'bbb');
  assert.equal(r.replaceCaseless, 'bye bye');
});

test('randomInt: both bounds included, uniform; random in [0, 1)', async () => {
  const r = (await callRoute(server, project.slug, '/random')).body;
  assert.deepEqual(Object.keys(r.counts).sort(), ['1', '2', '3', '4', '5', '6'], 'every face of a die, ends included');
  // chi-square, 5 degrees of freedom, p = 0.001 → 20.5
  const chi = Object.values(r.counts).reduce((s, c) => s + (c - 10000) ** 2 / 10000, 0);
  assert.ok(chi < 20.5, `chi-square ${chi}: ${JSON.stringify(r.counts)}`);
  assert.ok(r.allNumbers);
  assert.ok(r.min >= 0 && r.min < 0.001, `min ${r.min}`);
  assert.ok(r.max < 1 && r.max > 0.999, `max ${r.max}`);
  assert.ok(Math.abs(r.mean - 0.5) < 0.01, `mean ${r.mean}`);
  for (const v of r.big) assert.ok(Number.isSafeInteger(v), `${v} is a safe integer`);
  assert.ok(r.big.some((v) => v < -1e15) && r.big.some((v) => v > 1e15), 'the whole safe range is reached');
  assert.deepEqual(r.pair, [-1, 0]);
  assert.equal(r.same, 7);
  assert.equal(r.negatives, -10);
});

test('uuid: v4 by default, v7 with {version: 7} (time-ordered, RFC 9562)', async () => {
  const t0 = Date.now();
  const r = (await callRoute(server, project.slug, '/uuids')).body;
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const u of [...r.v4, ...r.v7b, r.explicit4]) assert.match(u, v4);
  for (const u of r.v7) assert.match(u, v7);
  assert.equal(new Set(r.v4).size, 500, 'v4 ids are unique');
  assert.deepEqual([...r.v7].sort(), r.v7, 'v7 ids sort in creation order');
  assert.equal(new Set(r.v7).size, 500);
  const ms = parseInt(r.v7[0].slice(0, 8) + r.v7[0].slice(9, 13), 16);
  assert.ok(ms >= t0 - 1000 && ms <= r.before + 5, `v7 time ${ms} within the call (${t0}…${r.before})`);
});

// Wall-clock fields of `ms` in `zone` from Node's own ICU (an independent reference).
function reference(ms, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const off = parts.timeZoneName === 'GMT' ? '+00:00' : parts.timeZoneName.replace('GMT', '');
  const sss = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}.${sss} ${off}`;
}

test('formatDate matches Node\'s Intl across zones and DST changes; parseDate round-trips', async () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Moscow'];
  const bases = [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 3, 4, 15), 0, Date.UTC(2024, 1, 29, 23, 59, 59, 999)];
  const instants = [];
  for (const b of bases) for (let d = -3 * 3600e3; d <= 3 * 3600e3; d += 1800e3 + 1) instants.push(b + d);
  const F = 'YYYY-MM-DD HH:mm:ss.SSS Z';
  const list = [];
  for (const zone of zones) for (const ms of instants) list.push({ fn: 'formatDate', args: [{ $date: ms }, F, zone] });
  const formatted = await calls(list);
  const back = await calls(list.map((c, i) => ({ fn: 'parseDate', args: [formatted[i].value, F, c.args[2]] })));
  list.forEach((c, i) => {
    const [{ $date: ms }, , zone] = c.args;
    assert.equal(formatted[i].value, reference(ms, zone), `formatDate(${new Date(ms).toISOString()}, ${zone})`);
    assert.equal(back[i].isDate, true);
    assert.equal(back[i].value, ms, `parseDate(${formatted[i].value}) in ${zone}`);
  });
});

test('formatDate / parseDate: tokens, DST gaps and overlaps, ISO strings, defaults', async () => {
  const berlin = 'Europe/Berlin';
  const cases = [
    // [fn, args, expected value]
    ['formatDate', [{ $date: 0 }, 'dddd, MMMM D, YYYY h:mm A', 'America/New_York'], 'Wednesday, December 31, 1969 7:00 PM'],
    ['formatDate', [Date.UTC(2024, 1, 29, 12, 5, 9, 7), 'YY M D H m s SSS ddd MMM d hh a ZZ', 'Asia/Kolkata'], '24 2 29 17 35 9 007 Thu Feb 4 05 pm +0530'],
    ['formatDate', [Date.UTC(2024, 1, 29, 12, 5), '[Today is] dddd [at] HH:mm', U], 'Today is Thursday at 12:05'],
    ['formatDate', [1700000000123, 'X x', U], '1700000000 1700000000123'],
    ['formatDate', [Date.UTC(2026, 2, 29, 0, 59, 59, 999), 'HH:mm:ss.SSS z', berlin], '01:59:59.999 CET'],
    ['formatDate', [Date.UTC(2026, 2, 29, 1), 'HH:mm:ss.SSS z', berlin], '03:00:00.000 CEST'],
    ['formatDate', [0, 'HH:mm Z', '+05:45'], '05:45 +05:45'],
    ['formatDate', ['2026-03-29T10:00:00Z', 'YYYY-MM-DD HH:mm', berlin], '2026-03-29 12:00'],
    ['formatDate', ['2026-03-29', 'YYYY-MM-DD HH:mm Z', berlin], '2026-03-29 00:00 +01:00'],
    ['formatDate', [{ $date: '2026-03-29T10:00:00.000Z' }, U, U], '2026-03-29T10:00:00.000+00:00'],
    ['formatDate', [-8.64e15, 'YYYY-MM-DD', U], '-271821-04-20'],
    // a skipped wall time (Berlin 02:30 on 2026-03-29) moves forward by the gap: 03:30 CEST
    ['parseDate', ['2026-03-29 02:30', 'YYYY-MM-DD HH:mm', berlin], Date.UTC(2026, 2, 29, 1, 30)],
    // a repeated one (02:30 on 2026-10-25) is its first occurrence (CEST), unless the offset says otherwise
    ['parseDate', ['2026-10-25 02:30', 'YYYY-MM-DD HH:mm', berlin], Date.UTC(2026, 9, 25, 0, 30)],
    ['parseDate', ['2026-10-25 02:30 +01:00', 'YYYY-MM-DD HH:mm Z', berlin], Date.UTC(2026, 9, 25, 1, 30)],
    ['parseDate', ['12/24/2026 6:30 PM', 'MM/DD/YYYY h:mm A', 'America/New_York'], Date.UTC(2026, 11, 24, 23, 30)],
    ['parseDate', ['Thu, 24 Dec 2026 18:30:00 +0100', 'ddd, DD MMM YYYY HH:mm:ss ZZ'], Date.UTC(2026, 11, 24, 17, 30)],
    ['parseDate', ['1700000000', 'X'], 1700000000000],
    ['parseDate', ['2026-03-29T10:00:00.123456+05:30'], Date.UTC(2026, 2, 29, 4, 30, 0, 123)],
    ['parseDate', ['2026-03-29', null, berlin], Date.UTC(2026, 2, 28, 23)],
    ['parseDate', ['9:05', 'H:mm'], Date.UTC(1970, 0, 1, 9, 5)],
  ];
  const out = await calls(cases.map(([fn, args]) => ({ fn, args })));
  cases.forEach(([fn, args, want], i) => {
    assert.equal(out[i].ok, true, `${fn}(${JSON.stringify(args)}): ${JSON.stringify(out[i])}`);
    assert.equal(out[i].value, want, `${fn}(${JSON.stringify(args)})`);
    if (fn === 'parseDate') assert.equal(out[i].isDate, true, 'parseDate returns a Date');
  });

  const d = (await callRoute(server, project.slug, '/dates')).body;
  assert.equal(d.timestampIsInteger, true);
  assert.ok(d.timestamp <= d.now && d.now - d.timestamp < 1000, `timestamp ${d.timestamp} vs Date.now ${d.now}`);
  assert.ok(Math.abs(d.timestamp - Date.now()) < 60_000, 'timestamp is the Unix time in ms');
  assert.equal(d.parsedIsDate, true);
  assert.equal(d.parsedIso, '2026-12-24T17:30:00.000Z');
  assert.equal(d.defaultFormat, '1970-01-01T00:00:00.000+00:00');
  assert.equal(d.defaultParse, '2026-03-29T08:00:00.123Z');
  assert.equal(d.fromString, '12:00 CEST');
  assert.equal(d.fromWallString, '10:00 +02:00', 'an ISO string without offset is wall time in the zone');
  assert.equal(d.fromNumber, '001', 'a fractional ms is truncated like new Date(n)');
  assert.equal(d.nullFormat, '1970-01-01T09:00:00.000+09:00');
});

test('wrong types and bad values throw a TypeError with code INVALID_ARGUMENT naming the argument', async () => {
  const NaN_ = { $: 'NaN' };
  const Inf = { $: 'Infinity' };
  const cases = [
    ['randomInt', ['1', 2], /argument 1 \(min\)/],
    ['randomInt', [1.5, 2], /argument 1 \(min\) must be a safe integer/],
    ['randomInt', [NaN_, 1], /argument 1 \(min\)/],
    ['randomInt', [0, Inf], /argument 2 \(max\)/],
    ['randomInt', [5, 1], /argument 2 \(max\) must be >= min/],
    ['randomInt', [2 ** 53, 2 ** 53 + 2], /safe integer/],
    ['randomInt', [], /argument 1 \(min\)/],
    ['randomInt', [1], /argument 2 \(max\)/],
    ['uuid', ['7'], /argument 1 \(options\)/],
    ['uuid', [7], /argument 1 \(options\)/],
    ['uuid', [{ version: 5 }], /argument 1 \(options\.version\) must be 4 or 7, got 5/],
    ['uuid', [{ version: '7' }], /argument 1 \(options\.version\) must be 4 or 7/],
    ['slugify', [42], /argument 1 \(text\) must be a string/],
    ['slugify', [null], /argument 1 \(text\)/],
    ['slugify', [], /argument 1 \(text\)/],
    ['slugify', [{}], /argument 1 \(text\)/],
    ['truncate', [1, 2], /argument 1 \(text\)/],
    ['truncate', ['abc', -1], /argument 2 \(length\) must be >= 0/],
    ['truncate', ['abc', 1.5], /argument 2 \(length\)/],
    ['truncate', ['abc', '2'], /argument 2 \(length\)/],
    ['truncate', ['abc', 2, 5], /argument 3 \(suffix\)/],
    ['capitalize', [5], /argument 1 \(text\)/],
    ['regexMatch', [5, 'a'], /argument 1 \(text\)/],
    ['regexMatch', ['a', 5], /argument 2 \(pattern\) must be a string or a RegExp/],
    ['regexMatch', ['a', '('], /argument 2 \(pattern\) is not a valid regular expression/],
    ['regexMatch', ['a', 'a', 'zz'], /argument 3 \(flags\)/],
    ['regexMatch', ['a', 'a', 5], /argument 3 \(flags\) must be a string/],
    ['regexReplace', ['a', 'a', 5], /argument 3 \(replacement\)/],
    ['regexReplace', ['a', '(', 'x'], /argument 2 \(pattern\)/],
    ['regexReplace', [5, 'a', 'b'], /argument 1 \(text\)/],
    ['regexReplace', ['a', 'a', 'b', 'q'], /argument 4 \(flags\)/],
    ['formatDate', [{}, 'YYYY'], /argument 1 \(date\)/],
    ['formatDate', [{ $date: 'not a date' }, 'YYYY'], /argument 1 \(date\) is an invalid Date/],
    ['formatDate', [Inf], /argument 1 \(date\)/],
    ['formatDate', ['not a date'], /argument 1 \(date\) 'not a date' does not match ISO 8601/],
    ['formatDate', [8.64e15 + 1, 'YYYY'], /argument 1 \(date\) is outside the range/],
    ['formatDate', [0, 5], /argument 2 \(format\)/],
    ['formatDate', [0, 'YYYY ['], /argument 2 \(format\).*not closed/],
    ['formatDate', [0, 'YYYY', 'Mars/Base'], /argument 3 \(timezone\) unknown time zone 'Mars\/Base'/],
    ['formatDate', [0, 'YYYY', '../../etc/passwd'], /argument 3 \(timezone\)/],
    ['parseDate', [5, 'YYYY'], /argument 1 \(text\)/],
    ['parseDate', ['2026', 5], /argument 2 \(format\)/],
    ['parseDate', ['2026-02-30', 'YYYY-MM-DD'], /argument 1 \(text\) '2026-02-30' does not match format 'YYYY-MM-DD': day 30 does not exist in February 2026/],
    ['parseDate', ['2026-1-01', 'YYYY-MM-DD'], /argument 1 \(text\).*2 digits/],
    ['parseDate', ['Mon, 24 Dec 2026', 'ddd, DD MMM YYYY'], /does not match the date/],
    ['parseDate', ['2026', 'YYYY', 'Nowhere/City'], /argument 3 \(timezone\)/],
    ['parseDate', ['2026 CET', 'YYYY z'], /argument 2 \(format\).*token z/],
    ['parseDate', ['yesterday'], /argument 1 \(text\) 'yesterday' does not match ISO 8601/],
  ];
  const out = await calls(cases.map(([fn, args]) => ({ fn, args })));
  cases.forEach(([fn, args, re], i) => {
    const r = out[i];
    const what = `utils.${fn}(${JSON.stringify(args)}): ${JSON.stringify(r)}`;
    assert.equal(r.ok, false, `throws: ${what}`);
    assert.equal(r.isError, true, what);
    assert.equal(r.name, 'TypeError', what);
    assert.equal(r.code, 'INVALID_ARGUMENT', what);
    assert.ok(r.message.startsWith(`utils.${fn}: `), `the message names the function: ${what}`);
    assert.match(r.message, re, what);
  });
});
