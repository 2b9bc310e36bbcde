// http: outbound HTTP in the seeds' synchronous form. The JS surface
// (Response, Headers, HttpError, the body and query encodings) is in
// http.js; the transfer is a waiting call into runtime/http/http_client.
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <variant>
#include <string>

#include "runtime/http/http_client.hpp"
#include "runtime/http/multipart.hpp"
#include "runtime/http/stats.hpp"
#include "runtime/modules/builtin_modules.hpp"

extern const char* const M3M_HTTP_JS;  // generated from runtime/modules/http.js

namespace m3m::runtime {

namespace {

constexpr const char* kHttpDts = R"ts(
/** A response of `http.*`: a non-2xx status is returned, not thrown. */
interface HttpResponse {
  readonly status: number;
  /** status is 200–299 */
  readonly ok: boolean;
  readonly statusText: string;
  /** The URL after redirects. */
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: HttpHeaders;
  /** First value of each Set-Cookie, by name. */
  readonly cookies: Record<string, string>;
  text(): string;
  json(): any;
  bytes(): Uint8Array;
}
interface HttpHeaders extends Iterable<[string, string]> {
  /** Case-insensitive; repeated headers joined with ", " (Set-Cookie: the first). */
  get(name: string): string | null;
  has(name: string): boolean;
  getSetCookie(): string[];
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  forEach(fn: (value: string, name: string) => void): void;
}
/** A part of a multipart/form-data body: a field, a file from bytes or text, or a file of the project's storage. */
type HttpMultipartPart =
  | { name: string; value: string }
  | { name: string; filename?: string; content: string | Uint8Array | ArrayBuffer | Blob; contentType?: string }
  | { name: string; filename?: string; path: string; contentType?: string };
type HttpBody = string | Uint8Array | ArrayBuffer | { form: Record<string, unknown> } | { multipart: HttpMultipartPart[] | FormData } | object | unknown[] | null;
interface HttpOptions {
  headers?: Record<string, string>;
  /** Appended to the URL, URL-encoded (arrays repeat the key). */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** Milliseconds for the whole exchange, redirects included (default 30000, at most runtime.http.max_timeout). */
  timeout?: number;
  /** 'follow' (up to 10 redirects, each checked by the outbound policy) or 'manual' (the 3xx is returned). */
  redirect?: 'follow' | 'manual';
  /** Largest response body accepted (default and ceiling: runtime.http.max_response). */
  maxBytes?: number;
  /** Sent as one Cookie header. */
  cookies?: Record<string, string>;
}
interface HttpRequestOptions extends HttpOptions {
  method?: string;
  url: string;
  /** string: text/plain; bytes: application/octet-stream; {form}: urlencoded; {multipart}: multipart/form-data; other objects and arrays: JSON. */
  body?: HttpBody;
}
/** Thrown when there is no response: code DNS, CONNECT, TLS, TIMEOUT, TOO_LARGE, ABORTED, DENIED, REDIRECTS or INVALID. */
declare class HttpError extends Error {
  readonly code: 'DNS' | 'CONNECT' | 'TLS' | 'TIMEOUT' | 'TOO_LARGE' | 'ABORTED' | 'DENIED' | 'REDIRECTS' | 'INVALID';
}
/**
 * Outbound HTTP, synchronous: each call is a waiting call (other tasks of the project run while it waits).
 * @example const me = http.get('https://api.telegram.org/bot' + env.get('TOKEN') + '/getMe').json()
 * @example const r = http.post('https://example.com/hook', { text: 'hi' }, { timeout: 5000 }); if (!r.ok) logger.warn(r.status)
 */
declare const http: {
  request(options: HttpRequestOptions): HttpResponse;
  get(url: string, options?: HttpOptions): HttpResponse;
  head(url: string, options?: HttpOptions): HttpResponse;
  delete(url: string, options?: HttpOptions): HttpResponse;
  post(url: string, body?: HttpBody, options?: HttpOptions): HttpResponse;
  put(url: string, body?: HttpBody, options?: HttpOptions): HttpResponse;
  patch(url: string, body?: HttpBody, options?: HttpOptions): HttpResponse;
  readonly HttpError: typeof HttpError;
};

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

bool isToken(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos))
      return false;
  return true;
}

