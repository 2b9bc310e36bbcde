#include "service/models/field_values.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "lib/datetime.hpp"
#include "lib/regex.hpp"
#include "service/validation.hpp"

namespace m3m::service::models {
namespace {

size_t codePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string numberText(double d) {
  if (std::trunc(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<std::int64_t>(d));
  nlohmann::json j = d;
  return j.dump();
}

bool isHttpUrl(const std::string& s) {
  static const lib::Regex re(R"(https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?([/?#]\S*)?)", lib::Regex::Options::caseless);
  return s.size() <= 2048 && re.fullMatch(s) == lib::Regex::Result::found;
}

std::optional<nlohmann::json> checkString(const domain::ModelField& f, const nlohmann::json& v, std::string& why) {
  if (!v.is_string()) return why = "must be a string", std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (f.required && s.empty()) return why = "required", std::nullopt;
  if (f.type == "email" && !s.empty() && !isValidEmail(s)) return why = "must be an email address", std::nullopt;
  if (f.type == "url" && !s.empty() && !isHttpUrl(s)) return why = "must be an http(s) URL", std::nullopt;
  auto n = static_cast<std::int64_t>(codePoints(s));
  if (f.minLength && n < *f.minLength)
    return why = "must be at least " + std::to_string(*f.minLength) + " characters", std::nullopt;
  if (f.maxLength && n > *f.maxLength)
    return why = "must be at most " + std::to_string(*f.maxLength) + " characters", std::nullopt;
  if (f.pattern && !s.empty()) {
    try {
      switch (lib::cachedRegex(*f.pattern).search(s)) {
        case lib::Regex::Result::found: break;
        case lib::Regex::Result::notFound: return why = "must match " + *f.pattern, std::nullopt;
        case lib::Regex::Result::tooComplex:
          return why = "the field's pattern is too complex to check against this value", std::nullopt;
      }
    } catch (const lib::RegexError&) {
      return why = "the field's pattern is invalid", std::nullopt;
    }
  }
  return v;
}

std::optional<nlohmann::json> checkNumber(const domain::ModelField& f, const nlohmann::json& v, std::string& why) {
  double d;
  nlohmann::json out;
  if (f.type == "integer") {
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      return why = "must be a 64-bit integer", std::nullopt;
    if (!v.is_number_integer()) return why = "must be an integer", std::nullopt;
    out = v.get<std::int64_t>();
    d = static_cast<double>(v.get<std::int64_t>());
  } else {
    if (!v.is_number()) return why = "must be a number", std::nullopt;
    d = v.get<double>();
    if (!std::isfinite(d)) return why = "must be a finite number", std::nullopt;
    out = d;
  }
  if (f.min && d < *f.min) return why = "must be ≥ " + numberText(*f.min), std::nullopt;
  if (f.max && d > *f.max) return why = "must be ≤ " + numberText(*f.max), std::nullopt;
  return out;
}

std::optional<nlohmann::json> checkOne(const domain::ModelField& f, const nlohmann::json& v, std::string& why) {
  const auto& t = f.type;
  if (isStringLike(t)) return checkString(f, v, why);
  if (t == "integer" || t == "float") return checkNumber(f, v, why);
  if (t == "bool") {
    if (!v.is_boolean()) return why = "must be true or false", std::nullopt;
    return v;
  }
  if (t == "document") return v;
  if (!v.is_string()) return why = "must be a string", std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (t == "file") {
    if (!isSafeRelativePath(s)) return why = "must be a relative path inside the project's storage", std::nullopt;
    return v;
  }
  if (t == "ref") {
    if (!isRecordId(s)) return why = "must be a record id", std::nullopt;
    return v;
  }
  if (t == "date") {
    if (!lib::isValidDate(s)) return why = "must be a date (YYYY-MM-DD)", std::nullopt;
    return v;
  }
  if (t == "datetime") {
    auto norm = lib::normalizeDatetime(s);
    if (!norm) return why = "must be an ISO-8601 date and time", std::nullopt;
    return *norm;
  }
  if (t == "select") {
    for (const auto& allowed : f.values)
      if (allowed == s) return v;
    std::string list;
    for (const auto& a : f.values) list += (list.empty() ? "" : ", ") + a;
    return why = "must be one of: " + list, std::nullopt;
  }
  return why = "unknown field type " + t, std::nullopt;
}

std::optional<double> parseNumber(const std::string& s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return d;
}

std::optional<std::int64_t> parseInteger(const std::string& s) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

std::optional<nlohmann::json> convertScalar(const std::string& from, const std::string& to, const nlohmann::json& v) {
  if (from == to) return v;
  if (to == "document") return v;
  if (to == "string" || to == "text") {
    if (v.is_string()) return v;
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.dump();
  }
  if (to == "integer") {
    if (v.is_number_integer()) return v;
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::trunc(d) != d || std::fabs(d) > 9.2e18) return std::nullopt;
      return static_cast<std::int64_t>(d);
    }
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_string()) {
      auto n = parseInteger(v.get<std::string>());
      if (n) return *n;
    }
    return std::nullopt;
  }
  if (to == "float") {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      auto d = parseNumber(v.get<std::string>());
      if (d) return *d;
    }
    return std::nullopt;
  }
  if (to == "bool") {
    if (v.is_number_integer() && (v.get<std::int64_t>() == 0 || v.get<std::int64_t>() == 1)) return v.get<std::int64_t>() == 1;
    if (v.is_string() && (v.get<std::string>() == "true" || v.get<std::string>() == "false")) return v.get<std::string>() == "true";
    return std::nullopt;
  }
  if (to == "date" && from == "datetime" && v.is_string()) return v.get<std::string>().substr(0, 10);
  if (to == "datetime" && from == "date" && v.is_string()) return v.get<std::string>() + "T00:00:00.000Z";
  // email, url, file, ref, select, date, datetime: from text, then checked.
  if (v.is_string()) return v;
  return std::nullopt;
}

}  // namespace

