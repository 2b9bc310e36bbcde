// The telegram plugin (issue 18) against a fake Bot API served by this test:
// every function, Telegram's errors as JS errors carrying error_code and
// description, sendPhoto's upload (bytes or a file of the project's storage),
// the getUpdates long poll as a waiting call, the named types (committed as
// tests/snapshots/telegram.d.ts, checked by tsc --strict), and a missing
// bot_token refused.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BINARY, makeTempDir } from './harness.mjs';
import { api, callRoute, expectStatus, runningProject, startWithRoot } from './fixtures.mjs';

const TOKEN = '123:ABC';
const SNAPSHOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../snapshots/telegram.d.ts');
const ts = createRequire(import.meta.url)('../node_modules/typescript');

// tsc --strict diagnostics of a .d.ts alone.
function typeCheck(declarations) {
  const dir = mkdtempSync(path.join(tmpdir(), 'm3m-telegram-tsc-'));
  try {
    const file = path.join(dir, 'runtime.d.ts');
    writeFileSync(file, declarations);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let bot;
let botUrl;
const calls = []; // {method, body}
const updates = [];
let pollWaiter = null;
let server;
let rootToken;
let project;

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

before(async () => {
  bot = http.createServer(async (req, res) => {
    const raw = await readBody(req);
    const reply = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const m = req.url.match(/^\/bot([^/]+)\/(\w+)$/);
    if (!m || m[1] !== TOKEN) return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = m[2];
    let body;
    if ((req.headers['content-type'] || '').startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] } }).formData();
      body = {};
      for (const [k, v] of form) body[k] = typeof v === 'string' ? v : { name: v.name, file: [...new Uint8Array(await v.arrayBuffer())] };
    } else {
      body = JSON.parse(raw.toString() || '{}');
    }
    calls.push({ method, body });
    if (method === 'getMe') return reply(200, { ok: true, result: { id: 42, is_bot: true, first_name: 'Fake' } });
    if (method === 'sendMessage' || method === 'sendPhoto') {
      if (body.chat_id === 404 || body.chat_id === '404') return reply(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
      if (body.chat_id === 429) return reply(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
      return reply(200, { ok: true, result: { message_id: calls.length, date: 1, chat: { id: Number(body.chat_id), type: 'private' }, text: body.text } });
    }
    if (method === 'getUpdates') {
      const send = () => reply(200, { ok: true, result: updates.splice(0) });
      if (updates.length) return send();
      const timer = setTimeout(() => { pollWaiter = null; send(); }, body.timeout * 1000);
      pollWaiter = () => { clearTimeout(timer); pollWaiter = null; send(); };
      return;
    }
    return reply(200, { ok: true, result: true });
  });
  await new Promise((r) => bot.listen(0, '127.0.0.1', r));
  botUrl = `http://127.0.0.1:${bot.address().port}`;

  const dir = makeTempDir();
  const pluginsDir = path.join(dir, 'plugins');
  mkdirSync(pluginsDir);
  copyFileSync(path.join(path.dirname(BINARY), 'plugins', 'telegram.so'), path.join(pluginsDir, 'telegram.so'));
  const config = `plugins:\n  path: ${pluginsDir}\n  config:\n    telegram: { bot_token: "${TOKEN}", api_url: "${botUrl}/", timeout: 5 }\n`;
  ({ server, rootToken } = await startWithRoot({ dir, config }));
  ({ project } = await runningProject(server, rootToken, String.raw`
const outcome = async (f) => {
  try { return { ok: true, value: await f() }; }
  catch (e) { return { ok: false, name: e.name, code: e.code, message: e.message }; }
};
service.start(() => {
  router.get('/me', () => telegram.getMe());
  router.post('/send', (ctx) => outcome(() => telegram.sendMessage(ctx.body.chat, ctx.body.text, ctx.body.options)));
  router.post('/photo', (ctx) => outcome(() => telegram.sendPhoto(ctx.body.chat, ctx.body.bytes ? new Uint8Array(ctx.body.bytes) : ctx.body.url, { caption: 'cap', disable_notification: true })));
  router.post('/catch', async (ctx) => {
    try {
      await telegram.sendMessage(ctx.body.chat, 'x');
      return 'sent';
    } catch (e) {
      return { isError: e instanceof Error, name: e.name, code: e.code, error_code: e.error_code, description: e.description, parameters: e.parameters ?? null, message: e.message };
    }
  });
  router.post('/photopath', (ctx) => {
    storage.write('photos/a.png', new Uint8Array([137, 80, 78, 71, 13, 10]));
    return outcome(() => telegram.sendPhoto(9, { path: ctx.body.path }));
  });
  router.get('/hooks', async () => ({
    set: await telegram.setWebhook('https://example.com/hook', { secret_token: 's3' }),
    del: await telegram.deleteWebhook({ drop_pending_updates: true }),
    answer: await telegram.answerCallbackQuery('cb1', { text: 'done' }),
  }));
  router.get('/poll', () => telegram.getUpdates({ offset: 5, timeout: 5 }));
  router.get('/badpoll', () => outcome(() => telegram.getUpdates({ timeout: 9999 })));
  router.get('/ping', () => 'pong');
});
`));
});

