#include "http/handlers/support.hpp"

#include <algorithm>
#include <charconv>

namespace m3m::http::handlers {

service::Principal authenticate(const Request& req, service::AuthService& auth) {
  if (auto key = req.header("X-API-Key"); !key.empty()) return auth.authenticateApiKey(std::string(key));
  auto header = req.header("Authorization");
  if (header.empty()) throw Error(ErrorCode::UNAUTHENTICATED, "authentication required: send Authorization: Bearer <token>");
  constexpr std::string_view prefix = "Bearer ";
  if (header.size() <= prefix.size() || !std::equal(prefix.begin(), prefix.end(), header.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      }))
    throw Error(ErrorCode::UNAUTHENTICATED, "the Authorization header must be \"Bearer <token>\"");
  return auth.authenticateBearer(std::string(header.substr(prefix.size())));
}

std::string clientIp(const Request& req) {
  const auto& a = req.remoteAddress;
  auto colon = a.rfind(':');
  return colon == std::string::npos ? a : a.substr(0, colon);
}

void JsonInput::seen(const char* field) const {
  std::string_view f(field);
  if (std::find(read_.begin(), read_.end(), f) == read_.end()) read_.push_back(f);
}

void JsonInput::flagUnknown() {
  if (!j_.is_object()) return;
  for (const auto& [k, _] : j_.items())
    if (std::find(read_.begin(), read_.end(), std::string_view(k)) == read_.end()) v_.unknown(k);
}

void JsonInput::done() {
  flagUnknown();
  v_.throwIfAny("invalid request body");
}

std::optional<std::string> JsonInput::string(const char* field, bool required) {
  seen(field);
  if (!j_.contains(field) || j_[field].is_null()) {
    if (required) v_.fail(field, "is required");
    return std::nullopt;
  }
  if (!j_[field].is_string()) {
    v_.fail(field, "must be a string");
    return std::nullopt;
  }
  return j_[field].get<std::string>();
}

std::optional<bool> JsonInput::boolean(const char* field) {
  seen(field);
  if (!j_.contains(field) || j_[field].is_null()) return std::nullopt;
  if (!j_[field].is_boolean()) {
    v_.fail(field, "must be true or false");
    return std::nullopt;
  }
  return j_[field].get<bool>();
}

std::optional<nlohmann::json> JsonInput::any(const char* field, bool required) {
  seen(field);
  if (!j_.contains(field)) {
    if (required) v_.fail(field, "is required");
    return std::nullopt;
  }
  return j_[field];
}

std::optional<std::vector<std::string>> JsonInput::stringList(const char* field) {
  seen(field);
  if (!j_.contains(field) || j_[field].is_null()) return std::nullopt;
  const auto& a = j_[field];
  if (!a.is_array()) {
    v_.fail(field, "must be a list of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : a) {
    if (!item.is_string()) {
      v_.fail(field, "must be a list of strings");
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<JsonInput> JsonInput::object(const char* field) {
  seen(field);
  if (!j_.contains(field) || j_[field].is_null()) return std::nullopt;
  if (!j_[field].is_object()) {
    v_.fail(field, "must be an object");
    return std::nullopt;
  }
  return JsonInput(j_[field]);
}

void JsonInput::mergeErrorsOf(JsonInput& nested, const std::string& prefix) {
  nested.flagUnknown();
  const auto& unknown = nested.v_.unknownFields();
  for (const auto& [k, msg] : nested.v_.fields()) {
    if (std::find(unknown.begin(), unknown.end(), k) != unknown.end()) v_.unknown(prefix + "." + k);
    else v_.fail(prefix + "." + k, msg);
  }
}

void requireNoFields(const Request& req) {
  if (req.body.empty()) return;
  JsonInput(req).done();
}

namespace {
std::optional<int> intParam(const Request& req, const char* name) {
  if (!req.hasQuery(name)) return std::nullopt;
  std::string s = req.query(name);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw Error(ErrorCode::INVALID_ARGUMENT, std::string("query parameter ") + name + " must be an integer",
                {{name, "must be an integer"}});
  return v;
}
}  // namespace

std::vector<std::string> commaList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    auto end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    auto item = service::trim(s.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

domain::PageRequest pageRequest(const Request& req) {
  domain::PageRequest p;
  if (auto page = intParam(req, "page")) {
    if (*page < 1) throw Error(ErrorCode::INVALID_ARGUMENT, "page must be at least 1", {{"page", "must be at least 1"}});
    p.page = *page;
  }
  auto per = intParam(req, "per_page");
  if (!per) per = intParam(req, "perPage");
  if (per) {
    if (*per < 1 || *per > 500)
      throw Error(ErrorCode::INVALID_ARGUMENT, "per_page must be between 1 and 500", {{"per_page", "must be 1–500"}});
    p.perPage = *per;
  }
  p.search = req.query("search");
  if (p.search.size() > 200) throw Error(ErrorCode::INVALID_ARGUMENT, "search is too long", {{"search", "at most 200"}});
  return p;
}

}  // namespace m3m::http::handlers
