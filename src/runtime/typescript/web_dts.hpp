// Declarations of the web globals evaluated on first use (URL and
// URLSearchParams: npm whatwg-url bundled from runtime/js; Blob, File and
// FormData: runtime/form_data.js), written by hand after lib.dom.d.ts.
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

}  // namespace m3m::runtime
