// The server log's console sink. spdlog's stderr sinks flush after every
// line: one write(2) per access line, which cost the JS route a fifth of its
// throughput at `info`. This one writes through its own buffer and flushes
// when the log thread has nothing more queued (`idle`), or at warn and above:
// under load lines leave in batches, when quiet each one at once.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <functional>
#include <mutex>

namespace m3m::log {

class ConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `idle`: true when no line waits in the logger's queue.
  explicit ConsoleSink(std::function<bool()> idle);
  ~ConsoleSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  std::FILE* out_;  // a dup of stderr, fully buffered (stderr itself stays unbuffered for others)
  std::function<bool()> idle_;
};

}  // namespace m3m::log
