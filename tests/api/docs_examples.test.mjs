// The examples of docs/runtime.md are right (issue 16): every fenced block
// tagged `js` (or `ts`) is
//   1. type-checked with TypeScript (`strict`, npm `typescript` pinned in
//      tests/package-lock.json) against the declarations a running m3m serves at
//      GET /api/runtime/types — `js` blocks as checked JavaScript (checkJs),
//      `ts` blocks as TypeScript — each wrapped in a function, as m3m
//      evaluates a release (so a top-level `await` is an error here too);
//   2. run as a project's code on that m3m: the start must succeed, every
//      route the block registers must answer below 500, the stop must be clean
//      and the run log must hold no error. A line `expression   // value`
//      whose comment is a literal (`'aGVsbG8='`, `true`, `{ a: 1 }`, optionally
//      followed by a parenthesised remark; also `Uint8Array [1, 2]` and
//      `Date 2026-…Z`) claims that value: the run checks it. A comment that is
//      an illustration says so (`// e.g. …`). URLs of the example hosts
//      (example.com, api.example.com, api.telegram.org) are pointed at a local
//      server; smtp goes to a local sink; the storage files the examples name
//      are uploaded first.
// Blocks that are not examples carry another tag (`text` for diagrams); an
// untagged block fails the test, so none slips past unchecked.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  createProject,
  deploy,
  expectStatus,
  makePng,
  projectStatus,
  readRunLog,
  startProject,
  startWithRoot,
  stopProject,
} from './fixtures.mjs';
import { startSink } from './smtp_sink.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const DOC = path.resolve(here, '../../docs/runtime.md');
const require = createRequire(import.meta.url);
let ts;
try {
  ts = require('../node_modules/typescript');
} catch (e) {
  throw new Error(`npm typescript is missing: run scripts/install-deps.sh (or \`npm ci\` in tests/): ${e.message}`);
}

const CHECKED = new Set(['js', 'ts']);
const OTHER = new Set(['text', 'yaml', 'json', 'sh', 'http']);

// Every fenced block: {lang, line (of its first code line, 1-based), code}.
function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i].match(/^```(\S*)\s*$/);
    if (!open) continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    assert.ok(j < lines.length, `docs/runtime.md:${i + 1}: the code block is never closed`);
    blocks.push({ lang: open[1], line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return blocks;
}

// Type-checks blocks against `declarations`; returns the diagnostics as
// "docs/runtime.md:LINE:COL: message" strings (empty when all is well).
function typeCheck(blocks, declarations) {
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-docs-tsc-'));
  try {
    const files = [path.join(dir, 'm3m-runtime.d.ts')];
    writeFileSync(files[0], declarations);
    const where = new Map();
    blocks.forEach((b, i) => {
      const file = path.join(dir, `example_${i}.${b.lang}`);
      // m3m evaluates a release inside a (non-async) function scope.
      writeFileSync(file, `(function () {\n${b.code}\n})();\n`);
      files.push(file);
      where.set(file, b);
    });
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      allowJs: true,
      checkJs: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
      noUnusedLocals: false,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file) return `(global): ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const b = where.get(path.resolve(d.file.fileName)) ?? where.get(d.file.fileName);
      if (!b) return `${path.basename(d.file.fileName)}:${line + 1}:${character + 1}: ${text}`;
      return `docs/runtime.md:${b.line + line - 1}:${character + 1}: ${text}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the run ----

const EXAMPLE_HOSTS = /https:\/\/(api\.telegram\.org|api\.example\.com|example\.com)/g;
let upstream;
let upstreamUrl;
const upstreamSeen = [];
let sink;
let m3m;
let declarations;

// The files the examples read from the project's storage.
const STORAGE_FILES = {
  'invoices/42.pdf': Buffer.from('%PDF-1.4\n% a test invoice\n'),
  'mail/welcome.html': Buffer.from('<p>Welcome, {{name}}!</p>\n'),
  'reports/2026-q3.pdf': Buffer.from('%PDF-1.4\n% a test report\n'),
  'images/cat.png': Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  'photos/cat.png': makePng(640, 480),
  'images/logo.png': makePng(64, 32),
  'fonts/Brand.ttf': readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'),
};

before(async () => {
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      upstreamSeen.push({ method: req.method, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, method: req.method, url: req.url, result: { id: 1, first_name: 'bot' }, temperature: 21 }));
    });
  });
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
  sink = await startSink();
  m3m = await startWithRoot({
    env: {
      M3M_SMTP_HOST: '127.0.0.1',
      M3M_SMTP_PORT: String(sink.port),
      M3M_SMTP_SECURITY: 'none',
      M3M_SMTP_FROM: 'Docs <docs@example.com>',
      M3M_SMTP_TIMEOUT: '10s',
    },
  });
  const res = await api(m3m.server, 'GET', '/api/runtime/types', { token: m3m.rootToken });
  expectStatus(res, 200, 'GET /api/runtime/types');
  declarations = res.text;
});

after(async () => {
  const output = m3m?.server.output() ?? '';
  const exit = await m3m?.server.stop();
  await sink?.stop();
  await new Promise((r) => upstream.close(r));
  if (exit) assert.deepEqual(exit, { code: 0, signal: null }, output.slice(-3000));
});

// ---- the values the comments claim ----

// The expected value a comment states, as {value} / {bytes} / {date}; undefined
// when the comment is prose ("a waiting call", "e.g. …", "1…6").
function claimedValue(comment) {
  let m = comment.match(/^Uint8Array (\[[\d,\s]*\])$/);
  if (m) return { bytes: JSON.parse(m[1]) };
  m = comment.match(/^Date (\d{4}-\d\d-\d\dT[\d:.]+Z)$/);
  if (m) return { date: m[1] };
  for (const text of [comment, comment.replace(/\s+\([^()]*\)$/, '')]) {
    if (!/^(['"[{]|-?\d|true\b|false\b|null\b)/.test(text) || text.includes('…')) continue;
    try {
      return { value: vm.runInNewContext(`(${text})`, Object.create(null), { timeout: 100 }) };
    } catch {
      // not a literal
    }
  }
  return undefined;
}

const EXPECT_PRELUDE =
  'const __docsNorm = (v) => v instanceof Uint8Array ? { bytes: Array.from(v) } : v instanceof Date ? { date: v.toISOString() } : { value: v };' +
  'const __docsExpect = (line, f, want) => { const got = JSON.stringify(__docsNorm(f())); ' +
  'if (got !== want) logger.error("docs/runtime.md:" + line + ": the comment says " + want + ", the code gives " + got) };';

// The block with every claimed value checked at run time: {code, checks}.
function withValueChecks(block) {
  let checks = 0;
  const lines = block.code.split('\n').map((line, i) => {
    const m = line.match(/^([A-Za-z_$].*?\S)\s{2,}\/\/ (.+)$/);
    if (!m || /^(const|let|var|function|return|if|for|while|router|service)\b/.test(m[1])) return line;
    const want = claimedValue(m[2].trim());
    if (want === undefined) return line;
    try {
      new vm.Script(`(${m[1]})`);
    } catch {
      return line; // not one whole expression
    }
    checks += 1;
    return `__docsExpect(${block.line + i}, () => (${m[1]}), ${JSON.stringify(JSON.stringify(want))});`;
  });
  return { code: EXPECT_PRELUDE + '\n' + lines.join('\n'), checks };
}

// The routes a block registers: [{method, path}] (params filled with "x").
function routesOf(code) {
  const out = [];
  for (const m of code.matchAll(/router\.(get|post|put|patch|delete|all)\(\s*(['"`])([^'"`]+)\2/g)) {
    const method = m[1] === 'all' ? 'GET' : m[1].toUpperCase();
    out.push({ method, path: m[3].replace(/:[A-Za-z_]\w*/g, 'x').replace(/\*$/, 'x') });
  }
  return out;
}

