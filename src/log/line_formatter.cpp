#include "log/line_formatter.hpp"

#include <spdlog/common.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "log/json_string.hpp"
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

// The line's head is put together on the stack and appended once (each
// append to the buffer costs a capacity check and a call), and kept: lines
// logged within the same millisecond at the same level (a busy server's
// access lines) share it.
void TextLineFormatter::begin(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time,
                              spdlog::level::level_enum level) {
  using namespace std::chrono;
  const auto since = time.time_since_epoch();
  const auto ms = duration_cast<milliseconds>(since).count();
  if (ms != headMs_ || level != headLevel_) {
    const auto date = date_.prefix(static_cast<std::time_t>(duration_cast<seconds>(since).count()), false,
                                   "[%04d-%02d-%02d %02d:%02d:%02d.");
    const auto name = levelName(level);
    char* p = std::copy(date.begin(), date.end(), head_);
    auto part = static_cast<unsigned>(ms % 1000);
    for (int i = 2; i >= 0; --i, part /= 10) p[i] = static_cast<char>('0' + part % 10);
    p += 3;
    p = std::copy_n("] [", 3, p);
    p = std::copy(name.begin(), name.begin() + std::min<std::size_t>(name.size(), 8), p);
    p = std::copy_n("] ", 2, p);
    headSize_ = static_cast<std::size_t>(p - head_);
    headMs_ = ms;
    headLevel_ = level;
  }
  dest.append(head_, head_ + headSize_);
}

void TextLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  begin(dest, msg.time, msg.level);
  dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
  end(dest);
}

void JsonLineFormatter::begin(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time,
                              spdlog::level::level_enum level) {
  using namespace std::chrono;
  const auto since = time.time_since_epoch();
  append(dest, date_.prefix(static_cast<std::time_t>(duration_cast<seconds>(since).count()), true,
                            "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d."));
  appendPadded(dest, static_cast<unsigned long>(duration_cast<microseconds>(since).count() % 1'000'000), 6);
  append(dest, "Z\",\"level\":\"");
  append(dest, levelName(level));
  append(dest, "\",");
}

void JsonLineFormatter::end(spdlog::memory_buf_t& dest) { append(dest, "}\n"); }

void JsonLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  begin(dest, msg.time, msg.level);
  std::string_view payload(msg.payload.data(), msg.payload.size());
  if (payload.starts_with(kFieldsMark) && payload.size() > 2 && payload.back() == '}') {
    payload.remove_prefix(std::string_view(kFieldsMark).size());
    append(dest, payload.substr(1, payload.size() - 2));  // its fields, between the braces
  } else {
    append(dest, "\"msg\":");
    appendJsonString(dest, payload);
  }
  end(dest);
}

void VerbatimFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
}

std::string_view CachedDate::prefix(std::time_t second, bool utc, const char* pattern) {
  if (second != second_) {
    std::tm tm{};
    if (utc) {
      gmtime_r(&second, &tm);
    } else {
      localtime_r(&second, &tm);
    }
    const int n = std::snprintf(text_, sizeof text_, pattern, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                tm.tm_min, tm.tm_sec);
    size_ = n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof text_ - 1);
    second_ = second;
  }
  return {text_, size_};
}

}  // namespace m3m::log
