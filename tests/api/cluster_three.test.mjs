// Three nodes on one MongoDB (issue 21, part 2; docs/cluster.md): a project's
// routes answer on every node (the others forward to its owner); `kill -9` of
// the node running two projects: both answer again through the other nodes
// within 30 s, the survivors share them by load, no schedule fires twice in
// any second (checked from every node's run log files), no record written
// through any node and acknowledged is lost; a project deleted through a node
// that does not run it stops on its owner.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { sharedMongoEnv, startServer } from './harness.mjs';
import {
  api,
  callRoute,
  createModel,
  createProject,
  deploy,
  expectStatus,
  listAllRecords,
  loginOk,
  ROOT_EMAIL,
  ROOT_PASSWORD,
  sleep,
  startRunning,
  startWithRoot,
  waitFor,
} from './fixtures.mjs';

// A cron job at every second, named by the second it fires in: with the
// unique `second` field a second fire (here or on another node) also fails
// its insert, which the log line "double tick" would show.
const TICKER = `
  const ticks = database.collection('ticks');
  const notes = database.collection('notes');
  service.start(() => {
    schedule.cron('* * * * * *', () => {
      const second = Math.floor(Date.now() / 1000);
      logger.info('tick', second);
      try { ticks.insert({ second }); } catch (e) { logger.error('double tick', second, e.code); }
    });
    router.get('/ping', () => ({ pong: true }));
    router.post('/note', (ctx) => notes.insert({ n: ctx.body.n }));
  });
`;
const PLAIN = `service.start(() => { router.get('/ping', () => ({ pong: true })); });`;

// One database for the nodes of a test, one secret, short heartbeats and leases.
const clusterEnv = async () => ({
  ...(await sharedMongoEnv()),
  M3M_JWT_SECRET: 'cluster-three-secret-0123456789abcdef0123456789',
  M3M_CLUSTER_HEARTBEAT: '1s',
  M3M_CLUSTER_LEASE_TTL: '4s',
});

