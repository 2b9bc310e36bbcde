// Where the log thread's chunks of lines go (log/batch_sink.hpp), without
// copying a chunk again: spdlog's sinks format every message into a buffer
// of their own, which for a 32 KiB chunk means a heap buffer grown and
// copied a dozen times, per sink, on every write.
#pragma once

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

namespace m3m::log {

// The console: each chunk written as it is to a dup of stderr with write(2)
// (one system call per chunk; stderr itself stays as it is for others).
class ConsoleSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  ConsoleSink();
  ~ConsoleSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  int fd_;
};

// Hands each line of a chunk to `inner` as a message of its own (a line fits
// spdlog's inline buffer): the rotating file sink so rotates between lines
// and writes through its stdio buffer.
class LineByLineSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit LineByLineSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override { inner_->flush(); }

 private:
  spdlog::sink_ptr inner_;
};

}  // namespace m3m::log
