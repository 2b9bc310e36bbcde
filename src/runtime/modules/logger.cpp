#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

ModuleSchema loggerModule() {
  ModuleBuilder b("logger", "Writes to the project's run log: [date] [LEVEL] message.");
  for (auto [name, level] : {std::pair{"debug", "DEBUG"}, {"info", "INFO"}, {"warn", "WARN"}, {"error", "ERROR"}}) {
    std::string lvl = level;
    b.function(name, {rest("args", t::unknown())}, t::void_(),
               std::string("Logs at ") + level + " level; objects are written as JSON.",
               [lvl](CallContext& ctx, const Args& args) -> Value {
                 ctx.log(lvl, joinLogArgs(args.all()));
                 return nullptr;
               });
  }
  return b.build();
}

}  // namespace m3m::runtime
