// m3m plugin SDK (C++): a function's arguments from its C++ signature — the
// TypeScript each C++ type shows as, and reading a JS argument into it with
// a message naming the culprit ("hello.greet: argument 1 (name) must be a string").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

#include <m3m/plugin/error.hpp>
#include <m3m/plugin/value.hpp>

namespace m3m::sdk::detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {
  using type = T;
};

template <class T>
std::string tsParam() {
  if constexpr (IsOptional<T>::value) return tsParam<typename IsOptional<T>::type>();
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_arithmetic_v<T>) return "number";
  else if constexpr (std::is_same_v<T, Bytes>) return "Uint8Array | string";
  else return "unknown";
}

template <class T>
std::string tsResult() {
  if constexpr (std::is_void_v<T>) return "void";
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, const char*>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_arithmetic_v<T>) return "number";
  else if constexpr (std::is_same_v<T, Bytes>) return "Uint8Array";
  else return "unknown";
}

[[noreturn]] inline void badArg(const std::string& fn, size_t i, const std::string& name, const char* what) {
  throw Error(M3M_ERR_INVALID_ARGUMENT,
              fn + ": argument " + std::to_string(i + 1) + " (" + name + ") " + what);
}

template <class T>
T readArg(View v, const std::string& fn, size_t i, const std::string& name) {
  if constexpr (IsOptional<T>::value) {
    if (v.isNull()) return std::nullopt;
    return readArg<typename IsOptional<T>::type>(v, fn, i, name);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.isString()) badArg(fn, i, name, "must be a string");
    return v.str();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.isBool()) badArg(fn, i, name, "must be a boolean");
    return v.boolean();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.isNumber()) badArg(fn, i, name, "must be a number");
    double d = v.number();
    if (d != static_cast<double>(static_cast<T>(d))) badArg(fn, i, name, "must be an integer in range");
    return static_cast<T>(d);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.isNumber()) badArg(fn, i, name, "must be a number");
    return static_cast<T>(v.number());
  } else if constexpr (std::is_same_v<T, Bytes>) {
    if (!v.isBytes() && !v.isString()) badArg(fn, i, name, "must be a Uint8Array or a string");
    return Bytes{v.str()};
  } else {
    static_assert(std::is_same_v<T, View>, "argument types: std::string, bool, numbers, Bytes, View, std::optional<T>");
    return v;
  }
}

template <class R, class... A>
struct SignatureOf {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
template <class F>
struct Signature : Signature<decltype(&std::decay_t<F>::operator())> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : SignatureOf<R, A...> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...)> : SignatureOf<R, A...> {};
template <class R, class... A>
struct Signature<R (*)(A...)> : SignatureOf<R, A...> {};

// The JS arguments after the leading Call / Pending the function may take.
template <class Tuple, size_t Skip>
struct JsArgs;
template <class... A, size_t Skip>
struct JsArgs<std::tuple<A...>, Skip> {
  using Full = std::tuple<A...>;
  static constexpr size_t count = sizeof...(A) - Skip;
  template <size_t I>
  using At = std::tuple_element_t<I + Skip, Full>;
};

}  // namespace m3m::sdk::detail
