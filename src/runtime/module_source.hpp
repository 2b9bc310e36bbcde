// The modules a project run binds, taken as a snapshot when the run starts:
// built-ins plus the running plugins' modules (a plugin reloaded later shows
// at the project's next start; the snapshot keeps this run's list alive).
#pragma once

#include <functional>
#include <m3m/module.hpp>
#include <memory>
#include <vector>

namespace m3m::runtime {

using ModuleList = std::shared_ptr<const std::vector<ModuleSchema>>;
using ModuleSource = std::function<ModuleList()>;

}  // namespace m3m::runtime
