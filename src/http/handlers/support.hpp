// Shared handler plumbing: who is calling, reading typed JSON input with
// per-field errors, paging parameters and the list envelope.
#pragma once

#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "domain/page.hpp"
#include "http/message.hpp"
#include "service/auth/auth_service.hpp"
#include "service/validation.hpp"

namespace m3m::http::handlers {

// X-API-Key, or Authorization: Bearer. UNAUTHENTICATED when neither is valid.
service::Principal authenticate(const Request& req, service::AuthService& auth);

// The client's address without the port (for rate limits).
std::string clientIp(const Request& req);

// Reads fields of a JSON object body; wrong types become field errors that
// done() throws together (INVALID_ARGUMENT), as do missing required fields and
// every key the handler never asked about ("unknown field": bodies are strict,
// so a misspelt or unsupported key is refused rather than silently ignored).
class JsonInput {
 public:
  explicit JsonInput(const Request& req) : j_(req.jsonObject()) {}
  explicit JsonInput(nlohmann::json j) : j_(std::move(j)) {}

  // has/isNull count as reading the key (the handler decides on it).
  bool has(const char* field) const { return seen(field), j_.contains(field); }
  bool isNull(const char* field) const { return seen(field), j_.contains(field) && j_[field].is_null(); }
  std::optional<std::string> string(const char* field, bool required = false);
  std::optional<bool> boolean(const char* field);
  std::optional<nlohmann::json> any(const char* field, bool required = false);
  std::optional<std::vector<std::string>> stringList(const char* field);
  // A nested object read with its own JsonInput; pass it to mergeErrorsOf,
  // which adds its errors (and its unknown keys) prefixed "field.".
  std::optional<JsonInput> object(const char* field);
  void mergeErrorsOf(JsonInput& nested, const std::string& prefix);
  // Throws every collected problem, unknown keys included.
  void done();

 private:
  void seen(const char* field) const;
  void flagUnknown();

  nlohmann::json j_;
  service::Validation v_;
  // Keys asked for: few per body, kept inline (no allocation per request).
  mutable boost::container::small_vector<std::string_view, 8> read_;
};

// For endpoints that take no body: an empty body or {} passes; any key is an
// "unknown field" like on every other endpoint (never silently ignored).
void requireNoFields(const Request& req);

// "a, b,,c" → {"a", "b", "c"} (query parameters like ?fields= and ?expand=).
std::vector<std::string> commaList(const std::string& s);

// ?page (≥ 1), ?per_page or ?perPage (1–500, default 30), ?search.
domain::PageRequest pageRequest(const Request& req);

template <class T, class Fn>
nlohmann::json pageJson(const domain::Page<T>& page, Fn&& itemToJson) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& it : page.items) items.push_back(itemToJson(it));
  return {{"items", std::move(items)},
          {"page", page.page},
          {"per_page", page.perPage},
          {"total_items", page.totalItems},
          {"total_pages", page.totalPages()}};
}

}  // namespace m3m::http::handlers
