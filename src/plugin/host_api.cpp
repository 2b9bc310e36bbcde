#include "lib/regex.hpp"
#include "plugin/host_api.hpp"

#include <spdlog/spdlog.h>

#include <m3m/version.hpp>

#include "runtime/error_properties.hpp"
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::plugin {
namespace {

Value* val(m3m_value v) { return reinterpret_cast<Value*>(v); }
m3m_value handle(Value* v) { return reinterpret_cast<m3m_value>(v); }
m3m_value make(m3m_scope s, Value v) {
  if (!s) return nullptr;
  s->nodes.push_back(std::move(v));
  return handle(&s->nodes.back());
}

bool isIdentifier(const char* s) {
  static const lib::Regex re("[A-Za-z_$][A-Za-z0-9_$]*");
  return s && re.fullMatch(s) == lib::Regex::Result::found;
}

std::string str(const char* s) { return s ? s : ""; }

m3m_status statusOf(ErrorCode code) {
  switch (code) {
#define M3M_CODE_STATUS(c, http, js) \
  case ErrorCode::c:                 \
    return M3M_ERR_##c;
    M3M_ERRORS(M3M_CODE_STATUS)
#undef M3M_CODE_STATUS
  }
  return M3M_ERR_INTERNAL;
}

// ---- init ------------------------------------------------------------------

void setError(m3m_plugin_ctx ctx, const char* message) {
  // The plugin's words, then why the host refused its declaration, if it did
  // ("cannot declare type Point (declare_type: type Point declared twice)").
  if (ctx) ctx->error = str(message) + (ctx->hostError.empty() ? "" : " (" + ctx->hostError + ")");
}

m3m_status declareModule(m3m_plugin_ctx ctx, const char* name, const char* doc) {
  if (!ctx || !ctx->initializing) return M3M_ERR_CONFLICT;
  ctx->hostError.clear();
  if (!isIdentifier(name)) {
    ctx->hostError = "module name \"" + str(name) + "\" is not a JS identifier";
    return M3M_ERR_INVALID_ARGUMENT;
  }
  auto& mods = ctx->instance->modulesForInit();
  for (const auto& m : mods)
    if (m.name == name) {
      ctx->hostError = "module " + m.name + " declared twice";
      return M3M_ERR_CONFLICT;
    }
  mods.push_back({name, str(doc), {}, {}});
  return M3M_OK;
}

// The module a declare_* call names, declared earlier by this plugin; null
// (and hostError says so, naming `call`) when it was not.
DeclaredModule* declaredModule(m3m_plugin_ctx ctx, const char* module, const char* call) {
  for (auto& m : ctx->instance->modulesForInit())
    if (m.name == str(module)) return &m;
  ctx->hostError = std::string(call) + ": module \"" + str(module) + "\" was not declared (declare_module first)";
  return nullptr;
}

m3m_status declareFunction(m3m_plugin_ctx ctx, const char* module, const m3m_function_v1* fn) {
  if (!ctx || !ctx->initializing) return M3M_ERR_CONFLICT;
  ctx->hostError.clear();
  DeclaredModule* mod = declaredModule(ctx, module, "declare_function");
  if (!mod) return M3M_ERR_NOT_FOUND;
  if (!fn || !isIdentifier(fn->name) || !fn->fn) {
    ctx->hostError = "declare_function: " + mod->name + "." + (fn ? str(fn->name) : "?") +
                 ": needs a JS identifier as name and a function";
    return M3M_ERR_INVALID_ARGUMENT;
  }
  const std::uint32_t kinds = fn->flags & (M3M_FN_ASYNC | M3M_FN_WAITING);
  if (kinds == (M3M_FN_ASYNC | M3M_FN_WAITING) || (fn->flags & ~std::uint32_t(M3M_FN_ASYNC | M3M_FN_WAITING))) {
    ctx->hostError = "declare_function: " + mod->name + "." + fn->name + ": unknown or conflicting flags";
    return M3M_ERR_INVALID_ARGUMENT;
  }
  for (const auto& f : mod->functions)
    if (f.name == fn->name) {
      ctx->hostError = "declare_function: " + mod->name + "." + f.name + " declared twice";
      return M3M_ERR_CONFLICT;
    }
  DeclaredFunction d;
  d.name = fn->name;
  d.doc = str(fn->doc);
  d.returns = fn->returns && *fn->returns ? fn->returns : (fn->flags & M3M_FN_ASYNC ? "unknown" : "void");
  d.flags = fn->flags;
  d.fn = fn->fn;
  d.data = fn->data;
  for (size_t i = 0; i < fn->param_count; ++i) {
    const auto& p = fn->params[i];
    if (!isIdentifier(p.name)) {
      ctx->hostError = "declare_function: " + mod->name + "." + d.name + ": parameter " + std::to_string(i + 1) +
                   " needs a JS identifier as name";
      return M3M_ERR_INVALID_ARGUMENT;
    }
    d.params.push_back({p.name, p.type && *p.type ? p.type : "unknown", p.optional != 0});
  }
  mod->functions.push_back(std::move(d));
  return M3M_OK;
}

m3m_value pluginConfig(m3m_plugin_ctx ctx) { return ctx ? handle(&ctx->config) : nullptr; }

// "[key: string]" / "[i: number]": an index signature as a member's name.
bool isIndexSignature(const char* s) {
  static const lib::Regex re(R"(\[[A-Za-z_$][A-Za-z0-9_$]*: (string|number)\])");
  return s && re.fullMatch(s) == lib::Regex::Result::found;
}

m3m_status declareType(m3m_plugin_ctx ctx, const char* module, const m3m_type_v1* type) {
  if (!ctx || !ctx->initializing) return M3M_ERR_CONFLICT;
  ctx->hostError.clear();
  auto& mods = ctx->instance->modulesForInit();
  DeclaredModule* mod = declaredModule(ctx, module, "declare_type");
  if (!mod) return M3M_ERR_NOT_FOUND;
  if (!type || !isIdentifier(type->name)) {
    ctx->hostError = "declare_type: " + mod->name + ": a type needs a TypeScript identifier as name";
    return M3M_ERR_INVALID_ARGUMENT;
  }
  const std::string name = type->name;
  for (const auto& m : mods)
    for (const auto& t : m.types)
      if (t.name == name) {
        ctx->hostError = "declare_type: type " + name + " declared twice";
        return M3M_ERR_CONFLICT;
      }
  DeclaredType d;
  d.name = name;
  d.doc = str(type->doc);
  if (type->field_count == 0) {
    d.definition = str(type->definition);
    if (d.definition.empty()) {
      ctx->hostError = "declare_type: " + name + ": needs fields or a definition";
      return M3M_ERR_INVALID_ARGUMENT;
    }
  }
  for (size_t i = 0; i < type->field_count; ++i) {
    const auto& f = type->fields[i];
    if (!(isIdentifier(f.name) || (isIndexSignature(f.name) && !f.optional)) || !f.type || !*f.type) {
      ctx->hostError = "declare_type: " + name + ": field " + std::to_string(i + 1) +
                   " needs a JS identifier (or an index signature such as [key: string]) as name and a type";
      return M3M_ERR_INVALID_ARGUMENT;
    }
    for (const auto& other : d.fields)
      if (other.name == f.name) {
        ctx->hostError = "declare_type: " + name + "." + other.name + " declared twice";
        return M3M_ERR_CONFLICT;
      }
    d.fields.push_back({f.name, f.type, str(f.doc), f.optional != 0});
  }
  mod->types.push_back(std::move(d));
  return M3M_OK;
}

void pluginLog(m3m_plugin_ctx ctx, m3m_log_level level, const char* message, size_t len) {
  if (!ctx || !ctx->instance || !message) return;
  auto& log = ctx->instance->log();
  const std::string_view text(message, len);
  const auto& name = ctx->instance->meta().name;
  switch (level) {
    case M3M_LOG_DEBUG: log.debug("plugin {}: {}", name, text); break;
    case M3M_LOG_WARN: log.warn("plugin {}: {}", name, text); break;
    case M3M_LOG_ERROR: log.error("plugin {}: {}", name, text); break;
    default: log.info("plugin {}: {}", name, text);
  }
}

// ---- values ----------------------------------------------------------------

m3m_type valueType(m3m_value h) {
  const Value* v = val(h);
  if (!v || v->is_null()) return M3M_TYPE_NULL;
  if (v->is_boolean()) return M3M_TYPE_BOOL;
  if (v->is_number()) return M3M_TYPE_NUMBER;
  if (v->is_string()) return M3M_TYPE_STRING;
  if (v->is_binary()) return M3M_TYPE_BYTES;
  if (v->is_array()) return M3M_TYPE_ARRAY;
  if (v->is_object()) return M3M_TYPE_OBJECT;
  return M3M_TYPE_NULL;  // discarded
}
int valueBool(m3m_value h) { return val(h) && val(h)->is_boolean() && val(h)->get<bool>() ? 1 : 0; }
double valueNumber(m3m_value h) { return val(h) && val(h)->is_number() ? val(h)->get<double>() : 0.0; }
const char* valueData(m3m_value h, size_t* len) {
  const Value* v = val(h);
  if (len) *len = 0;
  if (v && v->is_string()) {
    const auto& s = v->get_ref<const std::string&>();
    if (len) *len = s.size();
    return s.c_str();
  }
  if (v && v->is_binary()) {
    const auto& b = v->get_binary();
    if (len) *len = b.size();
    static const char empty = 0;
    return b.empty() ? &empty : reinterpret_cast<const char*>(b.data());
  }
  return nullptr;
}
size_t valueLength(m3m_value h) {
  const Value* v = val(h);
  return v && (v->is_array() || v->is_object()) ? v->size() : 0;
}
m3m_value arrayGet(m3m_value h, size_t i) {
  Value* v = val(h);
  return v && v->is_array() && i < v->size() ? handle(&(*v)[i]) : nullptr;
}
m3m_value objectGet(m3m_value h, const char* key, size_t len) {
  Value* v = val(h);
  if (!v || !v->is_object() || !key) return nullptr;
  auto it = v->find(std::string(key, len));
  return it == v->end() ? nullptr : handle(&*it);
}
const char* objectKeyAt(m3m_value h, size_t i, size_t* len) {
  Value* v = val(h);
  if (len) *len = 0;
  if (!v || !v->is_object() || i >= v->size()) return nullptr;
  auto it = v->begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  const std::string& k = it.key();
  if (len) *len = k.size();
  return k.c_str();
}
m3m_value objectValueAt(m3m_value h, size_t i) {
  Value* v = val(h);
  if (!v || !v->is_object() || i >= v->size()) return nullptr;
  auto it = v->begin();
  std::advance(it, static_cast<std::ptrdiff_t>(i));
  return handle(&*it);
}

m3m_value makeNull(m3m_scope s) { return make(s, nullptr); }
m3m_value makeBool(m3m_scope s, int b) { return make(s, b != 0); }
m3m_value makeNumber(m3m_scope s, double n) { return make(s, n); }
m3m_value makeString(m3m_scope s, const char* p, size_t n) { return make(s, std::string(p ? p : "", p ? n : 0)); }
m3m_value makeBytes(m3m_scope s, const void* p, size_t n) {
  return make(s, bytesValue(std::string_view(static_cast<const char*>(p ? p : ""), p ? n : 0)));
}
m3m_value makeArray(m3m_scope s) { return make(s, Value::array()); }
m3m_value makeObject(m3m_scope s) { return make(s, Value::object()); }
m3m_status arrayPush(m3m_value a, m3m_value item) {
  if (!val(a) || !val(a)->is_array()) return M3M_ERR_INVALID_ARGUMENT;
  val(a)->push_back(item ? std::move(*val(item)) : Value());
  if (item) *val(item) = nullptr;
  return M3M_OK;
}
m3m_status objectSet(m3m_value o, const char* key, size_t len, m3m_value item) {
  if (!val(o) || !val(o)->is_object() || !key) return M3M_ERR_INVALID_ARGUMENT;
  (*val(o))[std::string(key, len)] = item ? std::move(*val(item)) : Value();
  if (item) *val(item) = nullptr;
  return M3M_OK;
}
m3m_status valueFromJson(m3m_scope s, const char* text, size_t len, m3m_value* out) {
  if (!s || !text || !out) return M3M_ERR_INVALID_ARGUMENT;
  auto v = Value::parse(std::string_view(text, len), nullptr, false);
  if (v.is_discarded()) return M3M_ERR_INVALID_ARGUMENT;
  *out = make(s, std::move(v));
  return M3M_OK;
}
const char* valueToJson(m3m_scope s, m3m_value v, size_t* len) {
  if (!s) return nullptr;
  s->texts.push_back(v ? val(v)->dump(-1, ' ', false, Value::error_handler_t::replace) : "null");
  if (len) *len = s->texts.back().size();
  return s->texts.back().c_str();
}

m3m_value valueCopy(m3m_scope s, m3m_value v) { return make(s, v ? *val(v) : Value()); }

// ---- calls -----------------------------------------------------------------

size_t callArgc(m3m_call c) { return c ? c->args->size() : 0; }
m3m_value callArg(m3m_call c, size_t i) {
  static Value null;  // read-only: object_set / array_push refuse a null
  if (!c || i >= c->args->size()) return handle(&null);
  return handle(const_cast<Value*>(&(*c->args)[i]));
}
m3m_scope callScope(m3m_call c) { return c ? &c->scope : nullptr; }
void callReturn(m3m_call c, m3m_value v) {
  if (!c || c->returned) return;
  c->returned = true;
  c->result = v ? std::move(*val(v)) : Value();
}
void callError(m3m_call c, m3m_status code, const char* message) {
  if (!c || c->returned) return;
  c->returned = true;
  c->error = errorOf(code, message, c->qualified);
}
m3m_pending callDefer(m3m_call c) {
  if (!c || !(c->function->flags & M3M_FN_ASYNC) || c->returned || c->pending) return nullptr;
  c->pending = std::make_shared<m3m_pending_s>();
  c->pending->owner = c->instance;
  c->pending->qualified = c->qualified;
  c->instance->addPending(c->pending);
  return c->pending.get();
}
int callCancelled(m3m_call c) { return c && (c->stop.stop_requested() || c->instance->stopping()) ? 1 : 0; }
const char* callProject(m3m_call c) { return c && c->context ? c->context->projectSlug().c_str() : ""; }
void callLog(m3m_call c, m3m_log_level level, const char* message, size_t len) {
  if (!c || !c->context || !message) return;
  static const char* names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  c->context->log(level >= 0 && level <= 3 ? names[level] : "INFO", std::string_view(message, len));
}

void callErrorProperties(m3m_call c, m3m_status code, const char* message, m3m_value properties) {
  if (!c || c->returned) return;
  c->returned = true;
  c->error = runtime::withErrorProperties(errorOf(code, message, c->qualified), properties ? *val(properties) : Value());
  if (properties) *val(properties) = nullptr;
}

m3m_status callReadFile(m3m_call c, const char* path, size_t len, size_t maxBytes, m3m_value* out) {
  if (!out) return M3M_ERR_INVALID_ARGUMENT;
  *out = nullptr;
  if (!c) return M3M_ERR_INVALID_ARGUMENT;
  auto fail = [&](m3m_status status, const std::string& message) {
    *out = make(&c->scope, message);
    return status;
  };
  runtime::StorageBackend* storage = c->instance ? c->instance->storage() : nullptr;
  if (!storage || !c->context) return fail(M3M_ERR_UNAVAILABLE, "the project's storage is not available here");
  if (!path) return fail(M3M_ERR_INVALID_ARGUMENT, "no path");
  const std::string p(path, len);
  try {
    // The storage module's own backend: its path rules (relative, no "..",
    // inside the project's folder) are the host's, not the plugin's.
    const Value st = storage->stat(c->context->projectId(), p);
    if (st.is_null()) return fail(M3M_ERR_NOT_FOUND, "no file \"" + p + "\" in the project's storage");
    if (st.value("is_dir", false)) return fail(M3M_ERR_INVALID_ARGUMENT, "\"" + p + "\" is a folder, not a file");
    if (maxBytes && st.value("size", std::uint64_t{0}) > maxBytes)
      return fail(M3M_ERR_PAYLOAD_TOO_LARGE, "\"" + p + "\" is larger than " + std::to_string(maxBytes) + " bytes");
    *out = make(&c->scope, bytesValue(storage->read(c->context->projectId(), p)));
    return M3M_OK;
  } catch (const Error& e) {
    return fail(statusOf(e.code()), e.what());
  } catch (const std::exception& e) {
    return fail(M3M_ERR_INTERNAL, e.what());
  }
}

// ---- pending results -------------------------------------------------------

m3m_scope pendingScope(m3m_pending p) { return p ? &p->scope : nullptr; }
void pendingResolve(m3m_pending p, m3m_value v) {
  if (!p) return;
  Value value = v ? std::move(*val(v)) : Value();
  p->settle(std::move(value), std::nullopt);
}
void pendingReject(m3m_pending p, m3m_status code, const char* message) {
  if (!p) return;
  m3m::plugin::Instance* owner = nullptr;
  {
    std::lock_guard lock(p->mutex);
    owner = p->owner;
  }
  if ((!message || !*message) && owner && owner->stopping())
    return p->settle(nullptr, Error(ErrorCode::UNAVAILABLE, p->qualified + ": plugin " + owner->meta().name + " stopped"));
  p->settle(nullptr, errorOf(code, message, p->qualified));
}
void pendingRejectProperties(m3m_pending p, m3m_status code, const char* message, m3m_value properties) {
  if (!p) return;
  Value props = properties ? std::move(*val(properties)) : Value();
  p->settle(nullptr, runtime::withErrorProperties(errorOf(code, message, p->qualified), props));
}

int pendingCancelled(m3m_pending p) {
  if (!p) return 1;
  std::lock_guard lock(p->mutex);
  return p->settled || p->cancelled || p->stop.stop_requested() || (p->owner && p->owner->stopping()) ? 1 : 0;
}

const m3m_host_api_v1 kTable = {
    M3M_PLUGIN_ABI_MAJOR, M3M_PLUGIN_ABI_MINOR, VERSION,
    setError, declareModule, declareFunction, pluginConfig, pluginLog,
    valueType, valueBool, valueNumber, valueData, valueLength, arrayGet, objectGet, objectKeyAt, objectValueAt,
    makeNull, makeBool, makeNumber, makeString, makeBytes, makeArray, makeObject, arrayPush, objectSet,
    valueFromJson, valueToJson, valueCopy,
    callArgc, callArg, callScope, callReturn, callError, callDefer, callCancelled, callProject, callLog,
    pendingScope, pendingResolve, pendingReject, pendingCancelled,
    // 1.1
    declareType, callErrorProperties, pendingRejectProperties, callReadFile,
};

}  // namespace

const m3m_host_api_v1& hostApi() { return kTable; }

ErrorCode codeOf(m3m_status status) {
  switch (status) {
#define M3M_STATUS_CODE(code, http, js) \
  case M3M_ERR_##code:                   \
    return ErrorCode::code;
    M3M_ERRORS(M3M_STATUS_CODE)
#undef M3M_STATUS_CODE
    default:
      return ErrorCode::INTERNAL;
  }
}

Error errorOf(m3m_status code, const char* message, const std::string& qualified) {
  std::string text = message && *message ? message : qualified + ": failed without a message";
  return Error(code == M3M_OK ? ErrorCode::INTERNAL : codeOf(code), std::move(text));
}

Outcome invoke(Instance& instance, const DeclaredFunction& fn, const std::string& qualified,
               const std::vector<Value>& args, CallContext* context, std::stop_token stop) {
  m3m_call_s call;
  call.args = &args;
  call.context = context;
  call.instance = &instance;
  call.function = &fn;
  call.qualified = qualified;
  call.stop = std::move(stop);
  fn.fn(fn.data, &call);
  Outcome out;
  if (call.pending) {
    out.pending = std::move(call.pending);
    // A function that deferred and then failed: the failure settles the pending.
    if (call.error) out.pending->settle(nullptr, std::move(call.error));
    return out;
  }
  out.value = std::move(call.result);
  out.error = std::move(call.error);
  return out;
}

}  // namespace m3m::plugin

void m3m_pending_s::settle(m3m::Value value, std::optional<m3m::Error> error) {
  std::optional<m3m::Completion> c;
  m3m::plugin::Instance* from = nullptr;
  {
    std::lock_guard lock(mutex);
    if (settled) return;
    settled = true;
    from = owner;
    if (completion) c = std::move(completion);
    else early.emplace(std::move(value), std::move(error));
  }
  if (c) {
    if (error) c->reject(std::move(*error));
    else c->resolve(std::move(value));
  }
  if (from) from->settledPending(this);
}

void m3m_pending_s::attach(m3m::Completion c, std::stop_token st) {
  std::optional<std::pair<m3m::Value, std::optional<m3m::Error>>> ready;
  {
    std::lock_guard lock(mutex);
    stop = std::move(st);
    if (early) ready = std::move(early);
    else if (!settled) completion = std::move(c);
  }
  if (ready) {
    if (ready->second) c.reject(std::move(*ready->second));
    else c.resolve(std::move(ready->first));
  }
}
