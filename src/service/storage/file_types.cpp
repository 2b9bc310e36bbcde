#include "service/storage/file_types.hpp"

#include <array>
#include <utility>

#include "lib/strings.hpp"

namespace m3m::service {
namespace {

std::string extensionOf(std::string_view name) {
  auto slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return lib::toLower(name.substr(dot + 1));
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 34> kTypes = {{
    {"txt", "text/plain; charset=utf-8"},   {"log", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"},
    {"json", "application/json"},           {"yaml", "application/yaml"},
    {"yml", "application/yaml"},            {"toml", "application/toml"},
    {"ini", "text/plain; charset=utf-8"},   {"env", "text/plain; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"}, {"ts", "text/plain; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},   {"css", "text/css; charset=utf-8"},
    {"xml", "application/xml"},             {"svg", "image/svg+xml"},
    {"sh", "text/x-shellscript; charset=utf-8"}, {"sql", "application/sql"},
    {"png", "image/png"},                   {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},                 {"gif", "image/gif"},
    {"webp", "image/webp"},                 {"avif", "image/avif"},
    {"ico", "image/x-icon"},                {"pdf", "application/pdf"},
    {"zip", "application/zip"},             {"gz", "application/gzip"},
    {"tar", "application/x-tar"},           {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},                   {"webm", "video/webm"},
    {"wasm", "application/wasm"},           {"woff2", "font/woff2"},
}};

constexpr std::array<std::string_view, 19> kText = {"json", "txt", "yaml", "yml", "md",  "js",  "ts",
                                                    "csv",  "html", "css", "xml", "ini", "toml", "log",
                                                    "env",  "sh",  "sql", "svg", "mjs"};

}  // namespace

std::string mimeTypeOf(std::string_view filename) {
  auto ext = extensionOf(filename);
  for (const auto& [e, type] : kTypes)
    if (e == ext) return std::string(type);
  return "application/octet-stream";
}

bool isEditableText(std::string_view filename) {
  auto ext = extensionOf(filename);
  for (auto e : kText)
    if (e == ext) return true;
  return false;
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
    if (n == 4 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4)) return false;
    if (n > 0 && i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    if (n == 2) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) return false;  // overlong / surrogates
    }
    if (n == 3) {
      auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace m3m::service
