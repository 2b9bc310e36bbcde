// The runtime `smtp` module (docs/runtime.md, "smtp") against a real SMTP
// server: tests/api/smtp_sink.py (Python's aiosmtpd) on a free port, which
// parses every received message with Python's `email` package and reports it
// as a JSON line. m3m is pointed at it through M3M_SMTP_* (security none).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  callRoute,
  expectStatus,
  projectStatus,
  readRunLog,
  runningProject,
  stopProject,
  startWithRoot,
  waitFor,
} from './fixtures.mjs';
import { startSink } from './smtp_sink.mjs';

const header = (msg, name) => {
  const all = msg.headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return all.length ? all[0] : undefined;
};
const leaves = (msg) => msg.parts.filter((p) => !p.multipart);
const multiparts = (msg) => msg.parts.filter((p) => p.multipart).map((p) => p.multipart);
const rawText = (msg) => Buffer.from(msg.raw, 'base64').toString('latin1');

const CODE = `
const describeError = (e) => ({ name: e && e.name, message: e && e.message, code: e && e.code === undefined ? null : e.code });
const wrap = (fn) => async (ctx) => {
  try { return { ok: await fn(ctx) }; } catch (e) { return { caught: describeError(e) }; }
};
service.start(() => {
  router.post('/send', wrap((ctx) => smtp.send(ctx.body)));
  router.post('/send-async', wrap((ctx) => smtp.sendAsync(ctx.body)));
  router.post('/send-raw', wrap((ctx) => {
    const arg = ctx.body.arg;
    if (ctx.body.bigText) arg.text = 'x'.repeat(ctx.body.bigText);
    return smtp.send(arg);
  }));
  // Attachments from bytes made in JS: a Uint8Array (and an ArrayBuffer) of the given values.
  router.post('/send-bytes', wrap((ctx) => {
    const b = ctx.body;
    const u8 = new Uint8Array(b.bytes);
    const attachments = [{ filename: 'all-bytes.bin', content: u8, contentType: 'application/octet-stream' },
      { filename: 'sliced.bin', content: u8.subarray(1, 4) },
      { filename: 'buffer.bin', content: u8.buffer }];
    return smtp.send(Object.assign({}, b.message, { attachments: attachments.concat(b.more || []) }));
  }));
  // Bytes of other views, nested in the message; sendAsync copies them when called.
  router.post('/send-views', wrap(async (ctx) => {
    const u8 = new Uint8Array([10, 20, 30, 40, 50, 60]);
    const later = new Uint8Array([1, 2, 3]);
    const pending = smtp.sendAsync(Object.assign({}, ctx.body, { attachments: [
      { filename: 'view.bin', content: new DataView(u8.buffer, 2, 3) },
      { filename: 'i16.bin', content: new Int16Array([0x0201, -2]) },
      { filename: 'later.bin', content: later },
    ] }));
    later.fill(9);  // after the call: not what is sent
    return pending;
  }));
  router.post('/write', wrap((ctx) => {
    const b = ctx.body;
    storage.write(b.path, b.bytes ? new Uint8Array(b.bytes) : b.text);
    return true;
  }));
  router.get('/ping', () => ({ pong: true }));
});
`;

let server;
let rootToken;
let sink;
let slug;
let projectId;

before(async () => {
  sink = await startSink();
  ({ server, rootToken } = await startWithRoot({
    env: {
      M3M_SMTP_HOST: '127.0.0.1',
      M3M_SMTP_PORT: String(sink.port),
      M3M_SMTP_SECURITY: 'none',
      M3M_SMTP_FROM: 'Shop Bot <bot@shop.example>',
      M3M_SMTP_TIMEOUT: '5s',
    },
  }));
  const { project } = await runningProject(server, rootToken, CODE);
  slug = project.slug;
  projectId = project.id;
});

