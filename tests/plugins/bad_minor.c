/* Built for a newer minor than any host has: refused with the accepted range. */
#include <m3m/plugin.h>

static int init(m3m_plugin_ctx ctx, const char* config, size_t len) { return 0; }

int m3m_plugin_init_v1(const m3m_host_api_v1* host, m3m_plugin_v1* out) {
  out->abi_major = M3M_PLUGIN_ABI_MAJOR;
  out->abi_minor = 99;
  out->name = "bad_minor";
  out->version = "0.1.0";
  out->init = init;
  return 0;
}
