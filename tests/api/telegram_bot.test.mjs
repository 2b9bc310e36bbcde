// The platform's first use case end to end (issue 16, "Done when"): a
// Telegram-style echo bot — a `delayed` task long-polling a fake Bot API served
// by this test, replying with http.post, counting with goals.increment — while
// the project's routes keep answering and a stop ends the long poll at once.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { api, callRoute, createProject, deploy, expectStatus, startRunning, startWithRoot, stopProject, waitFor } from './fixtures.mjs';

let server;
let rootToken;
let bot; // the fake Bot API
let botUrl;
const updates = []; // queued for getUpdates
const sent = []; // what the bot answered (sendMessage bodies)
const waiters = []; // pending long polls
let polls = 0;

function flush() {
  while (waiters.length && updates.length) waiters.shift()();
}

before(async () => {
  bot = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://x');
      const reply = (obj) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (u.pathname === '/botTEST/getUpdates') {
        polls++;
        const offset = Number(u.searchParams.get('offset') || 0);
        const answer = () => reply({ ok: true, result: updates.splice(0).filter((x) => x.update_id >= offset) });
        if (updates.length) return answer();
        // Long poll: hold until an update comes or `timeout` seconds pass.
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(done), 1);
          answer();
        }, Number(u.searchParams.get('timeout') || 0) * 1000);
        const done = () => {
          clearTimeout(timer);
          answer();
        };
        waiters.push(done);
        return;
      }
      if (u.pathname === '/botTEST/sendMessage' && req.method === 'POST') {
        sent.push(JSON.parse(Buffer.concat(chunks).toString()));
        return reply({ ok: true, result: { message_id: sent.length } });
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise((r) => bot.listen(0, '127.0.0.1', r));
  botUrl = `http://127.0.0.1:${bot.address().port}/botTEST`;
  ({ server, rootToken } = await startWithRoot());
});
after(async () => {
  await server?.stop();
  bot.closeAllConnections();
  await new Promise((r) => bot.close(r));
});

test('an echo bot: long-polling delayed task, replies with http.post, counts with goals, routes stay responsive, stop is quick', async () => {
  const project = await createProject(server, rootToken, {});
  const goal = expectStatus(await api(server, 'POST', `/api/projects/${project.id}/goals`, { token: rootToken, body: {
    name: 'Messages', slug: 'messages', type: 'counter' } }), 201).body;
  const code = `
    const API = ${JSON.stringify(botUrl)};
    let handled = 0;
    service.start(() => {
      delayed.run(() => {
        let offset = 0;
        for (;;) {
          const r = http.get(API + '/getUpdates', { query: { offset, timeout: 2 }, timeout: 10000 }).json();
          for (const u of r.result) {
            offset = u.update_id + 1;
            http.post(API + '/sendMessage', { chat_id: u.message.chat.id, text: 'echo: ' + u.message.text });
            goals.increment('messages');
            handled++;
          }
        }
      });
      router.get('/health', () => ({ ok: true, handled }));
    });`;
  const version = await deploy(server, rootToken, project.id, code);
  await startRunning(server, rootToken, project.id, version);
  await waitFor(async () => waiters.length > 0, { what: 'the bot to long-poll' });

  // While the bot sits in its long poll, the project's routes answer at once.
  const t0 = Date.now();
  const health = await callRoute(server, project.slug, '/health');
  expectStatus(health, 200, 'health during the long poll');
  assert.ok(Date.now() - t0 < 500, `health answered in ${Date.now() - t0} ms`);

  const texts = ['hi', 'привет', 'how are you?', '🙂', 'bye'];
  texts.forEach((text, i) => {
    updates.push({ update_id: 100 + i, message: { chat: { id: 7 + i }, text } });
    flush();
  });
  await waitFor(async () => sent.length >= texts.length, { what: 'five replies', timeout: 10_000 });
  assert.deepEqual(sent.map((m) => m.text), texts.map((t) => 'echo: ' + t));
  assert.deepEqual(sent.map((m) => m.chat_id), [7, 8, 9, 10, 11]);
  assert.equal((await callRoute(server, project.slug, '/health')).body.handled, 5);
  await waitFor(async () => {
    const stats = expectStatus(await api(server, 'GET', `/api/goals/stats?goals=${goal.id}`, { token: rootToken }), 200).body;
    return stats.goals[0].total === 5;
  }, { what: 'the goal total to reach 5' });

  // A stop with the long poll in progress returns at once.
  await waitFor(async () => waiters.length > 0, { what: 'the next long poll' });
  const s0 = Date.now();
  expectStatus(await stopProject(server, rootToken, project.id), 200, 'stop');
  assert.ok(Date.now() - s0 < 1000, `stop took ${Date.now() - s0} ms with a long poll open`);
  const pollsAtStop = polls;
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(polls, pollsAtStop, 'no poll after stop');
});