after(async () => {
  const output = server?.output() ?? '';
  const exit = await server?.stop();
  await sink?.stop();
  // Clean exit under ASan: no leak or error report from abandoned or failed sends.
  if (exit) assert.deepEqual(exit, { code: 0, signal: null }, output.slice(-3000));
  assert.ok(!/Sanitizer/.test(output), output.slice(-3000));
});

async function send(body, route = '/send') {
  const res = await callRoute(server, slug, route, { method: 'POST', body });
  expectStatus(res, 200, `POST ${route}`);
  return res.body;
}

async function sendOk(body, route = '/send') {
  const r = await send(body, route);
  assert.ok(r.ok, `sent: ${JSON.stringify(r)}`);
  return r.ok;
}

async function sendFails(body, route = '/send') {
  const r = await send(body, route);
  assert.ok(r.caught, `expected an error, got ${JSON.stringify(r)}`);
  return r.caught;
}

test('text + HTML with a UTF-8 subject, cc and bcc: envelope, headers and parts as sent', async () => {
  const result = await sendOk({
    to: ['Ада Лавлейс <ada@example.com>', { name: 'Bob, Jr.', address: 'bob@example.com' }],
    cc: 'carol@example.com',
    bcc: ['secret@example.com'],
    replyTo: 'help@shop.example',
    subject: 'Ваш заказ №42 готов ✓',
    text: 'Здравствуйте!\nВаш заказ готов.\n.\nA line with only a dot above.',
    html: '<p>Здравствуйте!</p><p>Ваш заказ <b>готов</b>.</p>',
    headers: { 'X-Campaign': 'spring-2026', 'X-Note': 'Привет' },
  });
  const msg = await sink.next();
  assert.deepEqual(msg.defects, [], 'Python parses it without defects');
  // Envelope: everyone, bcc included, once.
  assert.equal(msg.mail_from, 'bot@shop.example');
  assert.deepEqual(msg.rcpt_tos.sort(), ['ada@example.com', 'bob@example.com', 'carol@example.com', 'secret@example.com']);
  assert.deepEqual(result.accepted.sort(), msg.rcpt_tos);
  assert.deepEqual(result.rejected, []);
  // Headers: decoded; no Bcc anywhere in the message.
  assert.equal(header(msg, 'Subject'), 'Ваш заказ №42 готов ✓');
  assert.match(rawText(msg), /^Subject: =\?UTF-8\?B\?/m, 'the subject is an RFC 2047 encoded-word');
  assert.equal(header(msg, 'From'), 'Shop Bot <bot@shop.example>');
  assert.equal(header(msg, 'To'), 'Ада Лавлейс <ada@example.com>, "Bob, Jr." <bob@example.com>');
  assert.equal(header(msg, 'Cc'), 'carol@example.com');
  assert.equal(header(msg, 'Reply-To'), 'help@shop.example');
  assert.equal(header(msg, 'X-Campaign'), 'spring-2026');
  assert.equal(header(msg, 'X-Note'), 'Привет');
  assert.equal(header(msg, 'Bcc'), undefined);
  assert.ok(!rawText(msg).includes('secret@example.com'), 'the bcc address is nowhere in the message');
  assert.equal(header(msg, 'Message-ID'), result.messageId);
  assert.match(result.messageId, /^<[a-z0-9]+@shop\.example>$/);
  assert.equal(header(msg, 'MIME-Version'), '1.0');
  const date = new Date(header(msg, 'Date'));
  assert.ok(Math.abs(Date.now() - date.getTime()) < 5 * 60_000, `a current Date: ${header(msg, 'Date')}`);
  // Every line ends with CRLF.
  assert.ok(!/[^\r]\n/.test(rawText(msg)), 'no bare LF');
  // Parts: multipart/alternative with text then HTML, UTF-8.
  assert.deepEqual(multiparts(msg), ['multipart/alternative']);
  const [text, html] = leaves(msg);
  assert.equal(text.type, 'text/plain');
  assert.equal(text.charset, 'utf-8');
  assert.equal(text.text, 'Здравствуйте!\r\nВаш заказ готов.\r\n.\r\nA line with only a dot above.');
  assert.equal(html.type, 'text/html');
  assert.equal(html.text, '<p>Здравствуйте!</p><p>Ваш заказ <b>готов</b>.</p>');
});

