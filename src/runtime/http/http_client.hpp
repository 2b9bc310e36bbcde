// The outbound HTTP engine under the runtime's `http` module and `fetch`:
// libcurl's multi interface driven by one thread of the host, so thousands of
// transfers wait on one poll, not on a thread each. Connections, DNS answers
// and TLS sessions are reused across transfers; redirects are followed here so
// that each hop passes the outbound policy. No V8.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "runtime/http/outbound_policy.hpp"

namespace m3m::runtime::http {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool hasBody = false;
  std::chrono::milliseconds timeout{30'000};
  bool followRedirects = true;
  std::size_t maxBytes = 10u << 20;
};

struct Response {
  int status = 0;
  std::string statusText;
  std::string url;  // after redirects
  std::vector<std::pair<std::string, std::string>> headers;  // as received (names as sent), repeats kept
  std::string body;
  std::uint64_t bytesOut = 0;
  long httpVersion = 0;  // 11, 2, 3 (CURLINFO_HTTP_VERSION as 1.1 → 11, 2 → 2)
};

// A transfer that did not produce a response. `code`: DNS, CONNECT, TLS,
// TIMEOUT, TOO_LARGE, ABORTED, DENIED, REDIRECTS, INVALID.
struct Failure : std::exception {
  std::string code;
  std::string message;
  Failure(std::string c, std::string m) : code(std::move(c)), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

using Outcome = std::variant<Response, Failure>;
using Done = std::function<void(Outcome)>;

struct ClientOptions {
  std::string caFile;  // trusted besides the system store (PEM); empty: the system store only
  int maxRedirects = 10;
};

class Client {
 public:
  Client(OutboundPolicy policy, ClientOptions options);
  ~Client();  // transfers still running end with ABORTED
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts a transfer and returns at once; `done` runs exactly once, on the
  // engine's thread (keep it short: hand the outcome over), or on the
  // caller's when the request is refused before it starts. `stop` aborts it.
  void start(Request request, std::stop_token stop, Done done) const;

  // Blocks until the response (any status) or throws a Failure; `stop` aborts it.
  Response perform(Request request, std::stop_token stop) const;

  std::size_t inFlight() const;  // transfers started and not yet done

 private:
  class Engine;
  std::unique_ptr<Engine> engine_;
};

}  // namespace m3m::runtime::http
