// The runtime modules a server offers: built by App (src/app/app.cpp) from
// the explicit list of built-ins (runtime/modules/builtin_modules.hpp), and
// open to modules from elsewhere (plugins) through add(). There is no global
// registry and no static self-registration: App owns it and passes it down.
//
// Each project run takes a snapshot (an immutable list, shared): a module
// added or replaced later reaches runs started after it, and a run's
// bindings (which point into its snapshot) stay valid for the run's life.
#pragma once

#include <m3m/module.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::runtime {

using ModuleSet = std::shared_ptr<const std::vector<ModuleSchema>>;

class ModuleRegistry {
 public:
  ModuleRegistry();
  // Adds a module. Throws INVALID_ARGUMENT when its name is not a JS
  // identifier, is taken by another module or by an engine global (router,
  // service, console, fetch…), or when two of its functions share a name.
  void add(ModuleSchema schema);
  // Replaces the module of that name, or adds it (a plugin's reload).
  void replace(ModuleSchema schema);
  // Removes the module of that name; false when there was none.
  bool remove(std::string_view name);
  // The modules now, in the order added.
  ModuleSet snapshot() const;
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mutex_;
  ModuleSet modules_;
};

}  // namespace m3m::runtime
