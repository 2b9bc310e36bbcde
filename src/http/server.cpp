#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <thread>
#include <unordered_map>

#include "http/middleware/middleware.hpp"
#include "http/response_head.hpp"

namespace m3m::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class Session;

// Answers given outside the IO threads (the JS runtime's threads, the store's
// writer) are handed over in bulk: one post carries every answer given
// meanwhile. Each post from outside wakes the reactor with a syscall (12% of
// the store writer's time with one per answer under a group commit); posts
// made on an IO thread go to its own queue for free.
struct Handoff : std::enable_shared_from_this<Handoff> {
  explicit Handoff(net::io_context& ioc) : ioc(&ioc) {}
  void deliver(std::shared_ptr<Session> session, Response res);
  // For a request dropped unanswered: once the server has stopped, the
  // session must not be destroyed (see deliver); it is kept instead.
  void release(std::shared_ptr<Session>& session);
  void run();
  // After the IO threads stopped: answers still queued are dropped here, while
  // the io_context their sockets belong to exists.
  void close();

  std::mutex mutex;
  net::io_context* ioc;  // null once closed
  std::vector<std::pair<std::shared_ptr<Session>, Response>> items;
  bool posted = false;
};

// Set on the IO threads of a server: an answer given there needs no hand-off.
thread_local const Handoff* tlsIoThreadOf = nullptr;

struct Server::Impl {
  ServerOptions opts;
  Handler handler;
  std::shared_ptr<spdlog::logger> log;

  std::unique_ptr<net::io_context> ioc;
  // Keeps the IO threads alive while a request waits on an async handler and
  // no socket operation is pending (e.g. during drain, after the acceptor closed).
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::uint16_t boundPort = 0;

  std::atomic<bool> draining{false};
  std::atomic<bool> stopped{false};

  std::mutex sessionsMutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t nextSessionId = 0;

  std::mutex inFlightMutex;
  std::condition_variable inFlightZero;
  int inFlight = 0;

  void requestStarted() {
    std::lock_guard lock(inFlightMutex);
    ++inFlight;
  }
  void requestFinished() {
    std::lock_guard lock(inFlightMutex);
    if (--inFlight == 0) inFlightZero.notify_all();
  }

  // Shared with every session: answers given after the server is gone find
  // it closed instead of a destroyed server.
  std::shared_ptr<struct Handoff> handoff;

  void accept();
};

