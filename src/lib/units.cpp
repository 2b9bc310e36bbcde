#include "lib/units.hpp"

#include <cctype>
#include <limits>

namespace m3m::lib {
namespace {

bool readNumber(std::string_view text, size_t& i, std::uint64_t& out) {
  size_t start = i;
  out = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return false;
    out = out * 10 + digit;
    ++i;
  }
  return i > start;
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return std::nullopt;
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max() / 2;
  std::uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    std::uint64_t n = 0;
    if (!readNumber(text, i, n)) return std::nullopt;
    size_t unitStart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unitStart, i - unitStart);
    std::uint64_t mult = 0;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m") mult = 60'000;
    else if (unit == "h") mult = 3'600'000;
    else if (unit == "d") mult = 86'400'000;
    else return std::nullopt;
    if (n > kMax / mult) return std::nullopt;
    total += n * mult;
    if (total > kMax) return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(total));
}

std::string formatDuration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  struct Unit { std::int64_t size; const char* name; };
  for (Unit u : {Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}, Unit{1, "ms"}}) {
    if (ms >= u.size) {
      out += std::to_string(ms / u.size) + u.name;
      ms %= u.size;
    }
  }
  return out;
}

std::optional<std::uint64_t> parseSize(std::string_view text) {
  size_t i = 0;
  std::uint64_t n = 0;
  if (!readNumber(text, i, n)) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit = lower(text.substr(i));
  std::uint64_t mult = 0;
  if (unit.empty() || unit == "b") mult = 1;
  else if (unit == "kb" || unit == "kib" || unit == "k") mult = 1ull << 10;
  else if (unit == "mb" || unit == "mib" || unit == "m") mult = 1ull << 20;
  else if (unit == "gb" || unit == "gib" || unit == "g") mult = 1ull << 30;
  else return std::nullopt;
  if (n > std::numeric_limits<std::uint64_t>::max() / mult) return std::nullopt;
  return n * mult;
}

std::string formatSize(std::uint64_t bytes) {
  struct Unit { std::uint64_t size; const char* name; };
  for (Unit u : {Unit{1ull << 30, "GB"}, Unit{1ull << 20, "MB"}, Unit{1ull << 10, "KB"}}) {
    if (bytes >= u.size && bytes % u.size == 0) return std::to_string(bytes / u.size) + u.name;
  }
  return std::to_string(bytes) + "B";
}

}  // namespace m3m::lib