test('attachments: a DataView and an Int16Array send their own bytes; sendAsync sends the bytes as they were at the call', async () => {
  await sendOk({ to: 'ada@example.com', subject: 'Views', text: 'views' }, '/send-views');
  const msg = await sink.next();
  const [, view, i16, later] = leaves(msg);
  assert.equal(view.filename, 'view.bin');
  assert.deepEqual([...Buffer.from(view.base64, 'base64')], [30, 40, 50], "the DataView's window only");
  assert.deepEqual([...Buffer.from(i16.base64, 'base64')], [1, 2, 0xfe, 0xff], 'raw little-endian bytes');
  assert.deepEqual([...Buffer.from(later.base64, 'base64')], [1, 2, 3]);
});

test('attachments: bytes from a Uint8Array, an ArrayBuffer, a storage file and a string arrive intact', async () => {
  const all = Array.from({ length: 256 }, (_, i) => i);
  const stored = Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) & 255);
  const w = await send({ path: 'files/report.bin', bytes: stored }, '/write');
  assert.deepEqual(w, { ok: true });
  const result = await sendOk({
    bytes: all,
    message: { to: 'ada@example.com', subject: 'Files', text: 'see attached' },
    more: [
      { content: { path: 'files/report.bin' } },
      { filename: 'счёт.txt', content: 'Итого: 100 ₽' },
      { filename: 'data.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' },
    ],
  }, '/send-bytes');
  assert.equal(result.accepted.length, 1);
  const msg = await sink.next();
  assert.deepEqual(msg.defects, []);
  assert.deepEqual(multiparts(msg), ['multipart/mixed']);
  const [body, allBytes, sliced, buffer, report, invoice, csv] = leaves(msg);
  assert.equal(body.type, 'text/plain');
  assert.equal(body.text, 'see attached');
  assert.equal(allBytes.filename, 'all-bytes.bin');
  assert.equal(allBytes.disposition, 'attachment');
  assert.equal(allBytes.type, 'application/octet-stream');
  assert.equal(allBytes.encoding, 'base64');
  assert.deepEqual([...Buffer.from(allBytes.base64, 'base64')], all);
  assert.deepEqual([...Buffer.from(sliced.base64, 'base64')], [1, 2, 3], 'a subarray sends its own bytes only');
  assert.deepEqual([...Buffer.from(buffer.base64, 'base64')], all);
  assert.equal(report.filename, 'report.bin', 'the file name of content.path by default');
  assert.deepEqual([...Buffer.from(report.base64, 'base64')], stored);
  assert.equal(invoice.filename, 'счёт.txt', 'a UTF-8 file name (RFC 2231)');
  assert.equal(invoice.type, 'text/plain');
  assert.equal(Buffer.from(invoice.base64, 'base64').toString('utf8'), 'Итого: 100 ₽');
  assert.equal(csv.type, 'text/csv');
  assert.equal(Buffer.from(csv.base64, 'base64').toString('utf8'), 'a,b\n1,2\n');
  // Base64 bodies in lines of at most 76 characters.
  for (const line of rawText(msg).split('\r\n')) assert.ok(line.length <= 998, 'no line over 998');
  const reportLines = rawText(msg).split('\r\n').filter((l) => /^[A-Za-z0-9+/=]{60,}$/.test(l));
  assert.ok(reportLines.length > 10 && reportLines.every((l) => l.length <= 76), 'base64 lines ≤ 76');
});

