// An acknowledged record is never lost to a crash: the server is killed with SIGKILL in the
// middle of a stream of creates while WAL checkpoints run on their own thread
// (database.checkpoint_pages at its minimum, so that they run all the time), restarted on
// the same data folder, and every record answered 201 is there with its values.
import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from './harness.mjs';
import { ROOT_EMAIL, ROOT_PASSWORD, api, createModel, createProject, expectStatus, listAllRecords, loginOk, recordsPath, startWithRoot, waitFor } from './fixtures.mjs';

const env = { M3M_DATABASE_CHECKPOINT_PAGES: '100' };

test('records answered 201 before a SIGKILL are all there after a restart; checkpoints ran meanwhile', async () => {
  const { server, rootToken, dir } = await startWithRoot({ keepDir: true, env });
  let second;
  try {
    const project = await createProject(server, rootToken);
    await createModel(server, rootToken, project.id, {
      name: 'events',
      fields: [
        { key: 'seq', type: 'integer', indexed: true },
        { key: 'tag', type: 'string', indexed: true },
        { key: 'body', type: 'text' },
      ],
    });
    const body = 'x'.repeat(2000); // ≈ half a page per record: the WAL passes 100 pages every ~200 records
    const acked = new Map(); // id → seq
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const seq = next++;
        let r;
        try {
          r = await api(server, 'POST', recordsPath(project.id, 'events'), { token: rootToken, body: { seq, tag: `t${seq % 7}`, body } });
        } catch {
          return; // the connection died with the server
        }
        if (r.status === 201) acked.set(r.body.id, seq);
        else if (!killed) assert.fail(`create ${seq}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await waitFor(() => acked.size >= 1500, { timeout: 60_000, what: '1500 acknowledged creates' });

    // Only checkpoints copy records into the database file itself (until then they are in
    // the WAL): its size shows that they ran during the stream.
    const dbFile = path.join(dir, 'data', 'm3m.db');
    assert.ok(statSync(dbFile).size > 1_000_000, `m3m.db holds the records copied by checkpoints (${statSync(dbFile).size} bytes)`);

    killed = true;
    const ackedAtKill = new Map(acked);
    server.proc.kill('SIGKILL');
    const exit = await server.exited;
    assert.equal(exit.signal, 'SIGKILL');
    await Promise.all(workers);
    // Answers that arrived while the kill was on its way count too: they were acknowledged.
    for (const [id, seq] of acked) ackedAtKill.set(id, seq);

    second = await startServer({ dir, keepDir: true, env });
    const token = (await loginOk(second, ROOT_EMAIL, ROOT_PASSWORD)).access_token;
    const stored = new Map((await listAllRecords(second, token, project.id, 'events')).map((r) => [r.id, r]));
    let missing = 0;
    for (const [id, seq] of ackedAtKill) {
      const r = stored.get(id);
      if (!r) {
        missing++;
        continue;
      }
      assert.equal(r.seq, seq, `record ${id}`);
      assert.equal(r.tag, `t${seq % 7}`);
      assert.equal(r.body, body);
    }
    assert.equal(missing, 0, `${missing} of ${ackedAtKill.size} acknowledged records are missing after the restart`);
    assert.ok(stored.size >= ackedAtKill.size);

    // The store works on: a create, and a filtered, sorted list over the indexes.
    const after = expectStatus(await api(second, 'POST', recordsPath(project.id, 'events'), { token, body: { seq: -1, tag: 'after', body: 'y' } }), 201).body;
    const listed = expectStatus(
      await api(second, 'GET', `${recordsPath(project.id, 'events')}?filter=${encodeURIComponent("tag = 't3' || seq < 0")}&sort=-seq&perPage=500`, { token }),
      200,
    ).body;
    assert.equal(listed.items.at(-1).id, after.id);
    const t3 = [...stored.values()].filter((r) => r.tag === 't3').length;
    assert.equal(listed.total_items, t3 + 1);
  } finally {
    await second?.stop();
    if (!second) await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
});
