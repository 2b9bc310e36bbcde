// m3m public SDK: the one error type thrown by services, repositories and
// plugin modules. Each code maps to one HTTP status and one JS error class
// (the table below), so the three boundaries (HTTP, JS, plugin ABI) agree.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace m3m {

// code, HTTP status, JS class
#define M3M_ERRORS(V)                          \
  V(INVALID_ARGUMENT, 400, TypeError)          \
  V(UNAUTHENTICATED, 401, Error)               \
  V(PERMISSION_DENIED, 403, Error)             \
  V(NOT_FOUND, 404, Error)                     \
  V(METHOD_NOT_ALLOWED, 405, Error)            \
  V(CONFLICT, 409, Error)                      \
  V(UNIQUE_VIOLATION, 409, Error)              \
  V(PAYLOAD_TOO_LARGE, 413, RangeError)        \
  V(UNSUPPORTED_MEDIA_TYPE, 415, TypeError)    \
  V(LIMIT_EXCEEDED, 429, RangeError)           \
  V(INTERNAL, 500, Error)                      \
  V(UNAVAILABLE, 503, Error)                   \
  V(TIMEOUT, 504, Error)

enum class ErrorCode {
#define M3M_ERROR_ENUM(code, status, js) code,
  M3M_ERRORS(M3M_ERROR_ENUM)
#undef M3M_ERROR_ENUM
};

constexpr std::string_view errorCodeName(ErrorCode c) {
  switch (c) {
#define M3M_ERROR_NAME(code, status, js) \
  case ErrorCode::code:                  \
    return #code;
    M3M_ERRORS(M3M_ERROR_NAME)
#undef M3M_ERROR_NAME
  }
  return "INTERNAL";
}

constexpr int errorHttpStatus(ErrorCode c) {
  switch (c) {
#define M3M_ERROR_STATUS(code, status, js) \
  case ErrorCode::code:                    \
    return status;
    M3M_ERRORS(M3M_ERROR_STATUS)
#undef M3M_ERROR_STATUS
  }
  return 500;
}

constexpr std::string_view errorJsClass(ErrorCode c) {
  switch (c) {
#define M3M_ERROR_JS(code, status, js) \
  case ErrorCode::code:                \
    return #js;
    M3M_ERRORS(M3M_ERROR_JS)
#undef M3M_ERROR_JS
  }
  return "Error";
}

// Per-field messages, keyed by the field's path ("email", "fields.0.key").
using ErrorFields = std::map<std::string, std::string>;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, ErrorFields fields = {})
      : std::runtime_error(std::move(message)), code_(code), fields_(std::move(fields)) {}

  ErrorCode code() const noexcept { return code_; }
  const ErrorFields& fields() const noexcept { return fields_; }
  int httpStatus() const noexcept { return errorHttpStatus(code_); }

 private:
  ErrorCode code_;
  ErrorFields fields_;
};

}  // namespace m3m

// Reads like workerd's JSG_REQUIRE: M3M_REQUIRE(n > 0, INVALID_ARGUMENT, "n must be positive")
#define M3M_REQUIRE(cond, code, ...)                                   \
  do {                                                                 \
    if (!(cond)) throw ::m3m::Error(::m3m::ErrorCode::code, __VA_ARGS__); \
  } while (false)
