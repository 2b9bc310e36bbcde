// The Beast server in-process, talked to over real sockets.
#include "http/server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sched.h>

#include <future>
#include <thread>

#include "http/middleware/middleware.hpp"
#include "http/router.hpp"

using namespace m3m;
using namespace m3m::http;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::shared_ptr<spdlog::logger> nullLog() {
  return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

struct TestServer {
  Router router;
  std::unique_ptr<Server> server;

  explicit TestServer(ServerOptions opts = {}) {
    router.get("/hello", sync([](Request& r) { return Response::text(200, "hello " + r.query("name")); }));
    router.post("/echo", sync([](Request& r) { return Response::text(200, r.body); }));
    router.post("/json", sync([](Request& r) { return Response::json(200, r.jsonObject()); }));
    router.get("/boom", sync([](Request&) -> Response { throw std::runtime_error("secret internals"); }));
    router.get("/slow", [](Request&, Respond respond) {
      std::thread([respond] {
        std::this_thread::sleep_for(300ms);
        respond(Response::text(200, "slow done"));
      }).detach();
    });
    router.get("/never", [](Request&, Respond) {});  // never answers
    router.get("/policy", sync([](Request&) { return Response::text(200, std::to_string(sched_getscheduler(0))); }));
    opts.host = "127.0.0.1";
    opts.port = 0;
    opts.threads = 2;
    auto log = nullLog();
    server = std::make_unique<Server>(
        opts, compose({middleware::requestId(), middleware::errors(log)}, router.asHandler()), log);
    server->start();
  }
};

struct Client {
  net::io_context ioc;
  tcp::socket socket{ioc};
  boost::beast::flat_buffer buffer;

  explicit Client(std::uint16_t port) { socket.connect({net::ip::make_address("127.0.0.1"), port}); }

  void send(std::string_view raw) { net::write(socket, net::buffer(raw.data(), raw.size())); }

  bhttp::response<bhttp::string_body> read() {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return res;
  }

  // True when the server closed the connection (EOF/reset) within `within`.
  bool closedWithin(std::chrono::milliseconds within) {
    socket.non_blocking(false);
    timeval tv{static_cast<long>(within.count() / 1000), static_cast<long>((within.count() % 1000) * 1000)};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char c;
    ssize_t n = ::recv(socket.native_handle(), &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
};

nlohmann::json errorOf(const bhttp::response<bhttp::string_body>& res) { return nlohmann::json::parse(res.body())["error"]; }

}  // namespace

TEST(HttpServer, KeepsConnectionsAlive) {
  TestServer s;
  Client c(s.server->port());
  c.send("GET /hello?name=a HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r1 = c.read();
  EXPECT_EQ(r1.result_int(), 200);
  EXPECT_EQ(r1.body(), "hello a");
  EXPECT_TRUE(r1.keep_alive());
  EXPECT_FALSE(r1[ "X-Request-Id"].empty());
  c.send("GET /hello?name=b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().body(), "hello b");
}

// IO threads do not preempt the thread that has the CPU when a request arrives (server.cpp,
// runWithoutWakeupPreemption): synchronous handlers run on them, so this one reports its policy.
TEST(HttpServer, IoThreadsRunAsSchedBatch) {
  TestServer s;
  Client c(s.server->port());
  for (int i = 0; i < 4; ++i) {  // both IO threads, most likely
    c.send("GET /policy HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(c.read().body(), std::to_string(SCHED_BATCH));
  }
}

TEST(HttpServer, AnswersPipelinedRequestsInOrder) {
  TestServer s;
  Client c(s.server->port());
  c.send(
      "GET /hello?name=1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
      "GET /hello?name=3 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().body(), "hello 1");
  EXPECT_EQ(c.read().body(), "abcde");
  EXPECT_EQ(c.read().body(), "hello 3");
}

TEST(HttpServer, RefusesOversizedBodyWith413) {
  ServerOptions o;
  o.maxBody = 1024;
  TestServer s(o);
  Client c(s.server->port());
  std::string body(4096, 'x');
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + body);
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(errorOf(r)["code"], "PAYLOAD_TOO_LARGE");
  EXPECT_FALSE(r.keep_alive());
}

TEST(HttpServer, RefusesOversizedChunkedBodyWith413) {
  ServerOptions o;
  o.maxBody = 1024;
  TestServer s(o);
  Client c(s.server->port());
  std::string chunk(800, 'y');
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk +
         "\r\n0\r\n\r\n");
  EXPECT_EQ(c.read().result_int(), 413);
}

TEST(HttpServer, RefusesOversizedHeadersWith431) {
  ServerOptions o;
  o.maxHeader = 2048;
  TestServer s(o);
  Client c(s.server->port());
  c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 431);
  EXPECT_EQ(errorOf(r)["code"], "PAYLOAD_TOO_LARGE");
}

TEST(HttpServer, AnswersMalformedRequestsWith400Json) {
  TestServer s;
  Client c(s.server->port());
  c.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(errorOf(r)["code"], "INVALID_ARGUMENT");
  EXPECT_TRUE(c.closedWithin(2s));
}

TEST(HttpServer, MalformedJsonBodyIs400WithPosition) {
  TestServer s;
  Client c(s.server->port());
  c.send("POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":,}");
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_NE(errorOf(r)["message"].get<std::string>().find("malformed JSON at byte"), std::string::npos);
  EXPECT_TRUE(r.keep_alive()) << "an application-level error keeps the connection";
}

TEST(HttpServer, HidesInternalExceptionDetails) {
  TestServer s;
  Client c(s.server->port());
  c.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 500);
  EXPECT_EQ(errorOf(r)["code"], "INTERNAL");
  EXPECT_EQ(r.body().find("secret internals"), std::string::npos);
}

TEST(HttpServer, ClosesSlowLorisConnections) {
  ServerOptions o;
  o.readTimeout = 300ms;
  TestServer s(o);
  Client c(s.server->port());
  c.send("GET /hello HTTP/1.1\r\nHost: x\r\n");  // headers never finish
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closedWithin(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpServer, ClosesIdleConnections) {
  ServerOptions o;
  o.idleTimeout = 300ms;
  TestServer s(o);
  Client c(s.server->port());
  EXPECT_TRUE(c.closedWithin(3s));
}

TEST(HttpServer, SendsContinueForExpect100) {
  TestServer s;
  Client c(s.server->port());
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  bhttp::response<bhttp::empty_body> interim;
  bhttp::response_parser<bhttp::empty_body> p;
  bhttp::read_header(c.socket, c.buffer, p);
  EXPECT_EQ(p.get().result_int(), 100);
  c.send("xyz");
  auto r = c.read();
  EXPECT_EQ(r.body(), "xyz");
}

TEST(HttpServer, HeadHasLengthButNoBody) {
  TestServer s;
  Client c(s.server->port());
  c.send("HEAD /hello?name=abc HTTP/1.1\r\nHost: x\r\n\r\n");
  bhttp::response_parser<bhttp::empty_body> p;
  p.skip(true);
  bhttp::read(c.socket, c.buffer, p);
  EXPECT_EQ(p.get().result_int(), 200);
  EXPECT_EQ(p.get()[bhttp::field::content_length], "9");
  c.send("GET /hello?name=x HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().body(), "hello x") << "the HEAD response carried no stray body bytes";
}

TEST(HttpServer, AsyncHandlersAnswerFromOtherThreads) {
  TestServer s;
  Client c(s.server->port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read().body(), "slow done");
}

TEST(HttpServer, GracefulShutdownFinishesInFlightRequests) {
  TestServer s;
  Client c(s.server->port());
  Client idle(s.server->port());
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 100 && s.server->inFlight() == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(s.server->inFlight(), 1);
  auto port = s.server->port();
  auto cut = std::async(std::launch::async, [&] { return s.server->shutdown(5s); });
  auto r = c.read();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "slow done");
  EXPECT_FALSE(r.keep_alive()) << "draining closes the connection after the response";
  EXPECT_EQ(cut.get(), 0);
  EXPECT_TRUE(idle.closedWithin(1s)) << "idle keep-alive connections are closed at once";
  net::io_context ioc;
  tcp::socket late(ioc);
  boost::system::error_code ec;
  late.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  EXPECT_TRUE(ec) << "no new connections after shutdown";
}

TEST(HttpServer, ShutdownCutsOffRequestsPastTheTimeout) {
  TestServer s;
  Client c(s.server->port());
  c.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 100 && s.server->inFlight() == 0; ++i) std::this_thread::sleep_for(5ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(s.server->shutdown(200ms), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// Answers from other threads are handed to the IO threads in bulk; each must
// still reach its own connection.
TEST(HttpServer, ManyAnswersFromOtherThreadsReachTheirOwnConnections) {
  TestServer s;
  s.router.get("/later", [](Request& req, Respond respond) {
    std::thread([respond, name = req.query("name")] { respond(Response::text(200, "later " + name)); }).detach();
  });
  constexpr int kClients = 40;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Client>(s.server->port()));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kClients; ++i)
      clients[i]->send("GET /later?name=c" + std::to_string(i) + "r" + std::to_string(round) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = 0; i < kClients; ++i)
      EXPECT_EQ(clients[i]->read().body(), "later c" + std::to_string(i) + "r" + std::to_string(round));
  }
}

// Regression: an answer given after the server was shut down and destroyed
// (a script finishing late) used the destroyed server (use-after-free under
// ASan). It must be dropped quietly.
// Sends a request whose handler keeps its Respond, then shuts the server down
// (the request is cut off) and destroys it; returns the kept Respond.
Respond respondOfARequestOutlivingTheServer() {
  std::promise<Respond> held;
  auto respondLater = held.get_future();
  TestServer s;
  s.router.get("/held", [&held](Request&, Respond respond) { held.set_value(std::move(respond)); });
  Client c(s.server->port());
  c.send("GET /held HTTP/1.1\r\nHost: x\r\n\r\n");
  auto respond = respondLater.get();
  EXPECT_EQ(s.server->shutdown(50ms), 1);
  s.server.reset();
  return respond;
}

TEST(HttpServer, AnAnswerAfterTheServerIsGoneIsDropped) {
  auto respond = respondOfARequestOutlivingTheServer();
  std::thread([respond] { respond(Response::text(200, "too late")); }).join();
  respond(Response::text(200, "twice"));  // still exactly once, still harmless
}

TEST(HttpServer, ARequestDroppedUnansweredAfterTheServerIsGoneIsHarmless) {
  auto respond = respondOfARequestOutlivingTheServer();
  std::thread([r = std::move(respond)]() mutable { r = nullptr; }).join();  // the last copy goes, unanswered
}

TEST(HttpServer, ReportsPortInUse) {
  TestServer a;
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = a.server->port();
  Server b(o, [](Request&, Respond r) { r(Response::noContent()); }, nullLog());
  try {
    b.start();
    FAIL() << "expected the bind to fail";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos) << e.what();
  }
}
