// Argument checks from a module function's declaration (include/m3m/type.hpp):
// the binding runs them before the function, so a function receives only
// what its TypeScript says. Messages name the culprit with its path:
// "utils.uuid: argument 1 (options.version) must be 4 or 7".
#pragma once

#include <m3m/module.hpp>
#include <optional>
#include <string>
#include <vector>

namespace m3m::runtime {

// Why `value` is not of `type`: a path inside the value (".a[2]", "" for the
// value itself) and what it must be ("must be a string", "is required").
struct TypeMismatch {
  std::string path;
  std::string what;
};

// `isFunction` says the value was a JS function (it crossed as null).
std::optional<TypeMismatch> checkValue(const Type& type, const Value& value, bool isFunction = false);

// "a string", "'md5', 'sha1' or 'sha256'", "an object"…
std::string describeType(const Type& type);

// Checks a call's arguments against `spec` (throwing INVALID_ARGUMENT named
// `qualifiedName`) and puts parameters' defaults in place of absent arguments.
void checkArguments(const FunctionSpec& spec, const std::string& qualifiedName, std::vector<Value>& values,
                    const std::vector<bool>& isFunction);

}  // namespace m3m::runtime
