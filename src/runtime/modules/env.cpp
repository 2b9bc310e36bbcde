#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema envModule(std::shared_ptr<EnvBackend> env) {
  return ModuleBuilder("env", "The project's environment values (Settings → Environment), typed.")
      .function("get", {param("key", t::string())},
                t::nullable(t::oneOf({t::string(), t::number(), t::boolean(), t::object()})),
                "The value of `key` with its type (secrets included), or null when it is not set.",
                [env](CallContext& ctx, const Args& args) -> Value {
                  if (!env) return nullptr;
                  auto v = env->get(ctx.projectId(), args.string(0));
                  return v ? *v : Value(nullptr);
                })
      .build();
}

}  // namespace m3m::runtime
