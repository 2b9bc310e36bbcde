/* A plugin as built against ABI 1.0 (before declare_type, error properties
 * and call_read_file): it says minor 0 and uses only the 1.0 fields of the
 * host's table. A 1.1 host must still load and call it (docs/plugins.md,
 * "ABI 1.1"). */
#include <m3m/plugin.h>
#include <string.h>

static const m3m_host_api_v1* host;

static void ping(void* data, m3m_call call) {
  (void)data;
  size_t len = 0;
  const char* who = host->value_data(host->call_arg(call, 0), &len);
  if (!who) {
    host->call_error(call, M3M_ERR_INVALID_ARGUMENT, "old10.ping: argument 1 (who) must be a string");
    return;
  }
  char text[128] = "pong to ";
  size_t n = strlen(text);
  if (len > sizeof text - n - 1) len = sizeof text - n - 1;
  memcpy(text + n, who, len);
  host->call_return(call, host->make_string(host->call_scope(call), text, n + len));
}

static int init(m3m_plugin_ctx ctx, const char* config, size_t len) {
  (void)config;
  (void)len;
  static const m3m_param_v1 params[] = {{"who", "string", 0}};
  m3m_function_v1 fn = {"ping", "Answers pong.", params, 1, "string", M3M_FN_SYNC, ping, NULL};
  if (host->declare_module(ctx, "old10", "A plugin built for ABI 1.0.") != M3M_OK) return 1;
  return host->declare_function(ctx, "old10", &fn) == M3M_OK ? 0 : 1;
}

int m3m_plugin_init_v1(const m3m_host_api_v1* h, m3m_plugin_v1* out) {
  host = h;
  out->abi_major = 1;
  out->abi_minor = 0; /* built against 1.0 */
  out->name = "abi_1_0";
  out->version = "1.0.0";
  out->description = "Built for plugin ABI 1.0.";
  out->init = init;
  return 0;
}
