// m3m plugin SDK, the C++ side: header-only and inline over the C table of
// <m3m/plugin.h>, adding no ABI of its own (docs/plugins.md). A plugin is a
// few typed functions:
//
//   M3M_PLUGIN((m3m::sdk::Info{"hello", "1.0.0", "Greets.", "me", "https://…"}),
//              [](m3m::sdk::Init& init) {
//                init.module("hello", "Greetings.")
//                    .fn({"greet", "Returns a greeting.", {{"name"}}},
//                        [](std::string name) { return "Hello, " + name + "!"; });
//              })
//
// Argument types are read from the C++ signature (std::string, double, int,
// bool, Bytes, View, std::optional<T>) and give the TypeScript the editor
// shows; a wrong argument fails with "hello.greet: argument 1 (name) must be a
// string". Any exception becomes an error at the boundary: m3m::sdk::Error
// keeps its code, anything else is INTERNAL. Build with -fvisibility=hidden
// (m3m_add_plugin does): the state below is then private to the plugin.
#pragma once

#include <m3m/plugin.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace m3m::sdk {

struct Info {
  std::string name, version, description, author, url;
};

// An error with a code of include/m3m/error.hpp: `err.code` in JS.
class Error : public std::runtime_error {
 public:
  Error(m3m_status code, const std::string& message) : std::runtime_error(message), code_(code) {}
  m3m_status code() const noexcept { return code_; }

 private:
  m3m_status code_;
};

// Bytes: a Uint8Array in JS (a string argument is accepted as its UTF-8).
struct Bytes {
  std::string data;
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

// A value the host owns (an argument, the config): read it, do not keep it.
class View {
 public:
  View(m3m_value v = nullptr) : v_(v) {}
  m3m_type type() const { return v_ ? detail::api().value_type(v_) : M3M_TYPE_NULL; }
  bool isNull() const { return type() == M3M_TYPE_NULL; }
  bool isString() const { return type() == M3M_TYPE_STRING; }
  bool isNumber() const { return type() == M3M_TYPE_NUMBER; }
  bool isBool() const { return type() == M3M_TYPE_BOOL; }
  bool isBytes() const { return type() == M3M_TYPE_BYTES; }
  bool isArray() const { return type() == M3M_TYPE_ARRAY; }
  bool isObject() const { return type() == M3M_TYPE_OBJECT; }
  bool boolean() const { return detail::api().value_bool(v_) != 0; }
  double number() const { return detail::api().value_number(v_); }
  // A string's UTF-8 or the bytes of a Uint8Array.
  std::string_view data() const {
    size_t n = 0;
    const char* p = v_ ? detail::api().value_data(v_, &n) : nullptr;
    return p ? std::string_view(p, n) : std::string_view();
  }
  std::string str() const { return std::string(data()); }
  size_t size() const { return v_ ? detail::api().value_length(v_) : 0; }
  View operator[](size_t i) const { return View(detail::api().array_get(v_, i)); }
  // A member of an object, or a null View.
  View get(std::string_view key) const {
    return isObject() ? View(detail::api().object_get(v_, key.data(), key.size())) : View();
  }
  std::string keyAt(size_t i) const {
    size_t n = 0;
    const char* p = detail::api().object_key_at(v_, i, &n);
    return p ? std::string(p, n) : std::string();
  }
  View valueAt(size_t i) const { return View(detail::api().object_value_at(v_, i)); }
  m3m_value handle() const { return v_; }

