// The forwarding client (src/http/proxy/client.*) against an in-process m3m
// HTTP server: pooled keep-alive connections, hop-by-hop headers, a stale
// pooled connection, timeouts, refused connections and a relayed stream.
#include "http/proxy/client.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>

#include <future>
#include <thread>

#include "http/middleware/middleware.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

using namespace m3m;
using namespace m3m::http;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

std::shared_ptr<spdlog::logger> nullLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// The owner node: a few routes on a real server.
struct Upstream {
  Router router;
  std::unique_ptr<Server> server;

  explicit Upstream(std::chrono::milliseconds idleTimeout = 60s) {
    router.get("/peer", sync([](Request& r) { return Response::text(200, r.remoteAddress); }));
    router.get("/header", sync([](Request& r) {
                 return Response::text(200, std::string(r.header(r.query("name"))) + "|" + std::string(r.header("Connection")));
               }));
    router.post("/echo", sync([](Request& r) {
                  Response res = Response::text(201, r.body + "?" + r.rawQuery);
                  res.headers.emplace_back("Set-Cookie", "a=1");
                  res.headers.emplace_back("Set-Cookie", "b=2");
                  return res;
                }));
    router.get("/never", [](Request&, Respond) {});
    router.get("/events", [](Request&, Respond respond) {
      Response res;
      res.setHeader("Content-Type", "text/event-stream");
      res.stream = [](std::shared_ptr<StreamSink> sink) {
        std::thread([sink] {
          for (const char* part : {"data: one\n\n", "data: two\n\n", "data: three\n\n"}) {
            sink->write(part);
            std::this_thread::sleep_for(20ms);
          }
          sink->close();
        }).detach();
      };
      respond(std::move(res));
    });
    ServerOptions opts;
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.threads = 1;
    opts.idleTimeout = idleTimeout;
    auto log = nullLog();
    server = std::make_unique<Server>(opts, compose({middleware::requestId(), middleware::errors(log)}, router.asHandler()), log);
    server->start();
  }
  proxy::Origin origin() const { return {"127.0.0.1", std::to_string(server->port())}; }
};

// The forwarding node's side: an io_context with one thread.
struct Side {
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work{ioc.get_executor()};
  std::thread thread{[this] { ioc.run(); }};
  std::shared_ptr<proxy::Client> client;

  explicit Side(proxy::ClientOptions opts = {}) { client = proxy::Client::create(ioc, opts); }
  ~Side() {
    net::post(ioc, [c = client] { c->close(); });
    work.reset();
    ioc.stop();
    thread.join();
    client->close();
  }

  proxy::Outcome send(const proxy::Origin& origin, proxy::Outgoing out, bool relay = false) {
    std::promise<proxy::Outcome> p;
    auto f = p.get_future();
    client->send(origin, std::move(out), relay, [&p](proxy::Outcome o) { p.set_value(std::move(o)); });
    EXPECT_EQ(f.wait_for(10s), std::future_status::ready);
    return f.get();
  }
};

proxy::Outgoing get(std::string target) { return {"GET", std::move(target), {}, {}}; }

struct CollectSink final : StreamSink {
  std::mutex mutex;
  std::string got;
  std::promise<void> closed;
  bool write(std::string chunk) override {
    std::lock_guard lock(mutex);
    got += chunk;
    return true;
  }
  void close() override { closed.set_value(); }
};

}  // namespace

TEST(ProxyClient, ReusesOneKeepAliveConnection) {
  Upstream up;
  Side side;
  auto first = side.send(up.origin(), get("/peer"));
  ASSERT_EQ(first.failure, proxy::Failure::None) << first.detail;
  auto second = side.send(up.origin(), get("/peer"));
  ASSERT_EQ(second.failure, proxy::Failure::None) << second.detail;
  EXPECT_EQ(first.response.body, second.response.body) << "the second request went on the pooled connection";
}