test('a missing storage file or a bad path is an error, nothing is sent', async () => {
  const missing = await sendFails({ to: 'ada@example.com', text: 'x', attachments: [{ filename: 'a', content: { path: 'no/such.bin' } }] });
  assert.match(missing.message, /smtp\.send: attachments\[0\]\.content\.path \(no\/such\.bin\)/);
  assert.equal(missing.code, 'NOT_FOUND');
  const escape = await sendFails({ to: 'ada@example.com', text: 'x', attachments: [{ filename: 'a', content: { path: '../../etc/passwd' } }] });
  assert.equal(escape.code, 'INVALID_ARGUMENT');
  assert.equal(sink.pending(), 0);
});

test('templates: an HTML template from storage with data (escaped), a subject template (not escaped), a text template', async () => {
  await sendOk({ path: 'mail/welcome.html', text: '<h1>Hi {{name}}!</h1>{{#items}}<li>{{title}} × {{qty}}</li>{{/items}}{{^items}}none{{/items}}<p>{{{raw}}}</p>' }, '/write');
  await sendOk({ path: 'mail/welcome.txt', text: 'Hi {{name}}, you have {{count}} items ({{ratio}}).' }, '/write');
  const data = { name: 'Tom & <Jerry>', items: [{ title: 'Кот', qty: 2 }, { title: 'Mouse', qty: 1 }], raw: '<i>ok</i>', count: 3, ratio: 1.5 };
  await sendOk({ to: 'ada@example.com', template: 'mail/welcome.html', data, subject: 'Welcome, {{name}}!' });
  let msg = await sink.next();
  assert.equal(header(msg, 'Subject'), 'Welcome, Tom & <Jerry>!');
  const [html] = leaves(msg);
  assert.equal(html.type, 'text/html');
  // A single-part body ends with the CRLF that ends the message's last line.
  assert.equal(html.text, '<h1>Hi Tom &amp; &lt;Jerry&gt;!</h1><li>Кот × 2</li><li>Mouse × 1</li><p><i>ok</i></p>\r\n');

  await sendOk({ to: 'ada@example.com', template: { html: 'mail/welcome.html', text: 'mail/welcome.txt' }, data: { name: 'Ann', count: 0, ratio: 0.25 }, subject: 'Plain' });
  msg = await sink.next();
  assert.deepEqual(multiparts(msg), ['multipart/alternative']);
  const [text, html2] = leaves(msg);
  assert.equal(text.text, 'Hi Ann, you have 0 items (0.25).');
  assert.equal(html2.text, '<h1>Hi Ann!</h1>none<p></p>');

  // A template that is not in storage; a template and a body of the same kind.
  const missing = await sendFails({ to: 'ada@example.com', template: 'mail/nope.html', data: {} });
  assert.equal(missing.code, 'NOT_FOUND');
  assert.match(missing.message, /template\.html \(mail\/nope\.html\)/);
  const both = await sendFails({ to: 'ada@example.com', template: 'mail/welcome.html', html: '<p>x</p>' });
  assert.equal(both.code, 'INVALID_ARGUMENT');
  // A subject template whose data holds a line break: refused, not injected.
  const injected = await sendFails({ to: 'ada@example.com', text: 'x', subject: 'Hi {{name}}', data: { name: 'x\r\nBcc: evil@example.com' } });
  assert.equal(injected.code, 'INVALID_ARGUMENT');
  assert.match(injected.message, /subject must not contain CR or LF/);
  assert.equal(sink.pending(), 0);
});

