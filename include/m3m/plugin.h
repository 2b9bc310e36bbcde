/* m3m plugin ABI, version 1 (plain C; docs/plugins.md).
 *
 * A plugin is a shared object exporting one symbol, m3m_plugin_init_v1. The
 * major version is in the symbol's name (as Node-API's napi_register_module_v1),
 * so a library built for another major is "not an m3m plugin" to this host.
 * Within a major, the host's function table (m3m_host_api_v1) and the
 * plugin's description (m3m_plugin_v1) only grow at their ends (DuckDB's
 * append-only C API): a plugin built against minor N runs on every host of
 * minor >= N; the host refuses a plugin whose minor is newer than its own.
 * A host reading a plugin of an older minor uses only that minor's fields.
 *
 * 1.0  the entry, modules and functions, values, calls, pending results.
 * 1.1  declare_type (named TypeScript types), call_error_properties and
 *      pending_reject_properties (extra properties of the JS error object),
 *      call_read_file (a file of the calling project's storage).
 *
 * Nothing but these C types crosses the boundary: no exception, no C++ type,
 * no allocation freed on the other side. Values are opaque handles owned by a
 * host scope (a call, a pending result, the init); strings are UTF-8 with an
 * explicit length; errors are {code, message} with the codes of
 * include/m3m/error.hpp.
 *
 * Why handles over JSON text for values: bytes (a Uint8Array) cross as one
 * copy instead of base64 in a JSON string, and arguments are read in place
 * without serialising them (no parsing on either side); a plugin that prefers JSON has value_to_json and
 * value_from_json. */
#ifndef M3M_PLUGIN_H
#define M3M_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define M3M_PLUGIN_ABI_MAJOR 1
#define M3M_PLUGIN_ABI_MINOR 1

#if defined(__GNUC__)
#define M3M_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define M3M_PLUGIN_EXPORT
#endif

/* The codes of include/m3m/error.hpp (same names, same meaning: an HTTP status
 * and a JS error class). 0 is success. New codes are only appended. */
typedef enum m3m_status {
  M3M_OK = 0,
  M3M_ERR_INVALID_ARGUMENT = 1,
  M3M_ERR_UNAUTHENTICATED = 2,
  M3M_ERR_PERMISSION_DENIED = 3,
  M3M_ERR_NOT_FOUND = 4,
  M3M_ERR_METHOD_NOT_ALLOWED = 5,
  M3M_ERR_CONFLICT = 6,
  M3M_ERR_UNIQUE_VIOLATION = 7,
  M3M_ERR_PAYLOAD_TOO_LARGE = 8,
  M3M_ERR_UNSUPPORTED_MEDIA_TYPE = 9,
  M3M_ERR_LIMIT_EXCEEDED = 10,
  M3M_ERR_INTERNAL = 11,
  M3M_ERR_UNAVAILABLE = 12,
  M3M_ERR_TIMEOUT = 13
} m3m_status;

typedef enum m3m_type {
  M3M_TYPE_NULL = 0, /* null or undefined in JS */
  M3M_TYPE_BOOL = 1,
  M3M_TYPE_NUMBER = 2,
  M3M_TYPE_STRING = 3,
  M3M_TYPE_BYTES = 4, /* a Uint8Array (any ArrayBuffer or view on the way in) */
  M3M_TYPE_ARRAY = 5,
  M3M_TYPE_OBJECT = 6
} m3m_type;

typedef enum m3m_log_level { M3M_LOG_DEBUG = 0, M3M_LOG_INFO = 1, M3M_LOG_WARN = 2, M3M_LOG_ERROR = 3 } m3m_log_level;

/* Opaque handles. */
typedef struct m3m_value_s* m3m_value;     /* a value; lives as long as its scope */
typedef struct m3m_scope_s* m3m_scope;     /* where new values are made */
typedef struct m3m_call_s* m3m_call;       /* one call of a module function, valid until it returns */
typedef struct m3m_pending_s* m3m_pending; /* an async result, valid until resolved or rejected */
typedef struct m3m_plugin_ctx_s* m3m_plugin_ctx; /* this plugin, from init until shutdown returns */

/* How a module function runs (m3m_function_v1.flags). */
enum {
  M3M_FN_SYNC = 0,    /* returns its value before returning (call_return / call_error) */
  M3M_FN_ASYNC = 1,   /* a Promise in JS: call_defer, then settle the pending from any thread;
                         the function itself must return promptly (it runs on the project's JS thread) */
  M3M_FN_WAITING = 2  /* a waiting call: synchronous in JS, but run with the project's JS released
                         (other tasks of the project run meanwhile); poll call_cancelled while waiting */
};

