#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

std::vector<ModuleSchema> builtinModules(const BuiltinDeps& deps) {
  std::vector<ModuleSchema> out;
#define M3M_BUILD_MODULE(name) out.push_back(name##Module(deps));
  M3M_BUILTIN_MODULES(M3M_BUILD_MODULE)
#undef M3M_BUILD_MODULE
  return out;
}

std::string joinLogArgs(const std::vector<Value>& args) {
  std::string msg;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) msg += ' ';
    msg += args[i].is_string() ? args[i].get<std::string>()
                               : args[i].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return msg;
}

}  // namespace m3m::runtime
