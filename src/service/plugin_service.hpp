// Plugins over the API: anyone signed in may read the list (the editor shows
// their functions); reloading one needs the root administrator.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugin/plugin_manager.hpp"
#include "service/auth/principal.hpp"

namespace m3m::service {

class PluginService {
 public:
  explicit PluginService(plugin::PluginManager& plugins) : plugins_(plugins) {}
  std::vector<plugin::PluginInfo> list(const Principal& who) const;
  plugin::PluginInfo get(const Principal& who, const std::string& name) const;
  plugin::PluginInfo reload(const Principal& who, const std::string& name);

 private:
  plugin::PluginManager& plugins_;
};

}  // namespace m3m::service
