#include "runtime/http/http_client.hpp"

#include <pthread.h>

#include <array>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "runtime/http/transfer.hpp"

namespace m3m::runtime::http {

namespace {

// curl_global_init once per process, before any handle.
void globalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

Failure aborted(const std::string& url) { return Failure("ABORTED", "aborted: " + url); }

}  // namespace

// The multi handle and the one thread that drives it. Other threads only
// hand transfers and cancellations in through the inbox (and wake the poll);
// every curl call on a handle happens on the engine's thread.
class Client::Engine {
 public:
  Engine(OutboundPolicy policy, ClientOptions options) : policy_(std::move(policy)), options_(std::move(options)) {
    globalInit();
    multi_ = curl_multi_init();
    // Only this thread uses the share: it keeps TLS sessions across easy handles.
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (!options_.caFile.empty()) trust_ = ExtraTrust::load(options_.caFile);
    thread_ = std::thread([this] { loop(); });
  }

  ~Engine() {
    {
      std::lock_guard lock(inboxMutex_);
      quit_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    curl_multi_cleanup(multi_);
    curl_share_cleanup(share_);
  }

  void start(Request request, std::stop_token stop, Done done) {
    if (stop.stop_requested()) return done(aborted(request.url));
    auto t = std::make_unique<Transfer>();
    t->id = nextId_.fetch_add(1, std::memory_order_relaxed);
    t->deadline = std::chrono::steady_clock::now() + request.timeout;
    t->originalUrl = request.url;
    t->request = std::move(request);
    t->done = std::move(done);
    // The callback only flags the transfer and names it to the engine (the
    // flag, because a cancel may overtake the transfer in the inbox; the
    // engine checks it when taking the transfer in). It is set up before the
    // hand-over, as the engine may finish the transfer at once; the engine
    // destroys it before `done`, which waits for a running invocation — the
    // engine never holds the inbox lock then.
    Transfer* raw = t.get();
    const auto id = raw->id;
    raw->onStop.emplace(stop, [this, raw, id] {
      raw->aborted = true;
      {
        std::lock_guard lock(inboxMutex_);
        cancels_.push_back(id);
      }
      curl_multi_wakeup(multi_);
    });
    {
      std::lock_guard lock(inboxMutex_);
      if (!quit_) {
        incoming_.push_back(std::move(t));
        ++inFlight_;
      }
    }
    if (t) {  // refused: the server is stopping
      t->onStop.reset();
      return t->done(Failure("ABORTED", "the server is stopping: " + t->request.url));
    }
    curl_multi_wakeup(multi_);
  }

  std::size_t inFlight() const {
    std::lock_guard lock(inboxMutex_);
    return inFlight_;
  }

 private:
  void loop() {
    pthread_setname_np(pthread_self(), "m3m-http");
    std::vector<std::unique_ptr<Transfer>> incoming;
    std::vector<std::uint64_t> cancels;
    while (true) {
      {
        std::lock_guard lock(inboxMutex_);
        if (quit_) break;
        incoming.swap(incoming_);
        cancels.swap(cancels_);
      }
      for (auto& t : incoming) begin(std::move(t));
      incoming.clear();
      for (auto id : cancels)
        if (auto it = running_.find(id); it != running_.end()) finish(it->second, aborted(it->second->request.url));
      cancels.clear();
      int active = 0;
      curl_multi_perform(multi_, &active);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        hopEnded(*t, msg->data.result);
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    // Stopping: whatever is still in flight ends as ABORTED (start() takes
    // nothing more in once quit_ is set).
    {
      std::lock_guard lock(inboxMutex_);
      incoming.swap(incoming_);
    }
    for (auto& t : incoming) running_.emplace(t->id, t.get()), owned_.emplace(t.get(), std::move(t));
    while (!running_.empty()) {
      Transfer* t = running_.begin()->second;
      finish(t, Failure("ABORTED", "the server is stopping: " + t->request.url));
    }
  }

  // Takes a new transfer in: its first hop starts, or it ends here.
  void begin(std::unique_ptr<Transfer> owned) {
    Transfer* t = owned.get();
    running_.emplace(t->id, t);
    owned_.emplace(t, std::move(owned));
    if (t->aborted) return finish(t, aborted(t->request.url));
    startHop(t);
  }

  void startHop(Transfer* t) {
    try {
      prepareHop(*t, policy_, trust_.get(), share_);
    } catch (const Failure& f) {
      return finish(t, f);
    }
    if (curl_multi_add_handle(multi_, t->easy.get()) != CURLM_OK)
      return finish(t, Failure("CONNECT", "could not start the transfer: " + t->request.url));
  }

  void hopEnded(Transfer& t, CURLcode rc) {
    curl_multi_remove_handle(multi_, t.easy.get());
    if (rc != CURLE_OK) return finish(&t, failureOf(t, rc));
    try {
      if (followRedirect(t, options_)) return startHop(&t);
    } catch (const Failure& f) {
      return finish(&t, f);
    }
    finish(&t, std::move(t.response));
  }

  void finish(Transfer* t, Outcome outcome) {
    {
      std::lock_guard lock(inboxMutex_);
      --inFlight_;
    }
    settle(t, std::move(outcome));
  }

  void settle(Transfer* t, Outcome outcome) {
    if (t->easy) curl_multi_remove_handle(multi_, t->easy.get());  // a no-op when not added
    running_.erase(t->id);
    auto node = owned_.extract(t);
    t->onStop.reset();  // before `done`: no abort can reach a finished transfer
    t->done(std::move(outcome));
  }

  OutboundPolicy policy_;
  ClientOptions options_;
  std::shared_ptr<const ExtraTrust> trust_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::thread thread_;
  std::atomic<std::uint64_t> nextId_{1};

  mutable std::mutex inboxMutex_;
  std::vector<std::unique_ptr<Transfer>> incoming_;
  std::vector<std::uint64_t> cancels_;
  std::size_t inFlight_ = 0;
  bool quit_ = false;

  // The engine thread's own: transfers taken in and not finished.
  std::unordered_map<std::uint64_t, Transfer*> running_;
  std::unordered_map<Transfer*, std::unique_ptr<Transfer>> owned_;
};

Client::Client(OutboundPolicy policy, ClientOptions options)
    : engine_(std::make_unique<Engine>(std::move(policy), std::move(options))) {}

Client::~Client() = default;

void Client::start(Request request, std::stop_token stop, Done done) const {
  engine_->start(std::move(request), std::move(stop), std::move(done));
}

Response Client::perform(Request request, std::stop_token stop) const {
  std::promise<Outcome> promise;
  auto future = promise.get_future();
  start(std::move(request), std::move(stop), [&promise](Outcome outcome) { promise.set_value(std::move(outcome)); });
  Outcome outcome = future.get();
  if (auto* failure = std::get_if<Failure>(&outcome)) throw std::move(*failure);
  return std::move(std::get<Response>(outcome));
}

std::size_t Client::inFlight() const { return engine_->inFlight(); }

}  // namespace m3m::runtime::http
