// m3m plugin SDK (C++): values crossing the ABI. View reads a host value in
// place (an argument, the config); Json builds one to return; Bytes is a
// Uint8Array; parseJson / toJson convert JSON text.
#pragma once

#include <m3m/plugin.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <m3m/plugin/error.hpp>
#include <m3m/plugin/state.hpp>

namespace m3m::sdk {

// Bytes: a Uint8Array in JS (a string argument is accepted as its UTF-8).
struct Bytes {
  std::string data;
};

// A value the host owns (an argument, the config): read it, do not keep it.
class View {
 public:
  View(m3m_value v = nullptr) : v_(v) {}
  m3m_type type() const { return v_ ? detail::api().value_type(v_) : M3M_TYPE_NULL; }
  bool isNull() const { return type() == M3M_TYPE_NULL; }
  bool isString() const { return type() == M3M_TYPE_STRING; }
  bool isNumber() const { return type() == M3M_TYPE_NUMBER; }
  bool isBool() const { return type() == M3M_TYPE_BOOL; }
  bool isBytes() const { return type() == M3M_TYPE_BYTES; }
  bool isArray() const { return type() == M3M_TYPE_ARRAY; }
  bool isObject() const { return type() == M3M_TYPE_OBJECT; }
  bool boolean() const { return detail::api().value_bool(v_) != 0; }
  double number() const { return detail::api().value_number(v_); }
  // A string's UTF-8 or the bytes of a Uint8Array.
  std::string_view data() const {
    size_t n = 0;
    const char* p = v_ ? detail::api().value_data(v_, &n) : nullptr;
    return p ? std::string_view(p, n) : std::string_view();
  }
  std::string str() const { return std::string(data()); }
  size_t size() const { return v_ ? detail::api().value_length(v_) : 0; }
  View operator[](size_t i) const { return View(detail::api().array_get(v_, i)); }
  // A member of an object, or a null View.
  View get(std::string_view key) const {
    return isObject() ? View(detail::api().object_get(v_, key.data(), key.size())) : View();
  }
  std::string keyAt(size_t i) const {
    size_t n = 0;
    const char* p = detail::api().object_key_at(v_, i, &n);
    return p ? std::string(p, n) : std::string();
  }
  View valueAt(size_t i) const { return View(detail::api().object_value_at(v_, i)); }
  m3m_value handle() const { return v_; }

 private:
  m3m_value v_;
};

// A value the plugin builds to return: null, bool, number, string, bytes,
// array, object, or JSON text the host parses (raw).
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;
  struct Raw {
    std::string text;
  };
  struct Copy {
    m3m_value value;
  };
  Json() : v_(nullptr) {}
  Json(std::nullptr_t) : v_(nullptr) {}
  Json(bool b) : v_(b) {}
  Json(double n) : v_(n) {}
  Json(int n) : v_(static_cast<double>(n)) {}
  Json(std::int64_t n) : v_(static_cast<double>(n)) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Bytes b) : v_(std::move(b)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}
  Json(Raw r) : v_(std::move(r)) {}
  Json(Copy c) : v_(c) {}
  static Json array(Array a = {}) { return Json(std::move(a)); }
  static Json object(Object o = {}) { return Json(std::move(o)); }
  static Json raw(std::string jsonText) { return Json(Raw{std::move(jsonText)}); }
  // A copy of a host value (an argument, the config), e.g. to return it.
  static Json copy(View v) { return Json(Copy{v.handle()}); }

  // Made in the host's scope (a call's or a pending's).
  m3m_value make(m3m_scope s) const {
    const auto& a = detail::api();
    return std::visit(
        [&](const auto& x) -> m3m_value {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) return a.make_null(s);
          else if constexpr (std::is_same_v<T, bool>) return a.make_bool(s, x ? 1 : 0);
          else if constexpr (std::is_same_v<T, double>) return a.make_number(s, x);
          else if constexpr (std::is_same_v<T, std::string>) return a.make_string(s, x.data(), x.size());
          else if constexpr (std::is_same_v<T, Bytes>) return a.make_bytes(s, x.data.data(), x.data.size());
          else if constexpr (std::is_same_v<T, Array>) {
            m3m_value arr = a.make_array(s);
            for (const auto& item : x) a.array_push(arr, item.make(s));
            return arr;
          } else if constexpr (std::is_same_v<T, Object>) {
            m3m_value obj = a.make_object(s);
            for (const auto& [k, item] : x) a.object_set(obj, k.data(), k.size(), item.make(s));
            return obj;
          } else if constexpr (std::is_same_v<T, Copy>) {
            return a.value_copy(s, x.value);
          } else {
            m3m_value out = nullptr;
            if (a.value_from_json(s, x.text.data(), x.text.size(), &out) != M3M_OK)
              throw Error(M3M_ERR_INTERNAL, "invalid JSON from the plugin");
            return out;
          }
        },
        v_);
  }

 private:
  std::variant<std::nullptr_t, bool, double, std::string, Bytes, Array, Object, Raw, Copy> v_;
};

inline Error::Error(m3m_status code, const std::string& message, Json properties)
    : std::runtime_error(message), code_(code), properties_(std::make_shared<const Json>(std::move(properties))) {}

// JSON text → a value in `scope` (INVALID_ARGUMENT when it is not JSON).
inline View parseJson(m3m_scope scope, std::string_view text) {
  m3m_value v = nullptr;
  if (detail::api().value_from_json(scope, text.data(), text.size(), &v) != M3M_OK)
    throw Error(M3M_ERR_INVALID_ARGUMENT, "not JSON");
  return View(v);
}
// A value as JSON text (the text lives in `scope`).
inline std::string toJson(m3m_scope scope, View v) {
  size_t n = 0;
  const char* p = detail::api().value_to_json(scope, v.handle(), &n);
  return p ? std::string(p, n) : std::string("null");
}

}  // namespace m3m::sdk
