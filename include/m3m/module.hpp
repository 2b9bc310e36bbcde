// m3m public SDK: declaring a runtime module once. The same declaration is
// bound into V8 by the runtime and printed as TypeScript for the editor, so
// the JS surface and its types cannot drift (workerd's JSG idea, as a builder).
// Engine-neutral: no V8 type appears here; values are JSON-like.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <m3m/error.hpp>
#include <m3m/type.hpp>
#include <nlohmann/json.hpp>

namespace m3m {

// A data value crossing between JS and a module: null, bool, number, string,
// array, object — and bytes. Bytes are a Uint8Array everywhere in JS and a
// binary Value (Value::binary, is_binary()) here, at any depth of an argument
// or a result: a module function receives any ArrayBuffer, SharedArrayBuffer
// or ArrayBufferView (Uint8Array, Int16Array, DataView… as its raw bytes) as
// binary, and a binary Value it returns reaches JS as a Uint8Array. Read bytes
// with Args::bytes (which also takes a string as its UTF-8 bytes); return
// them with bytesValue. Never pass bytes as base64 or one character per byte.
using Value = nlohmann::json;

// `data` as a binary Value (a Uint8Array in JS).
inline Value bytesValue(std::string_view data) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  return Value::binary(Value::binary_t::container_type(p, p + data.size()));
}

// What a module function knows about the project that calls it.
class CallContext {
 public:
  virtual ~CallContext() = default;
  virtual const std::string& projectId() const = 0;
  virtual const std::string& projectSlug() const = 0;
  // Writes one line to the project's run log (level: DEBUG, INFO, WARN, ERROR).
  virtual void log(std::string_view level, std::string_view message) = 0;
  // A waiting call (docs/runtime.md, "Concurrency"): runs `wait` with the
  // project's JS released, so other tasks of the project run meanwhile. Inside
  // `wait`, touch no JS value (Args, Callback) — copy what you need first.
  // `wait` must return promptly once its stop token is signalled (the run is
  // ending); blocking() then throws an exception the module must let
  // propagate (RAII cleans up). Outside a project's run it just calls `wait`.
  virtual void blocking(const std::function<void(std::stop_token)>& wait) { wait(std::stop_token{}); }
};

// A parameter: its name (in messages and the types), its type (checked by
// the binding before the call: include/m3m/type.hpp), and for an optional
// one either t::optional(T) (absent → null) or a default value (absent →
// the default; the function sees it as if passed).
struct Param {
  std::string name;
  Type type = t::unknown();
  bool variadic = false;  // ...name: T[] (`type` is one element's)
  Value defaultValue;     // non-null: the value of an absent (null/undefined) argument
};

inline Param param(std::string name, Type type, Value defaultValue = nullptr) {
  return {std::move(name), std::move(type), false, std::move(defaultValue)};
}
// ...name: T[]: every remaining argument is a T.
inline Param rest(std::string name, Type type) { return {std::move(name), std::move(type), true, nullptr}; }

// A JS function passed to a module function, callable synchronously while
// that call runs (never after it returns). Its arguments and result cross as
// Values; if the JS function throws, the call throws a C++ exception that the
// module must let propagate (RAII cleans up), and the JS caller sees the
// original JS exception.
using Callback = std::function<Value(const std::vector<Value>& args)>;

// Arguments of one call, with messages that name the culprit:
// "env.get: argument 1 (key) must be a string".
class Args {
 public:
  Args(std::string function, const std::vector<Param>& params, std::vector<Value> values)
      : function_(std::move(function)), params_(params), values_(std::move(values)) {}

  size_t size() const { return values_.size(); }
  const Value& at(size_t i) const {
    static const Value null;
    return i < values_.size() ? values_[i] : null;
  }
  const std::vector<Value>& all() const { return values_; }

