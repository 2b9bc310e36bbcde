// An asynchronous HTTP/1.1 client for node-to-node forwarding (issue 21):
// Boost.Beast on the server's own io_context (no thread per request), a
// keep-alive pool of connections per origin, bounded connect and answer
// timeouts, and a relay mode that streams a `text/event-stream` answer
// through chunk by chunk. Plain http:// only (nodes reach each other on an
// internal network).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.hpp"

namespace boost::asio {
class io_context;
}

namespace m3m::http::proxy {

struct Origin {
  std::string host;
  std::string port;
  std::string key() const { return host + ":" + port; }
};

// "http://host[:port][/…]" → host and port (80 by default); nullopt for any
// other scheme or a malformed URL. IPv6 hosts in brackets.
std::optional<Origin> parseOrigin(std::string_view url);

struct Outgoing {
  std::string method;
  std::string target;  // path + query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ClientOptions {
  std::chrono::milliseconds connectTimeout{2'000};
  std::chrono::milliseconds timeout{65'000};   // the whole answer, from the send (not a relayed stream's body)
  std::chrono::milliseconds keepIdle{15'000};  // a pooled connection idle longer is closed, not reused
  std::size_t maxIdlePerOrigin = 64;
  std::uint64_t maxBody = 64ull << 20;  // largest answer body read into memory
};

enum class Failure {
  None,
  Connect,   // nothing was sent: safe to retry
  Exchange,  // the connection failed after the request was sent
  Timeout,   // no whole answer within the timeout
  TooLarge,  // the answer's body is larger than maxBody
};

struct Outcome {
  Failure failure = Failure::None;
  std::string detail;  // the error, when failure != None
  Response response;   // the answer, when failure == None
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  static std::shared_ptr<Client> create(boost::asio::io_context& ioc, ClientOptions opts);

  // Sends `out` to `origin`; `done` runs once, on an IO thread. With `relay`,
  // a 200 `text/event-stream` answer comes back as a streamed Response (its
  // body relayed as it arrives, until either side ends it).
  void send(const Origin& origin, Outgoing out, bool relay, std::function<void(Outcome)> done);
  // Closes the pooled connections; call before the io_context goes.
  void close();

  struct Conn;
  const ClientOptions& options() const { return opts_; }
  boost::asio::io_context& context() { return ioc_; }
  std::shared_ptr<Conn> takeIdle(const std::string& key);
  void putIdle(const std::string& key, std::shared_ptr<Conn> conn);

 private:
  Client(boost::asio::io_context& ioc, ClientOptions opts) : ioc_(ioc), opts_(opts) {}
  boost::asio::io_context& ioc_;
  ClientOptions opts_;
  std::mutex mutex_;
  bool closed_ = false;
  std::map<std::string, std::vector<std::shared_ptr<Conn>>> idle_;
};

}  // namespace m3m::http::proxy
