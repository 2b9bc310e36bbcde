// The V8 side of one ProjectRuntime (internal to src/runtime). Its parts are
// defined by seam: promises.cpp (C++ continuations, unhandled rejections),
// timers.cpp, delayed.cpp, schedule_jobs.cpp, host_functions.cpp (SDK
// modules bound into the context), waiting.cpp (waiting calls),
// memory_limit.cpp, context_setup.cpp (loading a run), watchdog.cpp.
// Everything here runs on the thread that holds the project's isolate (the
// turn, workers.cpp) unless it says otherwise: one thread at a time.
#pragma once

#include <m3m/module.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <v8.h>

#include "runtime/budget_allocator.hpp"
#include "runtime/project_runtime.hpp"
#include "runtime/schedule/cron.hpp"

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

// A delayed.run task waiting for a free thread.
struct DelayedTask {
  v8::Global<v8::Function> fn;
  std::vector<v8::Global<v8::Value>> args;
};

// One schedule.* job. `info` is read by snapshot() from other threads, under
// Impl::jobsMutex; the rest belongs to the holder of the isolate.
struct ScheduleJob {
  ScheduleJobInfo info;
  std::optional<schedule::CronExpression> cron;
  milliseconds interval{0};  // schedule.every
  std::chrono::steady_clock::time_point due;
  v8::Global<v8::Function> fn;
};

// Thrown out of a waiting call when its wait was abandoned (the run is
// ending) or the watchdog already ended the stretch: the module unwinds and
// the termination goes on in JS.
struct WaitAbandoned : std::exception {
  const char* what() const noexcept override { return "the wait was abandoned"; }
};

// What an async module function's work produced.
struct AsyncOutcome {
  Value value;
  std::optional<Error> error;
};

// Finished async work (on the I/O pool) reaches the run through this: it
// outlives the run, and after stop it delivers nowhere.
struct ProjectRuntime::Mailbox {
  std::mutex mutex;
  ProjectRuntime* runtime = nullptr;

  void deliver(std::uint64_t id, std::shared_ptr<AsyncOutcome> outcome);  // below Impl
  void close() {
    std::lock_guard lock(mutex);
    runtime = nullptr;
  }
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
  bool terminatedByWatchdog = false;  // set by the watchdog under wdMutex_
  bool terminationReported = false;  // the task itself logged its termination
  std::chrono::steady_clock::time_point lastHeapStats{};
  std::chrono::steady_clock::time_point lastStretchEnd{};  // addStretchTime: a clock read to reuse
  // A waiting call keeps the isolate (instead of leaving it) inside a
  // microtask checkpoint or V8's own tasks (shared queues: DESIGN rule 4)
  // or inside another module call (a database transaction's callback).
  bool inCheckpoint = false;
  int moduleDepth = 0;
  // Stop: the shutdown phase runs (shutdownPhase), and the stack that runs
  // its callbacks (shutdownStack) may still wait, bounded by runtime.shutdown_timeout.
  bool shutdownPhase = false;
  bool shutdownStack = false;
  // nextDue() as the last task left it, published by workers.cpp.
  std::chrono::steady_clock::time_point dueAfterTask = std::chrono::steady_clock::time_point::max();

  std::map<std::uint64_t, DelayedTask> delayed;  // queued, by id
  std::uint64_t nextDelayedId = 1;
  std::atomic<std::uint64_t> tasksRunning{0}, tasksQueued{0}, tasksDone{0}, tasksFailed{0};

  // Promises of async module calls in flight, by id (settled by settleAsync).
  std::map<std::uint64_t, v8::Global<v8::Promise::Resolver>> asyncCalls;
  std::uint64_t nextAsyncId = 1;
  void settleAsync(std::uint64_t id, const AsyncOutcome& outcome);

  std::map<std::uint32_t, ScheduleJob> jobs;
  std::uint32_t nextJobId = 1;
  mutable std::mutex jobsMutex;  // ScheduleJob::info, and erasing jobs
  schedule::TimeZone zone = schedule::TimeZone::utc();

  explicit Impl(ProjectRuntime& s) : self(s) {}

  const std::string& projectId() const override { return self.info_.id; }
  const std::string& projectSlug() const override { return self.info_.slug; }
  // Tagged with the request id when called from a route call or a promise
  // continuation of one (requests.cpp: the context's continuation data).
  void log(std::string_view level, std::string_view message) override;
  // A waiting call (waiting.cpp): the isolate is left for the wait.
  void blocking(const std::function<void(std::stop_token)>& wait) override;
  // The run is ending: terminates the calling task (it holds the isolate) and throws WaitAbandoned.
  [[noreturn]] void abandonTask();

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

  // The next timer, request deadline or schedule tick (steady clock).
  std::chrono::steady_clock::time_point nextDue() const;
  // Runs one due thing: expires request deadlines, else fires the earliest
  // due timer, else ticks the earliest due schedule job.
  void fireDue(std::chrono::steady_clock::time_point now);
  // Why a task was terminated, for its caller and the run log.
  std::string terminationReason() const;