  std::string string(size_t i) const {
    if (!at(i).is_string()) fail(i, "must be a string");
    return at(i).get<std::string>();
  }
  double number(size_t i) const {
    if (!at(i).is_number()) fail(i, "must be a number");
    return at(i).get<double>();
  }
  bool boolean(size_t i) const {
    if (!at(i).is_boolean()) fail(i, "must be a boolean");
    return at(i).get<bool>();
  }
  // Bytes: a binary Value (any ArrayBuffer or view in JS) as is, or a string
  // as its UTF-8 bytes; anything else fails with INVALID_ARGUMENT. The view
  // lives as long as these Args.
  std::string_view bytes(size_t i) const {
    const Value& v = at(i);
    if (v.is_binary()) {
      const auto& b = v.get_binary();
      return {reinterpret_cast<const char*>(b.data()), b.size()};
    }
    if (v.is_string()) return v.get_ref<const std::string&>();
    fail(i, "must be a string, Uint8Array, ArrayBuffer or ArrayBufferView");
  }
  std::optional<std::string> optionalString(size_t i) const {
    if (at(i).is_null()) return std::nullopt;
    return string(i);
  }
  const Callback& callback(size_t i) const {
    if (i >= callbacks_.size() || !callbacks_[i]) fail(i, "must be a function");
    return callbacks_[i];
  }
  // Set by the engine: the function-valued arguments (empty where none).
  void setCallbacks(std::vector<Callback> callbacks) { callbacks_ = std::move(callbacks); }

  [[noreturn]] void fail(size_t i, const std::string& what) const {
    std::string name = i < params_.size() ? params_[i].name : (params_.empty() ? "arg" : params_.back().name);
    throw Error(ErrorCode::INVALID_ARGUMENT,
                function_ + ": argument " + std::to_string(i + 1) + " (" + name + ") " + what);
  }

 private:
  std::string function_;
  const std::vector<Param>& params_;
  std::vector<Value> values_;
  std::vector<Callback> callbacks_;
};

using FunctionImpl = std::function<Value(CallContext&, const Args&)>;

// An async module function (a Promise in JS), in one of two forms. In both,
// the impl runs on the isolate, reads its Args and returns what to do; the
// doing never holds the isolate, and its stop token is signalled when the run
// ends.
//  - AsyncWork: blocking work, run on the host's I/O pool (a fixed set of
//    threads shared by every project); its Value — or the m3m::Error it
//    throws — settles the Promise. For libraries that only block.
//  - AsyncStart: non-blocking work that starts at once and settles later
//    through its Completion, from any thread (an event loop such as the
//    host's HTTP engine): no thread is held while it waits.
using AsyncWork = std::function<Value(std::stop_token)>;
using AsyncImpl = std::function<AsyncWork(CallContext&, const Args&)>;

// Settles one async call's Promise, from any thread. The first resolve or
// reject wins; later ones do nothing. A Completion dropped without either
// leaves the Promise pending until the run ends.
class Completion {
 public:
  using Sink = std::function<void(Value, std::optional<Error>)>;
  explicit Completion(Sink sink) : state_(std::make_shared<State>(std::move(sink))) {}
  void resolve(Value value) const { settle(std::move(value), std::nullopt); }
  void reject(Error error) const { settle(nullptr, std::move(error)); }

 private:
  struct State {
    explicit State(Sink s) : sink(std::move(s)) {}
    Sink sink;
    std::atomic<bool> done{false};
  };
  void settle(Value value, std::optional<Error> error) const {
    if (!state_->done.exchange(true)) state_->sink(std::move(value), std::move(error));
  }
  std::shared_ptr<State> state_;
};
using AsyncStart = std::function<void(std::stop_token, Completion)>;
using AsyncStartImpl = std::function<AsyncStart(CallContext&, const Args&)>;

struct FunctionSpec {
  // Public: a native function, on the global and in the types. Internal: a
  // native function for the module's JS wrapper only (`native.name`), not in
  // the types. Script: implemented by the JS wrapper (no impl): in the types,
  // and the binding checks at load that the wrapper defines it.
  enum class Visibility : std::uint8_t { Public, Internal, Script };
  std::string name;
  std::vector<Param> params;
  Type returns = t::void_();  // async functions: t::promise(T)
  std::string doc;
  FunctionImpl impl;
  AsyncImpl asyncImpl;  // set instead of impl for an async function (blocking work)…
  AsyncStartImpl asyncStart;  // …or this one (non-blocking work)
  Visibility visibility = Visibility::Public;
  // Escape hatch: TypeScript printed instead of the generated signature, one
  // member per line (overloads, generics). Arguments are still checked
  // against `params`.
  std::string typescript;

  // The declaration alone (no implementation yet): the builder and printers
  // start from this, so every other member keeps its default.
  static FunctionSpec declared(std::string name, std::vector<Param> params, Type returns, std::string doc) {
    FunctionSpec f;
    f.name = std::move(name);
    f.params = std::move(params);
    f.returns = std::move(returns);
    f.doc = std::move(doc);
    return f;
  }
};

