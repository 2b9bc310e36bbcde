// The outbound HTTP engine on its own (no V8): many transfers on one thread,
// aborts by stop token, and a client destroyed with transfers in flight —
// every `done` runs exactly once, nothing leaks (ASan/LSan watch this binary).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/http/http_client.hpp"

namespace http = m3m::runtime::http;
using namespace std::chrono_literals;

namespace {

// A server on 127.0.0.1 that accepts connections and answers with `reply`
// after `delay` (or never, when `reply` is empty).
class TinyServer {
 public:
  explicit TinyServer(std::string reply, std::chrono::milliseconds delay = 0ms) : reply_(std::move(reply)), delay_(delay) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 512);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::lock_guard lock(mutex_);
        if (stopping_) {
          close(c);
          return;
        }
        clients_.push_back(c);
        workers_.emplace_back([this, c] {
          char buf[4096];
          while (true) {
            // One request per read is enough for these small GETs.
            if (read(c, buf, sizeof buf) <= 0) return;
            if (reply_.empty()) continue;
            std::this_thread::sleep_for(delay_);
            if (write(c, reply_.data(), reply_.size()) < 0) return;
          }
        });
      }
    });
  }
  ~TinyServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (int c : clients_) shutdown(c, SHUT_RDWR);
    }
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (auto& w : workers_) w.join();
    for (int c : clients_) close(c);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  std::string reply_;
  std::chrono::milliseconds delay_;
  int fd_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  bool stopping_ = false;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
  std::thread thread_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";

struct Tally {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> outcomes;  // "200" or a failure code
  http::Done done() {
    return [this](http::Outcome o) {
      std::lock_guard lock(mutex);
      outcomes.push_back(std::holds_alternative<http::Response>(o) ? std::to_string(std::get<http::Response>(o).status)
                                                                   : std::get<http::Failure>(o).code);
      changed.notify_all();
    };
  }
  bool waitFor(size_t n, std::chrono::milliseconds within) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, within, [&] { return outcomes.size() >= n; });
  }
  size_t count(const std::string& what) {
    std::lock_guard lock(mutex);
    return static_cast<size_t>(std::count(outcomes.begin(), outcomes.end(), what));
  }
};

http::Request get(const std::string& url) {
  http::Request r;
  r.url = url;
  return r;
}

}  // namespace

TEST(HttpEngine, ManyConcurrentTransfersOnOneThread) {
  TinyServer server(kOk, 20ms);
  http::Client client({}, {});
  Tally tally;
  for (int i = 0; i < 300; ++i) client.start(get(server.url()), {}, tally.done());
  ASSERT_TRUE(tally.waitFor(300, 30s));
  EXPECT_EQ(tally.count("200"), 300u);
  EXPECT_EQ(client.inFlight(), 0u);
}

TEST(HttpEngine, PerformReturnsTheResponseAndReusesTheConnection) {
  TinyServer server(kOk);
  http::Client client({}, {});
  for (int i = 0; i < 5; ++i) {
    auto res = client.perform(get(server.url()), {});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "ok");
    EXPECT_EQ(res.httpVersion, 11);
  }
}

TEST(HttpEngine, AStopTokenAbortsOnlyItsTransfer) {
  TinyServer silent("");
  http::Client client({}, {});
  Tally tally;
  std::stop_source a, b;
  client.start(get(silent.url()), a.get_token(), tally.done());
  client.start(get(silent.url()), b.get_token(), tally.done());
  std::this_thread::sleep_for(100ms);
  const auto t0 = std::chrono::steady_clock::now();
  a.request_stop();
  ASSERT_TRUE(tally.waitFor(1, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  EXPECT_EQ(tally.count("ABORTED"), 1u);
  EXPECT_EQ(client.inFlight(), 1u);
  b.request_stop();
  ASSERT_TRUE(tally.waitFor(2, 2s));
  EXPECT_EQ(tally.count("ABORTED"), 2u);
}

TEST(HttpEngine, AStopBeforeStartAbortsAtOnce) {
  TinyServer silent("");
  http::Client client({}, {});
  std::stop_source s;
  s.request_stop();
  EXPECT_THROW(
      {
        try {
          client.perform(get(silent.url()), s.get_token());
        } catch (const http::Failure& f) {
          EXPECT_EQ(f.code, "ABORTED");
          throw;
        }
      },
      http::Failure);
}

TEST(HttpEngine, StopsRacingStartsEachEndOnce) {
  TinyServer silent("");
  http::Client client({}, {});
  Tally tally;
  std::vector<std::stop_source> sources(200);
  std::thread stopper([&] {
    for (auto& s : sources) s.request_stop();
  });
  for (auto& s : sources) client.start(get(silent.url()), s.get_token(), tally.done());
  stopper.join();
  ASSERT_TRUE(tally.waitFor(200, 5s));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(tally.count("ABORTED"), 200u);
  EXPECT_EQ(client.inFlight(), 0u);
}

TEST(HttpEngine, DestroyingTheClientEndsTransfersInFlight) {
  TinyServer silent("");
  Tally tally;
  {
    http::Client client({}, {});
    for (int i = 0; i < 50; ++i) client.start(get(silent.url()), {}, tally.done());
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(client.inFlight(), 50u);
  }
  EXPECT_EQ(tally.count("ABORTED"), 50u);
}

TEST(HttpEngine, TimeoutAndRefusedAreFailures) {
  TinyServer silent("");
  http::Client client({}, {});
  auto req = get(silent.url());
  req.timeout = 200ms;
  try {
    client.perform(req, {});
    FAIL() << "no timeout";
  } catch (const http::Failure& f) {
    EXPECT_EQ(f.code, "TIMEOUT");
  }
  // A port nobody listens on (bound, never listening).
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  try {
    client.perform(get("http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/"), {});
    FAIL() << "connected";
  } catch (const http::Failure& f) {
    EXPECT_EQ(f.code, "CONNECT");
  }
  close(fd);
}
