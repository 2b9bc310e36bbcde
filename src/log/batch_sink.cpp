#include "log/batch_sink.hpp"

#include <pthread.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

#include <cstdio>
#include <ctime>
#include <exception>

#include "log/line_formatter.hpp"

namespace m3m::log {

BatchSink::BatchSink(std::vector<spdlog::sink_ptr> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts)
    : out_(std::move(out)),
      failing_(out_.size(), false),
      format_(std::move(format)),
      opts_(opts),
      batch_(opts.chunkBytes, opts.maxBytes) {
  for (auto& s : out_) s->set_formatter(std::make_unique<VerbatimFormatter>());
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

void BatchSink::log(const spdlog::details::log_msg& msg) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    batch_.append([&](spdlog::memory_buf_t& out) { format_->format(msg, out); });
    ++logged_;
    if (msg.level >= spdlog::level::warn) urgent_ = true;
    // A sleeping log thread wakes for any line; a waiting one (lines pending,
    // the interval running) only for a full chunk or an urgent line.
    wake = idle_ || urgent_ || batch_.hasFullChunk();
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
  if (last) {
    batch_.append([&](spdlog::memory_buf_t& out) { format_->format(*last, out); });
    ++logged_;
  }
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
  for (;;) {
    // Asleep (no timer) only after a round with nothing to write; the first
    // line after that is written at once (a quiet server's lines show up as
    // they happen). Otherwise lines keep coming: let them gather for up to
    // the interval, unless a chunk is full, a line is urgent or the sink
    // stops — under a steady flow the thread wakes once per chunk.
    if (quiet) {
      idle_ = true;
      wake_.wait(lock, [&] { return stop_ || !batch_.empty(); });
      idle_ = false;
    } else {
      wake_.wait_for(lock, opts_.flushInterval, [&] { return stop_ || urgent_ || batch_.hasFullChunk(); });
    }
    auto chunks = batch_.takeAll();
    const auto dropped = batch_.takeDropped();
    spdlog::memory_buf_t notice;
    if (dropped > 0) {
      const auto text = fmt::format("log: {} lines dropped (logged faster than the log could be written)", dropped);
      format_->format(spdlog::details::log_msg("m3m", spdlog::level::warn, text), notice);
    }
    urgent_ = false;
    quiet = chunks.empty() && dropped == 0;
    const auto upTo = logged_;
    const bool last = stop_;
    lock.unlock();
    if (notice.size() > 0) {
      LineBatch::Chunk c;
      c.text = std::move(notice);
      c.lines = 1;
      chunks.insert(chunks.begin(), std::move(c));  // the dropped lines were older than every kept one
    }
    if (!chunks.empty()) writeOut(chunks);
    written_.store(upTo, std::memory_order_release);
    lock.lock();
    batch_.recycle(std::move(chunks));
    if (last && batch_.empty()) return;
  }
}

void BatchSink::writeOut(std::vector<LineBatch::Chunk>& chunks) {
  // Each output on its own: a full disk does not silence the console.
  for (std::size_t i = 0; i < out_.size(); ++i) {
    try {
      for (auto& c : chunks) {
        out_[i]->log(spdlog::details::log_msg("m3m", spdlog::level::info, spdlog::string_view_t(c.text.data(), c.text.size())));
      }
      out_[i]->flush();
      failing_[i] = false;
    } catch (const std::exception& e) {
      if (!failing_[i]) std::fprintf(stderr, "m3m: writing the server log failed: %s\n", e.what());
      failing_[i] = true;  // one complaint per run of failures
    }
  }
}

}  // namespace m3m::log