namespace {

// IO threads run as SCHED_BATCH: a request that arrives while the store's writer thread (or
// a JS isolate) has the CPU does not preempt it; the IO thread runs when the CPU is free or
// the running thread's time slice ends, and then reads every request that came meanwhile.
// Where IO and writer share a core this cut context switches per API create from 2.6 to 0.2
// and the server's CPU per create by 12–15% (bench/records.mjs); on an idle core the IO
// thread runs at once as before. Needs no privilege; if refused, nothing changes.
void runWithoutWakeupPreemption() {
  sched_param param{};
  pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// What a streamed response (SSE) may have waiting for a slow client.
constexpr std::size_t kMaxStreamBacklog = 4u << 20;
}

// The hot path avoids beast::tcp_stream (a type-erased executor and a timer
// operation per read/write) and Beast's generic serializer: the socket runs on
// a concrete strand, timeouts are one lazily re-armed timer per session (a
// deadline field updated per phase, the timer re-armed only when it fires or
// must fire earlier), requests are parsed by feeding the parser from the
// session's buffer, and responses are written as one preformatted buffer.
using Strand = net::strand<net::io_context::executor_type>;
using Socket = net::basic_stream_socket<tcp, Strand>;
using SteadyTimer =
    net::basic_waitable_timer<std::chrono::steady_clock, net::wait_traits<std::chrono::steady_clock>, Strand>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, Server::Impl& server, std::uint64_t id)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(server), handoff_(server.handoff), id_(id) {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
  }

  ~Session() {
    if (streaming_) server_.requestFinished();
    std::lock_guard lock(server_.sessionsMutex);
    server_.sessions.erase(id_);
  }

  void run() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->waitForRequest(); });
  }

  // Called on the session's strand when the server starts draining.
  void onDrain() {
    if (idle_) close();
    if (streaming_) endStream();  // a stream never ends by itself: end it so the drain does not wait
  }

  // --- streamed responses (chunked; Server-Sent Events) ---------------------
  // Holds the session alive while the stream is open (a streaming session has
  // no pending read to do it); detached when the stream ends.
  class Sink final : public StreamSink {
   public:
    explicit Sink(std::shared_ptr<Session> s) : session_(std::move(s)) {}
    bool write(std::string chunk) override {
      auto s = session();
      if (!s) return false;
      net::post(s->executor(), [s, chunk = std::move(chunk)]() mutable { s->queueChunk(std::move(chunk)); });
      return true;
    }
    void close() override {
      if (auto s = session()) net::post(s->executor(), [s] { s->endStream(); });
    }
    void detach() {
      std::lock_guard lock(mutex_);
      session_.reset();
    }

   private:
    std::shared_ptr<Session> session() {
      std::lock_guard lock(mutex_);
      return session_;
    }
    std::mutex mutex_;
    std::shared_ptr<Session> session_;
  };

  void startStream(Response res) {
    auto msg = std::make_shared<bhttp::response<bhttp::empty_body>>();
    msg->result(static_cast<unsigned>(res.status));
    msg->version(version_ ? version_ : 11);
    msg->set(bhttp::field::server, "m3m");
    for (auto& [k, v] : res.headers) msg->set(k, v);
    msg->keep_alive(false);
    msg->chunked(true);
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*msg);
    streaming_ = true;
    clearDeadline();
    bhttp::async_write_header(socket_, *serializer,
                              [self = shared_from_this(), msg, serializer, starter = std::move(res.stream)](
                                  beast::error_code ec, std::size_t) {
                                if (ec) return self->finishStream();
                                self->sink_ = std::make_shared<Sink>(self);
                                if (self->endRequested_) {  // drained meanwhile
                                  self->pump();
                                  return;
                                }
                                starter(self->sink_);
                                self->pump();
                              });
  }

  void queueChunk(std::string chunk) {
    if (!streaming_ || endRequested_) return;
    // A client that stops reading a stream must not make the server hold
    // what the producer keeps sending: past the backlog limit it is cut off.
    if (queuedBytes_ + chunk.size() > kMaxStreamBacklog) {
      server_.log->info("http stream to {} cut off: the client stopped reading ({} bytes waiting)", remote_,
                        queuedBytes_ + chunk.size());
      chunks_.clear();
      queuedBytes_ = 0;
      if (!writingChunk_) return finishStream();
      return close();  // the pending write fails and ends the stream
    }
    queuedBytes_ += chunk.size();
    chunks_.push_back(std::move(chunk));
    pump();
  }

  void endStream() {
    if (!streaming_) return;
    endRequested_ = true;
    pump();
  }

  void pump() {
    if (!streaming_ || writingChunk_ || !sink_) return;
    if (!chunks_.empty()) {
      writingChunk_ = true;
      auto data = std::make_shared<std::string>(std::move(chunks_.front()));
      chunks_.pop_front();
      queuedBytes_ -= data->size();
      net::async_write(socket_, bhttp::make_chunk(net::buffer(*data)),
                       [self = shared_from_this(), data](beast::error_code ec, std::size_t) {
                         self->writingChunk_ = false;
                         if (ec) return self->finishStream();
                         self->pump();
                       });
      return;
    }
    if (endRequested_) {
      writingChunk_ = true;
      net::async_write(socket_, bhttp::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code, std::size_t) { self->finishStream(); });
    }
  }

  void finishStream() {
    if (!streaming_) return;
    streaming_ = false;
    if (sink_) sink_->detach();  // producers now get false and let go
    sink_.reset();
    chunks_.clear();
    queuedBytes_ = 0;
    server_.requestFinished();
    close();
  }

  Strand executor() { return socket_.get_executor(); }
  // Queues `res` for writing on the session's strand.
  void writeOnStrand(Response res) {
    net::post(executor(), [self = shared_from_this(), res = std::move(res)]() mutable { self->write(std::move(res), false); });
  }

 private:
  // --- timeouts: one deadline, one timer ------------------------------------
  using Clock = std::chrono::steady_clock;

  void setDeadline(Clock::duration d) {
    deadline_ = Clock::now() + d;
    if (!timerPending_ || timerAt_ > deadline_) armTimer(deadline_);
  }
  // The pending wait (if any) fires later and finds nothing to do.
  void clearDeadline() { deadline_ = Clock::time_point::max(); }

  void armTimer(Clock::time_point at) {
    timerPending_ = true;
    timerAt_ = at;
    const auto gen = ++timerGen_;
    timer_.expires_at(at);  // cancels a pending wait: its handler sees another generation
    timer_.async_wait([self = shared_from_this(), gen](beast::error_code) { self->onTimer(gen); });
  }

  void onTimer(std::uint64_t gen) {
    if (gen != timerGen_) return;
    timerPending_ = false;
    if (closed_ || deadline_ == Clock::time_point::max()) return;
    if (Clock::now() >= deadline_) {
      deadline_ = Clock::time_point::max();
      return close();  // pending reads/writes complete with operation_aborted
    }
    armTimer(deadline_);
  }

  // Phase 0: an idle keep-alive connection waits for the first byte of the
  // next request under idle_timeout. Only here, after the previous response
  // was written in full, is the socket read again: a pipelining client that
  // never reads holds at most one response (and TCP's buffers) on the server,
  // while its further requests wait in the kernel (back-pressure).
  void waitForRequest() {
    if (server_.draining) return close();
    if (buffer_.size() > 0) return readHeader();  // pipelined request already buffered
    idle_ = true;
    setDeadline(server_.opts.idleTimeout);
    socket_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      self->idle_ = false;
      if (ec) return self->close();
      self->readHeader();
    });
  }

  // Phase 1+2: the whole request must arrive within read_timeout, counted
  // from its first byte (slow-loris connections are cut).
  void readHeader() {
    idle_ = false;
    parser_.emplace();
    parser_->header_limit(server_.opts.maxHeader);
    bodyLimit_ = server_.opts.maxBody;
    // With a per-target limit the header phase must not refuse a large
    // Content-Length yet: onHeader sets the limit once the target is known.
    // (Not boost::none: Beast compares a Content-Length with the optional
    // itself, and any length is "greater" than none.)
    if (server_.opts.bodyLimitFor) parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    else parser_->body_limit(bodyLimit_);
    parser_->eager(false);
    headerPhase_ = true;
    setDeadline(server_.opts.readTimeout);
    parse();
  }

  bool phaseDone() const { return headerPhase_ ? parser_->is_header_done() : parser_->is_done(); }

  // Feeds the buffered bytes to the parser; reads more when it needs them
  // (what beast::http::async_read does, without its composed operation).
  void parse() {
    for (;;) {
      if (phaseDone()) return headerPhase_ ? onHeader() : dispatch();
      if (buffer_.size() == 0) return readMore();
      beast::error_code ec;
      const auto used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == bhttp::error::need_more) return readMore();
      if (ec) return onReadError(ec);
      if (used == 0 && !phaseDone()) return readMore();
    }
  }

  void readMore() {
    const auto room = buffer_.capacity() - buffer_.size();
    const std::size_t size = std::clamp<std::size_t>(room, 4096, 65536);
    socket_.async_read_some(buffer_.prepare(size), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec == net::error::eof) {
        if (!self->parser_->got_some()) return self->onReadError(bhttp::error::end_of_stream);
        beast::error_code eofEc;
        self->parser_->put_eof(eofEc);
        if (eofEc) return self->onReadError(eofEc);
        return self->parse();
      }
      if (ec) return self->onReadError(ec);
      self->parse();
    });
  }

  void onHeader() {
    auto& msg = parser_->get();
    headerPhase_ = false;
    if (server_.opts.bodyLimitFor) {
      const auto target = msg.target();
      if (auto limit = server_.opts.bodyLimitFor({target.data(), target.size()})) bodyLimit_ = *limit;
      const auto length = parser_->content_length();
      if (length && *length > bodyLimit_) return onReadError(bhttp::error::body_limit);
      parser_->body_limit(bodyLimit_);
    }
    parser_->eager(true);
    if (!parser_->is_done() && beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->close();
                         self->parse();
                       });
      return;
    }
    parse();
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset || closed_)
      return close();
    if (ec == bhttp::error::header_limit)
      return fail(Error(ErrorCode::PAYLOAD_TOO_LARGE,
                        "request headers exceed the limit of " + std::to_string(server_.opts.maxHeader) + " bytes"),
                  431);
    if (ec == bhttp::error::body_limit)
      return fail(Error(ErrorCode::PAYLOAD_TOO_LARGE,
                        "request body exceeds the limit of " + std::to_string(bodyLimit_) + " bytes" +
                            (bodyLimit_ == server_.opts.maxBody ? " (server.max_body)" : "")),
                  413);
    fail(Error(ErrorCode::INVALID_ARGUMENT, "malformed HTTP request: " + ec.message()), 400);
  }

  // One allocation per request for the request, its exactly-once flag and
  // the session it answers on.
  struct Exchange {
    Request request;
    std::atomic<bool> answered{false};
    std::shared_ptr<Session> session;
    // The last Respond copy went away without answering (e.g. a script's
    // pending call dropped at shutdown), possibly after the server is gone.
    ~Exchange() {
      if (session) {
        auto handoff = session->handoff_;
        handoff->release(session);
      }
    }
  };

  void dispatch() {
    auto& msg = parser_->get();
    auto exchange = std::make_shared<Exchange>();
    Request* req = &exchange->request;
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    auto q = req->target.find('?');
    req->path = req->target.substr(0, q);
    if (q != std::string::npos) req->rawQuery = req->target.substr(q + 1);
    for (const auto& f : msg) {
      auto [it, inserted] = req->headers.emplace(std::string(f.name_string()), std::string(f.value()));
      if (!inserted) {
        it->second += ", ";
        it->second += f.value();
      }
    }
    req->body = std::move(msg.body());
    req->remoteAddress = remote_;
    keepAlive_ = msg.keep_alive();
    version_ = msg.version();
    isHead_ = msg.method() == bhttp::verb::head;
    parser_.reset();

    // Handler time is not the client's fault: handlers carry their own limits.
    clearDeadline();
    server_.requestStarted();
    exchange->session = shared_from_this();
    Respond respond = [exchange](Response res) {
      if (exchange->answered.exchange(true)) return;  // exactly once
      if (!exchange->request.requestId.empty()) res.setHeader("X-Request-Id", exchange->request.requestId);
      auto self = std::move(exchange->session);
      if (self->executor().running_in_this_thread()) return self->write(std::move(res), false);
      // Not server_: this may run after the server is gone (the handoff then drops it).
      if (tlsIoThreadOf != self->handoff_.get()) {
        auto handoff = self->handoff_;
        return handoff->deliver(std::move(self), std::move(res));
      }
      self->writeOnStrand(std::move(res));
    };
    try {
      server_.handler(*req, respond);
    } catch (...) {
      respond(middleware::errorResponse(std::current_exception(), *req, *server_.log));
    }
  }

  void write(Response res, bool protocolError) {
    if (res.stream) return startStream(std::move(res));
    const bool close = protocolError || !keepAlive_ || server_.draining;
    // The response is formatted into one reused buffer: Beast's generic
    // serializer cost ~17k instructions per small response under callgrind,
    // most of the write path of GET /api/ping. A large body goes as a second
    // buffer instead of being copied.
    formatResponseHead(res, version_, close, out_);
    std::array<net::const_buffer, 2> buffers{};
    if (!isHead_ && bodyAllowed(res.status) && !res.body.empty()) {
      if (res.body.size() <= 4096) {
        out_ += res.body;
      } else {
        outBody_ = std::move(res.body);
        buffers[1] = net::buffer(outBody_);
      }
    }
    buffers[0] = net::buffer(out_);
    setDeadline(server_.opts.readTimeout);
    net::async_write(socket_, buffers,
                     [self = shared_from_this(), close, protocolError](beast::error_code ec, std::size_t) {
                       self->outBody_.clear();
                       self->afterWrite(ec, close, protocolError);
                     });
  }

  void afterWrite(beast::error_code ec, bool close, bool protocolError) {
    if (!protocolError) server_.requestFinished();
    if (ec || close) return lingeringClose();
    waitForRequest();
  }

  // A response to a request we could not read (400/413/431): logged here,
  // since it never reached the middleware chain.
  void fail(const Error& e, int status) {
    Response res = Response::error(e);
    res.status = status;
    server_.log->info("http - - {} {}B id=- remote={} reason=\"{}\"", status, res.body.size(), remote_, e.what());
    if (server_.opts.onRefused) server_.opts.onRefused(status);
    keepAlive_ = false;
    write(std::move(res), true);
  }

  // Half-close and drain what the client is still sending for a moment, so it
  // reads our response instead of a connection reset.
  void lingeringClose() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    setDeadline(std::chrono::seconds(2));
    drain();
  }

  void drain() {
    socket_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->drain();
    });
  }

  void close() {
    closed_ = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  Socket socket_;
  SteadyTimer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::uint64_t bodyLimit_ = 0;  // this request's (see ServerOptions::bodyLimitFor)
  Server::Impl& server_;
  std::shared_ptr<Handoff> handoff_;
  std::uint64_t id_;
  std::string remote_;
  std::string out_;      // the response head (and a small body), reused
  std::string outBody_;  // a large body while it is written
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timerAt_{};
  std::uint64_t timerGen_ = 0;
  bool timerPending_ = false;
  bool closed_ = false;
  bool headerPhase_ = true;
  bool idle_ = false;
  bool streaming_ = false;
  bool writingChunk_ = false;
  bool endRequested_ = false;
  std::deque<std::string> chunks_;
  std::size_t queuedBytes_ = 0;  // in chunks_
  std::shared_ptr<Sink> sink_;
  bool keepAlive_ = false;
  bool isHead_ = false;
  unsigned version_ = 11;
  std::array<char, 8192> discard_{};
};

