/* A C plugin whose init refuses: the message quotes the config it received. */
#include <m3m/plugin.h>
#include <stdio.h>

static const m3m_host_api_v1* host;

static int init(m3m_plugin_ctx ctx, const char* config, size_t len) {
  char message[512];
  snprintf(message, sizeof message, "missing bot_token (config was %.*s)", (int)len, config);
  host->set_error(ctx, message);
  return 1;
}

int m3m_plugin_init_v1(const m3m_host_api_v1* h, m3m_plugin_v1* out) {
  host = h;
  out->abi_major = M3M_PLUGIN_ABI_MAJOR;
  out->abi_minor = M3M_PLUGIN_ABI_MINOR;
  out->name = "init_fails";
  out->version = "0.1.0";
  out->init = init;
  return 0;
}
