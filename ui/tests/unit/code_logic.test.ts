import { describe, expect, it } from 'vitest';
import {
  afterSave,
  bufferFromServer,
  isDirty,
  lineDiffStats,
  needsChoice,
  resolveConflict,
  BRANCH_NAME,
  type DraftBuffer,
} from '../../src/lib/draft';
import {
  advanceCursor,
  alignOlder,
  filterByLevels,
  lineLevel,
  MAX_TAIL,
  olderTail,
  SseParser,
  toLogLines,
  type LogLevel,
} from '../../src/lib/logs';
import { nextVersion } from '../../src/pages/code/PublishDialog';

describe('draft buffers', () => {
  it('keeps unsaved edits of the same revision and replaces them for a newer one', () => {
    const edited: DraftBuffer = { code: 'a+', saved: 'a', revision: 3 };
    expect(isDirty(edited)).toBe(true);
    expect(bufferFromServer(edited, 'a', 3)).toBe(edited);
    expect(bufferFromServer(edited, 'b', 4)).toEqual({ code: 'b', saved: 'b', revision: 4 });
    expect(isDirty(bufferFromServer(undefined, 'x', 0))).toBe(false);
  });

  it('after a save, edits typed meanwhile stay unsaved', () => {
    const b: DraftBuffer = { code: 'v1', saved: 'v0', revision: 1 };
    expect(afterSave(b, 'v1', 'v1', 2)).toEqual({ code: 'v1', saved: 'v1', revision: 2 });
    const typedOn: DraftBuffer = { code: 'v1 and more', saved: 'v0', revision: 1 };
    const r = afterSave(typedOn, 'v1', 'v1', 2);
    expect(r).toEqual({ code: 'v1 and more', saved: 'v1', revision: 2 });
    expect(isDirty(r)).toBe(true);
  });
});

describe('conflicts (409 on save)', () => {
  const c = { mine: 'mine\n', theirs: 'theirs\n', theirRevision: 7 };

  it('keep mine: saves our code over their revision', () => {
    const r = resolveConflict(c, 'mine');
    expect(r.save).toBe(true);
    expect(r.buffer).toEqual({ code: 'mine\n', saved: 'theirs\n', revision: 7 });
  });

  it('take theirs: drops our edits, nothing to save', () => {
    const r = resolveConflict(c, 'theirs');
    expect(r.save).toBe(false);
    expect(r.buffer).toEqual({ code: 'theirs\n', saved: 'theirs\n', revision: 7 });
    expect(isDirty(r.buffer)).toBe(false);
  });

  it('the same code on both sides needs no choice and no save', () => {
    const same = { mine: 'x', theirs: 'x', theirRevision: 9 };
    expect(needsChoice(same)).toBe(false);
    expect(needsChoice(c)).toBe(true);
    expect(resolveConflict(same, 'mine')).toEqual({ save: false, buffer: { code: 'x', saved: 'x', revision: 9 } });
  });

  it('counts added and removed lines', () => {
    expect(lineDiffStats('a\nb\nc', 'a\nb\nc')).toEqual({ added: 0, removed: 0 });
    expect(lineDiffStats('a\nb\nc', 'a\nx\nc\nd')).toEqual({ added: 2, removed: 1 });
    expect(lineDiffStats('', 'a')).toEqual({ added: 1, removed: 1 });
  });

  it('branch names follow the server pattern', () => {
    expect(BRANCH_NAME.test('feature/login')).toBe(true);
    expect(BRANCH_NAME.test('Feature')).toBe(false);
    expect(BRANCH_NAME.test('-x')).toBe(false);
    expect(BRANCH_NAME.test('a'.repeat(64))).toBe(false);
  });
});

describe('next version hint', () => {
  it('counts from the highest release', () => {
    expect(nextVersion([], 'minor')).toBe('1.0');
    expect(nextVersion([], 'major')).toBe('1.0');
    const rs = [
      { major: 1, minor: 9 },
      { major: 1, minor: 10 },
      { major: 0, minor: 99 },
    ];
    expect(nextVersion(rs, 'minor')).toBe('1.11');
    expect(nextVersion(rs, 'major')).toBe('2.0');
  });
});

