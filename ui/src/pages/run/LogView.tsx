import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ArrowDownIcon, DownloadIcon } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { downloadLog, fetchLogBefore, fetchLogTail, openLogStream } from '@/api/run';
import { ErrorState } from '@/components/ErrorState';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/error-message';
import {
  advanceCursor,
  alignOlder,
  dropFront,
  filterByLevels,
  LOG_LEVELS,
  MAX_TAIL,
  olderTail,
  resumeCursor,
  SseParser,
  toLogLines,
  type LogLevel,
} from '@/lib/logs';
import { cn } from '@/lib/utils';

const PAGE = 200;
const LEVEL_CLASS: Record<LogLevel, string> = {
  DEBUG: 'text-muted-foreground',
  INFO: '',
  WARN: 'text-amber-600 dark:text-amber-400',
  ERROR: 'text-destructive',
};

type Conn = 'connecting' | 'live' | 'reconnecting';
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

// The run log: the last lines, then new ones live (Server-Sent Events, resumed
// from the last event's id, or the byte cursor, after a drop), older pages while
// scrolling up (by byte offset, `before=prev`, where the server can; else a
// larger tail aligned on what is shown), a level filter and the file as a download.
interface Shown {
  lines: string[];
  prev: number | null; // where lines[0] starts in the file (null: the server does not say)
}
const KEEP = MAX_TAIL * 2;
export function LogView({ projectId, fileName }: { projectId: string; fileName: string }) {
  const { t } = useTranslation();
  const [log, setLog] = useState<Shown>({ lines: [], prev: null });
  const lines = log.lines;
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [atStart, setAtStart] = useState(false);
  const [capped, setCapped] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [conn, setConn] = useState<Conn>('connecting');
  const [shown, setShown] = useState<Set<LogLevel>>(() => new Set(LOG_LEVELS));
  const [follow, setFollow] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const box = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null); // scrollHeight before older lines were prepended

  useEffect(() => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    setLoaded(false);
    setLoadError(null);
    setLog({ lines: [], prev: null });
    void (async () => {
      let cursor: number;
      let lastId: string | null = null;
      try {
        const first = await fetchLogTail(projectId, PAGE);
        if (signal.aborted) return;
        const prev = typeof first.prev_cursor === 'number' ? first.prev_cursor : null;
        setLog({ lines: first.lines, prev });
        setAtStart(prev !== null ? prev === 0 : first.lines.length < PAGE);
        setLoaded(true);
        cursor = first.next_cursor;
      } catch (e) {
        if (!signal.aborted) setLoadError(e);
        return;
      }
      let delay = 1000;
      while (!signal.aborted) {
        try {
          const body = await openLogStream(projectId, cursor, signal, lastId);
          setConn('live');
          delay = 1000;
          const reader = body.getReader();
          const decoder = new TextDecoder();
          const parser = new SseParser();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const events = parser.feed(decoder.decode(value, { stream: true }));
            if (!events.length) continue;
            for (const l of events) cursor = advanceCursor(cursor, l);
            cursor = resumeCursor(parser.lastEventId, cursor);
            lastId = parser.lastEventId ?? lastId;
            setLog((cur) => dropFront(cur.lines.concat(events), KEEP, cur.prev));
          }
        } catch {
          // dropped (server restart, network): retried below
        }
        if (signal.aborted) break;
        setConn('reconnecting');
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 15_000);
      }
    })();
    return () => ctrl.abort();
  }, [projectId, attempt]);

  const loadOlder = useCallback(async () => {
    if (loadingOlder || atStart || !box.current) return;
    setLoadingOlder(true);
    try {
      const before = log.prev;
      if (before !== null) {
        const page = before > 0 ? await fetchLogBefore(projectId, before, PAGE) : { lines: [], prev_cursor: 0 };
        const prev = typeof page.prev_cursor === 'number' ? page.prev_cursor : 0;
        anchor.current = box.current?.scrollHeight ?? null;
        // Prepended only onto what it was read for (not onto a view reset meanwhile).
        setLog((cur) => (cur.prev === before ? { lines: [...page.lines, ...cur.lines], prev } : cur));
        setAtStart(prev === 0 || page.lines.length === 0);
        return;
      }
      const want = olderTail(lines.length, PAGE);
      const page = await fetchLogTail(projectId, want);
      anchor.current = box.current?.scrollHeight ?? null;
      setLog((cur) => {
        const r = alignOlder(cur.lines, page.lines, want);
        setAtStart(r.atStart);
        setCapped(r.atStart && want >= MAX_TAIL);
        return r.older.length ? { ...cur, lines: [...r.older, ...cur.lines] } : cur;
      });
    } catch {
      // a failed page: scrolling up again retries
    } finally {
      setLoadingOlder(false);
    }
  }, [loadingOlder, atStart, lines.length, log.prev, projectId]);

  const all = useMemo(() => toLogLines(lines), [lines]);
  const visible = useMemo(() => filterByLevels(all, shown), [all, shown]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (anchor.current !== null) {
      el.scrollTop += el.scrollHeight - anchor.current; // keep the line under the eye where it was
      anchor.current = null;
    } else if (follow) el.scrollTop = el.scrollHeight;
  }, [visible, follow]);

  function onScroll() {
    const el = box.current!;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
    if (el.scrollTop < 48) void loadOlder();
  }

  async function download() {
    setDownloadError(null);
    try {
      const blob = await downloadLog(projectId);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setDownloadError(e);
    }
  }

  const toggle = (l: LogLevel) =>
    setShown((s) => {
      const n = new Set(s);
      if (n.has(l)) n.delete(l);
      else n.add(l);
      return n;
    });

  if (loadError)
    return <ErrorState title={t('code.logs.loadError')} error={loadError} onRetry={() => setAttempt((a) => a + 1)} />;

  return (
    <section aria-labelledby="log-title" className="space-y-2" data-testid="log-view">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="log-title" className="text-base font-semibold">
          {t('code.logs.title')}
        </h2>
        <span className="flex items-center gap-1.5 text-xs text-muted-foreground" data-testid="log-conn" data-state={conn}>
          <span
            aria-hidden="true"
            className={cn('size-2 rounded-full', conn === 'live' ? 'bg-success' : 'bg-muted-foreground animate-pulse')}
          />
          {t(`code.logs.conn.${conn}`)}
        </span>
        <div className="flex-1" />
        <div role="group" aria-label={t('code.logs.levels')} className="flex gap-1">
          {LOG_LEVELS.map((l) => (
            <Button
              key={l}
              size="sm"
              variant={shown.has(l) ? 'secondary' : 'ghost'}
              aria-pressed={shown.has(l)}
              onClick={() => toggle(l)}
              className={cn(!shown.has(l) && 'line-through opacity-60')}
              data-testid={`level-${l}`}
            >
              {l}
            </Button>
          ))}
        </div>
        <Button size="sm" variant="outline" onClick={() => void download()} data-testid="log-download">
          <DownloadIcon aria-hidden="true" />
          {t('code.logs.download')}
        </Button>
      </div>
      {downloadError != null && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(t, downloadError)}
        </p>
      )}
      <div className="relative">
        <div
          ref={box}
          onScroll={onScroll}
          tabIndex={0}
          role="log"
          aria-label={t('code.logs.title')}
          aria-busy={!loaded}
          className="h-[28rem] overflow-auto rounded-lg border bg-muted/40 p-3 font-mono text-xs leading-5 outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
          data-testid="log-lines"
        >
          {loaded && (
            <div className="pb-1 text-center text-muted-foreground">
              {atStart ? (
                capped ? t('code.logs.capped') : t('code.logs.start')
              ) : (
                <Button size="sm" variant="ghost" onClick={() => void loadOlder()} disabled={loadingOlder}>
                  {loadingOlder ? t('common.loading') : t('code.logs.older')}
                </Button>
              )}
            </div>
          )}
          {!loaded ? (
            <p className="text-muted-foreground">{t('common.loading')}</p>
          ) : all.length === 0 ? (
            <p className="text-muted-foreground" data-testid="log-empty">
              {t('code.logs.empty')}
            </p>
          ) : (
            visible.map((l, i) => (
              <div key={i} className={cn('break-all whitespace-pre-wrap', l.level && LEVEL_CLASS[l.level])} data-testid="log-line">
                {l.text}
              </div>
            ))
          )}
        </div>
        {!follow && (
          <Button
            size="sm"
            variant="secondary"
            className="absolute right-4 bottom-3 shadow"
            onClick={() => {
              setFollow(true);
              box.current?.scrollTo({ top: box.current.scrollHeight });
            }}
          >
            <ArrowDownIcon aria-hidden="true" />
            {t('code.logs.follow')}
          </Button>
        )}
      </div>
    </section>
  );
}
