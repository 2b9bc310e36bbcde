// The server log's sink: a line is formatted on the caller's thread into a
// bounded batch (log/line_batch.hpp), and one log thread writes the batch to
// the console and the file in chunks. spdlog's async logger woke its thread
// for every line it found idle: on the route benchmark's single core, a
// context switch every 3.4 requests and ~1 µs of CPU per request. This
// thread writes a line at once when it was idle (nothing to write in its
// last round), then gathers the lines that keep coming for up to
// `flushInterval` or a full chunk (under load: one wake per chunk); a line at
// warn and above is written at once; nothing logged, no wake.
// Lines keep the order they were logged in (one lock, one batch), are never
// cut or interleaved, and everything pending is written before the sink goes.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "log/line_batch.hpp"

namespace m3m::log {

struct BatchOptions {
  std::size_t chunkBytes = 32 * 1024;
  std::size_t maxBytes = 4 * 1024 * 1024;
  std::chrono::milliseconds flushInterval{50};
};

class BatchSink final : public spdlog::sinks::sink {
 public:
  // `out`: where the chunks go (their formatter is replaced by one that
  // writes the chunk as is). `format`: the line format (set_formatter too).
  BatchSink(std::vector<spdlog::sink_ptr> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts = {});
  // Writes what is pending, then stops the log thread.
  ~BatchSink() override;
  BatchSink(const BatchSink&) = delete;
  BatchSink& operator=(const BatchSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override;
  // Asks the log thread to write what is pending now; does not wait.
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> format) override;

  // Asks for a write of everything logged so far (and of `last` first
  // appended, when given) and waits until it is written or `timeout` passes;
  // true when written. Never blocks past `timeout`, not even on the sink's
  // lock (a thread that crashed while holding it): usable from a
  // fatal-signal handler, best effort.
  bool writeAndWait(std::chrono::milliseconds timeout, const spdlog::details::log_msg* last = nullptr);

 private:
  void run();
  void writeOut(std::vector<LineBatch::Chunk>& chunks);

  std::vector<spdlog::sink_ptr> out_;
  std::vector<bool> failing_;  // the log thread's: out_[i] failed last time
  std::unique_ptr<spdlog::formatter> format_;  // under mu_
  const BatchOptions opts_;
  std::mutex mu_;
  std::condition_variable wake_;
  LineBatch batch_;          // under mu_
  bool urgent_ = false;      // under mu_: write without waiting for the interval
  bool idle_ = false;        // under mu_: the log thread sleeps until a line comes
  bool stop_ = false;        // under mu_
  std::uint64_t logged_ = 0; // under mu_: lines logged so far
  std::atomic<std::uint64_t> written_{0};  // lines written (or dropped) so far
  std::thread thread_;
};

}  // namespace m3m::log
