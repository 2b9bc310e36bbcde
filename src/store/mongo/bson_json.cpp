#include "store/mongo/bson_json.hpp"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <charconv>
#include <m3m/error.hpp>

#include "lib/base64.hpp"

namespace m3m::store::mongo {
namespace {

int keyLength(std::string_view key) { return static_cast<int>(key.size()); }

void appendArray(bson_t* doc, std::string_view key, const nlohmann::json& arr) {
  bson_t child;
  if (!bson_append_array_begin(doc, key.data(), keyLength(key), &child))
    throw Error(ErrorCode::INVALID_ARGUMENT, "a value cannot be stored in MongoDB (a key holds NUL)");
  char buf[16];
  std::uint32_t i = 0;
  for (const auto& v : arr) {
    const char* k = nullptr;
    const std::size_t n = bson_uint32_to_string(i++, &k, buf, sizeof buf);
    appendJson(&child, std::string_view(k, n), v);
  }
  bson_append_array_end(doc, &child);
}

void appendObject(bson_t* doc, std::string_view key, const nlohmann::json& obj) {
  bson_t child;
  if (!bson_append_document_begin(doc, key.data(), keyLength(key), &child))
    throw Error(ErrorCode::INVALID_ARGUMENT, "a value cannot be stored in MongoDB (a key holds NUL)");
  for (const auto& [k, v] : obj.items()) appendJson(&child, k, v);
  bson_append_document_end(doc, &child);
}

// Digits of a fixed-width field, or -1.
int digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  if (at + n > s.size()) return -1;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, v);
  return ec == std::errc() && p == s.data() + at + n ? v : -1;
}

}  // namespace

void appendJson(bson_t* doc, std::string_view key, const nlohmann::json& v) {
  const char* k = key.data();
  const int kl = keyLength(key);
  bool ok = true;
  switch (v.type()) {
    case nlohmann::json::value_t::null: ok = bson_append_null(doc, k, kl); break;
    case nlohmann::json::value_t::boolean: ok = bson_append_bool(doc, k, kl, v.get<bool>()); break;
    case nlohmann::json::value_t::number_integer: ok = bson_append_int64(doc, k, kl, v.get<std::int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      ok = u <= static_cast<std::uint64_t>(INT64_MAX) ? bson_append_int64(doc, k, kl, static_cast<std::int64_t>(u))
                                                      : bson_append_double(doc, k, kl, static_cast<double>(u));
      break;
    }
    case nlohmann::json::value_t::number_float: ok = bson_append_double(doc, k, kl, v.get<double>()); break;
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      ok = bson_append_utf8(doc, k, kl, s.data(), static_cast<int>(s.size()));
      break;
    }
    case nlohmann::json::value_t::array: appendArray(doc, key, v); break;
    case nlohmann::json::value_t::object: appendObject(doc, key, v); break;
    case nlohmann::json::value_t::binary: {
      const auto& b = v.get_binary();
      ok = bson_append_binary(doc, k, kl, BSON_SUBTYPE_BINARY, b.data(), static_cast<std::uint32_t>(b.size()));
      break;
    }
    case nlohmann::json::value_t::discarded: break;
  }
  // libbson refuses a key holding NUL and a document past its size limit.
  if (!ok || key.find('\0') != std::string_view::npos)
    throw Error(ErrorCode::INVALID_ARGUMENT, "a value cannot be stored in MongoDB (a key holds NUL, or it is too large)");
}

Bson toBson(const nlohmann::json& object) {
  if (!object.is_object()) throw Error(ErrorCode::INTERNAL, "mongo: a document must be a JSON object");
  Bson out;
  for (const auto& [k, v] : object.items()) appendJson(out.get(), k, v);
  return out;
}

std::int64_t isoToMillis(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS(.mmm)Z, as lib::normalizeDatetime writes it.
  const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2),
            mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0)
    throw Error(ErrorCode::INTERNAL, "mongo: not an ISO-8601 UTC datetime: " + std::string(s));
  int ms = 0;
  if (s.size() > 20 && s[19] == '.') {
    std::size_t n = 0;
    for (std::size_t i = 20; i < s.size() && n < 3 && s[i] >= '0' && s[i] <= '9'; ++i, ++n) ms = ms * 10 + (s[i] - '0');
    for (; n < 3; ++n) ms *= 10;
  }
  const absl::Time t = absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, se), absl::UTCTimeZone());
  return absl::ToUnixMillis(t) + ms;
}

std::string millisToIso(std::int64_t ms) {
  std::int64_t secs = ms / 1000, rem = ms % 1000;
  if (rem < 0) rem += 1000, secs -= 1;
  const absl::CivilSecond c = absl::ToCivilSecond(absl::FromUnixSeconds(secs), absl::UTCTimeZone());
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<int>(c.year()), c.month(), c.day(),
                c.hour(), c.minute(), c.second(), static_cast<int>(rem));
  return buf;
}

void appendDatetime(bson_t* doc, std::string_view key, std::string_view iso) {
  bson_append_date_time(doc, key.data(), keyLength(key), isoToMillis(iso));
}

nlohmann::json valueToJson(const bson_iter_t* it) {
  switch (bson_iter_type(it)) {
    case BSON_TYPE_DOUBLE: return bson_iter_double(it);
    case BSON_TYPE_UTF8: {
      std::uint32_t n = 0;
      const char* s = bson_iter_utf8(it, &n);
      return std::string(s, n);
    }
    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY: {
      const bool isArray = bson_iter_type(it) == BSON_TYPE_ARRAY;
      nlohmann::json out = isArray ? nlohmann::json::array() : nlohmann::json::object();
      bson_iter_t child;
      if (!bson_iter_recurse(it, &child)) return out;
      while (bson_iter_next(&child)) {
        if (isArray) out.push_back(valueToJson(&child));
        else out[bson_iter_key(&child)] = valueToJson(&child);
      }
      return out;
    }
    case BSON_TYPE_BINARY: {
      bson_subtype_t sub;
      std::uint32_t n = 0;
      const std::uint8_t* data = nullptr;
      bson_iter_binary(it, &sub, &n, &data);
      return lib::base64Encode(std::string_view(reinterpret_cast<const char*>(data), n));
    }
    case BSON_TYPE_OID: {
      char hex[25];
      bson_oid_to_string(bson_iter_oid(it), hex);
      return std::string(hex);
    }
    case BSON_TYPE_BOOL: return bson_iter_bool(it);
    case BSON_TYPE_DATE_TIME: return millisToIso(bson_iter_date_time(it));
    case BSON_TYPE_INT32: return static_cast<std::int64_t>(bson_iter_int32(it));
    case BSON_TYPE_INT64: return bson_iter_int64(it);
    case BSON_TYPE_DECIMAL128: {
      bson_decimal128_t d;
      bson_iter_decimal128(it, &d);
      char text[BSON_DECIMAL128_STRING];
      bson_decimal128_to_string(&d, text);
      return std::string(text);
    }
    default: return nullptr;
  }
}

nlohmann::json toJson(const bson_t* doc) {
  nlohmann::json out = nlohmann::json::object();
  bson_iter_t it;
  if (!bson_iter_init(&it, doc)) return out;
  while (bson_iter_next(&it)) out[bson_iter_key(&it)] = valueToJson(&it);
  return out;
}

}  // namespace m3m::store::mongo