bool isKnownFieldType(std::string_view type) {
  for (const char* t : kFieldTypes)
    if (type == t) return true;
  return false;
}

bool isStringLike(std::string_view t) { return t == "string" || t == "text" || t == "email" || t == "url"; }

bool isIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

bool isRecordId(std::string_view s) {
  if (s.size() != 15) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool isSafeRelativePath(std::string_view s) {
  if (s.empty() || s.size() > 1024 || s.front() == '/') return false;
  if (s.find('\\') != std::string_view::npos || s.find('\0') != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find('/', start);
    if (end == std::string_view::npos) end = s.size();
    auto seg = s.substr(start, end - start);
    if (seg == ".." || seg == "." || (seg.empty() && end != s.size())) return false;
    start = end + 1;
  }
  return true;
}

std::optional<nlohmann::json> checkValue(const domain::ModelField& f, const nlohmann::json& v, std::string& why) {
  if (v.is_null()) {
    if (f.required) return why = "required", std::nullopt;
    if (!f.nullable) return why = "must not be null", std::nullopt;
    return v;
  }
  if (!f.multiple) return checkOne(f, v, why);
  if (!v.is_array()) return why = "must be an array", std::nullopt;
  if (f.required && v.empty()) return why = "required", std::nullopt;
  nlohmann::json out = nlohmann::json::array();
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    std::string itemWhy;
    auto item = checkOne(f, v[i], itemWhy);
    if (!item) return why = "item " + std::to_string(i) + " " + itemWhy, std::nullopt;
    if (!seen.insert(item->dump()).second) return why = "item " + std::to_string(i) + " is a duplicate", std::nullopt;
    out.push_back(std::move(*item));
  }
  return out;
}

std::optional<nlohmann::json> convertValue(const domain::ModelField& from, const domain::ModelField& to,
                                           const nlohmann::json& v) {
  if (v.is_null()) return v;
  if (from.multiple && !to.multiple) {
    if (!v.is_array() || v.size() > 1) return std::nullopt;
    return v.empty() ? nlohmann::json(nullptr) : convertScalar(from.type, to.type, v[0]);
  }
  if (!from.multiple && to.multiple) {
    auto one = convertScalar(from.type, to.type, v);
    if (!one) return std::nullopt;
    return nlohmann::json::array({*one});
  }
  if (from.multiple && to.multiple) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : v) {
      auto c = convertScalar(from.type, to.type, item);
      if (!c) return std::nullopt;
      out.push_back(*c);
    }
    return out;
  }
  return convertScalar(from.type, to.type, v);
}

}  // namespace m3m::service::models