 private:
  m3m_value v_;
};

// JSON text → a value in `scope` (INVALID_ARGUMENT when it is not JSON).
inline View parseJson(m3m_scope scope, std::string_view text) {
  m3m_value v = nullptr;
  if (detail::api().value_from_json(scope, text.data(), text.size(), &v) != M3M_OK)
    throw Error(M3M_ERR_INVALID_ARGUMENT, "not JSON");
  return View(v);
}
// A value as JSON text (the text lives in `scope`).
inline std::string toJson(m3m_scope scope, View v) {
  size_t n = 0;
  const char* p = detail::api().value_to_json(scope, v.handle(), &n);
  return p ? std::string(p, n) : std::string("null");
}

// A value the plugin builds to return: null, bool, number, string, bytes,
// array, object, or JSON text the host parses (raw).
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;
  struct Raw {
    std::string text;
  };
  struct Copy {
    m3m_value value;
  };
  Json() : v_(nullptr) {}
  Json(std::nullptr_t) : v_(nullptr) {}
  Json(bool b) : v_(b) {}
  Json(double n) : v_(n) {}
  Json(int n) : v_(static_cast<double>(n)) {}
  Json(std::int64_t n) : v_(static_cast<double>(n)) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Bytes b) : v_(std::move(b)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}
  Json(Raw r) : v_(std::move(r)) {}
  Json(Copy c) : v_(c) {}
  static Json array(Array a = {}) { return Json(std::move(a)); }
  static Json object(Object o = {}) { return Json(std::move(o)); }
  static Json raw(std::string jsonText) { return Json(Raw{std::move(jsonText)}); }
  // A copy of a host value (an argument, the config), e.g. to return it.
  static Json copy(View v) { return Json(Copy{v.handle()}); }

  // Made in the host's scope (a call's or a pending's).
  m3m_value make(m3m_scope s) const {
    const auto& a = detail::api();
    return std::visit(
        [&](const auto& x) -> m3m_value {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) return a.make_null(s);
          else if constexpr (std::is_same_v<T, bool>) return a.make_bool(s, x ? 1 : 0);
          else if constexpr (std::is_same_v<T, double>) return a.make_number(s, x);
          else if constexpr (std::is_same_v<T, std::string>) return a.make_string(s, x.data(), x.size());
          else if constexpr (std::is_same_v<T, Bytes>) return a.make_bytes(s, x.data.data(), x.data.size());
          else if constexpr (std::is_same_v<T, Array>) {
            m3m_value arr = a.make_array(s);
            for (const auto& item : x) a.array_push(arr, item.make(s));
            return arr;
          } else if constexpr (std::is_same_v<T, Object>) {
            m3m_value obj = a.make_object(s);
            for (const auto& [k, item] : x) a.object_set(obj, k.data(), k.size(), item.make(s));
            return obj;
          } else if constexpr (std::is_same_v<T, Copy>) {
            return a.value_copy(s, x.value);
          } else {
            m3m_value out = nullptr;
            if (a.value_from_json(s, x.text.data(), x.text.size(), &out) != M3M_OK)
              throw Error(M3M_ERR_INTERNAL, "invalid JSON from the plugin");
            return out;
          }
        },
        v_);
  }

 private:
  std::variant<std::nullptr_t, bool, double, std::string, Bytes, Array, Object, Raw, Copy> v_;
};

// The call being served (first parameter of a function, when wanted).
class Call {
 public:
  explicit Call(m3m_call c) : c_(c) {}
  std::string project() const { return detail::api().call_project(c_); }
  // A waiting function polls this: true when the run ends or the plugin reloads.
  bool cancelled() const { return detail::api().call_cancelled(c_) != 0; }
  void log(m3m_log_level level, std::string_view message) const {
    detail::api().call_log(c_, level, message.data(), message.size());
  }
  m3m_call handle() const { return c_; }
  // Where values made during this call live (until it returns).
  m3m_scope scope() const { return detail::api().call_scope(c_); }

 private:
  m3m_call c_;
};

// An async result, settled once from any thread. Move-only; one dropped
// unsettled rejects (INTERNAL), so a Promise never hangs on a plugin bug.
class Pending {
 public:
  explicit Pending(m3m_pending p) : p_(p), unwinding_(std::uncaught_exceptions()) {}
  Pending(Pending&& o) noexcept : p_(std::exchange(o.p_, nullptr)), unwinding_(std::uncaught_exceptions()) {}
  Pending& operator=(Pending&& o) noexcept {
    if (this != &o) {
      drop();
      p_ = std::exchange(o.p_, nullptr);
      unwinding_ = std::uncaught_exceptions();
    }
    return *this;
  }
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;
  ~Pending() { drop(); }

