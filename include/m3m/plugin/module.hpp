// m3m plugin SDK (C++): declaring a module — its functions (sync, waiting,
// async) from typed C++ callables, and its named TypeScript types — and the
// trampolines that keep every exception on the plugin's side of the ABI.
#pragma once

#include <m3m/plugin.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <m3m/plugin/args.hpp>
#include <m3m/plugin/call.hpp>
#include <m3m/plugin/error.hpp>
#include <m3m/plugin/state.hpp>
#include <m3m/plugin/value.hpp>

namespace m3m::sdk {

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

// A member of a named type: "name", or "name?" when it may be absent, or an
// index signature "[key: string]"; its TypeScript; a doc line.
struct Field {
  Field(const char* n, std::string t, std::string d = "") : name(n), type(std::move(t)), doc(std::move(d)) {
    if (!name.empty() && name.back() == '?') {
      optional = true;
      name.pop_back();
    }
  }
  std::string name, type, doc;
  bool optional = false;
};

// A named TypeScript type (ABI 1.1) the module's signatures can use by name:
// `interface <name> { fields }`, or without fields `type <name> = <definition>`.
struct TypeDecl {
  TypeDecl(std::string n, std::string d, std::vector<Field> f, std::string def = "")
      : name(std::move(n)), doc(std::move(d)), fields(std::move(f)), definition(std::move(def)) {}
  std::string name, doc;
  std::vector<Field> fields;
  std::string definition;
};

namespace detail {

inline void fail(m3m_call call, const Error& e) noexcept {
  if (const Json* properties = e.properties()) {
    m3m_value v = nullptr;
    try {
      v = properties->make(api().call_scope(call));
    } catch (const std::exception& x) {
      return api().call_error(call, M3M_ERR_INTERNAL, x.what());
    }
    return api().call_error_properties(call, e.code(), e.what(), v);
  }
  api().call_error(call, e.code(), e.what());
}

inline void guard(m3m_call call, const std::function<void()>& body) noexcept {
  try {
    body();
  } catch (const Error& e) {
    fail(call, e);
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

// One declared module: chain fn / waiting / async / type.
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
  // A named type for the editor (printed before the module's declaration).
  Module& type(const TypeDecl& t) {
    std::vector<m3m_field_v1> fields;
    for (const auto& f : t.fields) fields.push_back({f.name.c_str(), f.type.c_str(), f.optional ? 1 : 0, f.doc.c_str()});
    const m3m_type_v1 decl{t.name.c_str(), t.doc.c_str(), fields.data(), fields.size(), t.definition.c_str()};
    auto& st = detail::state();
    const m3m_status s = st.host->declare_type(st.ctx, name_.c_str(), &decl);  // copies every string
    if (s != M3M_OK) throw Error(s, "cannot declare type " + t.name + " of module " + name_);
    return *this;
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

}  // namespace m3m::sdk