typedef struct m3m_param_v1 {
  const char* name;  /* shown in the editor and in argument errors */
  const char* type;  /* TypeScript, as the editor shows it: "string", "{ size?: number }" */
  int optional;      /* nonzero: may be omitted (undefined) */
} m3m_param_v1;

typedef void (*m3m_function_cb)(void* data, m3m_call call);

/* A member of a named type (m3m_type_v1; since 1.1). */
typedef struct m3m_field_v1 {
  const char* name;  /* a JS identifier, or an index signature: "[key: string]" */
  const char* type;  /* TypeScript */
  int optional;      /* nonzero: `name?: type` */
  const char* doc;   /* may be NULL */
} m3m_field_v1;

/* A named TypeScript type declared with a module (since 1.1), so signatures
 * can say "TelegramMessage" instead of repeating an object type: printed once,
 * before the module's declaration, as `interface <name> { fields }`, or when
 * field_count is 0 as `type <name> = <definition>`. */
typedef struct m3m_type_v1 {
  const char* name;  /* a TypeScript identifier, unique among the plugin's types */
  const char* doc;   /* may be NULL */
  const m3m_field_v1* fields;
  size_t field_count;
  const char* definition; /* TypeScript; used when field_count is 0 */
} m3m_type_v1;

typedef struct m3m_function_v1 {
  const char* name;        /* a JS identifier: the function is <module>.<name> */
  const char* doc;         /* one or more sentences, shown as JSDoc */
  const m3m_param_v1* params;
  size_t param_count;
  const char* returns;     /* TypeScript of the result ("void"; for ASYNC, what the Promise resolves to) */
  uint32_t flags;          /* M3M_FN_* */
  m3m_function_cb fn;
  void* data;              /* handed back to fn; owned by the plugin */
} m3m_function_v1;

/* The host's table. Every function is safe to call from any thread unless it
 * says otherwise. Reading functions return NULL/0 on a wrong type. */
