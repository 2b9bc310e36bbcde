#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema envModule(const BuiltinDeps& deps) {
  auto lookup = deps.envLookup;
  return ModuleBuilder("env", "The project's environment values (Settings → Environment), typed.")
      .function("get", {{"key", "string"}}, "string | number | boolean | object | null",
                "The value of `key` with its type (secrets included), or null when it is not set.",
                [lookup](CallContext& ctx, const Args& args) -> Value {
                  auto key = args.string(0);
                  if (!lookup) return nullptr;
                  auto v = lookup(ctx.projectId(), key);
                  return v ? *v : Value(nullptr);
                })
      .build();
}

}  // namespace m3m::runtime
