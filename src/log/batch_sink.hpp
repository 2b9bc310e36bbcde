// The server log's sink: a line is formatted on the caller's thread into a
// bounded batch (log/line_batch.hpp), and one log thread writes the batch to
// the console and the file in chunks. spdlog's async logger woke its thread
// for every line it found idle: on the route benchmark's single core, a
// context switch every 3.4 requests and ~1 µs of CPU per request. This
// thread writes a line at once when it was idle (nothing to write in its
// last round), then gathers the lines that keep coming for up to
// `flushInterval` or `writeBytes` (under load: one wake per writeBytes); a line at
// warn and above is written at once; nothing logged, no wake.
// Lines keep the order they were logged in (one lock, one batch per output),
// are never cut or interleaved, and everything pending is written before the
// sink goes. Access lines (logAccess) go only to the outputs that take them
// (logging.console: the console may keep to the server's own lines).
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "log/line_batch.hpp"
#include "log/line_formatter.hpp"

namespace m3m::log {

struct BatchOptions {
  std::size_t chunkBytes = 32 * 1024;
  // Under a steady flow, the log thread writes once this much is pending
  // (in full chunks) or the interval passed. Each round of writing costs
  // the log thread tens of microseconds beyond the bytes (its wake-up, a
  // write that finds the kernel's caches cold), so fewer, larger rounds.
  // 0: one full chunk.
  std::size_t writeBytes = 0;
  std::size_t maxBytes = 4 * 1024 * 1024;
  std::chrono::milliseconds flushInterval{50};
};

// Where chunks go, and whether access lines go there too.
struct BatchOutput {
  spdlog::sink_ptr sink;
  bool accessLines = true;
};

class BatchSink final : public spdlog::sinks::sink {
 public:
  // `out`: where the chunks go (their formatter is replaced by one that
  // writes the chunk as is). `format`: the line format (set_formatter too).
  BatchSink(std::vector<BatchOutput> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts = {});
  // Every output takes every line.
  BatchSink(std::vector<spdlog::sink_ptr> out, std::unique_ptr<spdlog::formatter> format, BatchOptions opts = {});
  // Writes what is pending, then stops the log thread.
  ~BatchSink() override;
  BatchSink(const BatchSink&) = delete;
  BatchSink& operator=(const BatchSink&) = delete;

  void log(const spdlog::details::log_msg& msg) override;
  // An access line at info, stamped now, to the outputs that take access
  // lines: the request path's way in, with no logger in between and no copy
  // of the line. `write(dest, json, context)` appends the message (text) or
  // the line's fields ("key":value,… without braces) when `json`; it runs
  // under the sink's lock, straight into the first output's batch.
  // `at`: when the request was answered, on the steady clock the server
  // already read for it; the line's wall time is derived from it (a clock
  // read less per request; the offset between the clocks is read again
  // each second, so a stepped system clock shows within one).
  using AccessWriter = void (*)(spdlog::memory_buf_t& dest, bool json, const void* context);
  void logAccess(AccessWriter write, const void* context,
                 std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now());
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
  struct Output {
    Output(BatchOutput o, const BatchOptions& opts) : sink(std::move(o.sink)), accessLines(o.accessLines), batch(opts.chunkBytes, opts.maxBytes) {}
    spdlog::sink_ptr sink;
    bool accessLines;
    LineBatch batch;         // under mu_
    bool failing = false;    // the log thread's: the last write failed
  };
  // What the log thread takes from one output in a round.
  struct Round {
    std::vector<LineBatch::Chunk> chunks;
    std::size_t dropped = 0;
  };

  // Under mu_: the line, formatted once, to every output (accessLine: to
  // those that take access lines).
  void append(const spdlog::details::log_msg& msg, bool accessLine);
  bool enoughToWrite() const;  // under mu_: a full chunk and writeBytes pending
  bool allEmpty() const;
  void run();
  void writeOut(Output& out, std::vector<LineBatch::Chunk>& chunks);

  std::vector<Output> out_;
  std::size_t accessOutputs_ = 0;  // how many of out_ take access lines
  Output* firstAccess_ = nullptr;  // the first of them (out_ never changes size)
  std::unique_ptr<spdlog::formatter> format_;  // under mu_
  LineFormat* lineFormat_ = nullptr;            // under mu_: format_, when it is one
  const BatchOptions opts_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool urgent_ = false;      // under mu_: write without waiting for the interval
  bool idle_ = false;        // under mu_: the log thread sleeps until a line comes
  bool stop_ = false;        // under mu_
  std::uint64_t logged_ = 0; // under mu_: lines logged so far
  // Under mu_: system_clock minus steady_clock, read again once `at` passes
  // offsetUntil_ (logAccess).
  std::chrono::nanoseconds wallOffset_{0};
  std::chrono::steady_clock::time_point offsetUntil_{};
  std::atomic<std::uint64_t> written_{0};  // lines written (or dropped) so far
  std::thread thread_;
};

}  // namespace m3m::log
