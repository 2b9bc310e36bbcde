// m3m plugin SDK (C++): the plugin's own state — the host's table and the
// context of the running init — shared by the other headers of
// <m3m/plugin.hpp>. With -fvisibility=hidden (m3m_add_plugin) it is private
// to the plugin.
#pragma once

#include <m3m/plugin.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace m3m::sdk {

// What M3M_PLUGIN tells the host (m3m_plugin_v1's strings).
struct Info {
  std::string name, version, description, author, url;
};

namespace detail {
struct State {
  const m3m_host_api_v1* host = nullptr;
  m3m_plugin_ctx ctx = nullptr;
  Info info;
  std::vector<std::unique_ptr<std::function<void(m3m_call)>>> functions;
};
inline State& state() {
  static State s;
  return s;
}
inline const m3m_host_api_v1& api() { return *state().host; }
}  // namespace detail

// The C table, for what the C++ layer does not wrap (valid from the entry on).
inline const m3m_host_api_v1& host() { return detail::api(); }

}  // namespace m3m::sdk
