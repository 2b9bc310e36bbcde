// The outbound HTTP engine under the runtime's `http` module: libcurl, one
// easy handle per transfer, connections and DNS answers shared process-wide
// (a CURLSH), redirects followed here so that each hop passes the outbound
// policy. No V8: it runs inside a waiting call, off the isolate.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
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
};

// A transfer that did not produce a response. `code`: DNS, CONNECT, TLS,
// TIMEOUT, TOO_LARGE, ABORTED, DENIED, REDIRECTS, INVALID.
struct Failure : std::exception {
  std::string code;
  std::string message;
  Failure(std::string c, std::string m) : code(std::move(c)), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

struct ClientOptions {
  std::string caFile;  // extra trust (PEM); empty: the system store only
  int maxRedirects = 10;
};

class Client {
 public:
  Client(OutboundPolicy policy, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Blocks until the response (any status) or a Failure; `stop` aborts it.
  Response perform(Request request, std::stop_token stop) const;

 private:
  struct Shared;
  OutboundPolicy policy_;
  ClientOptions options_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace m3m::runtime::http
