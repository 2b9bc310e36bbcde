/* A plugin for a future ABI major: only m3m_plugin_init_v2 exists. */
__attribute__((visibility("default"))) int m3m_plugin_init_v2(const void* host, void* out) { return 0; }
