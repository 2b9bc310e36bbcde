#include "http/message.hpp"

#include "lib/json.hpp"
#include "lib/strings.hpp"

#include <cctype>

namespace m3m::http {

// ASCII only, as header names are (RFC 9110 tokens); std::tolower is a call
// into the locale for every character.
static inline int asciiLower(unsigned char c) noexcept { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const noexcept {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = asciiLower(static_cast<unsigned char>(a[i]));
    int cb = asciiLower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

bool percentDecode(std::string_view in, std::string& out, bool plusAsSpace) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]);
      int lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plusAsSpace) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view(it->second);
}

namespace {
// Calls fn(key, value) for each raw key=value pair of a query string.
template <class Fn>
bool forEachQueryPair(std::string_view q, Fn&& fn) {
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (fn(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1))) return true;
  }
  return false;
}
}  // namespace

std::string Request::query(std::string_view name) const {
  std::string result;
  forEachQueryPair(rawQuery, [&](std::string_view k, std::string_view v) {
    std::string key;
    if (!percentDecode(k, key, true) || key != name) return false;
    if (!percentDecode(v, result, true)) result.clear();
    return true;
  });
  return result;
}

bool Request::hasQuery(std::string_view name) const {
  return forEachQueryPair(rawQuery, [&](std::string_view k, std::string_view) {
    std::string key;
    return percentDecode(k, key, true) && key == name;
  });
}

nlohmann::json Request::json() const {
  auto ct = header("Content-Type");
  if (!ct.empty()) {
    std::string lower = lib::toLower(lib::trimView(ct.substr(0, ct.find(';'))));
    if (lower != "application/json" && !(lower.size() > 5 && lower.ends_with("+json")))
      throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE,
                  "request body must be JSON (Content-Type: application/json), got " + std::string(ct));
  }
  if (body.empty()) throw Error(ErrorCode::INVALID_ARGUMENT, "request body is empty; a JSON document is required");
  return lib::parseJson(body, "the request body");
}

nlohmann::json Request::jsonObject() const {
  auto j = json();
  if (!j.is_object()) throw Error(ErrorCode::INVALID_ARGUMENT, "request body must be a JSON object");
  return j;
}

void Response::setHeader(std::string name, std::string value) {
  CaseInsensitiveLess less;
  for (auto& [k, v] : headers) {
    if (!less(k, name) && !less(name, k)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::header(std::string_view name) const {
  CaseInsensitiveLess less;
  for (auto& [k, v] : headers)
    if (!less(k, name) && !less(name, k)) return v;
  return {};
}

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

Response Response::text(int status, std::string body, std::string contentType) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(contentType));
  return r;
}

Response Response::noContent() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::error(const Error& e) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [k, v] : e.fields()) fields[k] = v;
  Response r = json(e.httpStatus(), {{"error", {{"code", errorCodeName(e.code())}, {"message", e.what()}, {"fields", fields}}}});
  if (e.code() == ErrorCode::UNAUTHENTICATED) r.setHeader("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace m3m::http
