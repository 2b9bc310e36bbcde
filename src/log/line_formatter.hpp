// The server log's line formats, written for the hot path (they run on the
// thread that logs, log/batch_sink.hpp): spdlog's pattern_formatter walks its flag list for every line and every
// sink (~1,400 instructions a line); these print the same text with the
// date part cached per second (~200). docs/configuration.md, "logging".
#pragma once

#include <spdlog/formatter.h>

#include <cstddef>
#include <ctime>
#include <memory>
#include <string_view>

namespace m3m::log {

// The date part of a line ("[YYYY-MM-DD HH:MM:SS." …), printed again only
// when the second changes. `pattern`: printf of year, month, day, hour,
// minute, second; the result is cut at 39 characters.
class CachedDate {
 public:
  std::string_view prefix(std::time_t second, bool utc, const char* pattern);

 private:
  std::time_t second_ = -1;
  char text_[40] = {};
  std::size_t size_ = 0;
};

// A line format whose line can also be written in three steps, so that a
// caller prints its message straight into the sink's batch (the access log,
// BatchSink::logAccess): begin (time, level; in JSON the object's opening,
// ready for fields), the message (text) or the fields (JSON), end.
class LineFormat : public spdlog::formatter {
 public:
  virtual bool json() const = 0;
  virtual void begin(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time, spdlog::level::level_enum level) = 0;
  virtual void end(spdlog::memory_buf_t& dest) = 0;
};

// "[YYYY-MM-DD HH:MM:SS.mmm] [level] message" in local time (the text format).
class TextLineFormatter final : public LineFormat {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<TextLineFormatter>(); }
  bool json() const override { return false; }
  void begin(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time, spdlog::level::level_enum level) override;
  void end(spdlog::memory_buf_t& dest) override { dest.push_back('\n'); }

 private:
  CachedDate date_;  // local time
  // The last head made: "[date.mmm] [level] ", for its millisecond and level.
  char head_[64] = {};  // date (< 40), milliseconds, "] [", level (≤ 8), "] "
  std::size_t headSize_ = 0;
  long long headMs_ = -1;
  spdlog::level::level_enum headLevel_ = spdlog::level::off;
};

// One JSON object per line (logging.format json):
// {"time":"…Z","level":"info",…fields} where a message starting with
// kFieldsMark carries its own fields as a JSON object (the access log's) and
// any other message becomes "msg", escaped.
class JsonLineFormatter final : public LineFormat {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
  bool json() const override { return true; }
  // {"time":"…","level":"…",  — then the fields ("key":value,…), then "}\n".
  void begin(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time, spdlog::level::level_enum level) override;
  void end(spdlog::memory_buf_t& dest) override;

 private:
  CachedDate date_;  // UTC
};

// Writes the message as it is: the console and file sinks get whole chunks
// of lines already formatted (log/batch_sink.hpp).
class VerbatimFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<VerbatimFormatter>(); }
};

}  // namespace m3m::log