  void resolve(const Json& value) {
    if (!p_) return;
    m3m_value v = nullptr;
    try {
      v = value.make(detail::api().pending_scope(p_));
    } catch (const std::exception& e) {
      return reject(M3M_ERR_INTERNAL, e.what());
    }
    detail::api().pending_resolve(std::exchange(p_, nullptr), v);
  }
  void reject(m3m_status code, const std::string& message) {
    if (p_) detail::api().pending_reject(std::exchange(p_, nullptr), code, message.c_str());
  }
  // Runs f and settles with its result, or rejects with its exception.
  template <class F>
  void settle(F&& f) noexcept {
    try {
      resolve(Json(f()));
    } catch (const Error& e) {
      reject(e.code(), e.what());
    } catch (const std::exception& e) {
      reject(M3M_ERR_INTERNAL, e.what());
    } catch (...) {
      reject(M3M_ERR_INTERNAL, "unknown exception");
    }
  }
  bool cancelled() const { return !p_ || detail::api().pending_cancelled(p_) != 0; }
  // Where values made for this result live (one thread at a time).
  m3m_scope scope() const { return p_ ? detail::api().pending_scope(p_) : nullptr; }

 private:
  void drop() {
    if (!p_) return;
    // Dropped while an exception leaves the function: the host settles it
    // with that exception's error (the call's error wins over a drop).
    if (std::uncaught_exceptions() > unwinding_) return void(p_ = nullptr);
    // Nobody waits (the run ended, the plugin stops): the host words it.
    if (detail::api().pending_cancelled(p_)) detail::api().pending_reject(std::exchange(p_, nullptr), M3M_ERR_UNAVAILABLE, "");
    else detail::api().pending_reject(std::exchange(p_, nullptr), M3M_ERR_INTERNAL, "the plugin dropped its result");
  }
  m3m_pending p_;
  int unwinding_;
};

// A parameter: its TypeScript type is inferred from the C++ one unless given.
struct Param {
  Param(const char* n, std::string t = "") : name(n), type(std::move(t)) {}
  std::string name;
  std::string type;  // empty: inferred
};

struct Decl {
  Decl(std::string n, std::string d = "", std::vector<Param> p = {}, std::string r = "")
      : name(std::move(n)), doc(std::move(d)), params(std::move(p)), returns(std::move(r)) {}
  std::string name;
  std::string doc;
  std::vector<Param> params;
  std::string returns;  // empty: inferred (for async: what the Promise resolves to; required)
};

namespace detail {

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {
  using type = T;
};

template <class T>
std::string tsParam() {
  if constexpr (IsOptional<T>::value) return tsParam<typename IsOptional<T>::type>();
  else if constexpr (std::is_same_v<T, std::string>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_arithmetic_v<T>) return "number";
  else if constexpr (std::is_same_v<T, Bytes>) return "Uint8Array | string";
  else return "unknown";
}

template <class T>
std::string tsResult() {
  if constexpr (std::is_void_v<T>) return "void";
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, const char*>) return "string";
  else if constexpr (std::is_same_v<T, bool>) return "boolean";
  else if constexpr (std::is_arithmetic_v<T>) return "number";
  else if constexpr (std::is_same_v<T, Bytes>) return "Uint8Array";
  else return "unknown";
}

[[noreturn]] inline void badArg(const std::string& fn, size_t i, const std::string& name, const char* what) {
  throw Error(M3M_ERR_INVALID_ARGUMENT,
              fn + ": argument " + std::to_string(i + 1) + " (" + name + ") " + what);
}

