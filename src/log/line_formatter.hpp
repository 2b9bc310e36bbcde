// The server log's line formats, written for the log thread's hot path:
// spdlog's pattern_formatter walks its flag list for every line and every
// sink (~1,400 instructions a line); these print the same text with the
// date part cached per second (~200). docs/configuration.md, "logging".
#pragma once

#include <spdlog/formatter.h>

#include <ctime>
#include <memory>

namespace m3m::log {

// "[YYYY-MM-DD HH:MM:SS.mmm] [level] message" in local time (the text format).
class TextLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<TextLineFormatter>(); }

 private:
  std::time_t cachedSecond_ = -1;
  char prefix_[24] = {};  // "[YYYY-MM-DD HH:MM:SS."
};

// One JSON object per line (logging.format json):
// {"time":"…Z","level":"info",…fields} where a message starting with
// kFieldsMark carries its own fields as a JSON object (the access log's) and
// any other message becomes "msg", escaped.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }

 private:
  std::time_t cachedSecond_ = -1;
  char prefix_[40] = {};  // {"time":"YYYY-MM-DDTHH:MM:SS.
};

}  // namespace m3m::log
