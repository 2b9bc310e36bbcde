#include "log/batch_sink.hpp"

#include <pthread.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <cstdio>
#include <ctime>
#include <exception>

#include "log/line_formatter.hpp"

namespace m3m::log {

namespace {
std::vector<BatchOutput> takingEverything(std::vector<spdlog::sink_ptr> sinks) {
  std::vector<BatchOutput> out;
  for (auto& s : sinks) out.push_back({std::move(s), true});
  return out;
}
}  // namespace

BatchSink::BatchSink(std::vector<spdlog::sink_ptr> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts)
    : BatchSink(takingEverything(std::move(out)), std::move(format), opts) {}

BatchSink::BatchSink(std::vector<BatchOutput> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts)
    : format_(std::move(format)), lineFormat_(dynamic_cast<LineFormat*>(format_.get())), opts_(opts) {
  out_.reserve(out.size());
  for (auto& o : out) {
    o.sink->set_formatter(std::make_unique<VerbatimFormatter>());
    out_.emplace_back(std::move(o), opts_);
    if (out_.back().accessLines) ++accessOutputs_;
  }
  for (auto& o : out_)
    if (o.accessLines && firstAccess_ == nullptr) firstAccess_ = &o;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "m3m-log");  // for top -H, perf, gdb
    run();
  });
}

BatchSink::~BatchSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool BatchSink::enoughToWrite() const {
  for (const auto& o : out_)
    if (o.batch.hasFullChunk() && o.batch.pendingBytes() >= opts_.writeBytes) return true;
  return false;
}

bool BatchSink::allEmpty() const {
  for (const auto& o : out_)
    if (!o.batch.empty()) return false;
  return true;
}

void BatchSink::append(const spdlog::details::log_msg& msg, bool accessLine) {
  const auto takes = [accessLine](const Output& o) { return !accessLine || o.accessLines; };
  Output* only = nullptr;
  std::size_t n = 0;
  for (auto& o : out_)
    if (takes(o)) {
      only = &o;
      ++n;
    }
  if (n == 1) {
    only->batch.append([&](spdlog::memory_buf_t& out) { format_->format(msg, out); });
  } else if (n > 1) {
    spdlog::memory_buf_t line;  // formatted once, copied to each
    format_->format(msg, line);
    for (auto& o : out_)
      if (takes(o)) o.batch.append([&](spdlog::memory_buf_t& out) { out.append(line.data(), line.data() + line.size()); });
  }
  ++logged_;
}

void BatchSink::log(const spdlog::details::log_msg& msg) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    append(msg, false);
    if (msg.level >= spdlog::level::warn) urgent_ = true;
    // A sleeping log thread wakes for any line; a waiting one (lines pending,
    // the interval running) only for writeBytes pending or an urgent line.
    wake = idle_ || urgent_ || enoughToWrite();
  }
  if (wake) wake_.notify_one();
}

void BatchSink::logAccess(AccessWriter write, const void* context, std::chrono::steady_clock::time_point at) {
  spdlog::log_clock::time_point now;
  // Under the lock (lineFormat_, the clocks' offset).
  const auto print = [&](spdlog::memory_buf_t& out) {
    lineFormat_->begin(out, now, spdlog::level::info);
    write(out, lineFormat_->json(), context);
    lineFormat_->end(out);
  };
  bool wake;
  {
    std::lock_guard lock(mu_);
    if (at >= offsetUntil_) {
      wallOffset_ = spdlog::log_clock::now().time_since_epoch() - std::chrono::steady_clock::now().time_since_epoch();
      offsetUntil_ = at + std::chrono::seconds(1);
    }
    now = spdlog::log_clock::time_point(
        std::chrono::duration_cast<spdlog::log_clock::duration>(at.time_since_epoch() + wallOffset_));
    if (lineFormat_ == nullptr) {
      // Another formatter was set (set_pattern): the ordinary way, as text.
      spdlog::memory_buf_t text;
      write(text, false, context);
      spdlog::details::log_msg msg(now, spdlog::source_loc{}, "m3m", spdlog::level::info,
                                   spdlog::string_view_t(text.data(), text.size()));
      append(msg, true);
    } else if (accessOutputs_ == 1) {
      firstAccess_->batch.append(print);  // the usual case: straight in, no copy
      ++logged_;
    } else if (accessOutputs_ > 1) {
      // The line goes straight into the first output's batch; the others get
      // a copy of its bytes.
      spdlog::memory_buf_t copy;
      firstAccess_->batch.append([&](spdlog::memory_buf_t& out) {
        const auto start = out.size();
        print(out);
        copy.append(out.data() + start, out.data() + out.size());
      });
      for (auto& o : out_)
        if (o.accessLines && &o != firstAccess_)
          o.batch.append([&](spdlog::memory_buf_t& out) { out.append(copy.data(), copy.data() + copy.size()); });
      ++logged_;
    }
    wake = idle_ || enoughToWrite();
  }
  if (wake) wake_.notify_one();
}

