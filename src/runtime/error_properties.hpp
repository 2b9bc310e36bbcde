// Extra own properties of a JS error object besides message, code and fields
// (a plugin's error details: Telegram's error_code and description; ABI 1.1
// call_error_properties). They ride inside m3m::Error's fields under a key no
// field path can have, so every layer that passes an Error on — or re-wraps
// it with e.fields() — keeps them without a change to the public
// include/m3m/error.hpp; makeError (v8_values.cpp) sets them on the JS error
// and leaves the key out of `err.fields`.
#pragma once

#include <m3m/error.hpp>
#include <m3m/module.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace m3m::runtime {

inline constexpr std::string_view kErrorPropertiesKey = "\x01properties";

// The names the host sets itself: a property of these names is ignored.
inline bool isReservedErrorProperty(std::string_view name) {
  return name == "name" || name == "message" || name == "stack" || name == "code" || name == "fields" ||
         name == "__proto__" || name == "constructor";
}

// `e` with `properties` (an object; anything else: none).
inline Error withErrorProperties(const Error& e, const Value& properties) {
  if (!properties.is_object() || properties.empty()) return e;
  ErrorFields fields = e.fields();
  fields[std::string(kErrorPropertiesKey)] = properties.dump(-1, ' ', false, Value::error_handler_t::replace);
  return Error(e.code(), e.what(), std::move(fields));
}

inline std::optional<Value> errorProperties(const Error& e) {
  auto it = e.fields().find(std::string(kErrorPropertiesKey));
  if (it == e.fields().end()) return std::nullopt;
  auto v = Value::parse(it->second, nullptr, false);
  if (!v.is_object()) return std::nullopt;
  return v;
}

}  // namespace m3m::runtime