namespace {

// Sessions of a stopped server that are still referenced from outside (an
// answer given late, a request dropped unanswered). Their destructors would
// use the destroyed server and io_context, so they never run: the list is
// never freed, not even at exit (when static destructors would run them).
void keepForever(std::shared_ptr<Session> session) {
  static std::mutex keptMutex;
  static auto* kept = new std::vector<std::shared_ptr<Session>>;
  std::lock_guard keep(keptMutex);
  kept->push_back(std::move(session));
}

}  // namespace

void Handoff::deliver(std::shared_ptr<Session> session, Response res) {
  std::unique_lock lock(mutex);
  if (!ioc) {
    lock.unlock();
    return keepForever(std::move(session));  // nobody reads this answer
  }
  items.emplace_back(std::move(session), std::move(res));
  // Posted under the lock: close() cannot clear ioc in between.
  if (!std::exchange(posted, true)) net::post(*ioc, [self = shared_from_this()] { self->run(); });
}

void Handoff::release(std::shared_ptr<Session>& session) {
  std::unique_lock lock(mutex);
  if (ioc) return;  // running: the session is destroyed normally by its last owner
  lock.unlock();
  keepForever(std::move(session));
}

void Handoff::run() {
  std::vector<std::pair<std::shared_ptr<Session>, Response>> batch;
  {
    std::lock_guard lock(mutex);
    batch.swap(items);
    posted = false;
  }
  for (auto& [session, res] : batch) session->writeOnStrand(std::move(res));
}