test('header injection (CR/LF in any header value or address) is refused with INVALID_ARGUMENT', async () => {
  const cases = [
    { to: 'ada@example.com', subject: 'Hi\r\nBcc: evil@example.com', text: 'x' },
    { to: 'ada@example.com', subject: 'Hi\nX-Evil: 1', text: 'x' },
    { to: 'ada@example.com\r\nBcc: evil@example.com', text: 'x' },
    { to: { name: 'Ada\r\nBcc: evil@example.com', address: 'ada@example.com' }, text: 'x' },
    { to: 'ada@example.com', from: 'me@example.com\nBcc: evil@example.com', text: 'x' },
    { to: 'ada@example.com', replyTo: 'a@b.co\r\nX: y', text: 'x' },
    { to: 'ada@example.com', text: 'x', headers: { 'X-Note': 'a\r\nBcc: evil@example.com' } },
    { to: 'ada@example.com', text: 'x', headers: { 'X-Note\r\nBcc': 'evil@example.com' } },
    { to: 'ada@example.com', text: 'x', attachments: [{ filename: 'a.txt\r\nX: y', content: 'x' }] },
    { to: 'ada@example.com', text: 'x', attachments: [{ filename: 'a.txt', content: 'x', contentType: 'text/plain\r\nX: y' }] },
  ];
  for (const c of cases) {
    const e = await sendFails(c);
    assert.equal(e.code, 'INVALID_ARGUMENT', JSON.stringify(c));
    assert.equal(e.name, 'TypeError');
    assert.match(e.message, /^smtp\.send: .*(CR or LF|header name)/, JSON.stringify(e));
  }
  assert.equal(sink.pending(), 0, 'nothing reached the server');
});

test('wrong arguments are clear errors', async () => {
  const cases = [
    [{ arg: 42 }, /argument 1 \(message\) must be an object/],
    [{ arg: null }, /argument 1 \(message\) must be an object/],
    [{ arg: { subject: 'no one', text: 'x' } }, /no recipient/],
    [{ arg: { to: 'not an address', text: 'x' } }, /to: "not an address" is not an email address/],
    [{ arg: { to: ['a@b.co', 7], text: 'x' } }, /to\[1\] must be an address/],
    [{ arg: { to: 'a@b.co', text: 5 } }, /text must be a string/],
    [{ arg: { to: 'a@b.co', text: 'x', attachments: 'nope' } }, /attachments must be an array/],
    [{ arg: { to: 'a@b.co', text: 'x', attachments: [{ filename: 'a' }] } }, /attachments\[0\]\.content is required/],
    [{ arg: { to: 'a@b.co', text: 'x', attachments: [{ filename: 'a', content: 5 }] } }, /content must be a string, a Uint8Array/],
    [{ arg: { to: 'a@b.co', text: 'x', headers: { Subject: 'twice' } } }, /set by smtp\.send itself/],
    [{ arg: { to: 'a@b.co', text: 'x', headers: { Bcc: 'x@y.z' } } }, /set by smtp\.send itself/],
    [{ arg: { to: 'a@b.co', txet: 'typo' } }, /unknown field "txet"/],
    [{ arg: { to: 'a@b.co', text: 'x', data: 'nope' } }, /data must be an object/],
    [{ arg: { to: 'a@b.co', text: '{{#a}}'.repeat(100_000), data: {} } }, /text: sections nest deeper than 50 levels/],
    [{ arg: { to: 'a@b.co', text: '{{=<% %>=}}<%x%>', data: { x: 1 } } }, /set-delimiter tags/],
    [{ arg: { to: Array.from({ length: 101 }, (_, i) => `u${i}@example.com`), text: 'x' } }, /at most 100 recipients/],
  ];
  for (const [body, re] of cases) {
    const e = await sendFails(body, '/send-raw');
    assert.equal(e.code, 'INVALID_ARGUMENT', JSON.stringify(body).slice(0, 200));
    assert.match(e.message, re);
  }
  // Too large: PAYLOAD_TOO_LARGE before anything is sent.
  const big = await sendFails({ arg: { to: 'a@b.co' }, bigText: 26 << 20 }, '/send-raw');
  assert.equal(big.code, 'PAYLOAD_TOO_LARGE');
  assert.equal(sink.pending(), 0);
});

