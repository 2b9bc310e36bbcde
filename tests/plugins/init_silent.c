/* Init fails without saying why: the host reports a bug in the plugin. */
#include <m3m/plugin.h>

static int init(m3m_plugin_ctx ctx, const char* config, size_t len) { return 1; }

int m3m_plugin_init_v1(const m3m_host_api_v1* h, m3m_plugin_v1* out) {
  out->abi_major = M3M_PLUGIN_ABI_MAJOR;
  out->abi_minor = M3M_PLUGIN_ABI_MINOR;
  out->name = "init_silent";
  out->version = "0.1.0";
  out->init = init;
  return 0;
}