bool hasControl(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  return false;
}

// The request a call describes (http.js builds `spec`); INVALID_ARGUMENT naming the problem.
// `defaultTimeout` applies when the spec names none: 30 s for http.*, the
// ceiling for fetch (which has no timeout of its own: a signal cuts it shorter).
http::Request parseRequest(const Args& args, std::chrono::milliseconds maxTimeout, std::size_t maxResponse,
                           std::chrono::milliseconds defaultTimeout) {
  const Value& spec = args.at(0);
  if (!spec.is_object()) args.fail(0, "must be an object");
  auto invalid = [](const std::string& what) {
    throw Error(ErrorCode::INVALID_ARGUMENT, "http: " + what, {{"options", what}});
  };
  http::Request req;
  req.timeout = std::min(defaultTimeout, maxTimeout);
  req.method = spec.value("method", "GET");
  if (!isToken(req.method)) invalid("method must be an HTTP token, got \"" + req.method + "\"");
  req.url = spec.value("url", "");
  if (req.url.empty() || hasControl(req.url) || req.url.find(' ') != std::string::npos)
    invalid("url must be an absolute http(s) URL without spaces or control characters");
  if (spec.contains("headers") && spec["headers"].is_array())
    for (const auto& h : spec["headers"]) {
      if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string()) invalid("bad header");
      const auto name = h[0].get<std::string>(), value = h[1].get<std::string>();
      if (!isToken(name)) invalid("header name \"" + name + "\" is not an HTTP token");
      if (hasControl(value)) invalid("the value of header " + name + " has a control character (CR, LF, NUL…)");
      req.headers.emplace_back(name, value);
    }
  if (const auto& t = spec.value("timeout", Value()); !t.is_null()) {
    if (!t.is_number() || t.get<double>() < 1 || t.get<double>() > static_cast<double>(maxTimeout.count()))
      invalid("timeout must be 1 to " + std::to_string(maxTimeout.count()) + " ms (runtime.http.max_timeout)");
    req.timeout = std::chrono::milliseconds(static_cast<long long>(t.get<double>()));
  }
  req.maxBytes = maxResponse;
  if (const auto& m = spec.value("maxBytes", Value()); !m.is_null()) {
    if (!m.is_number() || m.get<double>() < 0 || m.get<double>() > static_cast<double>(maxResponse))
      invalid("maxBytes must be 0 to " + std::to_string(maxResponse) + " (runtime.http.max_response)");
    req.maxBytes = static_cast<std::size_t>(m.get<double>());
  }
  req.followRedirects = spec.value("redirect", "follow") != "manual";
  const Value& body = args.at(1);
  if (body.is_string()) req.body = body.get<std::string>(), req.hasBody = true;
  else if (body.is_binary()) req.body.assign(body.get_binary().begin(), body.get_binary().end()), req.hasBody = true;
  else if (!body.is_null()) args.fail(1, "must be a string, bytes or null");
  return req;
}

Value responseValue(http::Response& res, const std::string& original) {
  Value headers = Value::array();
  for (auto& [k, v] : res.headers) headers.push_back({k, v});
  Value out = {{"status", res.status},   {"statusText", res.statusText}, {"url", res.url},
               {"redirected", res.url != original}, {"headers", std::move(headers)}};
  out["body"] = Value::binary(Value::binary_t::container_type(res.body.begin(), res.body.end()));
  return out;
}

Value failureValue(const http::Failure& f) { return Value{{"error", {{"code", f.code}, {"message", f.message}}}}; }

// fetch's AbortSignal reaches a transfer through this: the JS side names each
// call by a number, unique per run; keys are "project:number".
struct Aborts {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<std::stop_source>> inFlight;
};

}  // namespace

