#include "service/plugin_service.hpp"

#include <m3m/error.hpp>

namespace m3m::service {

std::vector<plugin::PluginInfo> PluginService::list(const Principal&) const { return plugins_.list(); }

plugin::PluginInfo PluginService::get(const Principal&, const std::string& name) const {
  auto p = plugins_.find(name);
  if (!p) throw Error(ErrorCode::NOT_FOUND, "plugin " + name + " not found");
  return *p;
}

plugin::PluginInfo PluginService::reload(const Principal& who, const std::string& name) {
  if (!who.isUser() || !who.user.isRoot)
    throw Error(ErrorCode::PERMISSION_DENIED, "reloading a plugin needs the root administrator");
  return plugins_.reload(name);
}

}  // namespace m3m::service
