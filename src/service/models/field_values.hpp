// What a value of a model field may be: strict checks (no implicit
// conversions on write) and the conversions a type change applies to data.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"

namespace m3m::service::models {

inline constexpr const char* kFieldTypes[] = {"string", "text", "integer", "float", "bool",   "document", "file",
                                              "ref",    "date", "datetime", "email", "url", "select"};

bool isKnownFieldType(std::string_view type);
bool isStringLike(std::string_view type);  // string text email url: length and pattern apply
// ^[A-Za-z][A-Za-z0-9_]{0,62}$
bool isIdentifier(std::string_view s);
bool isRecordId(std::string_view s);  // 15 × [a-z0-9]
// A path inside the project's file storage: relative, no "..", "\", NUL.
bool isSafeRelativePath(std::string_view s);

// The canonical stored value of `v` for `f`, or nullopt with `why` set.
// Null is checked against required/nullable; refs are not looked up here.
std::optional<nlohmann::json> checkValue(const domain::ModelField& f, const nlohmann::json& v, std::string& why);

// `v` (a stored value of `from`) as a value of `to` — type changes. nullopt
// when it cannot be converted; the result still goes through checkValue.
std::optional<nlohmann::json> convertValue(const domain::ModelField& from, const domain::ModelField& to,
                                           const nlohmann::json& v);

}  // namespace m3m::service::models
