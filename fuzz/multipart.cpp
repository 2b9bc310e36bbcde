// multipart/form-data: the boundary from a Content-Type and the body parser.
// Input: "<content-type>\n<body>". Oracles: no crash; parts point inside the
// body; and the parts, written back as a body the way a browser would, parse
// to the same parts (names and filenames survive quoting).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common.hpp"
#include "lib/multipart.hpp"

using namespace m3m;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool plain(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The parts as a body again; false when a part cannot be written unambiguously.
bool rebuild(const std::vector<lib::MultipartPart>& parts, const std::string& boundary, std::string& out) {
  const std::string delimiter = "--" + boundary;
  for (const auto& p : parts) {
    if (!plain(p.name) || !plain(p.filename) || !plain(p.contentType)) return false;
    if (p.data.find("\r\n" + delimiter) != std::string_view::npos) return false;
    if (!p.contentType.empty() && p.contentType.front() == ' ') return false;
    out += delimiter + "\r\nContent-Disposition: form-data; name=" + quoted(p.name);
    if (!p.filename.empty()) out += "; filename=" + quoted(p.filename);
    out += "\r\n";
    if (!p.contentType.empty()) out += "Content-Type: " + p.contentType + "\r\n";
    out += "\r\n";
    out += p.data;
    out += "\r\n";
  }
  out += delimiter + "--\r\n";
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  std::string contentType = nl == std::string::npos ? input : input.substr(0, nl);
  std::string body = nl == std::string::npos ? std::string() : input.substr(nl + 1);

  auto boundary = lib::multipartBoundary(contentType);
  if (boundary && (boundary->empty() || boundary->size() > 70)) fuzz::fail("boundary outside 1..70 bytes");
  // Also try the body against a fixed boundary, so bodies need not spell a valid header.
  for (std::string b : {boundary.value_or(""), std::string("XyZ")}) {
    if (b.empty()) continue;
    auto parts = lib::parseMultipart(body, b);
    if (!parts) continue;
    for (const auto& p : *parts)
      if (!inside(p.data, body)) fuzz::fail("a part's data points outside the body");
    std::string again;
    if (!rebuild(*parts, b, again)) continue;
    auto reparsed = lib::parseMultipart(again, b);
    if (!reparsed || reparsed->size() != parts->size()) fuzz::fail("rebuilt body does not parse to as many parts");
    for (size_t i = 0; i < parts->size(); ++i) {
      const auto &a = (*parts)[i], &r = (*reparsed)[i];
      if (a.name != r.name || a.filename != r.filename || a.contentType != r.contentType || a.data != r.data)
        fuzz::fail("rebuilt body parses to different parts");
    }
  }
  return 0;
}
