// Forwarding to the owner node (issue 21, part 2; docs/configuration.md
// "Several nodes"): two m3m processes on one database; the project runs on
// node-a. node-b answers its public routes and its runtime admin calls by
// forwarding them to node-a (the owner's answer unchanged, X-Forwarded-* and
// the hop marker added); a request already forwarded is never forwarded again;
// a caller without access is refused on node-b itself; an owner that stops
// answering gives 503 + Retry-After within cluster.forward_timeout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sharedMongoEnv, startServer } from './harness.mjs';
import {
  api,
  callRoute,
  createProject,
  createUserAndLogin,
  deploy,
  expectError,
  expectStatus,
  loginOk,
  projectStatus,
  ROOT_EMAIL,
  ROOT_PASSWORD,
  startRunning,
  startWithRoot,
  waitFor,
} from './fixtures.mjs';

const CODE = `
  service.start(() => {
    router.get('/ping', () => ({ pong: true }));
    router.post('/echo', (ctx) =>
      router.response(201, { method: ctx.method, query: ctx.query, body: ctx.body }, { 'X-Echo': 'yes', 'Cache-Control': 'max-age=7' }));
    router.get('/headers', (ctx) => ({ headers: ctx.headers, requestId: ctx.requestId }));
    router.get('/big', () => router.response(200, 'abcdefghij'.repeat(104858), { 'Content-Type': 'text/x-big' }));
    router.get('/missing', () => router.response(404, { nope: true }));
    router.get('/tick', (ctx) => { logger.info('tick ' + ctx.query.n); return { ok: true }; });
  });
`;

const MARKER = 'X-M3M-Forwarded-By';
let a, b, ta, tb, project;

