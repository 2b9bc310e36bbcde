#include "http/proxy/client.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace m3m::http::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

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

struct Client::Conn {
  explicit Conn(net::io_context& ioc) : stream(net::make_strand(ioc)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  Clock::time_point idleSince{};

  // An idle connection the other end closed (or wrote to) is not reused.
  bool stillOpen() {
    beast::error_code ec;
    auto& s = stream.socket();
    if (!s.is_open()) return false;
    s.non_blocking(true, ec);
    if (ec) return false;
    char c;
    s.receive(net::buffer(&c, 1), tcp::socket::message_peek, ec);
    return ec == net::error::would_block;
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
      if (now - c->idleSince < opts_.keepIdle && c->stillOpen()) {
        found = std::move(c);
        break;
      }
      stale.push_back(std::move(c));
    }
  }
  for (auto& c : stale) {
    beast::error_code ec;
    c->stream.socket().close(ec);
  }
  return found;
}

void Client::putIdle(const std::string& key, std::shared_ptr<Conn> conn) {
  conn->idleSince = Clock::now();
  conn->stream.expires_never();
  std::unique_lock lock(mutex_);
  auto& list = idle_[key];
  if (closed_ || list.size() >= opts_.maxIdlePerOrigin) {
    lock.unlock();
    beast::error_code ec;
    conn->stream.socket().close(ec);
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
    for (auto& c : list) {
      beast::error_code ec;
      c->stream.socket().close(ec);
    }
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
      net::dispatch(conn_->stream.get_executor(), [self = shared_from_this()] { self->write(); });
      return;
    }
    connect();
  }

 private:
  void connect() {
    reused_ = false;
    conn_ = std::make_shared<Client::Conn>(client_->context());
    resolver_.emplace(conn_->stream.get_executor());
    resolver_->async_resolve(origin_.host, origin_.port,
                             [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                               if (ec) return self->fail(Failure::Connect, "cannot resolve " + self->origin_.host + ": " + ec.message());
                               const auto left = self->deadline_ - Clock::now();
                               const Clock::duration limit = self->client_->options().connectTimeout;
                               self->conn_->stream.expires_after(std::max<Clock::duration>(std::min(left, limit), std::chrono::milliseconds(1)));
                               self->conn_->stream.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
                                 if (ec2)
                                   return self->fail(Failure::Connect,
                                                     ec2 == beast::error::timeout ? "connect timed out" : "cannot connect: " + ec2.message());
                                 self->conn_->stream.socket().set_option(tcp::no_delay(true), ec2);
                                 self->write();
                               });
                             });
  }

  void write() {
    conn_->stream.expires_at(deadline_);
    bhttp::async_write(conn_->stream, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failExchange(ec, false);
      self->readHead();
    });
  }

  void readHead() {
    head_.emplace();
    head_->body_limit(client_->options().maxBody);
    if (isHead_) head_->skip(true);
    bhttp::async_read_header(conn_->stream, conn_->buffer, *head_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
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
    bhttp::async_read(conn_->stream, conn_->buffer, *body_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failExchange(ec, true);
      self->onBody();
    });
  }

  void onBody() {
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
    conn_->stream.expires_never();  // a live tail may be quiet for long
    Response res = std::move(res_);
    res.stream = [self = shared_from_this()](std::shared_ptr<StreamSink> sink) {
      net::dispatch(self->conn_->stream.get_executor(), [self, sink = std::move(sink)]() mutable {
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
    bhttp::async_read_some(conn_->stream, conn_->buffer, *relayParser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
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
    if (reused_ && !answered && ec != beast::error::timeout && !retried_) {
      retried_ = true;
      closeConn();
      return connect();
    }
    if (ec == beast::error::timeout) return fail(Failure::Timeout, "no answer within the timeout");
    if (ec == bhttp::error::body_limit)
      return fail(Failure::TooLarge, "the answer is larger than " + std::to_string(client_->options().maxBody) + " bytes");
    fail(Failure::Exchange, ec.message());
  }

  void fail(Failure f, std::string detail) {
    closeConn();
    finish(Outcome{f, std::move(detail), {}});
  }

  void closeConn() {
    if (!conn_) return;
    beast::error_code ec;
    conn_->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    conn_->stream.socket().close(ec);
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
  std::optional<tcp::resolver> resolver_;
  std::optional<bhttp::response_parser<bhttp::empty_body>> head_;
  std::optional<bhttp::response_parser<bhttp::string_body>> body_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> relayParser_;
  std::array<char, 16384> chunk_{};
  std::shared_ptr<StreamSink> sink_;
  Response res_;
};

}  // namespace

void Client::send(const Origin& origin, Outgoing out, bool relay, std::function<void(Outcome)> done) {
  std::make_shared<Exchange>(shared_from_this(), origin, std::move(out), relay, std::move(done))->start();
}

}  // namespace m3m::http::proxy
