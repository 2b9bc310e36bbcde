// m3m plugin SDK (C++): the plugin's entry — M3M_PLUGIN(info, init[,
// shutdown]) exports m3m_plugin_init_v1 — and what init receives (Init: the
// config and the module declarations).
#pragma once

#include <m3m/plugin.h>

#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include <m3m/plugin/error.hpp>
#include <m3m/plugin/module.hpp>
#include <m3m/plugin/state.hpp>
#include <m3m/plugin/value.hpp>

namespace m3m::sdk {

// What init receives: the config and the module declarations.
class Init {
 public:
  // plugins.config.<name> (an object; empty when not configured).
  View config() const { return View(detail::api().plugin_config(detail::state().ctx)); }
  Module module(const std::string& name, const std::string& doc = "") {
    auto& st = detail::state();
    m3m_status s = st.host->declare_module(st.ctx, name.c_str(), doc.c_str());
    if (s != M3M_OK) throw Error(s, "cannot declare module " + name);
    return Module(name);
  }
};

// The server log, prefixed with the plugin's name.
inline void log(m3m_log_level level, std::string_view message) {
  auto& st = detail::state();
  if (st.host && st.ctx) st.host->log(st.ctx, level, message.data(), message.size());
}

namespace detail {
using InitFn = std::function<void(Init&)>;
using ShutdownFn = std::function<void()>;
inline InitFn& initFn() {
  static InitFn f;
  return f;
}
inline ShutdownFn& shutdownFn() {
  static ShutdownFn f;
  return f;
}

inline int initTrampoline(m3m_plugin_ctx ctx, const char*, size_t) {
  auto& st = state();
  st.ctx = ctx;
  st.functions.clear();
  try {
    Init init;
    initFn()(init);
    return 0;
  } catch (const std::exception& e) {
    st.host->set_error(ctx, e.what());
  } catch (...) {
    st.host->set_error(ctx, "unknown exception in init");
  }
  return 1;
}

inline void shutdownTrampoline() {
  try {
    if (shutdownFn()) shutdownFn()();
  } catch (const std::exception& e) {
    log(M3M_LOG_ERROR, std::string("shutdown: ") + e.what());
  } catch (...) {
  }
  state().functions.clear();
  state().ctx = nullptr;
}

inline int entry(const m3m_host_api_v1* host, m3m_plugin_v1* out, Info info, InitFn init, ShutdownFn shutdown) {
  if (!host || host->abi_major != M3M_PLUGIN_ABI_MAJOR || host->abi_minor < M3M_PLUGIN_ABI_MINOR) return 1;
  auto& st = state();
  st.host = host;
  st.info = std::move(info);
  initFn() = std::move(init);
  shutdownFn() = std::move(shutdown);
  out->abi_major = M3M_PLUGIN_ABI_MAJOR;
  out->abi_minor = M3M_PLUGIN_ABI_MINOR;
  out->name = st.info.name.c_str();
  out->version = st.info.version.c_str();
  out->description = st.info.description.c_str();
  out->author = st.info.author.c_str();
  out->url = st.info.url.c_str();
  out->init = &initTrampoline;
  out->shutdown = &shutdownTrampoline;
  return 0;
}

template <class I>
int entryOf(const m3m_host_api_v1* host, m3m_plugin_v1* out, Info info, I init) {
  return entry(host, out, std::move(info), InitFn(std::move(init)), ShutdownFn());
}
template <class I, class S>
int entryOf(const m3m_host_api_v1* host, m3m_plugin_v1* out, Info info, I init, S shutdown) {
  return entry(host, out, std::move(info), InitFn(std::move(init)), ShutdownFn(std::move(shutdown)));
}
}  // namespace detail

}  // namespace m3m::sdk

// The plugin's entry: M3M_PLUGIN(info, init) or M3M_PLUGIN(info, init, shutdown),
// where init is void(m3m::sdk::Init&) and shutdown is void().
#define M3M_PLUGIN(info, ...)                                                                               \
  extern "C" M3M_PLUGIN_EXPORT int m3m_plugin_init_v1(const m3m_host_api_v1* host, m3m_plugin_v1* out) {  \
    try {                                                                                                   \
      return ::m3m::sdk::detail::entryOf(host, out, info, __VA_ARGS__);                                     \
    } catch (...) {                                                                                         \
      return 1;                                                                                             \
    }                                                                                                       \
  }