describe('log lines', () => {
  it('reads levels; a stack trace inherits its entry level', () => {
    expect(lineLevel('[2026-01-02 03:04:05] [WARN] x')).toBe('WARN');
    expect(lineLevel('[2026-01-02 03:04:05] [TRACE] x')).toBeNull();
    expect(lineLevel('plain')).toBeNull();
    const lines = toLogLines([
      '[2026-01-02 03:04:05] [ERROR] boom',
      '\tat f (x.js:1:2)',
      '[2026-01-02 03:04:06] [INFO] ok',
      'no prefix',
    ]);
    expect(lines.map((l) => l.level)).toEqual(['ERROR', 'ERROR', 'INFO', null]);
    const only = filterByLevels(lines, new Set<LogLevel>(['ERROR']));
    expect(only.map((l) => l.text)).toEqual(['[2026-01-02 03:04:05] [ERROR] boom', '\tat f (x.js:1:2)', 'no prefix']);
  });

  it('moves the byte cursor by UTF-8 length plus the newline', () => {
    expect(advanceCursor(10, 'abc')).toBe(14);
    expect(advanceCursor(0, 'é')).toBe(3);
    expect(advanceCursor(0, '')).toBe(1);
  });
});

describe('SSE parser', () => {
  it('returns data events across chunk borders, skips comments and other fields', () => {
    const p = new SseParser();
    expect(p.feed('data: one\n')).toEqual([]);
    expect(p.feed('\ndata: t')).toEqual(['one']);
    expect(p.feed('wo\n\n: keep-alive\n\nevent: x\nid: 3\ndata:three\n\n')).toEqual(['two', 'three']);
  });

  it('joins multi-line data and handles CRLF split between chunks', () => {
    const p = new SseParser();
    expect(p.feed('data: a\r')).toEqual([]);
    expect(p.feed('\ndata: b\r\n\r\n')).toEqual(['a\nb']);
    expect(p.feed('data\n\n')).toEqual(['']);
  });
});

describe('paging the log backwards', () => {
  const log = Array.from({ length: 1000 }, (_, i) => `[2026-01-01 00:00:00] [INFO] line ${i}`);

  it('asks for the lines we have plus a page, capped at the server limit', () => {
    expect(olderTail(200, 200)).toBe(400);
    expect(olderTail(9_900, 200)).toBe(MAX_TAIL);
  });

  it('prepends what comes before our first line', () => {
    const current = log.slice(800); // the initial tail of 200
    const fetched = log.slice(1000 - 400); // tail=400
    const r = alignOlder(current, fetched, 400);
    expect(r.older).toEqual(log.slice(600, 800));
    expect(r.atStart).toBe(false);
  });

  it('lines appended since (live) do not shift the page', () => {
    const grown = [...log, 'new 1', 'new 2', 'new 3'];
    const current = grown.slice(800); // 200 + 3 live lines
    expect(alignOlder(current, grown.slice(grown.length - 403), 403).older).toEqual(log.slice(600, 800));
    // two more lines were written between our request and the server's answer
    const later = [...grown, 'new 4', 'new 5'];
    expect(alignOlder(current, later.slice(later.length - 403), 403).older).toEqual(log.slice(602, 800));
  });

  it('reaches the start when the log is shorter than asked', () => {
    const current = log.slice(900);
    const r = alignOlder(current, log, 1200);
    expect(r.older).toEqual(log.slice(0, 900));
    expect(r.atStart).toBe(true);
  });

  it('identical lines align at the expected place', () => {
    const same = Array.from({ length: 50 }, () => 'x');
    const current = same.slice(30); // 20 lines
    const r = alignOlder(current, same, 50);
    expect(r.older.length).toBe(30);
  });

  it('a log cleared meanwhile stops paging', () => {
    const r = alignOlder(['a', 'b'], ['c', 'd', 'e'], 202);
    expect(r).toEqual({ older: [], atStart: true });
  });

  it('the tail cap ends paging', () => {
    const big = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const r = alignOlder(big.slice(10), big, MAX_TAIL);
    expect(r.atStart).toBe(true);
    expect(r.older).toEqual(big.slice(0, 10));
  });
});
