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

declare class TextEncoder { encode(input?: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string); decode(input?: Uint8Array | ArrayBuffer): string; }
)ts";

}  // namespace m3m::runtime