  // --- timers (timers.cpp) ---------------------------------------------------
  // setTimeout, setInterval, clearTimeout, clearInterval as globals.
  void installTimers(v8::Local<v8::Context> context);
  // Runs a due timer (re-armed first when it repeats, dropped first when not).
  void fireTimer(std::map<std::uint32_t, Timer>::iterator it);
  static void setTimer(const v8::FunctionCallbackInfo<v8::Value>& info, bool repeat);
  static void setTimeoutFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void setIntervalFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void clearTimerFn(const v8::FunctionCallbackInfo<v8::Value>& info);

  // --- delayed.run (delayed.cpp) -----------------------------------------------
  void installDelayed(v8::Local<v8::Context> context);
  static void delayedRunFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void delayedCancelFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  void runDelayed(std::uint64_t id);

  // --- schedule.* (schedule_jobs.cpp) ----------------------------------------
  void installSchedule(v8::Local<v8::Context> context);
  static void scheduleAddFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void scheduleCancelFn(const v8::FunctionCallbackInfo<v8::Value>& info);
  void tickJob(std::map<std::uint32_t, ScheduleJob>::iterator it, std::chrono::steady_clock::time_point now);
  void finishJob(std::uint32_t id, std::chrono::steady_clock::time_point began, bool failed);
  // The job's next tick after `now` (cron: in the run's time zone).
  void planNext(ScheduleJob& job, std::chrono::steady_clock::time_point now);
  std::vector<ScheduleJobInfo> jobInfos() const;  // any thread
  // Stop: every schedule job ends and queued delayed tasks are dropped.
  void endJobsAndTasks();

  // --- host functions (host_functions.cpp) -----------------------------------
  // Every SDK module as a read-only global; false and `error` when a module's
  // JS wrapper fails to load.
  bool bindModules(v8::Local<v8::Context> context, std::string& error);
  static void hostLog(const v8::FunctionCallbackInfo<v8::Value>& info);
  static void hostReply(const v8::FunctionCallbackInfo<v8::Value>& info);  // requests.cpp
  static void callModule(const v8::FunctionCallbackInfo<v8::Value>& info);

  // --- memory limit (memory_limit.cpp) ---------------------------------------
  // The isolate with the ArrayBuffer budget and heap size of runtime.memory_limit_mb.
  v8::Isolate* newIsolate();
  // Past the limit the running script is terminated and heapExceeded set.
  void enforceMemoryLimit();
  static size_t nearHeapLimit(void* data, size_t current, size_t initial);
  static void gcStarted(v8::Isolate* isolate, v8::GCType, v8::GCCallbackFlags, void* data);

  // --- CPU watchdog (watchdog.cpp), armed while a thread runs JS --------------
  // Two uncontended lock/unlock pairs per task: inline, on the request path.
  // A stretch begins when a thread takes the isolate (a task, or a waiting
  // call coming back) and ends when it leaves it.
  void beginStretch() {
    std::lock_guard lock(self.wdMutex_);
    self.wdArmed_ = true;
    self.wdFired_ = false;
    self.wdStart_ = std::chrono::steady_clock::now();
    if (self.wdStopping_) {  // the run is ending: this stretch ends at once
      self.wdFired_ = true;
      isolate->TerminateExecution();
    }
  }
  // After disarming under the lock no new termination can come for this
  // stretch; one that came is cancelled here, or it would hit whichever
  // thread takes the isolate next (DESIGN rule 5). True when it came.
  bool endStretch() {
    std::lock_guard lock(self.wdMutex_);
    if (self.wdArmed_) addStretchTime();
    self.wdArmed_ = false;
    const bool terminated = self.wdFired_ || terminatedByWatchdog || isolate->IsExecutionTerminating();
    if (terminated) isolate->CancelTerminateExecution();
    self.wdFired_ = false;
    terminatedByWatchdog = false;
    return terminated;
  }
  // The run is ending (stop or a failure): waits end, terminated tasks answer 503.
  bool ending() const { return self.stopWaits_.stop_requested(); }
  // Whether the current stretch was terminated (watchdog, heap limit, stop).
  // Lock-free (runs after every task): wdFired_ is written under wdMutex_,
  // and a termination that comes after this read is handled by endStretch.
  bool stretchTerminated() {
    return self.wdFired_.load(std::memory_order_relaxed) || heapExceeded || isolate->IsExecutionTerminating();
  }
  // A waiting call stops the clock; false when the watchdog (or stop) has
  // already ended this stretch: then the call must not wait.
  bool pauseStretch() {
    std::lock_guard lock(self.wdMutex_);
    if (self.wdFired_) return false;
    if (self.wdArmed_) addStretchTime();
    self.wdArmed_ = false;
    return true;
  }
  // The stretch that ends now counts as the project's JS time (metrics); under wdMutex_.
  void addStretchTime() {
    lastStretchEnd = std::chrono::steady_clock::now();
    const auto held = lastStretchEnd - self.wdStart_;
    self.jsNanos_.fetch_add(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(held).count()),
        std::memory_order_relaxed);
  }
};

inline void ProjectRuntime::Mailbox::deliver(std::uint64_t id, std::shared_ptr<AsyncOutcome> outcome) {
  std::lock_guard lock(mutex);
  if (!runtime) return;
  runtime->post([rt = runtime, id, outcome] { rt->impl_->settleAsync(id, *outcome); });
}

}  // namespace m3m::runtime
