// Collects every field problem of one input, then throws them together, so a
// client sees all of its mistakes in one 400 (`error.fields`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <m3m/error.hpp>

#include "lib/strings.hpp"
#include "lib/text.hpp"

namespace m3m::service {

class Validation {
 public:
  void fail(const std::string& field, std::string message) { fields_.emplace(field, std::move(message)); }
  void check(bool ok, const std::string& field, std::string message) {
    if (!ok) fail(field, std::move(message));
  }
  // Names and one-line values: no control characters, bidi overrides or invalid UTF-8 (lib/text.hpp).
  void text(const std::string& field, std::string_view s, lib::TextKind kind = lib::TextKind::Line) {
    if (auto why = lib::unsafeTextReason(s, kind)) fail(field, std::move(*why));
  }
  // A key the input must not have: its field says "unknown field" and the
  // message lists it, so a misspelt or unsupported key is never silently ignored.
  void unknown(const std::string& field) {
    fail(field, "unknown field");
    unknown_.push_back(field);
  }
  bool has(const std::string& field) const { return fields_.count(field) > 0; }
  const ErrorFields& fields() const { return fields_; }
  const std::vector<std::string>& unknownFields() const { return unknown_; }
  // Throws INVALID_ARGUMENT with every collected field, if any.
  void throwIfAny(std::string message = "validation failed") const {
    if (fields_.empty()) return;
    if (!unknown_.empty()) {
      message += unknown_.size() == 1 ? "; unknown field: " : "; unknown fields: ";
      for (size_t i = 0; i < unknown_.size(); ++i) message += (i ? ", " : "") + unknown_[i];
    }
    throw Error(ErrorCode::INVALID_ARGUMENT, std::move(message), fields_);
  }

 private:
  ErrorFields fields_;
  std::vector<std::string> unknown_;
};

bool isValidEmail(std::string_view email);
using lib::toLower;
using lib::trim;

}  // namespace m3m::service
