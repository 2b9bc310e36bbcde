/* declare_type's refusals (ABI 1.1): init tries each bad declaration, then
 * refuses to load with the statuses it got, in order (loader_test.cpp). */
#include <m3m/plugin.h>
#include <stdio.h>

static const m3m_host_api_v1* host;

static int init(m3m_plugin_ctx ctx, const char* config, size_t len) {
  (void)config;
  (void)len;
  static const m3m_field_v1 ok[] = {{"x", "number", 0, "doc"}, {"[key: string]", "unknown", 0, NULL}};
  static const m3m_field_v1 optionalIndex[] = {{"[key: string]", "unknown", 1, NULL}};
  static const m3m_field_v1 noType[] = {{"x", "", 0, NULL}};
  static const m3m_field_v1 badName[] = {{"x y", "number", 0, NULL}};
  static const m3m_field_v1 twice[] = {{"x", "number", 0, NULL}, {"x", "string", 0, NULL}};
  const m3m_type_v1 cases[] = {
      {"Point", NULL, ok, 2, NULL},            /* module not declared yet: NOT_FOUND */
      {"Bad Name", NULL, ok, 2, NULL},         /* INVALID_ARGUMENT */
      {"Empty", NULL, NULL, 0, ""},            /* no fields, no definition: INVALID_ARGUMENT */
      {"Opt", NULL, optionalIndex, 1, NULL},   /* an optional index signature: INVALID_ARGUMENT */
      {"NoType", NULL, noType, 1, NULL},       /* INVALID_ARGUMENT */
      {"BadField", NULL, badName, 1, NULL},    /* INVALID_ARGUMENT */
      {"Point", "A point.", ok, 2, NULL},      /* OK */
      {"Point", NULL, ok, 2, NULL},            /* declared twice: CONFLICT */
      {"Twice", NULL, twice, 2, NULL},         /* a field twice: CONFLICT */
      {"Id", NULL, NULL, 0, "string | number"} /* OK */
  };
  char statuses[128] = "statuses";
  size_t n = 8;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    if (i == 1) host->declare_module(ctx, "shapes", "");
    m3m_status s = host->declare_type(ctx, i == 0 ? "nope" : "shapes", &cases[i]);
    n += (size_t)snprintf(statuses + n, sizeof statuses - n, " %d", (int)s);
  }
  host->set_error(ctx, statuses);
  return 1;
}

int m3m_plugin_init_v1(const m3m_host_api_v1* h, m3m_plugin_v1* out) {
  host = h;
  out->abi_major = M3M_PLUGIN_ABI_MAJOR;
  out->abi_minor = M3M_PLUGIN_ABI_MINOR;
  out->name = "bad_types";
  out->version = "0.1.0";
  out->init = init;
  return 0;
}
