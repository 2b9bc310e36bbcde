#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

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
