#include "http/proxy/client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace m3m::http::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
// As in the server: a socket on a concrete strand (no type-erased executor per
// operation) and one timer per exchange instead of beast::tcp_stream's timer
// operation per read and write.
using Strand = net::strand<net::io_context::executor_type>;
using Socket = net::basic_stream_socket<tcp, Strand>;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Strand>;

std::optional<Origin> parseOrigin(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.size() <= kScheme.size() || !beast::iequals(url.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  auto rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.empty() || rest.find('@') != std::string_view::npos) return std::nullopt;
  Origin o;
  std::string_view port;
  if (rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    o.host = std::string(rest.substr(1, close - 1));
    auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else {
    auto colon = rest.rfind(':');
    o.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (o.host.empty()) return std::nullopt;
  if (port.empty()) port = "80";
  if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  o.port = std::string(port);
  return o;
}

// A connection and its timeout: one deadline per exchange phase, checked by one
// lazily re-armed timer (re-armed only when it fires or must fire earlier, as
// in the server): no timer operation per request on a busy connection. Past
// the deadline the socket is closed, and the pending operation fails.
struct Client::Conn : std::enable_shared_from_this<Client::Conn> {
  explicit Conn(net::io_context& ioc) : socket(net::make_strand(ioc)), timer(socket.get_executor()) {}
  Socket socket;
  Timer timer;
  beast::flat_buffer buffer;
  Clock::time_point idleSince{};
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point timerAt{};
  std::uint64_t timerGen = 0;
  bool timerPending = false;
  bool timedOut = false;

  // On the connection's strand.
  void setDeadline(Clock::time_point at) {
    deadline = at;
    timedOut = false;
    if (!timerPending || timerAt > at) armTimer(at);
  }
  void clearDeadline() { deadline = Clock::time_point::max(); }

  void armTimer(Clock::time_point at) {
    timerPending = true;
    timerAt = at;
    const auto gen = ++timerGen;
    timer.expires_at(at);  // cancels a pending wait: its handler sees another generation
    timer.async_wait([self = shared_from_this(), gen](beast::error_code) {
      if (gen != self->timerGen) return;
      self->timerPending = false;
      if (self->deadline == Clock::time_point::max()) return;
      if (Clock::now() >= self->deadline) {
        self->deadline = Clock::time_point::max();
        self->timedOut = true;
        return self->close();
      }
      self->armTimer(self->deadline);
    });
  }

  void close() {
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  // An idle connection the other end closed (or wrote to) is not reused. A
  // connection idle for less than a second is taken as it is (a peek is a
  // syscall per request); if the owner closed it meanwhile, the exchange is
  // sent again on a new connection (Exchange::failExchange).
  bool stillOpen(Clock::time_point now) {
    if (!socket.is_open()) return false;
    if (now - idleSince < std::chrono::seconds(1)) return true;
    char c;
    const auto n = ::recv(socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

std::shared_ptr<Client> Client::create(net::io_context& ioc, ClientOptions opts) {
  return std::shared_ptr<Client>(new Client(ioc, opts));
}

std::shared_ptr<Client::Conn> Client::takeIdle(const std::string& key) {
  std::vector<std::shared_ptr<Conn>> stale;  // closed outside the lock
  std::shared_ptr<Conn> found;
  {
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    const auto now = Clock::now();
    while (!list.empty()) {
      auto c = std::move(list.back());
      list.pop_back();
      if (now - c->idleSince < opts_.keepIdle && c->stillOpen(now)) {
        found = std::move(c);
        break;
      }
      stale.push_back(std::move(c));
    }
  }
  for (auto& c : stale) c->close();
  return found;
}

void Client::putIdle(const std::string& key, std::shared_ptr<Conn> conn) {
  conn->idleSince = Clock::now();
  conn->clearDeadline();
  std::unique_lock lock(mutex_);
  auto& list = idle_[key];
  if (closed_ || list.size() >= opts_.maxIdlePerOrigin) {
    lock.unlock();
    conn->close();
    return;
  }
  list.push_back(std::move(conn));
}

void Client::close() {
  std::map<std::string, std::vector<std::shared_ptr<Conn>>> idle;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    idle.swap(idle_);
  }
  for (auto& [key, list] : idle)
    for (auto& c : list) c->close();
}

namespace {

// Framing and per-connection headers are not passed on (RFC 9110 §7.6.1);
// the server that writes the answer sets its own framing.
bool hopByHop(std::string_view name) {
  for (std::string_view h : {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
                             "te", "trailer", "transfer-encoding", "upgrade", "content-length", "expect"})
    if (beast::iequals(name, h)) return true;
  return false;
}

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<Client> client, Origin origin, Outgoing out, bool relay, std::function<void(Outcome)> done)
      : client_(std::move(client)), origin_(std::move(origin)), relay_(relay), done_(std::move(done)),
        deadline_(Clock::now() + client_->options().timeout) {
    const auto verb = bhttp::string_to_verb(out.method);
    if (verb == bhttp::verb::unknown) req_.method_string(out.method);
    else req_.method(verb);
    isHead_ = verb == bhttp::verb::head;
    req_.target(out.target);
    req_.version(11);
    for (auto& [k, v] : out.headers)
      if (!hopByHop(k)) req_.insert(k, v);
    if (req_.find(bhttp::field::host) == req_.end()) req_.set(bhttp::field::host, origin_.key());
    req_.body() = std::move(out.body);
    req_.keep_alive(true);
    req_.prepare_payload();
  }

  void start() {
    conn_ = client_->takeIdle(origin_.key());
    if (conn_) {
      reused_ = true;
      net::dispatch(conn_->socket.get_executor(), [self = shared_from_this()] {
        self->arm(self->deadline_);
        self->write();
      });
      return;
    }
    connect();
  }

 private:
  void arm(Clock::time_point at) { conn_->setDeadline(at); }
  void disarm() {
    if (conn_) conn_->clearDeadline();
  }
  bool timedOut() const { return conn_ && conn_->timedOut; }

  void connect() {
    reused_ = false;
    disarm();
    conn_ = std::make_shared<Client::Conn>(client_->context());
    net::dispatch(conn_->socket.get_executor(), [self = shared_from_this()] {
      self->arm(std::min(self->deadline_, Clock::now() + self->client_->options().connectTimeout));
      beast::error_code ec;
      auto address = net::ip::make_address(self->origin_.host, ec);
      if (!ec) {  // an address: no resolver
        std::uint16_t port = static_cast<std::uint16_t>(std::stoul(self->origin_.port));
        self->endpoints_ = {tcp::endpoint(address, port)};
        return self->connectTo();
      }
      self->resolver_.emplace(self->conn_->socket.get_executor());
      self->resolver_->async_resolve(self->origin_.host, self->origin_.port,
                                     [self](beast::error_code ec2, tcp::resolver::results_type results) {
                                       if (ec2) return self->fail(Failure::Connect, self->timedOut() ? "connect timed out" : "cannot resolve " + self->origin_.host + ": " + ec2.message());
                                       self->endpoints_.assign(results.begin(), results.end());
                                       self->connectTo();
                                     });
    });
  }

  void connectTo() {
    net::async_connect(conn_->socket, endpoints_, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec)
        return self->fail(Failure::Connect, self->timedOut() ? "connect timed out" : "cannot connect: " + ec.message());
      self->conn_->socket.set_option(tcp::no_delay(true), ec);
      self->arm(self->deadline_);
      self->write();
    });
  }

  void write() {
    bhttp::async_write(conn_->socket, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failExchange(ec, false);
      self->readHead();
    });
  }

  void readHead() {
    head_.emplace();
    head_->body_limit(client_->options().maxBody);
    if (isHead_) head_->skip(true);
    bhttp::async_read_header(conn_->socket, conn_->buffer, *head_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failExchange(ec, self->head_->got_some());
      self->onHead();
    });
  }

  void onHead() {
    auto& msg = head_->get();
    res_.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) {
      auto name = f.name_string();
      if (hopByHop(name) || beast::iequals(name, "x-request-id") || beast::iequals(name, "server")) continue;
      res_.headers.emplace_back(std::string(name), std::string(f.value()));
    }
    const auto type = msg[bhttp::field::content_type];
    if (relay_ && res_.status == 200 && type.substr(0, 17) == "text/event-stream" && !head_->is_done())
      return startRelay();
    body_.emplace(std::move(*head_));
    head_.reset();
    if (body_->is_done()) return onBody();  // no body (204, 304, HEAD, Content-Length: 0)
    bhttp::async_read(conn_->socket, conn_->buffer, *body_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failExchange(ec, true);
      self->onBody();
    });
  }

  void onBody() {
    disarm();
    res_.body = std::move(body_->get().body());
    const bool reusable = body_->get().keep_alive() && conn_->buffer.size() == 0;
    body_.reset();
    if (reusable) client_->putIdle(origin_.key(), std::move(conn_));
    else closeConn();
    finish(Outcome{Failure::None, {}, std::move(res_)});
  }

  // --- relay: the owner's stream goes through as it arrives ------------------
  void startRelay() {
    relayParser_.emplace(std::move(*head_));
    head_.reset();
    disarm();  // a live tail may be quiet for long
    chunk_.resize(16384);
    Response res = std::move(res_);
    res.stream = [self = shared_from_this()](std::shared_ptr<StreamSink> sink) {
      net::dispatch(self->conn_->socket.get_executor(), [self, sink = std::move(sink)]() mutable {
        self->sink_ = std::move(sink);
        self->pump();
      });
    };
    finish(Outcome{Failure::None, {}, std::move(res)});
  }

  void pump() {
    auto& body = relayParser_->get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    bhttp::async_read_some(conn_->socket, conn_->buffer, *relayParser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      const auto got = self->chunk_.size() - self->relayParser_->get().body().size;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (got > 0 && !self->sink_->write(std::string(self->chunk_.data(), got))) return self->endRelay();  // the client left
      if (ec || self->relayParser_->is_done()) return self->endRelay();
      self->pump();
    });
  }

  void endRelay() {
    if (sink_) sink_->close();
    sink_.reset();
    closeConn();
  }

  // --- failures ---------------------------------------------------------------
  // A pooled connection the owner closed meanwhile fails before any answer:
  // the request goes once more on a new connection.
  void failExchange(beast::error_code ec, bool answered) {
    if (timedOut()) return fail(Failure::Timeout, "no answer within the timeout");
    if (reused_ && !answered && !retried_) {
      retried_ = true;
      closeConn();
      return connect();
    }
    if (ec == bhttp::error::body_limit)
      return fail(Failure::TooLarge, "the answer is larger than " + std::to_string(client_->options().maxBody) + " bytes");
    fail(Failure::Exchange, ec.message());
  }

  void fail(Failure f, std::string detail) {
    disarm();
    closeConn();
    finish(Outcome{f, std::move(detail), {}});
  }

  void closeConn() {
    if (conn_) conn_->close();
  }

  void finish(Outcome o) {
    if (auto done = std::exchange(done_, nullptr)) done(std::move(o));
  }

  std::shared_ptr<Client> client_;
  Origin origin_;
  bool relay_;
  std::function<void(Outcome)> done_;
  Clock::time_point deadline_;
  bhttp::request<bhttp::string_body> req_;
  bool isHead_ = false;
  std::shared_ptr<Client::Conn> conn_;
  bool reused_ = false, retried_ = false;
  std::vector<tcp::endpoint> endpoints_;
  std::optional<tcp::resolver> resolver_;
  std::optional<bhttp::response_parser<bhttp::empty_body>> head_;
  std::optional<bhttp::response_parser<bhttp::string_body>> body_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> relayParser_;
  std::vector<char> chunk_;  // relay only
  std::shared_ptr<StreamSink> sink_;
  Response res_;
};

}  // namespace

void Client::send(const Origin& origin, Outgoing out, bool relay, std::function<void(Outcome)> done) {
  std::make_shared<Exchange>(shared_from_this(), origin, std::move(out), relay, std::move(done))->start();
}

}  // namespace m3m::http::proxy