void Handoff::close() {
  std::vector<std::pair<std::shared_ptr<Session>, Response>> late;
  {
    std::lock_guard lock(mutex);
    ioc = nullptr;
    late.swap(items);
  }
  late.clear();  // sessions close here, with their io_context still alive
}

void Server::Impl::accept() {
  acceptor->async_accept(net::make_strand(ioc->get_executor()), [this](beast::error_code ec, Socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      log->warn("accept failed: {}", ec.message());  // e.g. EMFILE: keep serving
    } else if (!draining) {
      std::shared_ptr<Session> session;
      {
        std::lock_guard lock(sessionsMutex);
        auto id = nextSessionId++;
        session = std::make_shared<Session>(std::move(socket), *this, id);
        sessions.emplace(id, session);
      }
      session->run();
    }
    if (!draining) accept();
  });
}

Server::Server(ServerOptions opts, Handler handler, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->handler = std::move(handler);
  impl_->log = std::move(log);
  impl_->ioc = std::make_unique<net::io_context>();
  impl_->handoff = std::make_shared<Handoff>(*impl_->ioc);
}

Server::~Server() {
  shutdown(std::chrono::milliseconds(0));
  impl_->acceptor.reset();
  impl_->ioc.reset();  // destroys pending handlers, and with them the sessions
}

