// Loads one plugin library (DuckDB's extension_load, Node's addon check):
// dlopen with RTLD_LOCAL | RTLD_NOW, find m3m_plugin_init_v1, check the ABI
// version, then init with plugins.config.<name>. Every refusal is a message
// naming the file, the plugin's ABI, the range this host accepts, and the fix.
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "plugin/instance.hpp"

namespace m3m::plugin {

// Opened and version-checked, not yet initialised (init runs in name order).
struct Opened {
  std::shared_ptr<Instance> instance;  // null on failure
  Metadata meta;                       // what is known (the name once the entry ran)
  std::string error;
};

Opened open(const std::filesystem::path& file, std::shared_ptr<spdlog::logger> log);

// Runs the plugin's init with its config (the whole plugins.config; the
// plugin's own key is picked here). Returns "" or why it failed; on failure
// the plugin's modules are dropped.
std::string initialize(Instance& instance, const nlohmann::json& pluginsConfig);

}  // namespace m3m::plugin
