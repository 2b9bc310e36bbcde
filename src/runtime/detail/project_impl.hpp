// The V8 side of one ProjectRuntime (internal to src/runtime). Its parts are
// defined by seam: promises.cpp (C++ continuations, unhandled rejections),
// timers.cpp, host_functions.cpp (SDK modules bound into the context),
// memory_limit.cpp, context_setup.cpp (loading a run), watchdog.cpp.
// Everything here runs on the project's loop thread unless it says otherwise.
#pragma once

#include <m3m/module.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <v8.h>

#include "runtime/budget_allocator.hpp"
#include "runtime/project_runtime.hpp"

namespace m3m::runtime {

// A promise continuation registered from C++. Owned by Impl::settles until it
// runs once; the rest are aborted when the run ends.
struct Settle {
  std::function<void(v8::Local<v8::Value>)> onFulfilled;
  std::function<void(v8::Local<v8::Value>)> onRejected;
  // The promise will never settle usefully: the run ended (503), a runaway
  // continuation was terminated (500), or a request ran out of time (504).
  std::function<void(int status, const std::string& why)> onAbort;
  std::optional<std::chrono::steady_clock::time_point> deadline;  // requests only
};

struct Timer {
  std::uint32_t id;
  std::chrono::steady_clock::time_point due;
  milliseconds interval{0};
  bool repeat = false;
  v8::Global<v8::Function> fn;
  std::vector<v8::Global<v8::Value>> args;
};

// One SDK module function as bound into the context (the data of its V8 function).
struct ModuleCall {
  const FunctionSpec* spec;
  std::string qualifiedName;  // "env.get"
};

struct ProjectRuntime::Impl : CallContext {
  ProjectRuntime& self;
  std::unique_ptr<BudgetAllocator> allocator;
  v8::Isolate* isolate = nullptr;
  v8::Global<v8::Context> context;
  v8::Global<v8::Function> runPhase;
  v8::Global<v8::Function> dispatch;
  std::unordered_set<Settle*> settles;
  std::map<std::uint32_t, Timer> timers;
  std::uint32_t nextTimerId = 1;
  std::vector<std::unique_ptr<ModuleCall>> moduleCalls;
  bool heapExceeded = false;
  bool wasmExceeded = false;  // WebAssembly memory pushed the project past its budget
  // Rejections with no handler yet: reported after the microtask checkpoint
  // if still unhandled (an async function that throws before its caller
  // attached a handler is not an unhandled rejection).
  std::vector<std::pair<v8::Global<v8::Promise>, v8::Global<v8::Value>>> unhandled;
  bool terminatedByWatchdog = false;
  bool terminationReported = false;  // the task itself logged its termination
  std::chrono::steady_clock::time_point lastHeapStats{};

  explicit Impl(ProjectRuntime& s) : self(s) {}

  const std::string& projectId() const override { return self.info_.id; }
  const std::string& projectSlug() const override { return self.info_.slug; }
  void log(std::string_view level, std::string_view message) override { self.log_->write(level, message); }

  v8::Local<v8::Context> ctx() { return context.Get(isolate); }

  // --- loading a run (context_setup.cpp) -------------------------------------
  // The prelude, the host's globals, the SDK modules, then service.js; the
  // error says what failed. In the loop's task scopes.
  Outcome load();

  // --- promises (promises.cpp) -----------------------------------------------
  // Attaches C++ continuations to a promise.
  void whenSettled(v8::Local<v8::Promise> promise, Settle* s);
  template <bool Fulfilled>
  static void onSettled(const v8::FunctionCallbackInfo<v8::Value>& info);
  void abortSettles(int status, const std::string& why);
  // Requests whose handler has not answered within their deadline get a 504.
  void expireDeadlines(std::chrono::steady_clock::time_point now);
  // Read by the loop on every wake-up: kept inline.
  std::chrono::steady_clock::time_point nextDeadline() const {
    auto next = std::chrono::steady_clock::time_point::max();
    for (Settle* s : settles)
      if (s->deadline && *s->deadline < next) next = *s->deadline;
    return next;
  }
  static void promiseRejected(v8::PromiseRejectMessage msg);
  void reportUnhandled();

  // --- timers (timers.cpp) ---------------------------------------------------
  // setTimeout, setInterval, clearTimeout, clearInterval as globals.
  void installTimers(v8::Local<v8::Context> context);
  // Runs a due timer (re-armed first when it repeats, dropped first when not).
  void fireTimer(std::map<std::uint32_t, Timer>::iterator it);
  static void setTimer(const v8::FunctionCallbackInfo<v8::Value>& info, bool repeat);
  static void setTimeoutFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void setIntervalFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void clearTimerFn(const v8::FunctionCallbackInfo<v8::Value>& info);

  // --- host functions (host_functions.cpp) -----------------------------------
  // Every SDK module as a read-only global; false and `error` when a module's
  // JS wrapper fails to load.
  bool bindModules(v8::Local<v8::Context> context, std::string& error);
  static void hostLog(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void callModule(const v8::FunctionCallbackInfo<v8::Value>& info);

  // --- memory limit (memory_limit.cpp) ---------------------------------------
  // The isolate with the ArrayBuffer budget and heap size of runtime.memory_limit_mb.
  v8::Isolate* newIsolate();
  // Past the limit the running script is terminated and heapExceeded set.
  void enforceMemoryLimit();
  static size_t nearHeapLimit(void* data, size_t current, size_t initial);
  static void gcStarted(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data);

  // --- CPU watchdog (watchdog.cpp), armed around every task ------------------
  // Two uncontended lock/unlock pairs per task: inline, on the request path.
  void armWatchdog() {
    std::lock_guard lock(self.wdMutex_);
    self.wdArmed_ = true;
    self.wdFired_ = false;
    ++self.wdGeneration_;
    self.wdStart_ = std::chrono::steady_clock::now();
  }
  void disarmWatchdog() {
    std::lock_guard lock(self.wdMutex_);
    self.wdArmed_ = false;
  }
};

}  // namespace m3m::runtime