void Server::start() {
  auto& d = *impl_;
  tcp::endpoint endpoint;
  try {
    tcp::resolver resolver(*d.ioc);
    auto results = resolver.resolve(d.opts.host, std::to_string(d.opts.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service);
    endpoint = results.begin()->endpoint();
  } catch (const std::exception& e) {
    throw Error(ErrorCode::UNAVAILABLE, "server.host: cannot resolve \"" + d.opts.host + "\": " + e.what());
  }
  d.acceptor.emplace(*d.ioc);
  beast::error_code ec;
  auto fail = [&](const char* what) {
    throw Error(ErrorCode::UNAVAILABLE, std::string("cannot listen on ") + d.opts.host + ":" +
                                            std::to_string(d.opts.port) + ": " + what + ": " + ec.message());
  };
  if (d.acceptor->open(endpoint.protocol(), ec)) fail("open");
  if (d.acceptor->set_option(net::socket_base::reuse_address(true), ec)) fail("setsockopt");
  if (d.acceptor->bind(endpoint, ec)) fail("bind");
  if (d.acceptor->listen(net::socket_base::max_listen_connections, ec)) fail("listen");
  d.boundPort = d.acceptor->local_endpoint().port();
  d.work.emplace(d.ioc->get_executor());
  d.accept();
  int n = d.opts.threads > 0 ? d.opts.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i)
    d.threads.emplace_back([&d] {
      tlsIoThreadOf = d.handoff.get();
      pthread_setname_np(pthread_self(), "m3m-io");  // for top -H, perf, gdb
      if (d.opts.batchIoThreads) runWithoutWakeupPreemption();
      d.ioc->run();
    });
}

