// Auto-start after a server restart (issue 6): the desired state is
// persisted; every project that was running and has auto_start on is started
// again — first every boot, then every start; a broken project is logged and
// does not block the others; auto_start=false and stopped projects stay down.
// Contract: docs/runtime.md (last paragraph of "Run control and logs").
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startServer } from './harness.mjs';
import {
  api,
  callRoute,
  createProject,
  deploy,
  describe,
  expectStatus,
  loginOk,
  projectStatus,
  readRunLog,
  ROOT_EMAIL,
  ROOT_PASSWORD,
  startProject,
  startRunning,
  startWithRoot,
  stopProject,
  waitFor,
} from './fixtures.mjs';

// Each good project records when its boot finished and when its start began
// (Date.now(), one clock for all isolates of the process) and logs both.
const GOOD = (name) => `
  let bootDoneAt = 0;
  let startAt = 0;
  service.boot(async () => {
    logger.info('boot ${name}');
    await new Promise((r) => setTimeout(r, 300));
    bootDoneAt = Date.now();
  });
  service.start(() => {
    startAt = Date.now();
    logger.info('start ${name}');
    router.get('/hello', () => ({ name: '${name}', bootDoneAt, startAt }));
  });
`;
const BROKEN = `
  service.boot(() => { logger.info('boot broken'); throw new Error('broken-boot-marker'); });
  service.start(() => { logger.info('start broken'); router.get('/hello', () => ({ name: 'broken' })); });
`;

async function setAutoStart(server, token, id, value) {
  const res = await api(server, 'PUT', `/api/projects/${id}`, { token, body: { auto_start: value } });
  expectStatus(res, 200, `auto_start=${value}`);
  assert.equal(res.body.auto_start, value);
}

test('after a server restart, running projects with auto_start come back (boots first, then starts); others stay down', async () => {
  const first = await startWithRoot({ keepDir: true });
  const dir = first.dir;
  let second;
  try {
    const { server, rootToken } = first;
    const mk = async (code) => {
      const p = await createProject(server, rootToken, {});
      await setAutoStart(server, rootToken, p.id, true);
      const v = await deploy(server, rootToken, p.id, code);
      return { ...p, version: v };
    };
    const a = await mk(GOOD('alpha'));
    const b = await mk(GOOD('beta'));
    const broken = await mk(BROKEN);
    const manual = await mk(GOOD('manual')); // running, but auto_start off
    const stopped = await mk(GOOD('stopped')); // was stopped by hand

    await startRunning(server, rootToken, a.id, a.version);
    await startRunning(server, rootToken, b.id, b.version);
    await startRunning(server, rootToken, manual.id, manual.version);
    await startRunning(server, rootToken, stopped.id, stopped.version);
    expectStatus(await stopProject(server, rootToken, stopped.id), 200, 'stop by hand');
    const rb = await startProject(server, rootToken, broken.id, broken.version);
    assert.ok(rb.status === 200 || rb.status >= 400, describe(rb));
    assert.equal((await projectStatus(server, rootToken, broken.id)).state, 'failed');
    await setAutoStart(server, rootToken, manual.id, false);
    assert.equal((await projectStatus(server, rootToken, manual.id)).state, 'running', 'auto_start=false does not stop a running project');

    const t0 = Date.now();
    const exit = await server.stop('SIGTERM');
    assert.ok(Date.now() - t0 < 15_000, 'the server stopped with running projects');
    assert.equal(exit.code, 0, `clean exit with running projects (signal ${exit.signal})\n${server.output().slice(-2000)}`);

    // Same data folder, no start call.
    const s2 = await startServer({ dir, keepDir: true });
    second = s2;
    const token = (await loginOk(s2, ROOT_EMAIL, ROOT_PASSWORD)).access_token;

    const answers = {};
    for (const p of [a, b]) {
      answers[p.id] = await waitFor(
        async () => {
          const r = await callRoute(s2, p.slug, '/hello');
          return r.status === 200 ? r.body : null;
        },
        { what: `${p.slug} to answer after the restart`, timeout: 15_000 },
      );
      const st = await projectStatus(s2, token, p.id);
      assert.equal(st.state, 'running', `${p.slug}: ${JSON.stringify(st)}`);
      assert.equal(st.release, p.version);
    }
    assert.equal(answers[a.id].name, 'alpha');
    assert.equal(answers[b.id].name, 'beta');

    // First every boot, then every start.
    const bootsDone = Math.max(answers[a.id].bootDoneAt, answers[b.id].bootDoneAt);
    const firstStart = Math.min(answers[a.id].startAt, answers[b.id].startAt);
    assert.ok(bootsDone > 0 && firstStart > 0, JSON.stringify(answers));
    assert.ok(bootsDone <= firstStart, `every boot finished (${bootsDone}) before any start began (${firstStart})`);

    // Each project's own log: boot then start, for the second run too (same release: the log is kept).
    for (const [p, name] of [[a, 'alpha'], [b, 'beta']]) {
      const lines = await readRunLog(s2, token, p.id);
      const boots = lines.map((l, i) => (l.endsWith(`] boot ${name}`) ? i : -1)).filter((i) => i >= 0);
      const starts = lines.map((l, i) => (l.endsWith(`] start ${name}`) ? i : -1)).filter((i) => i >= 0);
      assert.equal(boots.length, 2, `${name}: two boots (before and after the server restart):\n${lines.join('\n')}`);
      assert.equal(starts.length, 2, `${name}: two starts:\n${lines.join('\n')}`);
      assert.ok(boots[0] < starts[0] && starts[0] < boots[1] && boots[1] < starts[1], `${name}: boot, start, boot, start`);
    }

    // The broken one did not block the others and is not running.
    const sb = await waitFor(
      async () => {
        const s = await projectStatus(s2, token, broken.id);
        return s.state === 'failed' || s.state === 'stopped' ? s : null;
      },
      { what: 'the broken project to settle', timeout: 10_000 },
    );
    assert.ok(['failed', 'stopped'].includes(sb.state), JSON.stringify(sb));
    const rbroken = await callRoute(s2, broken.slug, '/hello');
    assert.equal(rbroken.status, 503, describe(rbroken));

    // auto_start=false and stopped-by-hand projects are not started.
    for (const p of [manual, stopped]) {
      assert.equal((await projectStatus(s2, token, p.id)).state, 'stopped', `${p.slug} is not auto-started`);
      const r = await callRoute(s2, p.slug, '/hello');
      assert.equal(r.status, 503, describe(r));
    }
    const manualLog = await readRunLog(s2, token, manual.id);
    assert.equal(manualLog.filter((l) => l.endsWith('] boot manual')).length, 1, 'manual was not booted again');

    // The server log mentions the auto-start.
    assert.match(s2.output(), /auto-?start/i, `server log mentions auto-start:\n${s2.output().slice(-3000)}`);
    assert.match(s2.output(), /broken-boot-marker|failed/i, 'the broken project\'s failure is logged by the server');

    // They can be controlled as usual after an auto-start.
    expectStatus(await stopProject(s2, token, a.id), 200, 'stop alpha');
    assert.equal((await projectStatus(s2, token, a.id)).state, 'stopped');
    expectStatus(await callRoute(s2, b.slug, '/hello'), 200, 'beta still answers');
  } finally {
    if (second) await second.stop();
    else await first.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
