#include "plugin/loader.hpp"

#include <dlfcn.h>


#include "lib/regex.hpp"
#include "plugin/host_api.hpp"

namespace m3m::plugin {
namespace {

std::string hostRange() { return "1.0–1." + std::to_string(M3M_PLUGIN_ABI_MINOR); }

std::string str(const char* s) { return s ? s : ""; }

}  // namespace

Opened open(const std::filesystem::path& file, std::shared_ptr<spdlog::logger> log) {
  Opened out;
  out.meta.name = file.stem().string();
  const std::string path = file.string();
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    out.error = path + ": cannot load: " + (why ? why : "unknown dlopen error");
    return out;
  }
  auto entry = reinterpret_cast<m3m_plugin_init_v1_fn>(dlsym(handle, "m3m_plugin_init_v1"));
  if (!entry) {
    std::string other;
    for (int major = 2; major <= 9 && other.empty(); ++major)
      if (dlsym(handle, ("m3m_plugin_init_v" + std::to_string(major)).c_str()))
        other = "it is built for plugin ABI " + std::to_string(major) + ".x";
    out.error = path + ": not an m3m plugin for this host: no m3m_plugin_init_v1 symbol (" +
                (other.empty() ? "not an m3m plugin, or built for another ABI major" : other) +
                "); this host accepts plugin ABI " + hostRange() + ": rebuild it against the m3m SDK 1.x headers";
    dlclose(handle);
    return out;
  }
  m3m_plugin_v1 desc{};
  if (entry(&hostApi(), &desc) != 0) {
    out.error = path + ": m3m_plugin_init_v1 refused to load (a plugin needing a newer host?); this host's plugin ABI is 1." +
                std::to_string(M3M_PLUGIN_ABI_MINOR);
    dlclose(handle);
    return out;
  }
  out.meta.abiMajor = desc.abi_major;
  out.meta.abiMinor = desc.abi_minor;
  if (desc.name && *desc.name) out.meta.name = desc.name;
  if (desc.abi_major != M3M_PLUGIN_ABI_MAJOR || desc.abi_minor > M3M_PLUGIN_ABI_MINOR) {
    out.error = path + " (plugin " + out.meta.name + "): built for plugin ABI " + std::to_string(desc.abi_major) + "." +
                std::to_string(desc.abi_minor) + "; this host accepts " + hostRange() +
                ": rebuild it against this server's m3m SDK headers";
    dlclose(handle);
    return out;
  }
  static const lib::Regex nameRe("[a-z][a-z0-9_]{0,63}");
  if (!desc.name || nameRe.fullMatch(desc.name) != lib::Regex::Result::found) {
    out.error = path + ": plugin name \"" + str(desc.name) + "\" must match [a-z][a-z0-9_]* (it is the key of plugins.config)";
    dlclose(handle);
    return out;
  }
  if (!desc.version || !*desc.version || !desc.init) {
    out.error = path + " (plugin " + out.meta.name + "): the entry must set a version and an init function";
    dlclose(handle);
    return out;
  }
  out.meta.version = desc.version;
  out.meta.description = str(desc.description);
  out.meta.author = str(desc.author);
  out.meta.url = str(desc.url);
  out.instance = std::make_shared<Instance>(path, handle, desc, out.meta, std::move(log));
  return out;
}

std::string initialize(Instance& instance, const nlohmann::json& pluginsConfig) {
  auto* ctx = instance.ctx();
  const auto& name = instance.meta().name;
  ctx->config = pluginsConfig.is_object() && pluginsConfig.contains(name) ? pluginsConfig[name] : nlohmann::json::object();
  const std::string text = ctx->config.dump();
  ctx->initializing = true;
  ctx->error.clear();
  ctx->hostError.clear();
  const int rc = instance.desc().init(ctx, text.c_str(), text.size());
  ctx->initializing = false;
  ctx->config = nlohmann::json::object();  // the View lives until init returns
  if (rc == 0) return "";
  instance.modulesForInit().clear();
  if (ctx->error.empty()) ctx->error = ctx->hostError;  // a C plugin returning the host's refusal
  if (ctx->error.empty())
    return instance.file() + " (plugin " + name + "): init failed without a message (a bug in the plugin)";
  return instance.file() + " (plugin " + name + "): init failed: " + ctx->error;
}

}  // namespace m3m::plugin
