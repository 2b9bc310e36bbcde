// Several nodes on one MongoDB (issue 21, part 2; docs/cluster.md): two m3m
// processes share one database (FerretDB). A project runs on exactly one node
// (a lease): a start elsewhere is refused naming the owner; a stop releases
// it; a node that stalls past its lease loses the project (its run ends) and
// another node takes it over; a killed node's projects run elsewhere within
// 30 s. GET /api/cluster/nodes lists the nodes, live or not, with their projects.
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
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
  startProject,
  startRunning,
  startWithRoot,
  stopProject,
  waitFor,
} from './fixtures.mjs';

const CODE = `
  service.start(() => {
    router.get('/ping', () => ({ pong: true }));
  });
`;

const nodesOf = async (server, token) => {
  const res = await api(server, 'GET', '/api/cluster/nodes', { token });
  expectStatus(res, 200, 'GET /api/cluster/nodes');
  assert.equal(res.body.total, res.body.items.length);
  return Object.fromEntries(res.body.items.map((n) => [n.id, n]));
};

// This node's own view of the project's run: a status call carrying the hop
// marker is answered locally, never forwarded to the owner (cluster_forward.test.mjs).
const localStatus = async (server, token, projectId) => {
  const res = await api(server, 'GET', `/api/projects/${projectId}/status`, { token, headers: { 'X-M3M-Forwarded-By': 'test' } });
  expectStatus(res, 200, 'local status');
  return res.body;
};

const runsOn = (server, token, projectId, slug, what) =>
  waitFor(
    async () => {
      const s = await localStatus(server, token, projectId);
      if (s.state !== 'running') return null;
      const r = await callRoute(server, slug, '/ping');
      return r.status === 200 && r.body.pong === true;
    },
    { timeout: 30_000, interval: 250, what },
  );

test('two nodes on one database: one owner per project, refusal naming it, release on stop, take-over after a stall and a kill -9', async () => {
  // A short lease keeps the file fast; the defaults (3 s / 15 s) are documented.
  // Every node signs and checks tokens with the same jwt.secret (docs/cluster.md).
  const shared = {
    ...(await sharedMongoEnv()),
    M3M_JWT_SECRET: 'cluster-test-secret-0123456789abcdef0123456789',
    M3M_CLUSTER_HEARTBEAT: '1s',
    M3M_CLUSTER_LEASE_TTL: '6s',
    M3M_CLUSTER_FORWARD_TIMEOUT: '2s',
  };
  const { server: a, rootToken: ta } = await startWithRoot({ env: { ...shared, M3M_CLUSTER_NODE_ID: 'node-a' } });
  let b;
  let aStopped = false;
  try {
    b = await startServer({ env: shared }); // default node id: hostname:port
    const tb = (await loginOk(b, ROOT_EMAIL, ROOT_PASSWORD)).access_token;
    const bId = `${os.hostname()}:${b.port}`;

    const p = await createProject(a, ta, {});
    const version = await deploy(a, ta, p.id, CODE);
    await startRunning(a, ta, p.id, version);
    expectStatus(await callRoute(a, p.slug, '/ping'), 200, 'route on the owner');

    // The registry, read on either node.
    const nodes = await waitFor(async () => {
      const n = await nodesOf(b, tb);
      return n['node-a']?.projects.includes(p.id) && n[bId] ? n : null;
    }, { what: 'both nodes registered, node-a with the project' });
    assert.equal(nodes['node-a'].live, true);
    assert.equal(nodes['node-a'].url, a.url, 'advertise_url defaults to the server URI');
    assert.equal(nodes['node-a'].self, false);
    assert.equal(nodes[bId].live, true);
    assert.equal(nodes[bId].self, true);
    assert.deepEqual(nodes[bId].projects, []);
    assert.match(nodes[bId].heartbeat_at, /^\d{4}-\d\d-\d\dT/);
    expectError(await api(b, 'GET', '/api/cluster/nodes'), 401, 'UNAUTHENTICATED', 'no token');
    const user = await createUserAndLogin(a, ta);
    expectError(await api(b, 'GET', '/api/cluster/nodes', { token: user.token }), 403, 'PERMISSION_DENIED', 'a plain user');
    const manager = await createUserAndLogin(a, ta, { permissions: { manage_users: true } });
    expectStatus(await api(b, 'GET', '/api/cluster/nodes', { token: manager.token }), 200, 'a user manager');

    // Another node may not start it: the answer names the owner.
    const refused = await startProject(b, tb, p.id);
    expectError(refused, 409, 'CONFLICT', 'start on the other node');
    assert.match(refused.body.error.message, /node node-a \(http:\/\/127\.0\.0\.1:\d+\)/);
    // Its route and a stop on node-b go to node-a (cluster_forward.test.mjs); a stop that
    // reaches a non-owner as already forwarded is refused there, naming the owner.
    expectStatus(await callRoute(b, p.slug, '/ping'), 200, 'route through node-b');
    const stopRefused = await api(b, 'POST', `/api/projects/${p.id}/stop`, {
      token: tb,
      body: {},
      headers: { 'X-M3M-Forwarded-By': 'test' },
    });
    expectError(stopRefused, 409, 'CONFLICT', 'a forwarded stop on the other node');
    assert.match(stopRefused.body.error.message, /node-a/);
    assert.equal((await projectStatus(a, ta, p.id)).state, 'running', 'the run stays on node-a');

    // A stop (through node-b, forwarded to node-a) releases the lease at once: node-b may start it right away.
    expectStatus(await stopProject(b, tb, p.id), 200, 'stop through node-b');
    assert.equal((await localStatus(a, ta, p.id)).state, 'stopped', 'stopped on node-a');
    await startRunning(b, tb, p.id);
    expectStatus(await callRoute(b, p.slug, '/ping'), 200, 'route on the new owner');
    expectError(await startProject(a, ta, p.id), 409, 'CONFLICT', 'now node-a is refused');

    // node-b stalls (SIGSTOP) past its lease: node-a takes the project over…
    b.proc.kill('SIGSTOP');
    try {
      await runsOn(a, ta, p.id, p.slug, 'node-a takes the project over from the stalled node-b');
    } finally {
      b.proc.kill('SIGCONT');
    }
    // …and node-b, awake again, cannot renew: its run ends there at once.
    await waitFor(async () => (await localStatus(b, tb, p.id)).state === 'stopped', {
      timeout: 10_000,
      interval: 100,
      what: 'node-b ends the run whose lease it lost',
    });
    const project = await api(b, 'GET', `/api/projects/${p.id}`, { token: tb });
    assert.equal(project.body.status, 'running', 'the desired state is unchanged');
    assert.equal((await localStatus(a, ta, p.id)).state, 'running');
    assert.equal((await projectStatus(b, tb, p.id)).state, 'running', 'node-b shows the owner\'s status');

    // kill -9 node-a: node-b runs the project again within 30 s.
    a.proc.kill('SIGKILL');
    await a.stop();
    aStopped = true;
    const killedAt = Date.now();
    await runsOn(b, tb, p.id, p.slug, 'node-b takes the project of the killed node-a over');
    assert.ok(Date.now() - killedAt < 30_000);
    const after = await waitFor(async () => {
      const n = await nodesOf(b, tb);
      return n['node-a'] && !n['node-a'].live && n[bId].projects.includes(p.id) ? n : null;
    }, { what: 'node-a listed as not live, node-b with the project' });
    assert.deepEqual(after[bId].projects, [p.id]);
  } finally {
    if (!aStopped) await a.stop();
    if (b) {
      const { code } = await b.stop();
      assert.equal(code, 0, 'node-b stops cleanly');
    }
  }
});
