// Prints TypeScript declarations (.d.ts) for the editor from module schemas.
#pragma once

#include <m3m/module.hpp>
#include <string>
#include <vector>

namespace m3m::runtime {

std::string printModule(const ModuleSchema& schema);
// The engine's own globals (service, router, console, timers…) followed by every module.
std::string printAll(const std::vector<ModuleSchema>& modules);

}  // namespace m3m::runtime