TEST(ProxyClient, PassesEndToEndHeadersAndDropsHopByHopOnes) {
  Upstream up;
  Side side;
  proxy::Outgoing out = get("/header?name=X-Custom");
  out.headers = {{"X-Custom", "kept"}, {"Connection", "close"}, {"Keep-Alive", "timeout=1"}};
  auto o = side.send(up.origin(), out);
  ASSERT_EQ(o.failure, proxy::Failure::None) << o.detail;
  EXPECT_EQ(o.response.body, "kept|");  // not the caller's Connection: close (HTTP/1.1 keeps alive by default)
  auto again = side.send(up.origin(), get("/peer"));
  EXPECT_EQ(again.failure, proxy::Failure::None) << "the connection stayed open";
}

TEST(ProxyClient, SendsBodyAndQueryAndReturnsStatusAndRepeatedHeaders) {
  Upstream up;
  Side side;
  const std::string big(1 << 20, 'x');
  auto o = side.send(up.origin(), {"POST", "/echo?q=1", {{"Content-Type", "text/plain"}}, big});
  ASSERT_EQ(o.failure, proxy::Failure::None) << o.detail;
  EXPECT_EQ(o.response.status, 201);
  EXPECT_EQ(o.response.body, big + "?q=1");
  int cookies = 0;
  for (const auto& [k, v] : o.response.headers) {
    if (k == "Set-Cookie") ++cookies;
    EXPECT_NE(k, "Content-Length");
    EXPECT_NE(k, "X-Request-Id");
  }
  EXPECT_EQ(cookies, 2);
}

TEST(ProxyClient, APooledConnectionTheOwnerClosedIsNotUsed) {
  Upstream up(200ms);  // the owner closes idle connections after 200 ms
  Side side;
  // Idle < 1 s: taken as it is, it fails at once, and the request goes again on a new one.
  // Idle > 1 s: a peek finds it closed before it is used.
  for (auto idle : {500ms, 1200ms}) {
    ASSERT_EQ(side.send(up.origin(), get("/peer")).failure, proxy::Failure::None);
    std::this_thread::sleep_for(idle);
    auto o = side.send(up.origin(), {"POST", "/echo", {}, "once"});
    EXPECT_EQ(o.failure, proxy::Failure::None) << o.detail;
    EXPECT_EQ(o.response.body, "once?");
  }
}

TEST(ProxyClient, AnOwnerThatDoesNotAnswerTimesOut) {
  Upstream up;
  proxy::ClientOptions opts;
  opts.timeout = 300ms;
  Side side(opts);
  const auto t0 = std::chrono::steady_clock::now();
  auto o = side.send(up.origin(), get("/never"));
  EXPECT_EQ(o.failure, proxy::Failure::Timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(ProxyClient, ARefusedConnectionIsAConnectFailure) {
  std::uint16_t port;
  {
    Upstream gone;
    port = gone.server->port();
  }
  Side side;
  auto o = side.send({"127.0.0.1", std::to_string(port)}, get("/peer"));
  EXPECT_EQ(o.failure, proxy::Failure::Connect);
  EXPECT_NE(o.detail.find("cannot connect"), std::string::npos) << o.detail;
}

TEST(ProxyClient, AnAnswerLargerThanTheLimitIsRefused) {
  Upstream up;
  proxy::ClientOptions opts;
  opts.maxBody = 1000;
  Side side(opts);
  auto o = side.send(up.origin(), {"POST", "/echo", {}, std::string(5000, 'y')});
  EXPECT_EQ(o.failure, proxy::Failure::TooLarge);
}

TEST(ProxyClient, RelaysAnEventStreamAsItComes) {
  Upstream up;
  Side side;
  auto o = side.send(up.origin(), get("/events"), true);
  ASSERT_EQ(o.failure, proxy::Failure::None) << o.detail;
  ASSERT_TRUE(o.response.stream);
  EXPECT_EQ(o.response.header("Content-Type"), "text/event-stream");
  auto sink = std::make_shared<CollectSink>();
  auto closed = sink->closed.get_future();
  o.response.stream(sink);
  ASSERT_EQ(closed.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(sink->got, "data: one\n\ndata: two\n\ndata: three\n\n");
  // Without relay the same answer is read whole.
  auto whole = side.send(up.origin(), get("/events"), false);
  ASSERT_EQ(whole.failure, proxy::Failure::None);
  EXPECT_FALSE(whole.response.stream);
  EXPECT_EQ(whole.response.body, "data: one\n\ndata: two\n\ndata: three\n\n");
}