std::uint16_t Server::port() const { return impl_->boundPort; }

net::io_context& Server::ioContext() { return *impl_->ioc; }

int Server::inFlight() const {
  std::lock_guard lock(impl_->inFlightMutex);
  return impl_->inFlight;
}

int Server::shutdown(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.stopped.exchange(true)) return 0;
  d.draining = true;
  if (d.acceptor) {
    std::promise<void> closed;
    net::post(*d.ioc, [&] {
      beast::error_code ec;
      d.acceptor->close(ec);
      closed.set_value();
    });
    if (!d.threads.empty()) closed.get_future().wait();
  }
  std::vector<std::shared_ptr<Session>> live;
  {
    // Only collect under the lock: dropping the last reference to a session
    // runs its destructor, which takes this same lock.
    std::lock_guard lock(d.sessionsMutex);
    for (auto& [id, weak] : d.sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) net::post(s->executor(), [s] { s->onDrain(); });
  live.clear();
  int cut = 0;
  {
    std::unique_lock lock(d.inFlightMutex);
    if (!d.inFlightZero.wait_for(lock, timeout, [&] { return d.inFlight == 0; })) cut = d.inFlight;
  }
  if (cut > 0) d.log->warn("shutdown: {} request(s) still running after {}ms; cut off", cut, timeout.count());
  d.work.reset();
  d.ioc->stop();
  for (auto& t : d.threads)
    if (t.joinable()) t.join();
  d.handoff->close();
  return cut;
}

}  // namespace m3m::http
