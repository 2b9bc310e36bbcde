// Live tail of the run log as Server-Sent Events: GET /api/projects/:id/logs/stream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, callRoute, runningProject, startWithRoot, stopProject } from './fixtures.mjs';

let server;
let rootToken;
before(async () => {
  ({ server, rootToken } = await startWithRoot());
});
after(async () => {
  if (server) await server.stop();
});

const TICKER = `let n = 0
service.start(() => { setInterval(() => logger.info('tick ' + (++n)), 50) })`;

// Reads SSE events from a streamed fetch until `enough(events)` or the time is up.
async function readEvents(res, enough, ms = 5000) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events = [];
  const ids = [];
  events.ids = ids;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !enough(events)) {
    const { value, done } = await Promise.race([
      reader.read(),
      new Promise((r) => setTimeout(() => r({ value: undefined, done: false }), deadline - Date.now())),
    ]);
    if (done) break;
    if (value) buffer += decoder.decode(value, { stream: true });
    let i;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      const id = block.split('\n').find((l) => l.startsWith('id: '))?.slice(4);
      if (data) {
        events.push(data);
        ids.push(id);
      }
    }
  }
  await reader.cancel().catch(() => {});
  return events;
}

test('the stream sends the backlog, then new lines as they are written', async () => {
  const { project } = await runningProject(server, rootToken, TICKER);
  const res = await fetch(`${server.url}/api/projects/${project.id}/logs/stream`, {
    headers: { Authorization: `Bearer ${rootToken}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const t0 = Date.now();
  const events = await readEvents(res, (ev) => ev.filter((e) => /tick \d+/.test(e)).length >= 8);
  const ticks = events.filter((e) => /tick \d+/.test(e));
  assert.ok(ticks.length >= 8, `live ticks arrived: ${events.length} events in ${Date.now() - t0} ms`);
  assert.match(events[0], /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[INFO\] starting release/, 'the backlog comes first');
  const numbers = ticks.map((e) => Number(e.match(/tick (\d+)/)[1]));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'in order');
  assert.equal(new Set(numbers).size, numbers.length, 'no line twice');
  await stopProject(server, rootToken, project.id);
});

test('?cursor skips what was read; ?access_token works for EventSource; no token is 401', async () => {
  const { project } = await runningProject(server, rootToken, TICKER);
  const page = await api(server, 'GET', `/api/projects/${project.id}/logs?limit=1000`, { token: rootToken });
  const cursor = page.body.next_cursor;
  const res = await fetch(`${server.url}/api/projects/${project.id}/logs/stream?cursor=${cursor}&access_token=${rootToken}`);
  assert.equal(res.status, 200);
  const events = await readEvents(res, (ev) => ev.length >= 3);
  assert.ok(events.length >= 3);
  assert.ok(!events.some((e) => /starting release/.test(e)), 'lines before the cursor are not sent again');
  const anon = await fetch(`${server.url}/api/projects/${project.id}/logs/stream`);
  assert.equal(anon.status, 401);
  await anon.body?.cancel();
  await stopProject(server, rootToken, project.id);
});

test('each event has an id (the offset after its line); Last-Event-ID resumes after it', async () => {
  const { project } = await runningProject(server, rootToken, TICKER);
  const url = `${server.url}/api/projects/${project.id}/logs/stream`;
  const first = await readEvents(await fetch(url, { headers: { Authorization: `Bearer ${rootToken}` } }), (ev) => ev.length >= 4);
  const ids = first.ids.map(Number);
  assert.ok(ids.every((n, i) => Number.isInteger(n) && (i === 0 || n > ids[i - 1])), `ids grow: ${first.ids}`);
  // The id of the 2nd event is the cursor after it: the forward page from it starts with the 3rd line.
  const page = await api(server, 'GET', `/api/projects/${project.id}/logs?cursor=${ids[1]}&limit=1`, { token: rootToken });
  assert.equal(page.body.lines[0], first[2]);
  const resumed = await readEvents(
    await fetch(url, { headers: { Authorization: `Bearer ${rootToken}`, 'Last-Event-ID': String(ids[1]) } }),
    (ev) => ev.length >= 2,
  );
  assert.deepEqual(resumed.slice(0, 2), first.slice(2, 4), 'resumes right after the last seen event');
  const bad = await fetch(url, { headers: { Authorization: `Bearer ${rootToken}`, 'Last-Event-ID': 'abc' } });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.fields['Last-Event-ID'] !== undefined, true);
  await stopProject(server, rootToken, project.id);
});

test('the log pages backwards with before= and prev_cursor, and refuses mixed modes', async () => {
  const { project } = await runningProject(server, rootToken, TICKER);
  const L = `/api/projects/${project.id}/logs`;
  await new Promise((r) => setTimeout(r, 600));
  const tail = (await api(server, 'GET', `${L}?tail=3`, { token: rootToken })).body;
  assert.equal(tail.lines.length, 3);
  assert.ok(tail.prev_cursor > 0);
  const up = (await api(server, 'GET', `${L}?before=${tail.prev_cursor}&limit=4`, { token: rootToken })).body;
  assert.equal(up.lines.length, 4);
  assert.equal(up.next_cursor, tail.prev_cursor);
  const forward = (await api(server, 'GET', `${L}?cursor=${up.prev_cursor}&limit=7`, { token: rootToken })).body;
  assert.deepEqual(forward.lines, [...up.lines, ...tail.lines], 'the pages join without a gap or an overlap');
  const top = (await api(server, 'GET', `${L}?before=${up.prev_cursor}&limit=1000`, { token: rootToken })).body;
  assert.equal(top.prev_cursor, 0, 'reached the top');
  assert.match(top.lines[0], /starting release/);
  for (const q of ['before=1&tail=3', 'before=1&cursor=0', 'before=-1', 'before=x', 'before=5&limit=0']) {
    const r = await api(server, 'GET', `${L}?${q}`, { token: rootToken });
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'INVALID_ARGUMENT', q);
  }
  await stopProject(server, rootToken, project.id);
});

test('a user without access gets 403; an unknown project 404', async () => {
  const other = await api(server, 'POST', '/api/users', {
    token: rootToken,
    body: { email: `sse-${Date.now()}@example.com`, password: 'password123' },
  });
  assert.equal(other.status, 201);
  const login = await api(server, 'POST', '/api/auth/login', { body: { email: other.body.email, password: 'password123' } });
  const { project } = await runningProject(server, rootToken, TICKER);
  const denied = await fetch(`${server.url}/api/projects/${project.id}/logs/stream`, {
    headers: { Authorization: `Bearer ${login.body.access_token}` },
  });
  assert.equal(denied.status, 403);
  const missing = await fetch(`${server.url}/api/projects/00000000-0000-4000-8000-000000000000/logs/stream`, {
    headers: { Authorization: `Bearer ${rootToken}` },
  });
  assert.equal(missing.status, 404);
  await stopProject(server, rootToken, project.id);
});

test('an open stream does not hold up a graceful stop of the server', async () => {
  const own = await startWithRoot();
  const { project } = await runningProject(own.server, own.rootToken, TICKER);
  const res = await fetch(`${own.server.url}/api/projects/${project.id}/logs/stream`, {
    headers: { Authorization: `Bearer ${own.rootToken}` },
  });
  assert.equal(res.status, 200);
  const reading = readEvents(res, () => false, 8000);
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  const { code } = await own.server.stop('SIGTERM');
  const ms = Date.now() - t0;
  assert.equal(code, 0);
  assert.ok(ms < 5000, `stopped in ${ms} ms with a stream open (drain timeout is 10 s)`);
  const events = await reading;
  assert.ok(events.some((e) => /tick/.test(e)), 'the stream delivered before the stop');
});

test('run-log lines written for a request carry its id, also after an await; other lines none', async () => {
  const code = `
service.start(() => {
  router.get('/work', async (ctx) => {
    logger.info('sync part')
    await new Promise((r) => setTimeout(r, 20))
    console.log('after the await')
    return { ok: true }
  })
  setTimeout(() => logger.info('a timer of no request'), 50)
})`;
  const { project } = await runningProject(server, rootToken, code);
  const res = await callRoute(server, project.slug, '/work', { headers: { 'X-Request-Id': 'trace-4711' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-request-id'), 'trace-4711');
  const plain = await callRoute(server, project.slug, '/work');
  const generated = plain.headers.get('x-request-id');
  assert.ok(generated);
  await new Promise((r) => setTimeout(r, 300));
  const lines = (await api(server, 'GET', `/api/projects/${project.id}/logs?tail=100`, { token: rootToken })).body.lines;
  const tagged = (text, id) => lines.filter((l) => l.includes(text) && l.includes(`[id=${id}] `));
  assert.equal(tagged('sync part', 'trace-4711').length, 1, lines.join('\n'));
  assert.equal(tagged('after the await', 'trace-4711').length, 1, 'the id survives the await');
  assert.equal(tagged('after the await', generated).length, 1, 'a generated id too');
  const timer = lines.filter((l) => l.includes('a timer of no request'));
  assert.equal(timer.length, 1);
  assert.ok(!timer[0].includes('[id='), `no id outside a request: ${timer[0]}`);
  assert.match(lines.find((l) => l.includes('sync part')), /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[INFO\] \[id=trace-4711\] sync part$/);
  await stopProject(server, rootToken, project.id);
});
