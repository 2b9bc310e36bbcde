#include "log/line_formatter.hpp"

#include <spdlog/common.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "log/logging.hpp"

namespace m3m::log {
namespace {

void append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

// `digits` decimal digits of v, zero-padded.
void appendPadded(spdlog::memory_buf_t& dest, unsigned long v, int digits) {
  char out[8];
  for (int i = digits - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
  dest.append(out, out + digits);
}

std::string_view levelName(spdlog::level::level_enum level) {
  const auto& name = spdlog::level::to_string_view(level);
  return {name.data(), name.size()};
}

}  // namespace

void TextLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since = msg.time.time_since_epoch();
  const auto second = static_cast<std::time_t>(duration_cast<seconds>(since).count());
  if (second != cachedSecond_) {
    std::tm tm{};
    localtime_r(&second, &tm);
    std::snprintf(prefix_, sizeof prefix_, "[%04d-%02d-%02d %02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cachedSecond_ = second;
  }
  append(dest, prefix_);
  appendPadded(dest, static_cast<unsigned long>(duration_cast<milliseconds>(since).count() % 1000), 3);
  append(dest, "] [");
  append(dest, levelName(msg.level));
  append(dest, "] ");
  dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
  append(dest, "\n");
}

void JsonLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since = msg.time.time_since_epoch();
  const auto second = static_cast<std::time_t>(duration_cast<seconds>(since).count());
  if (second != cachedSecond_) {
    std::tm tm{};
    gmtime_r(&second, &tm);
    std::snprintf(prefix_, sizeof prefix_, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cachedSecond_ = second;
  }
  append(dest, prefix_);
  appendPadded(dest, static_cast<unsigned long>(duration_cast<microseconds>(since).count() % 1'000'000), 6);
  append(dest, "Z\",\"level\":\"");
  append(dest, levelName(msg.level));
  append(dest, "\"");
  std::string_view payload(msg.payload.data(), msg.payload.size());
  if (payload.starts_with(kFieldsMark) && payload.size() > 2 && payload.back() == '}') {
    payload.remove_prefix(std::string_view(kFieldsMark).size());
    append(dest, ",");
    append(dest, payload.substr(1));  // its fields, after the '{'
  } else {
    append(dest, ",\"msg\":");
    append(dest, nlohmann::json(std::string(payload)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    append(dest, "}");
  }
  append(dest, "\n");
}

}  // namespace m3m::log
