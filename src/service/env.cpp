#include "service/env.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "lib/json.hpp"
#include "lib/random.hpp"
#include "lib/text.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

EnvView toView(const domain::EnvValue& v) {
  EnvView out{v.key, v.type, nullptr, v.secret, v.createdAt, v.updatedAt};
  out.value = v.secret ? nlohmann::json(SECRET_MASK) : lib::parseJson(v.valueJson, "the stored value");
  return out;
}

bool isType(const std::string& t) {
  return t == "string" || t == "text" || t == "json" || t == "integer" || t == "float" || t == "boolean";
}

}  // namespace

EnvService::EnvService(store::Store& store, ProjectService& projects) : store_(store), projects_(projects) {}

bool EnvService::isValidKey(std::string_view k) {
  if (k.empty() || k.size() > 128) return false;
  if (!(std::isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::optional<nlohmann::json> EnvService::coerce(const std::string& type, const nlohmann::json& v, std::string& why) {
  if (type == "string" || type == "text") {
    if (!v.is_string()) {
      why = "must be a string";
      return std::nullopt;
    }
    if (type == "string" && v.get_ref<const std::string&>().find('\n') != std::string::npos) {
      why = "a string value is one line; use type text for several lines";
      return std::nullopt;
    }
    // Type text takes any content; a one-line string is shown in lists and logs.
    if (type == "string")
      if (auto bad = lib::unsafeTextReason(v.get_ref<const std::string&>())) {
        why = *bad + "; use type text for arbitrary content";
        return std::nullopt;
      }
    return v;
  }
  if (type == "json") return v;
  if (type == "boolean") {
    if (v.is_boolean()) return v;
    if (v == "true") return true;
    if (v == "false") return false;
    why = "must be true or false";
    return std::nullopt;
  }
  if (type == "integer") {
    // 2^63 and above parse as unsigned: they do not fit the 64-bit integer every reader expects.
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      why = "must be an integer between -2^63 and 2^63-1";
      return std::nullopt;
    }
    if (v.is_number_integer()) return v;
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::floor(d) == d && std::fabs(d) < 9.2e18) return static_cast<std::int64_t>(d);
    }
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      std::int64_t n = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return n;
    }
    why = "must be an integer";
    return std::nullopt;
  }
  if (type == "float") {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d)) return d;
    }
    why = "must be a number";
    return std::nullopt;
  }
  why = "unknown type";
  return std::nullopt;
}

domain::Page<EnvView> EnvService::list(const Principal& who, const std::string& projectId,
                                       const domain::PageRequest& page) {
  auto p = projects_.requireAccess(who, projectId);
  auto rows = store_.repos().env().list(p.id, page);
  domain::Page<EnvView> out;
  out.page = rows.page;
  out.perPage = rows.perPage;
  out.totalItems = rows.totalItems;
  for (const auto& r : rows.items) out.items.push_back(toView(r));
  return out;
}

EnvView EnvService::get(const Principal& who, const std::string& projectId, const std::string& key) {
  auto p = projects_.requireAccess(who, projectId);
  auto v = store_.repos().env().find(p.id, key);
  if (!v) throw Error(ErrorCode::NOT_FOUND, "environment value " + key + " does not exist");
  return toView(*v);
}

EnvView EnvService::create(const Principal& who, const std::string& projectId, const EnvInput& in) {
  auto p = projects_.requireAccess(who, projectId);
  Validation val;
  if (!in.key) val.fail("key", "is required");
  else val.check(isValidKey(*in.key), "key", "must match [A-Za-z_][A-Za-z0-9_]* (at most 128 characters)");
  std::string type = in.type.value_or("");
  if (!in.type) val.fail("type", "is required (string, text, json, integer, float or boolean)");
  else val.check(isType(type), "type", "must be one of string, text, json, integer, float, boolean");
  std::optional<nlohmann::json> typed;
  if (!in.value) val.fail("value", "is required");
  else if (isType(type)) {
    std::string why;
    typed = coerce(type, *in.value, why);
    if (!typed) val.fail("value", why);
  }
  val.throwIfAny();
  domain::EnvValue v{p.id, *in.key, type, typed->dump(), in.secret.value_or(false), lib::nowIso(), ""};
  v.updatedAt = v.createdAt;
  store_.repos().env().create(v);
  return toView(v);
}

EnvView EnvService::update(const Principal& who, const std::string& projectId, const std::string& key,
                           const EnvInput& in) {
  auto p = projects_.requireAccess(who, projectId);
  auto existing = store_.repos().env().find(p.id, key);
  if (!existing) throw Error(ErrorCode::NOT_FOUND, "environment value " + key + " does not exist");
  domain::EnvValue v = *existing;
  Validation val;
  if (in.key && *in.key != key) val.fail("key", "cannot be changed; delete and create instead");
  std::string type = in.type.value_or(v.type);
  val.check(isType(type), "type", "must be one of string, text, json, integer, float, boolean");
  if (isType(type)) {
    // A new type without a new value converts the stored one (or explains why not).
    nlohmann::json source = in.value ? *in.value : lib::parseJson(v.valueJson, "the stored value");
    std::string why;
    auto typed = coerce(type, source, why);
    if (!typed) val.fail("value", why);
    else v.valueJson = typed->dump();
  }
  val.throwIfAny();
  v.type = type;
  if (in.secret) {
    // Once secret, always secret: un-marking would reveal the value through the API.
    if (v.secret && !*in.secret && !in.value)
      throw Error(ErrorCode::INVALID_ARGUMENT, "a secret value can be made non-secret only together with a new value",
                  {{"secret", "needs a new value to turn off"}});
    v.secret = *in.secret;
  }
  v.updatedAt = lib::nowIso();
  store_.repos().env().update(v);
  return toView(v);
}

void EnvService::remove(const Principal& who, const std::string& projectId, const std::string& key) {
  auto p = projects_.requireAccess(who, projectId);
  if (!store_.repos().env().remove(p.id, key))
    throw Error(ErrorCode::NOT_FOUND, "environment value " + key + " does not exist");
}

std::optional<nlohmann::json> EnvService::runtimeValue(const std::string& projectId, const std::string& key) {
  auto v = store_.repos().env().find(projectId, key);
  if (!v) return std::nullopt;
  return lib::parseJson(v->valueJson, "the stored value");
}

}  // namespace m3m::service
