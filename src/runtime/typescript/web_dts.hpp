// The web-standard classes, declared by hand in this one place (they are
// classes with constructors, overloads and iterators, which module
// declarations do not describe): the globals evaluated on first use (URL and
// URLSearchParams: npm whatwg-url bundled from runtime/js; Blob, File and
// FormData: runtime/form_data.js), and fetch's (FETCH_DTS).
#pragma once

namespace m3m::runtime {

inline constexpr const char* WEB_DTS = R"ts(
/**
 * A URL parsed as the WHATWG URL Standard says (npm whatwg-url): relative references resolve
 * against `base`, hosts are IDNA-encoded (`new URL('http://пример.рф/').host === 'xn--e1afmkfd.xn--p1ai'`).
 * An invalid URL throws a TypeError.
 * @example const u = new URL('/items?page=2', 'https://api.example.com/v1/'); u.searchParams.set('limit', '50'); http.get(u.href)
 */
declare class URL {
  constructor(url: string | URL, base?: string | URL);
  /** true when `new URL(url, base)` would not throw. */
  static canParse(url: string | URL, base?: string | URL): boolean;
  /** The URL, or null where the constructor would throw. */
  static parse(url: string | URL, base?: string | URL): URL | null;
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  /** Live: changing it changes `search` and `href`. */
  readonly searchParams: URLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
}

/**
 * application/x-www-form-urlencoded pairs, in order (a query string or a form body).
 * @example new URLSearchParams({ q: 'a b', page: '2' }).toString() // 'q=a+b&page=2'
 */
declare class URLSearchParams implements Iterable<[string, string]> {
  constructor(init?: string | Record<string, string> | Iterable<[string, string]> | URLSearchParams);
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  toString(): string;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  forEach(fn: (value: string, name: string, params: URLSearchParams) => void, thisArg?: unknown): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/** Immutable bytes with a media type, in memory. */
declare class Blob {
  constructor(parts?: Array<string | ArrayBuffer | ArrayBufferView | Blob>, options?: { type?: string });
  readonly size: number;
  readonly type: string;
  slice(start?: number, end?: number, contentType?: string): Blob;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
}

/** A Blob with a file name (a file part of a FormData). */
declare class File extends Blob {
  constructor(parts: Array<string | ArrayBuffer | ArrayBufferView | Blob>, name: string, options?: { type?: string; lastModified?: number });
  readonly name: string;
  readonly lastModified: number;
}

/**
 * Fields and files of a multipart/form-data body: `fetch(url, { method: 'POST', body: form })` or
 * `http.post(url, { multipart: form })`. The boundary and Content-Type are set for you.
 * @example const form = new FormData(); form.append('chat_id', '42'); form.append('photo', new Blob([bytes], { type: 'image/png' }), 'cat.png')
 */
declare class FormData implements Iterable<[string, string | File]> {
  constructor();
  /** A Blob value becomes a File named `filename` (default: the File's name, or "blob"). */
  append(name: string, value: string | Blob, filename?: string): void;
  set(name: string, value: string | Blob, filename?: string): void;
  get(name: string): string | File | null;
  getAll(name: string): Array<string | File>;
  has(name: string): boolean;
  delete(name: string): void;
  entries(): IterableIterator<[string, string | File]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string | File>;
  forEach(fn: (value: string | File, name: string, form: FormData) => void, thisArg?: unknown): void;
  [Symbol.iterator](): IterableIterator<[string, string | File]>;
}
)ts";

// The web-standard fetch API (Headers, Request, Response, AbortSignal,
// AbortController, fetch), implemented by the http module's JS
// (runtime/modules/http.js) and printed with that module: classes, written
// by hand after lib.dom.d.ts like the ones above.
inline constexpr const char* FETCH_DTS = R"ts(
/** Web-standard Headers (fetch). */
declare class Headers implements Iterable<[string, string]> {
  constructor(init?: Record<string, string> | Array<[string, string]> | Headers);
  append(name: string, value: string): void;
  set(name: string, value: string): void;
  delete(name: string): void;
  get(name: string): string | null;
  getSetCookie(): string[];
  has(name: string): boolean;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  forEach(fn: (value: string, name: string, headers: Headers) => void): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}
type BodyInit = string | Uint8Array | ArrayBuffer | FormData | null;
interface RequestInit {
  method?: string;
  headers?: Record<string, string> | Array<[string, string]> | Headers;
  body?: BodyInit;
  /** 'error' rejects when the response was redirected. */
  redirect?: 'follow' | 'manual' | 'error';
  signal?: AbortSignal | null;
}
interface ResponseInit { status?: number; statusText?: string; headers?: Record<string, string> | Array<[string, string]> | Headers }
declare abstract class Body {
  readonly bodyUsed: boolean;
  arrayBuffer(): Promise<ArrayBuffer>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<any>;
}
declare class Request extends Body {
  constructor(input: string | Request, init?: RequestInit);
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly redirect: string;
  readonly signal: AbortSignal | null;
  clone(): Request;
}
declare class Response extends Body {
  constructor(body?: BodyInit, init?: ResponseInit);
  static json(data: unknown, init?: ResponseInit): Response;
  readonly status: number;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  clone(): Response;
}
declare class AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  onabort: ((event: { type: 'abort' }) => void) | null;
  addEventListener(type: 'abort', fn: (event: { type: 'abort' }) => void): void;
  removeEventListener(type: 'abort', fn: (event: { type: 'abort' }) => void): void;
  throwIfAborted(): void;
  static abort(reason?: any): AbortSignal;
  static timeout(ms: number): AbortSignal;
}
declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
/**
 * The web-standard fetch: a Promise that never holds the project's isolate (the transfer runs on
 * the host's HTTP engine, no thread held while it waits). Network failures reject with a TypeError whose `code` and `cause` (an
 * HttpError) say why; an abort rejects with the signal's reason (an AbortError).
 * @example const data = await (await fetch('https://api.example.com/items')).json()
 * @example const r = await fetch(url, { method: 'POST', body: JSON.stringify(x), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) })
 */
declare function fetch(input: string | Request, init?: RequestInit): Promise<Response>;
)ts";

}  // namespace m3m::runtime