const runLogOf = (server, projectId) =>
  ['run.log.1', 'run.log']
    .map((f) => path.join(server.dir, 'logs', 'projects', projectId, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('');

const answersEverywhere = (nodes, slug, what) =>
  waitFor(
    async () => {
      for (const n of nodes) {
        const r = await callRoute(n, slug, '/ping', { timeout: 5_000 });
        if (r.status !== 200 || r.body?.pong !== true) return null;
      }
      return true;
    },
    { timeout: 30_000, interval: 200, what },
  );

test('three nodes: routes answer on every node; kill -9 of an owner moves its projects, no double schedule, no lost record', async (t) => {
  const shared = await clusterEnv();
  const { server: a, rootToken: ta } = await startWithRoot({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-a' }, keepDir: true });
  const servers = [a];
  let aKilled = false;
  try {
    const b = await startServer({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-b' } });
    servers.push(b);
    const c = await startServer({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-c' } });
    servers.push(c);
    const tb = (await loginOk(b, ROOT_EMAIL, ROOT_PASSWORD)).access_token;

    // The ticker and one plain project on node-a, another on node-b.
    const ticker = await createProject(a, ta, {});
    await createModel(a, ta, ticker.id, { name: 'ticks', fields: [{ key: 'second', type: 'integer', required: true, unique: true }] });
    await createModel(a, ta, ticker.id, { name: 'notes', fields: [{ key: 'n', type: 'integer', required: true }] });
    await startRunning(a, ta, ticker.id, await deploy(a, ta, ticker.id, TICKER));
    const p1 = await createProject(a, ta, {});
    await startRunning(a, ta, p1.id, await deploy(a, ta, p1.id, PLAIN));
    const p2 = await createProject(a, ta, {});
    await startRunning(b, tb, p2.id, await deploy(a, ta, p2.id, PLAIN));

    for (const p of [ticker, p1, p2]) await answersEverywhere([a, b, c], p.slug, `${p.slug} answers on all three nodes`);

    // Notes written all along, through every live node in turn: each one
    // acknowledged (201) must be stored once.
    const acknowledged = [];
    let writing = true;
    let live = [a, b, c];
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const via = live[n % live.length];
        try {
          const r = await callRoute(via, ticker.slug, '/note', { method: 'POST', body: { n }, timeout: 5_000 });
          if (r.status === 200 || r.status === 201) acknowledged.push(n);
        } catch {
          // no answer (the owner just died): not acknowledged
        }
        await sleep(20);
      }
    })();

    await sleep(3_000);
    a.proc.kill('SIGKILL');
    live = [b, c];
    await a.exited;
    aKilled = true;
    const killedAt = Date.now();
    await answersEverywhere([b, c], ticker.slug, 'the ticker answers again on node-b and node-c');
    await answersEverywhere([b, c], p1.slug, 'the other project of node-a answers again');
    const movedIn = Date.now() - killedAt;
    assert.ok(movedIn < 30_000, `moved in ${movedIn} ms`);

    // The survivors share the load: node-b kept p2, so node-c took at least one.
    // (the registry shows it at the survivors' next heartbeat)
    const held = await waitFor(async () => {
      const nodes = await api(b, 'GET', '/api/cluster/nodes', { token: tb });
      expectStatus(nodes, 200, 'nodes');
      const h = Object.fromEntries(nodes.body.items.map((n) => [n.id, n.projects]));
      return h['node-b'].length + h['node-c'].length === 3 ? h : null;
    }, { timeout: 10_000, interval: 250, what: 'the registry lists the three projects on node-b and node-c' });
    assert.ok(Math.abs(held['node-b'].length - held['node-c'].length) <= 1, `spread by load: ${JSON.stringify(held)}`);

    await sleep(3_000);  // ticks on the new owner
    writing = false;
    await writer;

    // No schedule fired twice in any second, on one node or across nodes.
    const seen = new Map();
    for (const [name, s] of [['node-a', a], ['node-b', b], ['node-c', c]]) {
      const text = runLogOf(s, ticker.id);
      assert.doesNotMatch(text, /double tick/, `${name}: a tick's insert found its second taken`);
      for (const m of text.matchAll(/tick (\d+)/g)) {
        const second = Number(m[1]);
        assert.ok(!seen.has(second), `second ${second} ticked on ${seen.get(second)} and on ${name}`);
        seen.set(second, name);
      }
    }
    const tickNodes = new Set(seen.values());
    assert.ok(tickNodes.has('node-a') && tickNodes.size === 2, `ticks on node-a, then on one other node: ${[...tickNodes]}`);
    const ticks = await listAllRecords(b, tb, ticker.id, 'ticks');
    assert.equal(new Set(ticks.map((t) => t.second)).size, ticks.length, 'one tick record per second');

    // No acknowledged note lost, none stored twice.
    assert.ok(acknowledged.length > 20, `notes acknowledged: ${acknowledged.length}`);
    const stored = (await listAllRecords(c, tb, ticker.id, 'notes')).map((r) => r.n);
    assert.equal(new Set(stored).size, stored.length, 'no note stored twice');
    const storedSet = new Set(stored);
    const lost = acknowledged.filter((n) => !storedSet.has(n));
    assert.deepEqual(lost, [], 'acknowledged notes all stored');
    t.diagnostic(`moved in ${movedIn} ms; ${acknowledged.length} notes acknowledged, ${stored.length} stored; ${seen.size} ticks`);

    // A project deleted through a node that does not run it: its owner ends the run.
    assert.ok(held['node-b'].includes(p2.id), 'p2 stayed on node-b');
    expectStatus(await api(c, 'DELETE', `/api/projects/${p2.id}`, { token: tb }), 204, 'delete p2 through node-c');
    await waitFor(async () => (await callRoute(b, p2.slug, '/ping', { timeout: 5_000 })).status !== 200, {
      timeout: 10_000,
      interval: 200,
      what: "node-b ends the deleted project's run",
    });
  } finally {
    for (const s of servers.slice(1)) await s.stop();
    if (!aKilled) await a.stop();
    else await a.stop().catch(() => {});
    rmSync(a.dir, { recursive: true, force: true });
  }
});

test('development mode on one database: every node signs with the one generated secret (a token from node A works on node B)', async () => {
  const shared = await sharedMongoEnv(); // no M3M_JWT_SECRET
  const { server: a, rootToken } = await startWithRoot({ env: shared });
  let b;
  try {
    b = await startServer({ env: shared });
    const me = await api(b, 'GET', '/api/users/me', { token: rootToken });
    expectStatus(me, 200, "node A's token on node B");
    assert.equal(me.body.email, ROOT_EMAIL);
    const tb = (await loginOk(b, ROOT_EMAIL, ROOT_PASSWORD)).access_token;
    expectStatus(await api(a, 'GET', '/api/users/me', { token: tb }), 200, "node B's token on node A");
    assert.match(a.output() + b.output(), /JWT secret is generated once and kept in the database/);
    assert.equal(existsSync(path.join(a.dir, 'data', 'jwt.secret')), false, 'no per-node secret file on MongoDB');
  } finally {
    await b?.stop();
    await a.stop();
  }
});

test('a stalled owner that wakes after losing its lease fires nothing: no tick twice in any second', async () => {
  const shared = await clusterEnv();
  const { server: a, rootToken: ta } = await startWithRoot({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-a' } });
  let b;
  try {
    b = await startServer({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-b' } });
    const ticker = await createProject(a, ta, {});
    await createModel(a, ta, ticker.id, { name: 'ticks', fields: [{ key: 'second', type: 'integer', required: true, unique: true }] });
    await createModel(a, ta, ticker.id, { name: 'notes', fields: [{ key: 'n', type: 'integer', required: true }] });
    await startRunning(a, ta, ticker.id, await deploy(a, ta, ticker.id, TICKER));
    await sleep(1_500);
    a.proc.kill('SIGSTOP');
    try {
      // node-b takes the ticker over and ticks for a while.
      await waitFor(() => /tick \d+/.test(runLogOf(b, ticker.id)), { timeout: 20_000, interval: 200, what: 'node-b ticks' });
      await sleep(1_500);
    } finally {
      a.proc.kill('SIGCONT');
    }
    await sleep(2_500);  // node-a wakes: its due tick must not fire
    const seen = new Map();
    for (const [name, s] of [['node-a', a], ['node-b', b]]) {
      const text = runLogOf(s, ticker.id);
      assert.doesNotMatch(text, /double tick/, `${name}: a tick's insert found its second taken`);
      for (const m of text.matchAll(/tick (\d+)/g)) {
        assert.ok(!seen.has(m[1]), `second ${m[1]} ticked on ${seen.get(m[1])} and on ${name}`);
        seen.set(m[1], name);
      }
    }
    assert.equal(new Set(seen.values()).size, 2, 'ticks on both nodes, one after the other');
  } finally {
    await b?.stop();
    await a.stop();
  }
});
