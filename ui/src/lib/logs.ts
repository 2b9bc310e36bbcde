// Pure helpers of the run log view: levels, the SSE parser, byte cursors and
// paging backwards (the server reads forward from a byte cursor, or the last
// `tail` lines; there is no "before this cursor", so older pages are a larger
// tail aligned on the lines we already have).

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogLine {
  text: string;
  level: LogLevel | null; // null: not an entry's first line and nothing before it to inherit from
}

const ENTRY = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] \[([A-Z]+)\]/;

export function lineLevel(line: string): LogLevel | null {
  const m = ENTRY.exec(line);
  if (!m) return null;
  return (LOG_LEVELS as readonly string[]).includes(m[1]!) ? (m[1] as LogLevel) : null;
}

// Continuation lines (a stack trace: they start with a tab) take the level of
// the entry they belong to.
export function toLogLines(lines: readonly string[], previous: LogLevel | null = null): LogLine[] {
  let level = previous;
  return lines.map((text) => {
    const own = lineLevel(text);
    if (own) level = own;
    else if (!text.startsWith('\t')) level = null;
    return { text, level: own ?? level };
  });
}

export function filterByLevels(lines: readonly LogLine[], shown: ReadonlySet<LogLevel>): LogLine[] {
  if (shown.size === LOG_LEVELS.length) return lines as LogLine[];
  return lines.filter((l) => l.level === null || shown.has(l.level));
}

// The cursor is a byte offset in the log file: each line read moves it by its
// UTF-8 length plus the newline.
const encoder = new TextEncoder();
export function advanceCursor(cursor: number, line: string): number {
  return cursor + encoder.encode(line).length + 1;
}

// A minimal text/event-stream parser (the server sends `data:` and `id:`
// fields): feed it decoded text as it arrives, it returns each complete event's
// data; `lastEventId` is the id of the last event returned (the byte offset
// after its line: where to resume after a drop), null until one had an id.
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private id: string | null = null;
  lastEventId: string | null = null;

  feed(chunk: string): string[] {
    this.buffer += chunk;
    const out: string[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const eolLen = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (this.buffer[nl] === '\r' && eolLen === 1 && nl === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + eolLen);
      if (line === '') {
        if (this.data.length) {
          out.push(this.data.join('\n'));
          if (this.id !== null) this.lastEventId = this.id;
        }
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue; // a comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'id' && !value.includes('\0')) this.id = value;
    }
    return out;
  }
}

// How many lines to ask for (tail) to get `page` lines older than the
// `have` lines on screen; the server caps tail at 10000.
export const MAX_TAIL = 10_000;
export function olderTail(have: number, page: number): number {
  return Math.min(MAX_TAIL, have + page);
}

export interface OlderPage {
  older: string[]; // the lines before current[0], oldest first
  atStart: boolean; // nothing older can be read (start of the log, the tail cap, or the log changed)
}

// `fetched` is the log's last `requested` lines, read after `current` (oldest
// first, ending at or near the end of the log). Finds where current's first
// lines sit in it and returns what comes before. Identical lines (a loop
// logging the same text in one second) can match in several places: the match
// nearest to where current should start (the same distance from the end) wins.
export function alignOlder(current: readonly string[], fetched: readonly string[], requested: number): OlderPage {
  if (current.length === 0) return { older: [...fetched], atStart: fetched.length < requested || requested >= MAX_TAIL };
  const m = Math.min(current.length, 20);
  const expected = fetched.length - current.length;
  let best = -1;
  for (let i = 0; i + m <= fetched.length; i++) {
    let ok = true;
    for (let k = 0; k < m; k++)
      if (fetched[i + k] !== current[k]) {
        ok = false;
        break;
      }
    if (ok && (best < 0 || Math.abs(i - expected) < Math.abs(best - expected))) best = i;
  }
  if (best < 0) return { older: [], atStart: true }; // cleared or rotated meanwhile
  const logEnded = fetched.length < requested; // the whole log fit
  return { older: fetched.slice(0, best), atStart: logEnded || requested >= MAX_TAIL };
}

// The byte cursor to resume from: the last event's id when the server sends
// ids (exact), else the cursor advanced by the lines read.
export function resumeCursor(lastEventId: string | null, fallback: number): number {
  if (lastEventId === null || !/^\d+$/.test(lastEventId)) return fallback;
  return Number(lastEventId);
}

// Older pages by byte offset (servers with `?before=`): `prev_cursor` is where
// the first line on screen starts; 0 means nothing older. Lines dropped from
// the front (the view keeps at most so many) move it forward by their bytes.
export function dropFront(lines: readonly string[], keep: number, prev: number | null): { lines: string[]; prev: number | null } {
  if (lines.length <= keep) return { lines: lines as string[], prev };
  const cut = lines.length - keep;
  let p = prev;
  if (p !== null) for (let i = 0; i < cut; i++) p = advanceCursor(p, lines[i]!);
  return { lines: lines.slice(cut), prev: p };
}