test('a refused recipient is reported in rejected; when every recipient is refused, an error', async () => {
  const result = await sendOk({ to: ['ada@example.com', 'reject-me@example.com'], subject: 'some', text: 'x' });
  assert.deepEqual(result.accepted, ['ada@example.com']);
  assert.deepEqual(result.rejected, ['reject-me@example.com']);
  const msg = await sink.next();
  assert.deepEqual(msg.rcpt_tos, ['ada@example.com']);

  const e = await sendFails({ to: 'reject-a@example.com', cc: 'reject-b@example.com', text: 'x' });
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.match(e.message, /refused every recipient: reject-a@example\.com \(550 .*no such user/);
  assert.match(e.message, /reject-b@example\.com/);
  assert.equal(sink.pending(), 0);
});

test('smtp.sendAsync resolves with the same result and rejects with the same errors', async () => {
  const r = await sendOk({ to: 'ada@example.com', subject: 'async', text: 'from a promise' }, '/send-async');
  assert.deepEqual(r.accepted, ['ada@example.com']);
  const msg = await sink.next();
  assert.equal(header(msg, 'Subject'), 'async');
  assert.equal(header(msg, 'Message-ID'), r.messageId);
  const e = await sendFails({ to: 'ada@example.com', subject: 'a\r\nb', text: 'x' }, '/send-async');
  assert.equal(e.code, 'INVALID_ARGUMENT');
  const e2 = await sendFails(42, '/send-async');
  assert.equal(e2.code, "INVALID_ARGUMENT", JSON.stringify(e2));
});

test('while a send waits for a slow server, other routes of the project run (the isolate is left)', async () => {
  const started = Date.now();
  const slow = send({ to: 'ada@example.com', subject: 'slow', text: 'x', headers: { 'X-Slow': '2' } });
  const slowAsync = send({ to: 'ada@example.com', subject: 'slow-async', text: 'x', headers: { 'X-Slow': '2' } }, '/send-async');
  await new Promise((r) => setTimeout(r, 300));
  const ping = await callRoute(server, slug, '/ping');
  expectStatus(ping, 200, 'ping while sending');
  assert.ok(Date.now() - started < 1800, `ping answered before the slow sends finished (${Date.now() - started} ms)`);
  const [a, b] = await Promise.all([slow, slowAsync]);
  assert.ok(a.ok && b.ok, JSON.stringify({ a, b }));
  await sink.next();
  await sink.next();
});

test('the module is declared in GET /api/runtime/types', async () => {
  const res = await api(server, 'GET', '/api/runtime/types', { token: rootToken });
  expectStatus(res, 200, 'types');
  assert.match(res.text, /declare const smtp: \{/);
  assert.match(res.text, /send\(message: M3MMailMessage\): M3MMailResult;/);
  assert.match(res.text, /sendAsync\(message: M3MMailMessage\): Promise<M3MMailResult>;/);
  assert.match(res.text, /interface M3MMailAttachment/);
});

test('stopping a project while it waits for the SMTP server ends the wait at once', async () => {
  const { project: p2 } = await runningProject(server, rootToken, CODE);
  const pending = callRoute(server, p2.slug, '/send', { method: 'POST', body: { to: 'ada@example.com', subject: '[drop] stuck', text: 'x', headers: { 'X-Slow': '30' } } });
  await new Promise((r) => setTimeout(r, 500));
  const t0 = Date.now();
  expectStatus(await stopProject(server, rootToken, p2.id), 200, 'stop');
  assert.ok(Date.now() - t0 < 3000, `the stop took ${Date.now() - t0} ms`);
  const res = await pending;
  assert.equal(res.status, 503, 'the abandoned request answers 503');
  expectStatus(await callRoute(server, slug, '/ping'), 200, 'the other project still serves');
});

test('a server slower than smtp.timeout: TIMEOUT, at the timeout', async () => {
  const t0 = Date.now();
  const e = await sendFails({ to: 'ada@example.com', subject: '[drop] late', text: 'x', headers: { 'X-Slow': '9' } });
  const took = Date.now() - t0;
  assert.equal(e.code, 'TIMEOUT', JSON.stringify(e));
  assert.match(e.message, /did not finish within smtp\.timeout \(5s\)/);
  assert.ok(took >= 4500 && took < 8000, `failed after ${took} ms`);
});

test('the SMTP server is down: a clear error, and the project keeps serving', async () => {
  await sink.stop();
  const e = await sendFails({ to: 'ada@example.com', subject: 'lost', text: 'x' });
  assert.equal(e.code, 'UNAVAILABLE');
  assert.match(e.message, new RegExp(`smtp\\.send: cannot connect to the SMTP server 127\\.0\\.0\\.1:${sink.port}`));
  const ping = await callRoute(server, slug, '/ping');
  expectStatus(ping, 200, 'ping after the failed send');
  assert.deepEqual(ping.body, { pong: true });
  assert.equal((await projectStatus(server, rootToken, projectId)).state, 'running');
  sink = null;
});

test('no smtp configured: a clear error', async () => {
  const other = await startWithRoot();
  try {
    const { project } = await runningProject(other.server, other.rootToken, CODE);
    const res = await callRoute(other.server, project.slug, '/send', { method: 'POST', body: { to: 'a@b.co', text: 'x' } });
    expectStatus(res, 200);
    assert.equal(res.body.caught?.code, 'UNAVAILABLE', JSON.stringify(res.body));
    assert.match(res.body.caught.message, /no SMTP server configured \(set smtp\.host/);
  } finally {
    await other.server.stop();
  }
});

test('AUTH: the right password logs in; a wrong one is a clear error; the password is never logged', async () => {
  const authSink = await startSink(['--auth', 'mailer:s3cret-Pa55']);
  const servers = [];
  try {
    const start = async (password) => {
      const s = await startWithRoot({
        env: {
          M3M_SMTP_HOST: '127.0.0.1', M3M_SMTP_PORT: String(authSink.port), M3M_SMTP_SECURITY: 'none',
          M3M_SMTP_FROM: 'bot@shop.example', M3M_SMTP_USERNAME: 'mailer', M3M_SMTP_PASSWORD: password,
        },
      });
      servers.push(s);
      const { project } = await runningProject(s.server, s.rootToken, CODE);
      return { ...s, project };
    };
    const good = await start('s3cret-Pa55');
    const r = await callRoute(good.server, good.project.slug, '/send', { method: 'POST', body: { to: 'ada@example.com', text: 'x' } });
    assert.ok(r.body.ok, JSON.stringify(r.body));
    const msg = await authSink.next();
    assert.equal(msg.login, 'mailer');

    const bad = await start('wrong-Pa55word');
    const f = await callRoute(bad.server, bad.project.slug, '/send', { method: 'POST', body: { to: 'ada@example.com', text: 'x' } });
    assert.equal(f.body.caught?.code, 'UNAUTHENTICATED', JSON.stringify(f.body));
    assert.match(f.body.caught.message, /refused the login of smtp\.username \(535/);
    assert.equal(authSink.pending(), 0);
    await waitFor(async () => (await readRunLog(good.server, good.rootToken, good.project.id)).some((l) => l.includes('smtp: sent')),
      { what: '"smtp: sent" in the run log' });
    for (const s of [good, bad]) {
      const log = (await readRunLog(s.server, s.rootToken, s.project.id)).join('\n');
      for (const secret of ['s3cret-Pa55', 'wrong-Pa55word', Buffer.from('\0mailer\0s3cret-Pa55').toString('base64')]) {
        assert.ok(!log.includes(secret), 'no password in the run log');
        assert.ok(!s.server.output().includes(secret), 'no password in the server output');
      }
    }
  } finally {
    for (const s of servers) await s.server.stop();
    await authSink.stop();
  }
});
