// The one place where a plugin's declared functions become the runtime's
// module schema (ModuleSchema / FunctionSpec of <m3m/module.hpp>), so they
// bind and print as TypeScript exactly like built-ins.
#pragma once

#include <m3m/module.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugin/instance.hpp"

namespace m3m::plugin {

// The running instance of one plugin by name. A project's functions reach
// the plugin through it at every call, so after a reload they call the new
// library (a function it no longer has fails NOT_FOUND; while it is stopped,
// UNAVAILABLE).
struct Slot {
  std::string name;
  mutable std::mutex mutex;
  std::shared_ptr<Instance> current;
};

std::vector<ModuleSchema> adaptModules(const std::shared_ptr<Slot>& slot, const Instance& instance);

}  // namespace m3m::plugin