void BatchSink::flush() {
  {
    std::lock_guard lock(mu_);
    urgent_ = true;
  }
  wake_.notify_one();
}

void BatchSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BatchSink::set_formatter(std::unique_ptr<spdlog::formatter> format) {
  std::lock_guard lock(mu_);
  format_ = std::move(format);
  lineFormat_ = dynamic_cast<LineFormat*>(format_.get());
}

bool BatchSink::writeAndWait(std::chrono::milliseconds timeout, const spdlog::details::log_msg* last) {
  const timespec pause{0, 1'000'000};
  auto waited = std::chrono::milliseconds(0);
  std::unique_lock lock(mu_, std::try_to_lock);
  for (; !lock.owns_lock(); ++waited) {
    if (waited >= timeout) return false;
    nanosleep(&pause, nullptr);
    lock.try_lock();
  }
  if (last) append(*last, false);
  const std::uint64_t target = logged_;
  urgent_ = true;
  lock.unlock();
  wake_.notify_one();
  for (; written_.load(std::memory_order_acquire) < target; ++waited) {
    if (waited >= timeout) return false;
    nanosleep(&pause, nullptr);
  }
  return true;
}

void BatchSink::run() {
  std::unique_lock lock(mu_);
  bool quiet = true;  // the last round wrote nothing
  std::vector<Round> rounds(out_.size());
  for (;;) {
    // Asleep (no timer) only after a round with nothing to write; the first
    // line after that is written at once (a quiet server's lines show up as
    // they happen). Otherwise lines keep coming: let them gather for up to
    // the interval, unless a chunk is full, a line is urgent or the sink
    // stops — under a steady flow the thread wakes once per chunk.
    if (quiet) {
      idle_ = true;
      wake_.wait(lock, [&] { return stop_ || !allEmpty(); });
      idle_ = false;
    } else {
      wake_.wait_for(lock, opts_.flushInterval, [&] { return stop_ || urgent_ || enoughToWrite(); });
    }
    quiet = true;
    for (std::size_t i = 0; i < out_.size(); ++i) {
      rounds[i].chunks = out_[i].batch.takeAll();
      rounds[i].dropped = out_[i].batch.takeDropped();
      if (!rounds[i].chunks.empty() || rounds[i].dropped > 0) quiet = false;
    }
    // The notice's format is read under the lock (set_formatter).
    std::vector<spdlog::memory_buf_t> notices(out_.size());
    for (std::size_t i = 0; i < out_.size(); ++i) {
      if (rounds[i].dropped == 0) continue;
      const auto text =
          fmt::format("log: {} lines dropped (logged faster than the log could be written)", rounds[i].dropped);
      format_->format(spdlog::details::log_msg("m3m", spdlog::level::warn, text), notices[i]);
    }
    urgent_ = false;
    const auto upTo = logged_;
    const bool last = stop_;
    lock.unlock();
    for (std::size_t i = 0; i < out_.size(); ++i) {
      auto& chunks = rounds[i].chunks;
      if (notices[i].size() > 0) {
        LineBatch::Chunk c;
        c.text = std::move(notices[i]);
        c.lines = 1;
        chunks.insert(chunks.begin(), std::move(c));  // the dropped lines were older than every kept one
      }
      if (!chunks.empty()) writeOut(out_[i], chunks);
    }
    written_.store(upTo, std::memory_order_release);
    lock.lock();
    for (std::size_t i = 0; i < out_.size(); ++i) out_[i].batch.recycle(std::move(rounds[i].chunks));
    if (last && allEmpty()) return;
  }
}

// Each output on its own: a full disk does not silence the console.
void BatchSink::writeOut(Output& out, std::vector<LineBatch::Chunk>& chunks) {
  try {
    for (auto& c : chunks) {
      out.sink->log(spdlog::details::log_msg("m3m", spdlog::level::info, spdlog::string_view_t(c.text.data(), c.text.size())));
    }
    out.sink->flush();
    out.failing = false;
  } catch (const std::exception& e) {
    if (!out.failing) std::fprintf(stderr, "m3m: writing the server log failed: %s\n", e.what());
    out.failing = true;  // one complaint per run of failures
  }
}

}  // namespace m3m::log
