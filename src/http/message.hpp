// HTTP request and response as handlers see them: plain values, no Beast types,
// so handlers and services compile without the networking headers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <m3m/error.hpp>
#include <nlohmann/json.hpp>

namespace m3m::http {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};

using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;     // upper case, e.g. "GET"
  std::string target;     // as received: path + query
  std::string path;       // without the query, percent-encoding kept
  std::string rawQuery;   // after '?', without it
  Headers headers;
  std::string body;
  std::map<std::string, std::string> params;  // route parameters, percent-decoded
  std::string_view route;  // the matched route's pattern (owned by the router), empty before routing
  std::string requestId;
  std::string remoteAddress;
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
  // When the answer left the handlers: read once by the observe middleware
  // for every observer (access log, metrics) rather than by each.
  std::chrono::steady_clock::time_point answered{};

  std::string_view header(std::string_view name) const;
  // First value of a query parameter, percent-decoded; empty when absent.
  std::string query(std::string_view name) const;
  bool hasQuery(std::string_view name) const;
  // Parses the body as JSON. Throws INVALID_ARGUMENT with the byte position for
  // malformed input, and UNSUPPORTED_MEDIA_TYPE when Content-Type is set and not JSON.
  nlohmann::json json() const;
  // json() that also requires a JSON object at the top level.
  nlohmann::json jsonObject() const;
};

// The writing end of a streamed (chunked) response body, e.g. Server-Sent
// Events. Thread-safe; write() is false once the client is gone or the
// server is draining, and the producer should then let go of the sink.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool write(std::string chunk) = 0;
  virtual void close() = 0;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is streamed: the server sends the headers, then hands
  // a sink to this function (on an IO thread; it must not block).
  std::function<void(std::shared_ptr<StreamSink>)> stream;

  void setHeader(std::string name, std::string value);
  std::string_view header(std::string_view name) const;

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  static Response noContent();
  // {"error":{"code","message","fields"}} with the code's status.
  static Response error(const Error& e);
};

// Decodes %XX and (when plusAsSpace) '+'. Returns false on a malformed escape.
bool percentDecode(std::string_view in, std::string& out, bool plusAsSpace = false);

}  // namespace m3m::http
