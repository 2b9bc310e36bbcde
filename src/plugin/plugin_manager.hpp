// The plugins of this server: scans plugins.path at start, loads every *.so
// (init in name order, shutdown in reverse at stop), lists them with their
// state, reloads one on request, and keeps the list of modules projects bind
// (built-ins plus running plugins) as a snapshot each run takes at its start.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <filesystem>
#include <m3m/module.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin/instance.hpp"
#include "plugin/module_adapter.hpp"
#include "runtime/module_source.hpp"

namespace m3m::plugin {

enum class State { Running, Failed, Stopped };
std::string_view stateName(State s);

struct PluginInfo {
  Metadata meta;
  std::string file;
  State state = State::Stopped;
  std::string error;  // why it failed
  std::vector<DeclaredModule> modules;  // declarations (no callable parts)
  std::string loadedAt;  // ISO time of the last successful init
};

class PluginManager {
 public:
  // builtins: the built-in modules, read through the same ModuleSource as a
  // run's (the registry's snapshot, so a module added later is seen too): a
  // plugin module may not take their names, nor a plugin type their types'.
  // storage: the projects' files, for the plugins' call_read_file (null: none).
  PluginManager(std::filesystem::path dir, nlohmann::json config, runtime::ModuleSource builtins,
                std::shared_ptr<runtime::StorageBackend> storage, std::shared_ptr<spdlog::logger> log,
                std::chrono::milliseconds stopWait = std::chrono::seconds(10));
  ~PluginManager();

  // Loads every *.so in the folder (a missing folder means no plugins).
  void startAll();
  // Shuts the plugins down in reverse name order.
  void stopAll();

  std::vector<PluginInfo> list() const;
  std::optional<PluginInfo> find(const std::string& name) const;
  // stop → unload → load the same file → init. NOT_FOUND for an unknown name.
  // The outcome (running or failed) is in the returned info.
  PluginInfo reload(const std::string& name);

  // Built-ins plus the running plugins' modules, for a run starting now.
  runtime::ModuleList modules() const;

 private:
  struct Entry {
    PluginInfo info;
    std::shared_ptr<Slot> slot = std::make_shared<Slot>();
  };
  // Initialises an opened plugin into `e` (or records why not). Caller holds mutex_.
  void activate(Entry& e, std::shared_ptr<Instance> instance);
  void rebuildLocked() const;
  std::string clashLocked(const Instance& instance, const std::string& self) const;

  std::filesystem::path dir_;
  nlohmann::json config_;
  runtime::ModuleSource builtins_;
  std::shared_ptr<runtime::StorageBackend> storage_;
  std::shared_ptr<spdlog::logger> log_;
  std::chrono::milliseconds stopWait_;

  mutable std::mutex mutex_;      // entries_ and modules_
  std::mutex reloadMutex_;        // one reload (or stop) at a time
  std::map<std::string, Entry> entries_;  // by name: the map's order is the init order
  mutable runtime::ModuleList modules_;       // built from…
  mutable runtime::ModuleList builtinsSeen_;  // …this snapshot of the built-ins
};

}  // namespace m3m::plugin
