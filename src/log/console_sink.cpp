#include "log/console_sink.hpp"

#include <unistd.h>

namespace m3m::log {

ConsoleSink::ConsoleSink(std::function<bool()> idle) : idle_(std::move(idle)) {
  const int fd = dup(STDERR_FILENO);
  out_ = fd >= 0 ? fdopen(fd, "w") : nullptr;
  if (!out_) {
    if (fd >= 0) close(fd);
    out_ = stderr;  // no spare descriptor: the shared, unbuffered stderr still works
  } else {
    std::setvbuf(out_, nullptr, _IOFBF, 1 << 16);
  }
}

ConsoleSink::~ConsoleSink() {
  if (out_ != stderr) std::fclose(out_);
}

void ConsoleSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t line;
  formatter_->format(msg, line);
  std::fwrite(line.data(), 1, line.size(), out_);
  if (msg.level >= spdlog::level::warn || !idle_ || idle_()) std::fflush(out_);
}

void ConsoleSink::flush_() { std::fflush(out_); }

}  // namespace m3m::log