template <class T>
T readArg(View v, const std::string& fn, size_t i, const std::string& name) {
  if constexpr (IsOptional<T>::value) {
    if (v.isNull()) return std::nullopt;
    return readArg<typename IsOptional<T>::type>(v, fn, i, name);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.isString()) badArg(fn, i, name, "must be a string");
    return v.str();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.isBool()) badArg(fn, i, name, "must be a boolean");
    return v.boolean();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.isNumber()) badArg(fn, i, name, "must be a number");
    double d = v.number();
    if (d != static_cast<double>(static_cast<T>(d))) badArg(fn, i, name, "must be an integer in range");
    return static_cast<T>(d);
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.isNumber()) badArg(fn, i, name, "must be a number");
    return static_cast<T>(v.number());
  } else if constexpr (std::is_same_v<T, Bytes>) {
    if (!v.isBytes() && !v.isString()) badArg(fn, i, name, "must be a Uint8Array or a string");
    return Bytes{v.str()};
  } else {
    static_assert(std::is_same_v<T, View>, "argument types: std::string, bool, numbers, Bytes, View, std::optional<T>");
    return v;
  }
}

template <class R, class... A>
struct SignatureOf {
  using Result = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
template <class F>
struct Signature : Signature<decltype(&std::decay_t<F>::operator())> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : SignatureOf<R, A...> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...)> : SignatureOf<R, A...> {};
template <class R, class... A>
struct Signature<R (*)(A...)> : SignatureOf<R, A...> {};

// The JS arguments after the leading Call / Pending the function may take.
template <class Tuple, size_t Skip>
struct JsArgs;
template <class... A, size_t Skip>
struct JsArgs<std::tuple<A...>, Skip> {
  using Full = std::tuple<A...>;
  static constexpr size_t count = sizeof...(A) - Skip;
  template <size_t I>
  using At = std::tuple_element_t<I + Skip, Full>;
};

inline void guard(m3m_call call, const std::function<void()>& body) noexcept {
  try {
    body();
  } catch (const Error& e) {
    api().call_error(call, e.code(), e.what());
  } catch (const std::exception& e) {
    api().call_error(call, M3M_ERR_INTERNAL, e.what());
  } catch (...) {
    api().call_error(call, M3M_ERR_INTERNAL, "unknown exception");
  }
}

inline void trampoline(void* data, m3m_call call) {
  auto* f = static_cast<std::function<void(m3m_call)>*>(data);
  guard(call, [&] { (*f)(call); });
}

}  // namespace detail

// One declared module: chain fn / waiting / async.
class Module {
 public:
  Module(std::string name) : name_(std::move(name)) {}

  // A synchronous function: f(args...) or f(Call&, args...), returning a
  // string, number, bool, Bytes, Json or void.
  template <class F>
  Module& fn(Decl d, F f) {
    return add<F, false>(std::move(d), std::move(f), M3M_FN_SYNC);
  }
  // Synchronous in JS, run with the project's JS released (a long poll, a
  // blocking library): take Call& first and stop when call.cancelled().
  template <class F>
  Module& waiting(Decl d, F f) {
    return add<F, false>(std::move(d), std::move(f), M3M_FN_WAITING);
  }
  // A Promise in JS: f(Pending, args...) starts the work, returns at once,
  // and the work settles the Pending from any thread. d.returns is required.
  template <class F>
  Module& async(Decl d, F f) {
    return add<F, true>(std::move(d), std::move(f), M3M_FN_ASYNC);
  }

