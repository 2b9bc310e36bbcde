// Small string helpers shared by every layer (ASCII case folding, trimming).
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace m3m::lib {

inline std::string toLower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return r;
}

// Spaces and tabs (and, for trim, any whitespace) removed from both ends.
inline std::string_view trimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
inline std::string trim(std::string_view s) { return std::string(trimView(s)); }

}  // namespace m3m::lib
