// Where the log thread's chunks of lines go (log/batch_sink.hpp), without
// copying a chunk again: spdlog's sinks format every message into a buffer
// of their own, which for a 32 KiB chunk means a heap buffer grown and
// copied a dozen times, per sink, on every write.
#pragma once

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>

#include <cstddef>
#include <string>

#include "log/append_file.hpp"

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
// (m3m.1.log is the newest old one, up to m3m.<maxFiles>.log). Chunks are
// staged and written at flush, once per round of the log thread (spdlog's
// file helper would cut each into 4 KiB stdio writes; large rounds go around
// the page cache, log/append_file.hpp), and the file rotates only between
// lines: a line is never split across two files. A single line longer than
// maxSize gets a file of its own. Writes go where the file ends when the
// round starts (logrotate's copytruncate, another writer), not O_APPEND.
class RotatingFileSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  // Throws spdlog::spdlog_ex when the file cannot be opened.
  RotatingFileSink(std::string path, std::size_t maxSize, std::size_t maxFiles);
  ~RotatingFileSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  bool rotate();  // false: a rename failed, the current file stays open

  std::string path_;
  std::size_t maxSize_, maxFiles_;
  AppendFile file_;
};

}  // namespace m3m::log