typedef struct m3m_host_api_v1 {
  uint32_t abi_major; /* M3M_PLUGIN_ABI_MAJOR of the host */
  uint32_t abi_minor; /* the host's minor: every field up to that minor's band is present */
  const char* host_version;

  /* ---- 1.0 ---------------------------------------------------------------- */
  /* Init (only inside m3m_plugin_v1.init, on the loading thread). */
  void (*set_error)(m3m_plugin_ctx ctx, const char* message);
  m3m_status (*declare_module)(m3m_plugin_ctx ctx, const char* name, const char* doc);
  m3m_status (*declare_function)(m3m_plugin_ctx ctx, const char* module, const m3m_function_v1* fn);
  m3m_value (*plugin_config)(m3m_plugin_ctx ctx); /* plugins.config.<name>, an object (valid until init returns) */
  /* The server log, prefixed with the plugin's name (any time until shutdown returns). */
  void (*log)(m3m_plugin_ctx ctx, m3m_log_level level, const char* message, size_t len);

  /* Reading values. */
  m3m_type (*value_type)(m3m_value v);
  int (*value_bool)(m3m_value v);
  double (*value_number)(m3m_value v);
  /* A string's UTF-8 or a bytes value's data; NULL for other types. Not NUL-terminated for bytes. */
  const char* (*value_data)(m3m_value v, size_t* len);
  size_t (*value_length)(m3m_value v); /* items of an array, members of an object */
  m3m_value (*array_get)(m3m_value array, size_t index);                  /* NULL past the end */
  m3m_value (*object_get)(m3m_value object, const char* key, size_t len); /* NULL when missing */
  const char* (*object_key_at)(m3m_value object, size_t index, size_t* len);
  m3m_value (*object_value_at)(m3m_value object, size_t index);

  /* Making values in a scope (one thread at a time per scope). */
  m3m_value (*make_null)(m3m_scope s);
  m3m_value (*make_bool)(m3m_scope s, int b);
  m3m_value (*make_number)(m3m_scope s, double n);
  m3m_value (*make_string)(m3m_scope s, const char* utf8, size_t len);
  m3m_value (*make_bytes)(m3m_scope s, const void* data, size_t len);
  m3m_value (*make_array)(m3m_scope s);
  m3m_value (*make_object)(m3m_scope s);
  /* Adds to an array or object made in the same scope; the item is moved in
   * (its handle then reads as null). */
  m3m_status (*array_push)(m3m_value array, m3m_value item);
  m3m_status (*object_set)(m3m_value object, const char* key, size_t len, m3m_value item);
  /* JSON text ↔ value (no bytes in JSON: they print as arrays of numbers). */
  m3m_status (*value_from_json)(m3m_scope s, const char* json, size_t len, m3m_value* out);
  const char* (*value_to_json)(m3m_scope s, m3m_value v, size_t* len); /* text lives in s */
  m3m_value (*value_copy)(m3m_scope s, m3m_value v); /* a deep copy in s (to return an argument) */

  /* A call (on the thread that runs the function, before it returns). */
  size_t (*call_argc)(m3m_call c);
  m3m_value (*call_arg)(m3m_call c, size_t index); /* a null value past the end */
  m3m_scope (*call_scope)(m3m_call c);
  void (*call_return)(m3m_call c, m3m_value result);
  void (*call_error)(m3m_call c, m3m_status code, const char* message);
  m3m_pending (*call_defer)(m3m_call c); /* ASYNC functions only; NULL otherwise */
  int (*call_cancelled)(m3m_call c);     /* nonzero: the run ends or the plugin reloads; return soon */
  const char* (*call_project)(m3m_call c); /* the calling project's slug */
  /* A line in the calling project's run log. */
  void (*call_log)(m3m_call c, m3m_log_level level, const char* message, size_t len);

  /* A pending result (any thread; the first settle wins, then the handle is gone). */
  m3m_scope (*pending_scope)(m3m_pending p);
  void (*pending_resolve)(m3m_pending p, m3m_value result);
  void (*pending_reject)(m3m_pending p, m3m_status code, const char* message);
  int (*pending_cancelled)(m3m_pending p); /* nonzero: nobody waits any more (run ended, plugin stopping) */

  /* ---- 1.1 ---------------------------------------------------------------- */
  /* Init: a named type of `module` (declared before). */
  m3m_status (*declare_type)(m3m_plugin_ctx ctx, const char* module, const m3m_type_v1* type);
  /* call_error / pending_reject with extra properties of the JS error object:
   * `properties` is an object made in the call's (pending's) scope, moved in;
   * each member becomes a property of the error (`err.error_code`) except
   * name, message, stack, code and fields, which stay the host's. NULL or a
   * non-object: none. */
  void (*call_error_properties)(m3m_call c, m3m_status code, const char* message, m3m_value properties);
  void (*pending_reject_properties)(m3m_pending p, m3m_status code, const char* message, m3m_value properties);
  /* A file of the calling project's storage (the project's storage module's
   * path rules, checked by the host: relative, no "..", inside the project's
   * folder). On M3M_OK *out is its bytes (M3M_TYPE_BYTES, in the call's
   * scope); otherwise the status says why (M3M_ERR_NOT_FOUND, _INVALID_ARGUMENT,
   * _PAYLOAD_TOO_LARGE when larger than max_bytes, 0 = no limit) and *out is a
   * string with the host's message. On the thread running the call. */
  m3m_status (*call_read_file)(m3m_call c, const char* path, size_t len, size_t max_bytes, m3m_value* out);
} m3m_host_api_v1;

/* What the plugin tells the host, filled by m3m_plugin_init_v1. */
typedef struct m3m_plugin_v1 {
  uint32_t abi_major; /* set to M3M_PLUGIN_ABI_MAJOR */
  uint32_t abi_minor; /* set to M3M_PLUGIN_ABI_MINOR: the minor the plugin was built against */
  const char* name;   /* [a-z][a-z0-9_]*: the key of plugins.config.<name> */
  const char* version;
  const char* description;
  const char* author;
  const char* url;
  /* Declares the modules (declare_module / declare_function), reads the config.
   * Returns 0 on success; otherwise set_error says why. */
  int (*init)(m3m_plugin_ctx ctx, const char* config_json, size_t config_len);
  /* At stop or before a reload: end every thread the plugin started and settle
   * or forget its pendings; the host calls nothing of the plugin afterwards. */
  void (*shutdown)(void);
} m3m_plugin_v1;

/* The one exported entry. Fills `out` (strings must live until shutdown) and
 * returns 0; nonzero refuses to load (e.g. host->abi_minor older than needed).
 * Do no work here: the host checks versions before calling init. */
M3M_PLUGIN_EXPORT int m3m_plugin_init_v1(const m3m_host_api_v1* host, m3m_plugin_v1* out);
typedef int (*m3m_plugin_init_v1_fn)(const m3m_host_api_v1* host, m3m_plugin_v1* out);

#ifdef __cplusplus
}
#endif

#endif /* M3M_PLUGIN_H */