 private:
  template <class F, bool IsAsync>
  Module& add(Decl d, F f, uint32_t flags) {
    using Sig = detail::Signature<F>;
    using Full = typename Sig::Args;
    constexpr size_t first = IsAsync ? 1 : 0;  // after the Pending
    constexpr bool takesCall = [] {
      if constexpr (std::tuple_size_v<Full> > first)
        return std::is_same_v<std::tuple_element_t<first, Full>, Call>;
      else
        return false;
    }();
    constexpr size_t skip = (IsAsync ? 1 : 0) + (takesCall ? 1 : 0);
    using Js = detail::JsArgs<Full, skip>;
    const std::string qualified = name_ + "." + d.name;
    if (d.params.size() != Js::count)
      throw Error(M3M_ERR_INTERNAL, qualified + ": " + std::to_string(d.params.size()) + " parameter names for " +
                                        std::to_string(Js::count) + " C++ parameters");
    std::vector<m3m_param_v1> params(Js::count);
    std::vector<std::string> types(Js::count);
    std::vector<int> optional(Js::count);
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((types[I] = d.params[I].type.empty() ? detail::tsParam<typename Js::template At<I>>() : d.params[I].type,
        optional[I] = detail::IsOptional<typename Js::template At<I>>::value),
       ...);
    }(std::make_index_sequence<Js::count>{});
    for (size_t i = 0; i < Js::count; ++i) params[i] = {d.params[i].name.c_str(), types[i].c_str(), optional[i]};
    std::string returns = d.returns;
    if (returns.empty()) {
      if constexpr (IsAsync) throw Error(M3M_ERR_INTERNAL, qualified + ": an async function needs Decl::returns");
      else returns = detail::tsResult<typename Sig::Result>();
    }
    std::vector<std::string> names;
    for (const auto& p : d.params) names.push_back(p.name);
    auto body = std::make_unique<std::function<void(m3m_call)>>(
        [f = std::move(f), qualified, names](m3m_call call) {
          const auto& a = detail::api();
          auto args = [&]<size_t... I>(std::index_sequence<I...>) {
            return std::tuple<typename Js::template At<I>...>(
                detail::readArg<typename Js::template At<I>>(View(a.call_arg(call, I)), qualified, I, names[I])...);
          }(std::make_index_sequence<Js::count>{});
          if constexpr (IsAsync) {
            m3m_pending p = a.call_defer(call);
            if (!p) throw Error(M3M_ERR_INTERNAL, qualified + ": not declared async");
            Pending pending(p);
            if constexpr (takesCall)
              std::apply([&](auto&&... xs) { f(std::move(pending), Call(call), std::move(xs)...); }, std::move(args));
            else
              std::apply([&](auto&&... xs) { f(std::move(pending), std::move(xs)...); }, std::move(args));
          } else {
            auto invoke = [&] {
              if constexpr (takesCall)
                return std::apply([&](auto&&... xs) { return f(Call(call), std::move(xs)...); }, std::move(args));
              else
                return std::apply([&](auto&&... xs) { return f(std::move(xs)...); }, std::move(args));
            };
            if constexpr (std::is_void_v<typename Sig::Result>) {
              invoke();
            } else {
              Json result(invoke());
              a.call_return(call, result.make(a.call_scope(call)));
            }
          }
        });
    m3m_function_v1 fn{};
    fn.name = d.name.c_str();
    fn.doc = d.doc.c_str();
    fn.params = params.data();
    fn.param_count = params.size();
    fn.returns = returns.c_str();
    fn.flags = flags;
    fn.fn = &detail::trampoline;
    fn.data = body.get();
    auto& st = detail::state();
    m3m_status s = st.host->declare_function(st.ctx, name_.c_str(), &fn);  // copies every string
    if (s != M3M_OK) throw Error(s, "cannot declare " + qualified);
    st.functions.push_back(std::move(body));
    return *this;
  }

  std::string name_;
};

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
  if (!host || host->abi_major != M3M_PLUGIN_ABI_MAJOR || host->abi_minor + 1 < M3M_PLUGIN_ABI_MINOR + 1) return 1;  // +1: no warning at minor 0
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

namespace m3m::sdk::detail {
template <class I>
int entryOf(const m3m_host_api_v1* host, m3m_plugin_v1* out, Info info, I init) {
  return entry(host, out, std::move(info), InitFn(std::move(init)), ShutdownFn());
}
template <class I, class S>
int entryOf(const m3m_host_api_v1* host, m3m_plugin_v1* out, Info info, I init, S shutdown) {
  return entry(host, out, std::move(info), InitFn(std::move(init)), ShutdownFn(std::move(shutdown)));
}
}  // namespace m3m::sdk::detail
