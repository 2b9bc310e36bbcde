// Declarations of the engine's own globals (implemented in runtime/prelude.js
// and runtime/project_runtime.cpp), written by hand with examples.
#pragma once

namespace m3m::runtime {

inline constexpr const char* GLOBALS_DTS = R"ts(
interface RouterContext {
  /** HTTP method, upper case. */
  method: string;
  /** Path inside the project, e.g. "/hello/ann". */
  path: string;
  /** Route parameters: ":name" segments and "*" (the rest). */
  params: Record<string, string>;
  /** Query parameters (first value of each). */
  query: Record<string, string>;
  /** Request headers; lookups in any case work. */
  headers: Record<string, string>;
  /** Parsed JSON (null when it does not parse), form fields, or text. */
  body: unknown;
  /** The body as text. */
  rawBody: string;
  requestId: string;
}

interface RouterResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type RouteResult = RouterResponse | object | string | undefined | null;
type RouteHandler = (ctx: RouterContext) => RouteResult | Promise<RouteResult>;

/** Routes served at /r/{project-slug}/... — public, no m3m auth. */
declare const router: {
  get(path: string, handler: RouteHandler): void;
  post(path: string, handler: RouteHandler): void;
  put(path: string, handler: RouteHandler): void;
  patch(path: string, handler: RouteHandler): void;
  delete(path: string, handler: RouteHandler): void;
  /** Any method. */
  all(path: string, handler: RouteHandler): void;
  /** @example return router.response(201, { id }, { 'X-Trace': '1' }) */
  response(status: number, body?: unknown, headers?: Record<string, string>): RouterResponse;
};

/** The service lifecycle: boot → start → (serve) → shutdown. */
declare const service: {
  boot(fn: () => void | Promise<void>): void;
  start(fn: () => void | Promise<void>): void;
  shutdown(fn: () => void | Promise<void>): void;
  readonly project: { id: string; slug: string; url: string };
};

declare const console: {
  log(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
};

declare function setTimeout(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): number;
declare function setInterval(fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): number;
declare function clearTimeout(id: number): void;
declare function clearInterval(id: number): void;

/** Background tasks of the same realm, run when a thread of the project is free (docs/runtime.md). */
declare const delayed: {
  /**
   * Queues `fn(...args)`; returns its task id. An exception is logged with its stack and never
   * fails the run. A task may wait in a loop (utils.sleep) for as long as the run lives.
   * @example const id = delayed.run(() => { while (true) { poll(); utils.sleep(1000); } });
   */
  run(fn: (...args: any[]) => unknown, ...args: unknown[]): string;
  /** Cancels a task still queued: true when it was, false when it already ran or is unknown. */
  cancel(id: string): boolean;
};

interface ScheduleJob {
  /** "job_1" — as listed by GET /api/projects/:id/schedules. */
  readonly id: string;
  /** No further ticks; a run in progress finishes. True when the job was still scheduled. */
  cancel(): boolean;
}

/**
 * Jobs on a clock. A job never overlaps itself: a tick that comes while its previous run is
 * still going (waiting, or its promise pending) is skipped and counted. Missed ticks (the
 * server was down) are not replayed. Cron times are in runtime.timezone (UTC by default).
 */
declare const schedule: {
  /** Every `interval`: milliseconds (≥ 100) or a duration such as '10s', '5m', '1h30m'. */
  every(interval: number | string, fn: () => unknown): ScheduleJob;
  /** @example schedule.cron('*\/5 * * * *', job) // 5 fields, or 6 with leading seconds; @hourly, @daily… */
  cron(expression: string, fn: () => unknown): ScheduleJob;
  /** Every day at 00:00, or at 'HH:MM'. @example schedule.daily('09:30', report) */
  daily(fn: () => unknown): ScheduleJob;
  daily(time: string, fn: () => unknown): ScheduleJob;
  /** Every hour at minute 0. */
  hourly(fn: () => unknown): ScheduleJob;
};

/** UTF-8 (the Encoding Standard): a lone surrogate encodes as U+FFFD. */
declare class TextEncoder {
  readonly encoding: 'utf-8';
  encode(input?: string): Uint8Array;
  /** Writes whole characters only; `read` counts UTF-16 code units. */
  encodeInto(input: string, dest: Uint8Array): { read: number; written: number };
}
/** UTF-8 only: invalid bytes decode as U+FFFD, or throw a TypeError with `fatal`; a leading BOM is dropped unless `ignoreBOM`. */
declare class TextDecoder {
  constructor(label?: 'utf-8' | 'utf8' | string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: 'utf-8';
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}
)ts";

}  // namespace m3m::runtime
