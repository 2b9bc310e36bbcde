// The HTTP/1.1 server (Boost.Beast over Asio): keep-alive, pipelining (requests
// on one connection are answered in order), header/body limits, read and idle
// timeouts, and a graceful shutdown that drains in-flight requests.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/pipeline.hpp"

namespace boost::asio {
class io_context;
}

namespace m3m::http {

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;  // 0 = any free port
  int threads = 0;            // 0 = hardware concurrency
  std::uint64_t maxBody = 10ull << 20;
  // A different body limit for some request targets (file uploads may exceed
  // maxBody); nullopt keeps maxBody. Asked once per request, after its headers.
  std::function<std::optional<std::uint64_t>(std::string_view target)> bodyLimitFor;
  std::uint32_t maxHeader = 16u << 10;
  std::chrono::milliseconds readTimeout{30'000};
  std::chrono::milliseconds idleTimeout{60'000};
  // Told the status of a request refused before it reached the handler (400
  // malformed, 413, 431): such requests never pass the middleware's metrics.
  std::function<void(int status)> onRefused;
  // IO threads as SCHED_BATCH (server.cpp): right next to an in-process store
  // writer (SQLite). Off for a cluster node, where a forwarded request wakes IO
  // threads on two nodes in turn and each batch wake-up waits out a time slice
  // of whatever else runs on the core.
  bool batchIoThreads = true;
};

class Server {
 public:
  Server(ServerOptions opts, Handler handler, std::shared_ptr<spdlog::logger> log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the IO threads. Throws m3m::Error(UNAVAILABLE) with the
  // OS reason when the address cannot be bound (e.g. port in use).
  void start();
  std::uint16_t port() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (their connections close after the response) for up to `timeout`, then
  // stops the IO threads. Returns the number of requests cut off. Idempotent.
  int shutdown(std::chrono::milliseconds timeout);

  // Requests being handled right now (for tests and metrics).
  int inFlight() const;
  // The IO threads' context (from construction until destruction), for
  // asynchronous clients that answer requests (node-to-node forwarding).
  boost::asio::io_context& ioContext();

  struct Impl;  // defined in server.cpp (sessions need it)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace m3m::http
