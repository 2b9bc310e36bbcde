// The .d.ts snapshot (issue 18): GET /api/runtime/types for a project with no
// models is committed as tests/snapshots/runtime.d.ts, so every change to the
// runtime's declared API shows as a diff in review (workerd's
// types/generated-snapshot). The snapshot must also type-check with
// `tsc --strict` on its own.
//
// When the change is intended: UPDATE_SNAPSHOTS=1 M3M_BINARY=… node --test
// tests/api/runtime_types_snapshot.test.mjs rewrites the file; commit it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { api, createProject, expectStatus, startWithRoot } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOT = path.resolve(here, '../snapshots/runtime.d.ts');
const require = createRequire(import.meta.url);
let ts;
try {
  ts = require('../node_modules/typescript');
} catch (e) {
  throw new Error(`npm typescript is missing: run scripts/install-deps.sh (or \`npm ci\` in tests/): ${e.message}`);
}

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot());
});
after(async () => {
  await server?.stop();
});

// A unified-style diff of two texts, line by line (LCS), with a few lines of context.
export function lineDiff(expected, actual, context = 3) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push([' ', a[i++], i, j++]);
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push(['+', b[j++], i, j]);
    else ops.push(['-', a[i++], i, j]);
  }
  const out = [];
  let last = -1;
  ops.forEach((op, k) => {
    if (op[0] === ' ') return;
    const from = Math.max(k - context, last + 1);
    if (from > last + 1 && last >= 0) out.push('…');
    if (from > last + 1 || last < 0) out.push(`@@ snapshot line ${ops[from][2]} @@`);
    for (let c = from; c < k; c++) out.push(`  ${ops[c][1]}`);
    out.push(`${op[0]} ${op[1]}`);
    last = k;
    for (let c = k + 1; c <= Math.min(k + context, ops.length - 1) && ops[c][0] === ' '; c++) {
      out.push(`  ${ops[c][1]}`);
      last = c;
    }
  });
  return out.join('\n');
}

// tsc --strict diagnostics of the declarations alone, as "runtime.d.ts:LINE: message".
function typeCheck(declarations) {
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-snapshot-tsc-'));
  try {
    const file = path.join(dir, 'runtime.d.ts');
    writeFileSync(file, declarations);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file) return `(global): ${text}`;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `runtime.d.ts:${line + 1}: ${text}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function currentTypes() {
  // A project with no models: its types are the runtime's alone.
  const project = await createProject(server, rootToken, {});
  const res = await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: rootToken });
  expectStatus(res, 200, 'types');
  return res.text;
}

test('GET /api/runtime/types matches tests/snapshots/runtime.d.ts', async () => {
  const actual = await currentTypes();
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(SNAPSHOT, actual);
    return;
  }
  let expected;
  try {
    expected = readFileSync(SNAPSHOT, 'utf8');
  } catch (e) {
    assert.fail(`no snapshot at ${SNAPSHOT} (${e.code}): create it with UPDATE_SNAPSHOTS=1`);
  }
  if (expected !== actual) {
    assert.fail(
      'the runtime\'s TypeScript declarations changed (- snapshot, + server):\n' +
        lineDiff(expected, actual) +
        '\n\nIf the change is intended, rewrite the snapshot and commit it:\n' +
        '  UPDATE_SNAPSHOTS=1 M3M_BINARY=$PWD/build-test/m3m node --test tests/api/runtime_types_snapshot.test.mjs',
    );
  }
});

test('the snapshot type-checks with tsc --strict', () => {
  const diagnostics = typeCheck(readFileSync(SNAPSHOT, 'utf8'));
  assert.deepEqual(diagnostics, [], `type errors in tests/snapshots/runtime.d.ts:\n${diagnostics.join('\n')}`);
});

test('the diff names the changed lines (the harness itself)', () => {
  const d = lineDiff('a\nb\nc\nd\n', 'a\nb\nX\nd\n');
  assert.match(d, /^- c$/m);
  assert.match(d, /^\+ X$/m);
  assert.match(d, /^ {2}b$/m, 'context before');
  // A declaration that does not type-check is caught.
  assert.equal(typeCheck('declare const x: Nope;\n').length, 1);
});
