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
#include "runtime/typescript/web_dts.hpp"

extern const char* const M3M_HTTP_JS;  // generated from runtime/modules/http.js

namespace m3m::runtime {

namespace {

// The response and its headers are objects with methods, and HttpError a
// class: TypeScript the type descriptors cannot say, written here by hand.
// The web-standard fetch classes are in runtime/typescript/web_dts.hpp.
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
/** Thrown when there is no response: code DNS, CONNECT, TLS, TIMEOUT, TOO_LARGE, ABORTED, DENIED, REDIRECTS or INVALID. */
declare class HttpError extends Error {
  readonly code: 'DNS' | 'CONNECT' | 'TLS' | 'TIMEOUT' | 'TOO_LARGE' | 'ABORTED' | 'DENIED' | 'REDIRECTS' | 'INVALID';
}
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

Type multipartPart() {
  return t::named(
      "HttpMultipartPart",
      t::oneOf({
          t::object({t::field("name", t::string()), t::field("value", t::string())}),
          t::object({t::field("name", t::string()), t::field("filename", t::optional(t::string())),
                     t::field("content", t::oneOf({t::string(), t::bytes(), t::ts("Blob")})),
                     t::field("contentType", t::optional(t::string()))}),
          t::object({t::field("name", t::string()), t::field("filename", t::optional(t::string())),
                     t::field("path", t::string()), t::field("contentType", t::optional(t::string()))}),
      }),
      "A part of a multipart/form-data body: a field, a file from bytes or text, or a file of the project's storage.");
}

std::vector<TypeField> optionFields() {
  const Type scalar = t::oneOf({t::string(), t::number(), t::boolean()});
  return {
      t::field("headers", t::optional(t::record(t::string()))),
      t::field("query", t::optional(t::record(t::oneOf({scalar, t::array(scalar)}))),
               "Appended to the URL, URL-encoded (arrays repeat the key)."),
      t::field("timeout", t::optional(t::number()),
               "Milliseconds for the whole exchange, redirects included (default 30000, at most runtime.http.max_timeout)."),
      t::field("redirect", t::optional(t::enumOf({"follow", "manual"})),
               "'follow' (up to 10 redirects, each checked by the outbound policy) or 'manual' (the 3xx is returned)."),
      t::field("maxBytes", t::optional(t::number()),
               "Largest response body accepted (default and ceiling: runtime.http.max_response)."),
      t::field("cookies", t::optional(t::record(t::string())), "Sent as one Cookie header."),
  };
}

ModuleSchema httpModule(HttpSettings settings, std::shared_ptr<StorageBackend> storage) {
  auto client = settings.client;
  const auto maxTimeout = settings.maxTimeout;
  const auto maxResponse = settings.maxResponse;
  auto aborts = std::make_shared<Aborts>();
  auto stats = settings.stats;
  const Type body = t::named(
      "HttpBody", t::oneOf({t::string(), t::bytes(), t::object({t::field("form", t::record(t::unknown()))}),
                            t::object({t::field("multipart", t::oneOf({t::array(multipartPart()), t::ts("FormData")}))}),
                            t::ts("object"), t::array(t::unknown()), t::null()}));
  const Type options = t::named("HttpOptions", t::object(optionFields()));
  auto requestFields = optionFields();
  requestFields.insert(requestFields.begin(), {t::field("method", t::optional(t::string())), t::field("url", t::string())});
  requestFields.push_back(t::field("body", t::optional(body),
                                   "string: text/plain; bytes: application/octet-stream; {form}: urlencoded; {multipart}: "
                                   "multipart/form-data; other objects and arrays: JSON."));
  const Type requestOptions = t::named("HttpRequestOptions", t::object(std::move(requestFields)));
  const Type response = t::ts("HttpResponse");
  ModuleBuilder b("http",
                  "Outbound HTTP, synchronous: each call is a waiting call (other tasks of the project run while it waits).\n"
                  "@example const me = http.get('https://api.telegram.org/bot' + env.get('TOKEN') + '/getMe').json()\n"
                  "@example const r = http.post('https://example.com/hook', { text: 'hi' }, { timeout: 5000 }); if (!r.ok) logger.warn(r.status)");
  // What projects call: http.js's functions, over the natives below.
  b.scriptFunction("request", {param("options", requestOptions)}, response, "");
  for (const char* method : {"get", "head", "delete"})
    b.scriptFunction(method, {param("url", t::string()), param("options", t::optional(options))}, response, "");
  for (const char* method : {"post", "put", "patch"})
    b.scriptFunction(method, {param("url", t::string()), param("body", t::optional(body)), param("options", t::optional(options))},
                     response, "");
  b.property("HttpError", t::ts("typeof HttpError"));
  return b
      .function(
          "request", {param("spec", t::unknown()), param("body", t::unknown())}, t::unknown(),
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
      .internal()
      .asyncStartFunction(
          "requestAsync", {param("spec", t::unknown()), param("body", t::unknown()), param("abortId", t::unknown())},
          t::unknown(), "The transfer under fetch (used by the module's JS): never holds the isolate, nor a thread.",
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
      .internal()
      .function("abort", {param("abortId", t::number())}, t::void_(), "Aborts a transfer of fetch (used by the module's JS).",
                [aborts](CallContext& ctx, const Args& args) -> Value {
                  const std::string key = ctx.projectId() + ":" + std::to_string(static_cast<std::int64_t>(args.number(0)));
                  std::lock_guard lock(aborts->mutex);
                  if (auto it = aborts->inFlight.find(key); it != aborts->inFlight.end()) it->second->request_stop();
                  return nullptr;
                })
      .internal()
      .function("multipart", {param("parts", t::unknown()), rest("bytes", t::bytes())}, t::unknown(),
                "A multipart/form-data body {contentType, body} (used by the module's JS; runtime/http/multipart).",
                [storage](CallContext& ctx, const Args& args) -> Value {
                  auto encoded = http::encodeMultipart(http::readFormParts(args, storage.get(), ctx.projectId()));
                  return {{"contentType", encoded.contentType},
                          {"body", Value::binary(Value::binary_t::container_type(encoded.body.begin(), encoded.body.end()))}};
                })
      .internal()
      .declarations(std::string(kHttpDts) + FETCH_DTS)
      .wrapper(M3M_HTTP_JS)
      .build();
}

}  // namespace m3m::runtime
