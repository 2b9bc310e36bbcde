// GET /api/runtime/types (issue 6): TypeScript declarations of every module,
// generated from the module schemas, for the editor.
// Contract: docs/runtime.md ("Modules").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, createProject, createUserAndLogin, describe, expectError, expectStatus, startWithRoot } from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot());
});
after(async () => {
  await server?.stop();
});

// A global named `name` is declared: `declare const|let|var|function|namespace|class name`,
// or a property of a declared global interface/scope.
function declares(dts, name) {
  return new RegExp(`declare\\s+(const|let|var|function|namespace|class|module)\\s+${name}\\b`).test(dts) ||
    new RegExp(`declare\\s+global\\s*\\{[\\s\\S]*\\b(const|let|var|function|namespace)\\s+${name}\\b`).test(dts);
}

test('GET /api/runtime/types needs a logged-in user', async () => {
  expectError(await api(server, 'GET', '/api/runtime/types'), 401, 'UNAUTHENTICATED', 'no token');
  expectError(await api(server, 'GET', '/api/runtime/types', { token: 'garbage' }), 401, 'UNAUTHENTICATED', 'bad token');
  // Any user, not only root.
  const plain = await createUserAndLogin(server, rootToken, {});
  expectStatus(await api(server, 'GET', '/api/runtime/types', { token: plain.token }), 200, 'a plain user');
});

test('the declarations cover service, router, logger, env, console and timers', async () => {
  const res = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  expectStatus(res, 200, 'types');
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^(text\/plain|application\/typescript|text\/typescript|application\/x-typescript)/, `a text content type: ${ct}`);
  const dts = res.text;
  assert.ok(dts.length > 200, `non-trivial declarations (${dts.length} chars)`);
  assert.ok(!dts.trim().startsWith('{'), 'TypeScript text, not JSON');

  for (const name of ['service', 'router', 'logger', 'env', 'console', 'setTimeout', 'setInterval', 'clearTimeout']) {
    assert.ok(declares(dts, name), `declares ${name}:\n${dts.slice(0, 3000)}`);
  }
  // service lifecycle
  for (const m of ['boot', 'start', 'shutdown', 'project']) assert.match(dts, new RegExp(`\\b${m}\\b`), `service.${m}`);
  // router methods and response
  for (const m of ['get', 'post', 'put', 'patch', 'delete', 'all', 'response']) {
    assert.match(dts, new RegExp(`\\b${m}\\s*[(<:]`), `router.${m} is declared`);
  }
  // logger levels, env.get
  for (const m of ['debug', 'info', 'warn', 'error']) assert.match(dts, new RegExp(`\\b${m}\\s*[(<:]`), `logger.${m}`);
  assert.match(dts, /\bget\s*\(\s*key\s*:\s*string/, 'env.get(key: string)');
});

// Every `interface Name …{…}` / `type Name = …` / `class Name …{…}` with its text
// (braces balanced), nested ones included.
function declarations(dts) {
  const out = new Map();
  const re = /\b(interface|type|class)\s+(\w+)/g;
  let m;
  while ((m = re.exec(dts))) {
    let i = m.index + m[0].length;
    let depth = 0;
    let began = false;
    let j = i;
    for (; j < dts.length; j++) {
      const c = dts[j];
      if (c === '{' || c === '(' || c === '<') { depth++; began = true; }
      else if (c === '}' || c === ')' || (c === '>' && dts[j - 1] !== '=')) depth--;
      else if (depth === 0 && (c === ';' || c === '\n') && began && m[1] === 'type') break;
      if (began && depth === 0 && c === '}' && m[1] !== 'type') { j++; break; }
    }
    if (!out.has(m[2])) out.set(m[2], dts.slice(m.index, j));
  }
  return out;
}

test('router.get declares its handler with a typed context (method, path, params, query, headers, body, rawBody, requestId)', async () => {
  const dts = (await api(server, 'GET', '/api/runtime/types', { token: rootToken })).text;
  const decls = declarations(dts);
  const FIELDS = ['method', 'path', 'params', 'query', 'headers', 'body', 'rawBody', 'requestId'];
  const ctxTypes = [...decls].filter(([, text]) => FIELDS.every((f) => new RegExp(`\\b${f}\\??\\s*:`).test(text))).map(([n]) => n);
  assert.ok(ctxTypes.length > 0, `a context type declares ${FIELDS.join(', ')}:\n${dts.slice(0, 4000)}`);
  // router.get(path, handler) — the line names the context type directly or through one alias.
  const getLines = dts.split('\n').filter((l) => /\bget\s*[<(]/.test(l) && /path/.test(l));
  assert.ok(getLines.length > 0, `router.get(path, …) is declared:\n${dts.slice(0, 4000)}`);
  const mentions = (text, names) => names.some((n) => new RegExp(`\\b${n}\\b`).test(text));
  const aliases = [...decls].filter(([n, text]) => !ctxTypes.includes(n) && mentions(text, ctxTypes)).map(([n]) => n);
  assert.ok(
    getLines.some((l) => mentions(l, ctxTypes) || mentions(l, aliases)),
    `router.get's handler takes the context type (${ctxTypes}) — get lines:\n${getLines.join('\n')}`,
  );
});

test('the declarations are stable and served to project API keys too or refused cleanly', async () => {
  const a = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  const b = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  assert.equal(a.text, b.text, 'the same text on every call');
  const p = await createProject(server, rootToken, {});
  const k = await api(server, 'GET', '/api/runtime/types', { apiKey: p.api_key });
  assert.ok([200, 401, 403].includes(k.status), `with a project key: ${describe(k)}`);
});