before(async () => {
  const shared = {
    ...(await sharedMongoEnv()),
    M3M_JWT_SECRET: 'cluster-forward-secret-0123456789abcdef01234567',
    M3M_CLUSTER_HEARTBEAT: '1s',
    M3M_CLUSTER_LEASE_TTL: '15s', // longer than the SIGSTOP below: node-a keeps the project
    M3M_CLUSTER_FORWARD_TIMEOUT: '3s',
  };
  ({ server: a, rootToken: ta } = await startWithRoot({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-a' } }));
  b = await startServer({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-b' } });
  tb = (await loginOk(b, ROOT_EMAIL, ROOT_PASSWORD)).access_token;
  project = await createProject(a, ta, {});
  const version = await deploy(a, ta, project.id, CODE);
  await startRunning(a, ta, project.id, version);
  // node-b sees node-a live and holding the project.
  await waitFor(
    async () => {
      const r = await api(b, 'GET', '/api/cluster/nodes', { token: tb });
      return r.body.items?.find((n) => n.id === 'node-a')?.projects.includes(project.id);
    },
    { what: 'node-a registered with the project' },
  );
});

after(async () => {
  if (a) {
    a.proc.kill('SIGCONT');
    await a.stop();
  }
  if (b) {
    const { code } = await b.stop();
    assert.equal(code, 0, 'node-b stops cleanly');
  }
});

const pick = (res, names) => Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));

test('a route called on the non-owner answers the owner\'s status, headers and body', async () => {
  for (const prefix of ['/r', '/api/r']) {
    const ping = await callRoute(b, project.slug, '/ping', { prefix });
    expectStatus(ping, 200, `${prefix} ping through node-b`);
    assert.deepEqual(ping.body, { pong: true });
  }
  // A POST with a body and a query string: both reach the project; status and headers come back.
  const call = (server) =>
    callRoute(server, project.slug, '/echo?x=1&y=two%20words', { method: 'POST', body: { hello: 'world', n: 5 } });
  const [direct, forwarded] = [await call(a), await call(b)];
  expectStatus(forwarded, 201, 'POST through node-b');
  assert.deepEqual(forwarded.body, { method: 'POST', query: { x: '1', y: 'two words' }, body: { hello: 'world', n: 5 } });
  assert.deepEqual(forwarded.body, direct.body);
  const names = ['x-echo', 'cache-control', 'content-type'];
  assert.deepEqual(pick(forwarded, names), pick(direct, names));
  assert.equal(forwarded.headers.get('x-echo'), 'yes');
  // The project's own 404, and the 404 of a path it has no route for, unchanged.
  const missing = await callRoute(b, project.slug, '/missing');
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.body, { nope: true });
  const [noRouteA, noRouteB] = [await callRoute(a, project.slug, '/nowhere'), await callRoute(b, project.slug, '/nowhere')];
  assert.equal(noRouteB.status, noRouteA.status);
  assert.deepEqual(noRouteB.body, noRouteA.body);
  // A large answer (~1 MB) arrives whole.
  const big = await callRoute(b, project.slug, '/big');
  expectStatus(big, 200, 'large body through node-b');
  assert.equal(big.headers.get('content-type'), 'text/x-big');
  assert.equal(big.bytes.length, 1_048_580);
  assert.equal(big.text, 'abcdefghij'.repeat(104858));
  // An unknown slug is still this node's 404 (nothing to forward).
  expectError(await callRoute(b, 'no-such-project-slug', '/ping'), 404, 'NOT_FOUND', 'unknown slug on node-b');
});

test('the project sees X-Forwarded-* and the hop marker; the request id is the same on both nodes', async () => {
  const res = await callRoute(b, project.slug, '/headers', { headers: { 'X-Custom': 'kept', 'X-Forwarded-For': '198.51.100.9' } });
  expectStatus(res, 200, 'headers through node-b');
  const h = res.body.headers;
  assert.equal(h['x-custom'], 'kept', 'end-to-end headers pass');
  assert.equal(h['x-forwarded-for'], '198.51.100.9, 127.0.0.1', 'the client address is appended');
  assert.equal(h['x-forwarded-host'], `127.0.0.1:${b.port}`, 'the Host the client used');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h[MARKER.toLowerCase()], 'node-b');
  assert.equal(h.connection, undefined, 'no hop-by-hop header');
  assert.equal(res.body.requestId, res.headers.get('x-request-id'), 'one request id on both nodes');
  const direct = await callRoute(a, project.slug, '/headers');
  assert.equal(direct.body.headers['x-forwarded-for'], undefined, 'nothing added on the owner itself');
  assert.equal(direct.body.headers[MARKER.toLowerCase()], undefined);
});

test('a request already forwarded is never forwarded again', async () => {
  const before = (await projectStatus(a, ta, project.id)).calls;
  const looped = await callRoute(b, project.slug, '/ping', { headers: { [MARKER]: 'node-z' } });
  expectError(looped, 503, 'UNAVAILABLE', 'a forwarded request on a non-owner');
  assert.match(looped.body.error.message, /already forwarded by node node-z.*runs on node node-a/);
  assert.ok(looped.headers.get('retry-after'));
  assert.equal((await projectStatus(a, ta, project.id)).calls, before, 'the owner was not called');
  // On the owner the marker changes nothing: it runs the route.
  expectStatus(await callRoute(a, project.slug, '/ping', { headers: { [MARKER]: 'node-b' } }), 200, 'owner with marker');
});

test('status, schedules, logs (all modes and the live stream), restart and stop through the non-owner', async () => {
  const status = await projectStatus(b, tb, project.id);
  assert.equal(status.state, 'running', 'the owner\'s status, not node-b\'s (it runs nothing)');
  assert.ok(status.calls > 0);
  expectStatus(await api(b, 'GET', `/api/projects/${project.id}/schedules`, { token: tb }), 200, 'schedules');
  expectStatus(await callRoute(b, project.slug, '/tick?n=41'), 200, 'tick');
  const tail = await api(b, 'GET', `/api/projects/${project.id}/logs?tail=20`, { token: tb });
  expectStatus(tail, 200, 'logs tail');
  assert.ok(tail.body.lines.some((l) => /tick 41/.test(l)), `the owner's run log: ${JSON.stringify(tail.body.lines)}`);
  const page = await api(b, 'GET', `/api/projects/${project.id}/logs?cursor=0&limit=1`, { token: tb });
  expectStatus(page, 200, 'logs cursor');
  assert.match(page.body.lines[0], /starting release/);
  const back = await api(b, 'GET', `/api/projects/${project.id}/logs?before=${tail.body.next_cursor}&limit=5`, { token: tb });
  expectStatus(back, 200, 'logs before');
  assert.ok(back.body.lines.some((l) => /tick 41/.test(l)));
  expectError(await api(b, 'GET', `/api/projects/${project.id}/logs?tail=1&cursor=1`, { token: tb }), 400, 'INVALID_ARGUMENT');

  // The live tail (SSE, with the token in the query) is relayed as the owner writes it.
  const res = await fetch(`${b.url}/api/projects/${project.id}/logs/stream?cursor=${tail.body.next_cursor}&access_token=${tb}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  const reader = res.body.getReader();
  let text = '';
  const ticker = setInterval(() => callRoute(b, project.slug, '/tick?n=77').catch(() => {}), 200);
  try {
    const t0 = Date.now();
    while (!/data: .*tick 77/.test(text) && Date.now() - t0 < 10_000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
  } finally {
    clearInterval(ticker);
    await reader.cancel().catch(() => {});
  }
  assert.match(text, /id: \d+\ndata: .*tick 77/, 'a line written on node-a after the stream opened');

  const restarted = await api(b, 'POST', `/api/projects/${project.id}/restart`, { token: tb, body: {} });
  expectStatus(restarted, 200, 'restart through node-b');
  assert.equal(restarted.body.state, 'running');
  const stopped = await api(b, 'POST', `/api/projects/${project.id}/stop`, { token: tb, body: {} });
  expectStatus(stopped, 200, 'stop through node-b');
  assert.equal(stopped.body.state, 'stopped');
  // It stopped on node-a (the owner), which released the lease.
  assert.equal((await projectStatus(a, ta, project.id)).state, 'stopped');
  await startRunning(a, ta, project.id);
  await waitFor(async () => (await callRoute(b, project.slug, '/ping')).status === 200, { what: 'the route through node-b again' });
});

test('a caller without access is refused on the non-owner; an owner that stops answering gives 503 within the timeout', async () => {
  const stranger = await createUserAndLogin(a, ta);
  expectError(await api(b, 'GET', `/api/projects/${project.id}/status`, { token: stranger.token }), 403, 'PERMISSION_DENIED');
  expectStatus(await callRoute(b, project.slug, '/ping'), 200, 'a pooled connection to node-a');

  a.proc.kill('SIGSTOP');
  try {
    // Refused by node-b at once: had it been forwarded, it would wait on the stopped owner.
    let t0 = Date.now();
    for (const p of ['status', 'logs?tail=5']) {
      expectError(await api(b, 'GET', `/api/projects/${project.id}/${p}`, { token: stranger.token }), 403, 'PERMISSION_DENIED');
      expectError(await api(b, 'POST', `/api/projects/${project.id}/stop`, { token: stranger.token, body: {} }), 403, 'PERMISSION_DENIED');
    }
    assert.ok(Date.now() - t0 < 1500, `refused without forwarding (${Date.now() - t0} ms)`);

    t0 = Date.now();
    const res = await callRoute(b, project.slug, '/ping', { timeout: 15_000 });
    const took = Date.now() - t0;
    expectError(res, 503, 'UNAVAILABLE', 'the owner does not answer');
    assert.match(res.body.error.message, /node node-a \(http:\/\/127\.0\.0\.1:\d+\), which did not answer within 3000 ms/);
    assert.ok(res.headers.get('retry-after'));
    assert.ok(took >= 2500 && took < 6000, `answered after the 3 s timeout, not a hang (${took} ms)`);
  } finally {
    a.proc.kill('SIGCONT');
  }
  // node-a is back and still the owner: the route answers through node-b again.
  await waitFor(async () => (await callRoute(b, project.slug, '/ping')).status === 200, { what: 'the route once node-a is back' });

  // An owner that is gone (connection refused) gives 503 at once.
  a.proc.kill('SIGKILL');
  await a.stop();
  a = undefined;
  const t0 = Date.now();
  const gone = await callRoute(b, project.slug, '/ping', { timeout: 15_000 });
  expectError(gone, 503, 'UNAVAILABLE', 'the owner is gone');
  assert.ok(gone.headers.get('retry-after'));
  assert.ok(Date.now() - t0 < 2500, `at once (${Date.now() - t0} ms)`);
});
