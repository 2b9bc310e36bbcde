// Where the log thread's chunks of lines go (log/batch_sink.hpp), without
// copying a chunk again: spdlog's sinks format every message into a buffer
// of their own, which for a 32 KiB chunk means a heap buffer grown and
// copied a dozen times, per sink, on every write.
#pragma once

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <cstddef>
#include <string>

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

// The log file, m3m.log, rotated as spdlog's rotating sink names its files
// (m3m.1.log is the newest old one, up to m3m.<maxFiles>.log). A chunk is
// written with one write(2) when it fits (spdlog's file helper would cut it
// into 4 KiB stdio writes), and the file rotates only between lines: a line
// is never split across two files. A single line longer than maxSize gets a
// file of its own.
class RotatingFileSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // Throws spdlog::spdlog_ex when the file cannot be opened.
  RotatingFileSink(std::string path, std::size_t maxSize, std::size_t maxFiles);
  ~RotatingFileSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  void open(bool truncate);
  bool rotate();  // false: a rename failed, the current file stays open
  void writeAll(const char* p, std::size_t n);

  std::string path_;
  std::size_t maxSize_, maxFiles_;
  std::size_t size_ = 0;
  int fd_ = -1;
};

}  // namespace m3m::log