ModuleSchema httpModule(const BuiltinDeps& deps) {
  auto client = deps.httpClient;
  const auto maxTimeout = deps.httpMaxTimeout;
  const auto maxResponse = deps.httpMaxResponse;
  auto aborts = std::make_shared<Aborts>();
  auto stats = deps.httpStats;
  return ModuleBuilder("http", "Outbound HTTP (synchronous: waiting calls).")
      .function(
          "request", {{"spec", "object"}, {"body", "string | Uint8Array | null", true}}, "object",
          "The transfer under every http.* call (used by the module's JS).",
          [client, maxTimeout, maxResponse, stats](CallContext& ctx, const Args& args) -> Value {
            if (!client) throw Error(ErrorCode::UNAVAILABLE, "http: not available in this runtime");
            http::Request req = parseRequest(args, maxTimeout, maxResponse, std::chrono::seconds(30));
            const std::string original = req.url;
            const std::uint64_t sent = req.body.size();
            http::Response res;
            std::optional<http::Failure> failure;
            ctx.blocking([&](std::stop_token stop) {
              try {
                res = client->perform(std::move(req), stop);
              } catch (const http::Failure& f) {
                failure = f;
              }
            });
            if (stats) stats->record(ctx.projectId(), failure.has_value(), failure ? 0 : res.body.size(), sent);
            if (failure) return failureValue(*failure);
            return responseValue(res, original);
          })
      .asyncStartFunction(
          "requestAsync", {{"spec", "object"}, {"body", "string | Uint8Array | null", true}, {"abortId", "number", true}},
          "object", "The transfer under fetch (used by the module's JS): never holds the isolate, nor a thread.",
          [client, maxTimeout, maxResponse, aborts, stats](CallContext& ctx, const Args& args) -> AsyncStart {
            if (!client) throw Error(ErrorCode::UNAVAILABLE, "http: not available in this runtime");
            http::Request req = parseRequest(args, maxTimeout, maxResponse, maxTimeout);
            auto source = std::make_shared<std::stop_source>();
            std::string key;
            if (args.at(2).is_number()) {
              key = ctx.projectId() + ":" + std::to_string(args.at(2).get<std::int64_t>());
              std::lock_guard lock(aborts->mutex);
              aborts->inFlight[key] = source;
            }
            return [client, req = std::move(req), source, key, aborts, stats,
                    project = ctx.projectId()](std::stop_token runEnds, Completion done) mutable {
              // The run's end aborts the transfer too; the link lives as long as the transfer.
              auto link = std::make_shared<std::stop_callback<std::function<void()>>>(
                  runEnds, std::function<void()>([source] { source->request_stop(); }));
              const std::string original = req.url;
              const std::uint64_t sent = req.body.size();
              client->start(std::move(req), source->get_token(),
                            [done = std::move(done), link, original, sent, key, aborts, stats,
                             project](http::Outcome outcome) mutable {
                              if (auto* res = std::get_if<http::Response>(&outcome)) {
                                if (stats) stats->record(project, false, res->body.size(), sent);
                                done.resolve(responseValue(*res, original));
                              } else {
                                if (stats) stats->record(project, true, 0, sent);
                                done.resolve(failureValue(std::get<http::Failure>(outcome)));
                              }
                              if (!key.empty()) {
                                std::lock_guard lock(aborts->mutex);
                                aborts->inFlight.erase(key);
                              }
                            });
            };
          })
      .function("abort", {{"abortId", "number"}}, "void", "Aborts a transfer of fetch (used by the module's JS).",
                [aborts](CallContext& ctx, const Args& args) -> Value {
                  const std::string key = ctx.projectId() + ":" + std::to_string(static_cast<std::int64_t>(args.number(0)));
                  std::lock_guard lock(aborts->mutex);
                  if (auto it = aborts->inFlight.find(key); it != aborts->inFlight.end()) it->second->request_stop();
                  return nullptr;
                })
      .function("multipart", {{"parts", "object[]"}, {"bytes", "Uint8Array", false, true}}, "object",
                "A multipart/form-data body {contentType, body} (used by the module's JS; runtime/http/multipart).",
                [storage = deps.storage](CallContext& ctx, const Args& args) -> Value {
                  auto encoded = http::encodeMultipart(http::readFormParts(args, storage.get(), ctx.projectId()));
                  return {{"contentType", encoded.contentType},
                          {"body", Value::binary(Value::binary_t::container_type(encoded.body.begin(), encoded.body.end()))}};
                })
      .wrapper(M3M_HTTP_JS, kHttpDts)
      .build();
}

}  // namespace m3m::runtime