async function uploadStorageFiles(server, token, projectId) {
  const byDir = {};
  for (const [p, bytes] of Object.entries(STORAGE_FILES)) {
    const dir = path.posix.dirname(p);
    (byDir[dir] ||= []).push([path.posix.basename(p), bytes]);
  }
  for (const [dir, files] of Object.entries(byDir)) {
    const form = new FormData();
    for (const [name, bytes] of files) form.append('file', new Blob([bytes]), name);
    const res = await api(server, 'POST', `/api/projects/${projectId}/storage/upload?path=${encodeURIComponent(dir)}`, { token, body: form });
    expectStatus(res, 201, `upload ${dir}`);
  }
}

// Runs one block as a project's code; returns the problems found (empty: fine).
async function runBlock(block, { server, rootToken }) {
  const problems = [];
  const at = `docs/runtime.md:${block.line}`;
  const code = withValueChecks(block).code.replace(EXAMPLE_HOSTS, (_, host) => `${upstreamUrl}/${host}`);
  const project = await createProject(server, rootToken);
  await uploadStorageFiles(server, rootToken, project.id);
  const version = await deploy(server, rootToken, project.id, code);
  const started = await startProject(server, rootToken, project.id, version);
  const state = started.body?.state;
  if (started.status !== 200 || state !== 'running') {
    problems.push(`${at}: the start failed (${started.status} ${state}): ${started.body?.last_error ?? started.text}`);
  } else {
    for (const r of routesOf(block.code)) {
      const res = await callRoute(server, project.slug, r.path, { method: r.method, body: r.method === 'GET' ? undefined : {} });
      if (res.status >= 500) problems.push(`${at}: ${r.method} ${r.path} answered ${res.status} ${res.text.slice(0, 200)}`);
    }
    const st = await projectStatus(server, rootToken, project.id);
    if (st.state !== 'running') problems.push(`${at}: the project is ${st.state} after its routes ran: ${st.last_error}`);
    const stop = await stopProject(server, rootToken, project.id);
    if (stop.status !== 200 || stop.body?.state !== 'stopped') problems.push(`${at}: the stop answered ${stop.status} ${stop.text.slice(0, 200)}`);
  }
  const log = await readRunLog(server, rootToken, project.id);
  const errors = log.filter((l) => /\[(ERROR|error)\]|failed/.test(l));
  if (errors.length) problems.push(`${at}: the run log has errors:\n  ${errors.join('\n  ')}`);
  return problems;
}

