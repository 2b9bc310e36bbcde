#include "log/json_string.hpp"

#include <cstdint>

namespace m3m::log {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one
// (overlong forms, surrogates and code points past U+10FFFF are invalid).
std::size_t utf8Sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const std::uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

void put(spdlog::memory_buf_t& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

}  // namespace

void appendJsonString(spdlog::memory_buf_t& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes copied as they are
  const auto flushRun = [&](std::size_t end) { out.append(s.data() + run, s.data() + end); };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<std::uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const auto n = utf8Sequence(s, i)) {
        i += n;
        continue;
      }
    }
    flushRun(i);
    switch (c) {
      case '"': put(out, "\\\""); break;
      case '\\': put(out, "\\\\"); break;
      case '\n': put(out, "\\n"); break;
      case '\r': put(out, "\\r"); break;
      case '\t': put(out, "\\t"); break;
      case '\b': put(out, "\\b"); break;
      case '\f': put(out, "\\f"); break;
      default:
        if (c < 0x20) {
          const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(esc, esc + sizeof esc);
        } else {
          put(out, kReplacement);  // a byte that starts no valid UTF-8 sequence
        }
    }
    run = ++i;
  }
  flushRun(s.size());
  out.push_back('"');
}

}  // namespace m3m::log