after(async () => {
  await server?.stop();
  bot?.close();
  assert.doesNotMatch(server?.output() ?? '', /AddressSanitizer|LeakSanitizer|runtime error:/);
});

test('getMe and sendMessage reach the Bot API with the configured token', async () => {
  const me = await callRoute(server, project.slug, '/me');
  expectStatus(me, 200);
  assert.deepEqual(me.body, { id: 42, is_bot: true, first_name: 'Fake' });
  const sent = await callRoute(server, project.slug, '/send', { method: 'POST', body: { chat: 7, text: 'hi', options: { parse_mode: 'HTML' } } });
  assert.equal(sent.body.ok, true, JSON.stringify(sent.body));
  assert.equal(sent.body.value.chat.id, 7);
  assert.deepEqual(calls.at(-1), { method: 'sendMessage', body: { parse_mode: 'HTML', chat_id: 7, text: 'hi' } });
});

test("Telegram's error_code and description become a JS error with a code", async () => {
  const res = await callRoute(server, project.slug, '/send', { method: 'POST', body: { chat: 404, text: 'x' } });
  assert.deepEqual(res.body, { ok: false, name: 'TypeError', code: 'INVALID_ARGUMENT', message: 'telegram.sendMessage: Telegram error 400: Bad Request: chat not found' });
  // …and as properties of the error, caught in JS: e.error_code, e.description (ABI 1.1).
  const caught = await callRoute(server, project.slug, '/catch', { method: 'POST', body: { chat: 404 } });
  expectStatus(caught, 200);
  assert.deepEqual(caught.body, {
    isError: true, name: 'TypeError', code: 'INVALID_ARGUMENT', error_code: 400, description: 'Bad Request: chat not found',
    parameters: null, message: 'telegram.sendMessage: Telegram error 400: Bad Request: chat not found',
  });
  const limited = await callRoute(server, project.slug, '/catch', { method: 'POST', body: { chat: 429 } });
  assert.deepEqual(limited.body, {
    isError: true, name: 'RangeError', code: 'LIMIT_EXCEEDED', error_code: 429, description: 'Too Many Requests: retry after 3',
    parameters: { retry_after: 3 }, message: 'telegram.sendMessage: Telegram error 429: Too Many Requests: retry after 3',
  });
  const bad = await callRoute(server, project.slug, '/send', { method: 'POST', body: { chat: true, text: 'x' } });
  assert.equal(bad.body.code, 'INVALID_ARGUMENT');
  assert.match(bad.body.message, /argument 1 \(chatId\) must be a number or a string/);
});

test('sendPhoto uploads bytes as multipart, or passes a URL', async () => {
  const up = await callRoute(server, project.slug, '/photo', { method: 'POST', body: { chat: 9, bytes: [137, 80, 78, 71, 0, 255] } });
  assert.equal(up.body.ok, true, JSON.stringify(up.body));
  assert.deepEqual(calls.at(-1), { method: 'sendPhoto', body: { chat_id: '9', caption: 'cap', disable_notification: 'true', photo: { name: 'photo', file: [137, 80, 78, 71, 0, 255] } } });
  const byUrl = await callRoute(server, project.slug, '/photo', { method: 'POST', body: { chat: 9, url: 'https://example.com/cat.png' } });
  assert.equal(byUrl.body.ok, true);
  assert.deepEqual(calls.at(-1).body, { caption: 'cap', disable_notification: true, chat_id: 9, photo: 'https://example.com/cat.png' });
});

test("sendPhoto({path}) uploads a file of the project's storage; the host checks the path", async () => {
  const up = await callRoute(server, project.slug, '/photopath', { method: 'POST', body: { path: 'photos/a.png' } });
  assert.equal(up.body.ok, true, JSON.stringify(up.body));
  assert.deepEqual(calls.at(-1), { method: 'sendPhoto', body: { chat_id: '9', photo: { name: 'a.png', file: [137, 80, 78, 71, 13, 10] } } });
  const before = calls.length;
  const missing = await callRoute(server, project.slug, '/photopath', { method: 'POST', body: { path: 'photos/missing.png' } });
  assert.deepEqual(missing.body, {
    ok: false, name: 'Error', code: 'NOT_FOUND',
    message: 'telegram.sendPhoto: photo.path (photos/missing.png): no file "photos/missing.png" in the project\'s storage',
  });
  const escape = await callRoute(server, project.slug, '/photopath', { method: 'POST', body: { path: '../../etc/passwd' } });
  assert.equal(escape.body.code, 'INVALID_ARGUMENT', JSON.stringify(escape.body));
  assert.match(escape.body.message, /^telegram\.sendPhoto: photo\.path \(\.\.\/\.\.\/etc\/passwd\): invalid path: /);
  const noPath = await callRoute(server, project.slug, '/photopath', { method: 'POST', body: { path: 5 } });
  assert.equal(noPath.body.code, 'INVALID_ARGUMENT');
  assert.match(noPath.body.message, /argument 2 \(photo\) as an object needs path/);
  assert.equal(calls.length, before, 'a refused path sends nothing to the Bot API');
});

