#include "lib/text.hpp"

#include <cstdint>
#include <cstdio>

namespace m3m::lib {
namespace {

std::string codepoint(std::uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

// One UTF-8 sequence at s[i]: its code point and length, or length 0 when malformed
// (overlong forms, surrogates and values past U+10FFFF included).
std::pair<std::uint32_t, std::size_t> decode(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  if (c < 0x80) return {c, 1};
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || (n == 3 && c > 0xEF) || i + n > s.size()) return {0, 0};
  std::uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
    return {0, 0};
  return {cp, n};
}

bool isBidiControl(std::uint32_t cp) { return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); }

}  // namespace

std::optional<std::string> unsafeTextReason(std::string_view s, TextKind kind) {
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    if (len == 0) return "is not valid UTF-8 (at byte " + std::to_string(i) + ")";
    bool allowedSpace = kind == TextKind::Multiline && (cp == '\t' || cp == '\n' || cp == '\r');
    if ((cp < 0x20 && !allowedSpace) || (cp >= 0x7F && cp <= 0x9F))
      return "contains a control character (" + codepoint(cp) + ")";
    if (isBidiControl(cp)) return "contains a bidirectional override (" + codepoint(cp) + ")";
    i += len;
  }
  return std::nullopt;
}

bool isUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string latin1ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<std::string> utf8ToLatin1(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    if (len == 0 || cp > 0xFF) return std::nullopt;
    out += static_cast<char>(cp);
    i += len;
  }
  return out;
}

}  // namespace m3m::lib
