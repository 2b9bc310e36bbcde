// m3m plugin SDK (C++): the call being served (Call: project, log,
// cancellation, storage files) and an async result (Pending: settled once,
// from any thread).
#pragma once

#include <m3m/plugin.h>

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include <m3m/plugin/error.hpp>
#include <m3m/plugin/state.hpp>
#include <m3m/plugin/value.hpp>

namespace m3m::sdk {

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
  // A file of the calling project's storage, as bytes valid until the call
  // returns. The host checks the path (relative, inside the project's storage)
  // and throws Error with its code and message: NOT_FOUND, INVALID_ARGUMENT
  // ("..", an absolute path), PAYLOAD_TOO_LARGE (more than maxBytes; 0: no limit).
  View readFile(std::string_view path, size_t maxBytes = 0) const {
    m3m_value out = nullptr;
    const m3m_status s = detail::api().call_read_file(c_, path.data(), path.size(), maxBytes, &out);
    if (s != M3M_OK) throw Error(s, View(out).str());
    return View(out);
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
  // With extra properties of the JS error object (an object: see Error).
  void reject(m3m_status code, const std::string& message, const Json& properties) {
    if (!p_) return;
    m3m_value v = nullptr;
    try {
      v = properties.make(detail::api().pending_scope(p_));
    } catch (const std::exception& e) {
      return reject(M3M_ERR_INTERNAL, e.what());
    }
    detail::api().pending_reject_properties(std::exchange(p_, nullptr), code, message.c_str(), v);
  }
  void reject(const Error& e) {
    if (e.properties()) reject(e.code(), e.what(), *e.properties());
    else reject(e.code(), e.what());
  }
  // Runs f and settles with its result, or rejects with its exception.
  template <class F>
  void settle(F&& f) noexcept {
    try {
      resolve(Json(f()));
    } catch (const Error& e) {
      reject(e);
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

}  // namespace m3m::sdk