// A value the JS wrapper puts on the global (readonly in the types; the
// binding checks at load that the wrapper defines it).
struct PropertySpec {
  std::string name;
  Type type;
  std::string doc;
};

// Plain data: what the runtime binds and what the TypeScript printer prints.
struct ModuleSchema {
  std::string name;  // the global: "logger"
  std::string doc;
  std::vector<FunctionSpec> functions;
  std::vector<PropertySpec> properties;
  // Named types (t::named) declared with the module even when no function
  // uses them (those used are declared anyway).
  std::vector<Type> types;
  // Optional JS source of a function `(native) => api`: the global becomes
  // its result, built over the native functions (for APIs that are more
  // than flat functions, e.g. database.orders.find()).
  std::string jsWrapper;
  // Escape hatch: hand-written TypeScript printed before the module's
  // generated declaration (generic helper types, classes, global functions).
  std::string declarations;
  // `declare const name: <mergedWith> & {…}` (e.g. the database's M3MModels).
  std::string mergedWith;
};

class ModuleBuilder {
 public:
  explicit ModuleBuilder(std::string name, std::string doc = "") {
    schema_.name = std::move(name);
    schema_.doc = std::move(doc);
  }
  ModuleBuilder& function(std::string name, std::vector<Param> params, Type returns, std::string doc,
                          FunctionImpl impl) {
    auto f = FunctionSpec::declared(std::move(name), std::move(params), std::move(returns), std::move(doc));
    f.impl = std::move(impl);
    return add(std::move(f));
  }
  // `returns` is the type the Promise resolves to.
  ModuleBuilder& asyncFunction(std::string name, std::vector<Param> params, Type returns, std::string doc,
                               AsyncImpl impl) {
    auto f = FunctionSpec::declared(std::move(name), std::move(params), t::promise(std::move(returns)), std::move(doc));
    f.asyncImpl = std::move(impl);
    return add(std::move(f));
  }
  ModuleBuilder& asyncStartFunction(std::string name, std::vector<Param> params, Type returns, std::string doc,
                                    AsyncStartImpl impl) {
    auto f = FunctionSpec::declared(std::move(name), std::move(params), t::promise(std::move(returns)), std::move(doc));
    f.asyncStart = std::move(impl);
    return add(std::move(f));
  }
  // A public function implemented by the module's JS wrapper.
  ModuleBuilder& scriptFunction(std::string name, std::vector<Param> params, Type returns, std::string doc) {
    auto f = FunctionSpec::declared(std::move(name), std::move(params), std::move(returns), std::move(doc));
    f.visibility = FunctionSpec::Visibility::Script;
    return add(std::move(f));
  }
  // Marks the last function as the wrapper's own (`native.name`, not in the types).
  ModuleBuilder& internal() {
    last().visibility = FunctionSpec::Visibility::Internal;
    return *this;
  }
  // The last function's TypeScript, written by hand (overloads, generics).
  ModuleBuilder& typescript(std::string members) {
    last().typescript = std::move(members);
    return *this;
  }
  ModuleBuilder& property(std::string name, Type type, std::string doc = "") {
    schema_.properties.push_back({std::move(name), std::move(type), std::move(doc)});
    return *this;
  }
  ModuleBuilder& types(std::vector<Type> named) {
    for (auto& t : named) schema_.types.push_back(std::move(t));
    return *this;
  }
  ModuleBuilder& wrapper(std::string jsSource) {
    schema_.jsWrapper = std::move(jsSource);
    return *this;
  }
  ModuleBuilder& declarations(std::string typescript) {
    schema_.declarations = std::move(typescript);
    return *this;
  }
  ModuleBuilder& mergedWith(std::string typescript) {
    schema_.mergedWith = std::move(typescript);
    return *this;
  }
  ModuleSchema build() { return std::move(schema_); }

 private:
  ModuleBuilder& add(FunctionSpec f) {
    schema_.functions.push_back(std::move(f));
    return *this;
  }
  FunctionSpec& last() {
    if (schema_.functions.empty()) throw std::logic_error("ModuleBuilder: no function declared yet");
    return schema_.functions.back();
  }
  ModuleSchema schema_;
};

}  // namespace m3m