test('setWebhook, deleteWebhook, answerCallbackQuery', async () => {
  const res = await callRoute(server, project.slug, '/hooks');
  expectStatus(res, 200);
  assert.deepEqual(res.body, { set: true, del: true, answer: true });
  assert.deepEqual(calls.slice(-3), [
    { method: 'setWebhook', body: { secret_token: 's3', url: 'https://example.com/hook' } },
    { method: 'deleteWebhook', body: { drop_pending_updates: true } },
    { method: 'answerCallbackQuery', body: { text: 'done', callback_query_id: 'cb1' } },
  ]);
});

test('getUpdates long-polls as a waiting call: the project answers meanwhile', async () => {
  const poll = callRoute(server, project.slug, '/poll');
  await new Promise((r) => setTimeout(r, 300));
  const ping = await callRoute(server, project.slug, '/ping');
  expectStatus(ping, 200);
  assert.ok(pollWaiter, 'the long poll is held by the fake Bot API');
  assert.deepEqual(calls.at(-1), { method: 'getUpdates', body: { offset: 5, timeout: 5 } });
  updates.push({ update_id: 6, message: { message_id: 1, chat: { id: 7, type: 'private' }, text: 'hello' } });
  pollWaiter();
  const res = await poll;
  expectStatus(res, 200);
  assert.deepEqual(res.body, [{ update_id: 6, message: { message_id: 1, chat: { id: 7, type: 'private' }, text: 'hello' } }]);
  const bad = await callRoute(server, project.slug, '/badpoll');
  assert.equal(bad.body.code, 'INVALID_ARGUMENT');
});

test('the plugin is listed with its functions and types', async () => {
  const res = await api(server, 'GET', '/api/plugins/telegram', { token: rootToken });
  expectStatus(res, 200);
  const kinds = Object.fromEntries(res.body.modules[0].functions.map((f) => [f.name, f.kind]));
  assert.deepEqual(kinds, { getMe: 'async', sendMessage: 'async', sendPhoto: 'async', answerCallbackQuery: 'async', setWebhook: 'async', deleteWebhook: 'async', getUpdates: 'waiting' });
  const types = await api(server, 'GET', `/api/runtime/types?project_id=${project.id}`, { token: rootToken });
  expectStatus(types, 200);
  assert.match(types.text, /sendMessage\(chatId: number \| string, text: string, options\?: Record<string, unknown>\): Promise<TelegramMessage>;/);
  assert.match(types.text, /getUpdates\(options\?: \{ offset\?: number; limit\?: number; timeout\?: number; allowed_updates\?: string\[\] \}\): TelegramUpdate\[\];/);
  // The plugin's part of the declarations (named types, then the module) is
  // committed, so a change shows as a diff in review; the whole file type-checks.
  const start = types.text.indexOf('/** A Telegram user or bot. */');
  const end = types.text.indexOf('};\n', types.text.indexOf('declare const telegram:')) + 3;
  assert.ok(start >= 0 && end > start, 'the telegram declarations are in the types');
  const actual = types.text.slice(start, end);
  if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, actual);
  assert.equal(actual, readFileSync(SNAPSHOT, 'utf8'), 'tests/snapshots/telegram.d.ts (rewrite with UPDATE_SNAPSHOTS=1)');
  assert.deepEqual(typeCheck(types.text), []);
});

test('without bot_token the plugin is refused with a clear error and the server runs', async () => {
  const dir = makeTempDir();
  const pluginsDir = path.join(dir, 'plugins');
  mkdirSync(pluginsDir);
  copyFileSync(path.join(path.dirname(BINARY), 'plugins', 'telegram.so'), path.join(pluginsDir, 'telegram.so'));
  const other = await startWithRoot({ dir, config: `plugins:\n  path: ${pluginsDir}\n` });
  try {
    const res = await api(other.server, 'GET', '/api/plugins/telegram', { token: other.rootToken });
    expectStatus(res, 200);
    assert.equal(res.body.state, 'failed');
    assert.match(res.body.error, /init failed: plugins\.config\.telegram\.bot_token is required/);
  } finally {
    await other.server.stop();
  }
});