const blocks = extractBlocks(readFileSync(DOC, 'utf8'));
const examples = blocks.filter((b) => CHECKED.has(b.lang));

test('every code block of docs/runtime.md is tagged: js/ts (checked examples) or text/yaml/json/sh/http', () => {
  const untagged = blocks.filter((b) => !CHECKED.has(b.lang) && !OTHER.has(b.lang));
  assert.deepEqual(untagged.map((b) => `docs/runtime.md:${b.line - 1}: \`\`\`${b.lang}`), []);
  assert.ok(examples.length >= 9, `examples found: ${examples.length}`);
});

test('the examples type-check (tsc --strict) against GET /api/runtime/types', () => {
  const diagnostics = typeCheck(examples, declarations);
  assert.deepEqual(diagnostics, [], `type errors in the examples:\n${diagnostics.join('\n')}`);
});

test('the examples run as project code: start, routes below 500, clean stop, no errors logged', { timeout: 300_000 }, async () => {
  const problems = [];
  for (const b of examples) problems.push(...(await runBlock(b, m3m)));
  assert.deepEqual(problems, [], problems.join('\n'));
  // The network examples reached the local stand-in of their hosts.
  for (const host of ['api.telegram.org', 'example.com', 'api.example.com']) {
    assert.ok(upstreamSeen.some((s) => s.url.startsWith(`/${host}/`)), `an example called ${host}: ${JSON.stringify(upstreamSeen)}`);
  }
  assert.ok(sink.messages.length >= 1, 'the smtp examples delivered mail to the sink');
  // The values the comments claim were checked (crypto, encoding, utils…).
  const checks = examples.reduce((n, b) => n + withValueChecks(b).checks, 0);
  assert.ok(checks >= 20, `claimed values checked: ${checks}`);
});

// The harness itself: a broken example is caught by each step.
test('a broken example fails: a wrong call, a wrong type, a top-level await, a throw at run time', async () => {
  const wrong = typeCheck([{ lang: 'js', line: 10, code: "const r = http.gett('https://example.com')" }], declarations);
  assert.equal(wrong.length, 1, wrong.join('\n'));
  assert.match(wrong[0], /^docs\/runtime\.md:10:\d+: .*gett/);
  const badType = typeCheck([{ lang: 'js', line: 20, code: "const n = 1\nconst s = utils.slugify(n)" }], declarations);
  assert.equal(badType.length, 1, badType.join('\n'));
  assert.match(badType[0], /^docs\/runtime\.md:21:/);
  const awaitTop = typeCheck([{ lang: 'js', line: 30, code: "const r = await fetch('https://example.com')" }], declarations);
  assert.ok(awaitTop.length >= 1, 'a top-level await is refused');
  assert.match(awaitTop[0], /^docs\/runtime\.md:30:.*await/);
  const ok = typeCheck([{ lang: 'ts', line: 40, code: 'const x: string = utils.slugify("Привет")' }], declarations);
  assert.deepEqual(ok, []);

  const throws = await runBlock({ lang: 'js', line: 50, code: "service.start(() => { throw new Error('boom') })" }, m3m);
  assert.equal(throws.length >= 1, true, 'a failing start is reported');
  assert.match(throws[0], /docs\/runtime\.md:50: the start failed/);
  const route500 = await runBlock({ lang: 'js', line: 60, code: "service.start(() => router.get('/x', () => { throw new Error('boom') }))" }, m3m);
  assert.ok(route500.some((p) => /GET \/x answered 500/.test(p)), route500.join('\n'));
  const wrongValue = await runBlock({ lang: 'js', line: 80, code: "crypto.sha256('abc')   // 'ba78'\nbtoa('hi')   // 'aGk=' (base64)\nencoding.base64Decode('AP8=', 'bytes')   // Uint8Array [0, 254]" }, m3m);
  assert.equal(wrongValue.length, 1, wrongValue.join('\n'));
  assert.match(wrongValue[0], /docs\/runtime\.md:80: the comment says \{"value":"ba78"\}, the code gives \{"value":"ba7816bf/);
  assert.match(wrongValue[0], /docs\/runtime\.md:82: the comment says \{"bytes":\[0,254\]\}, the code gives \{"bytes":\[0,255\]\}/);
  assert.doesNotMatch(wrongValue[0], /docs\/runtime\.md:81/);
  const asyncError = await runBlock({ lang: 'js', line: 70, code: "delayed.run(() => { throw new Error('late boom') })\nutils.sleep(300)" }, m3m);
  assert.ok(asyncError.some((p) => /run log has errors/.test(p)), asyncError.join('\n'));
});
