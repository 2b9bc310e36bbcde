// Loads the configuration: defaults ← YAML file ← environment (M3M_SECTION_KEY).
// Every problem is reported with its config path; nothing throws for bad input.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace m3m::config {

struct Diagnostic {
  std::string path;     // "jwt.expiration"
  std::string message;  // "not a duration"
  std::string source;   // "config.yaml", "env M3M_JWT_EXPIRATION", or "" for defaults

  std::string toString() const;  // "jwt.expiration: not a duration (env M3M_JWT_EXPIRATION)"
};

struct LoadResult {
  Config config;
  std::vector<Diagnostic> errors;
  std::vector<Diagnostic> warnings;

  bool ok() const { return errors.empty(); }
};

// Reads an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup processEnvironment();

// file: nullopt = no config file (defaults + environment only).
LoadResult load(const std::optional<std::string>& file, const EnvLookup& env = processEnvironment());

// Same as load(), from YAML text (for tests and `config check` on stdin).
LoadResult loadFromString(const std::string& yaml, const std::string& sourceName,
                          const EnvLookup& env = processEnvironment());

// The environment variable that overrides a config path: "server.max_body" → "M3M_SERVER_MAX_BODY".
std::string envNameFor(std::string_view path);

}  // namespace m3m::config
