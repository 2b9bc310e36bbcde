import { describe, expect, it, vi } from 'vitest';
import { languageFor } from '../../src/lib/admin/languages';
import { dropFront, resumeCursor, SseParser } from '../../src/lib/logs';
import { keepShown, pageState, runBulk, selectRows } from '../../src/lib/selection';

const ids = ['a', 'b', 'c', 'd', 'e'];

describe('row selection', () => {
  it('a click toggles one row; shift with an anchor sets the range to the same state', () => {
    let s = selectRows(new Set(), ids, 1, true, null, false);
    expect([...s]).toEqual(['b']);
    s = selectRows(s, ids, 3, true, 1, true);
    expect([...s].sort()).toEqual(['b', 'c', 'd']);
    s = selectRows(s, ids, 0, false, 2, true); // unchecking a range backwards
    expect([...s]).toEqual(['d']);
    expect([...selectRows(new Set(), ids, 4, true, 1, false)]).toEqual(['e']); // no shift: no range
  });

  it('the header state and pruning to the rows shown', () => {
    expect(pageState(new Set(), ids)).toBe('none');
    expect(pageState(new Set(['a']), ids)).toBe('some');
    expect(pageState(new Set(ids), ids)).toBe('all');
    const s = new Set(['a', 'x']);
    expect([...keepShown(s, ids)]).toEqual(['a']);
    const same = new Set(['a']);
    expect(keepShown(same, ids)).toBe(same); // unchanged: the same set (no re-render)
  });

  it('runBulk runs every id, reports failures in order and progress', async () => {
    const progress = vi.fn();
    const r = await runBulk(ids, async (id) => {
      if (id === 'b' || id === 'd') throw new Error(`no ${id}`);
    }, progress, 2);
    expect(r.ok).toEqual(['a', 'c', 'e']);
    expect(r.failed.map((f) => f.id)).toEqual(['b', 'd']);
    expect((r.failed[0]!.error as Error).message).toBe('no b');
    expect(progress).toHaveBeenCalledTimes(5);
    expect(progress).toHaveBeenLastCalledWith(5, 5);
  });

  it('runBulk keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await runBulk(ids, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    }, undefined, 3);
    expect(most).toBe(3);
  });
});

describe('file editor language', () => {
  it('comes from the extension, plaintext otherwise', () => {
    expect(languageFor('app.JSON')).toBe('json');
    expect(languageFor('notes.md')).toBe('markdown');
    expect(languageFor('a/b/site.yml')).toBe('yaml');
    expect(languageFor('x.mjs')).toBe('javascript');
    expect(languageFor('Dockerfile')).toBe('dockerfile');
    expect(languageFor('README')).toBe('plaintext');
    expect(languageFor('data.bin')).toBe('plaintext');
  });
});

describe('log resume and backwards paging', () => {
  it('the SSE parser keeps the id of the last event it returned', () => {
    const p = new SseParser();
    expect(p.feed('id: 10\ndata: one\n\n')).toEqual(['one']);
    expect(p.lastEventId).toBe('10');
    expect(p.feed('id: 25\ndata: two')).toEqual([]);
    expect(p.lastEventId).toBe('10'); // not yet dispatched
    expect(p.feed('\n\n')).toEqual(['two']);
    expect(p.lastEventId).toBe('25');
  });

  it('resumes from the event id when there is one, else from the counted bytes', () => {
    expect(resumeCursor('42', 7)).toBe(42);
    expect(resumeCursor(null, 7)).toBe(7);
    expect(resumeCursor('garbage', 7)).toBe(7);
  });

  it('dropping lines from the front moves the older-page cursor by their bytes', () => {
    expect(dropFront(['ab', 'cd'], 5, 100)).toEqual({ lines: ['ab', 'cd'], prev: 100 });
    expect(dropFront(['ab', 'é', 'x'], 1, 100)).toEqual({ lines: ['x'], prev: 100 + 3 + 3 });
    expect(dropFront(['ab', 'x'], 1, null)).toEqual({ lines: ['x'], prev: null });
  });
});
