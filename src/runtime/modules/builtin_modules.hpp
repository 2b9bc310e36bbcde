// The built-in runtime modules, one explicit list (as Node's NODE_BUILTIN_MODULES):
// no static self-registration; App builds the list and hands it to the runtime.
#pragma once

#include <m3m/module.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace m3m::runtime {

struct BuiltinDeps {
  // env.get(key): the project's typed environment value, or nullopt.
  std::function<std::optional<Value>(const std::string& projectId, const std::string& key)> envLookup;
};

#define M3M_BUILTIN_MODULES(V) \
  V(logger)                    \
  V(env)

#define M3M_DECLARE_MODULE(name) ModuleSchema name##Module(const BuiltinDeps& deps);
M3M_BUILTIN_MODULES(M3M_DECLARE_MODULE)
#undef M3M_DECLARE_MODULE

std::vector<ModuleSchema> builtinModules(const BuiltinDeps& deps);

// "a 1 {\"b\":2}": strings as they are, everything else as JSON (console/logger).
std::string joinLogArgs(const std::vector<Value>& args);

}  // namespace m3m::runtime
