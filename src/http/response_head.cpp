#include "http/response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

#include <charconv>
#include <cstdint>
#include <string_view>

namespace m3m::http {
namespace {

// A plain loop: std::string::find_first_of calls memchr over the set for
// each character (a thousand instructions a response, the most of any
// function on the C++ route).
bool splitsHeader(std::string_view s, bool colonToo) {
  for (char c : s)
    if (c == '\r' || c == '\n' || (colonToo && c == ':')) return true;
  return false;
}

bool framingHeader(std::string_view k) {
  namespace beast = boost::beast;
  switch (k.size()) {  // compared only when the length could match
    case 6: return beast::iequals(k, "server");
    case 10: return beast::iequals(k, "connection");
    case 14: return beast::iequals(k, "content-length");
    case 17: return beast::iequals(k, "transfer-encoding");
    default: return false;
  }
}

void appendNumber(std::string& out, std::uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.append(digits, end);
}

}  // namespace

void formatResponseHead(const Response& res, unsigned version, bool close, std::string& head) {
  using namespace std::string_view_literals;  // appends of a known length, no strlen
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
  head.clear();
  head += version == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv;
  appendNumber(head, static_cast<std::uint64_t>(res.status));
  head += ' ';
  head.append(reason.data(), reason.size());
  head += "\r\nServer: m3m\r\n"sv;
  for (const auto& [k, v] : res.headers) {
    if (splitsHeader(k, true) || splitsHeader(v, false) || framingHeader(k)) continue;
    head += k;
    head += ": "sv;
    head += v;
    head += "\r\n"sv;
  }
  if (bodyAllowed(res.status)) {
    head += "Content-Length: "sv;
    appendNumber(head, res.body.size());
    head += "\r\n"sv;
  }
  if (close) head += "Connection: close\r\n"sv;
  else if (version == 10) head += "Connection: keep-alive\r\n"sv;
  head += "\r\n"sv;
}

}  // namespace m3m::http
