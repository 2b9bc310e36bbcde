// A project's run as the rest of the server sees it: boot (load, then the
// boot callbacks), start, stop (the shutdown callbacks, then the loop ends),
// and its state. The parts it drives live beside it: event_loop.cpp,
// requests.cpp, context_setup.cpp, timers.cpp, promises.cpp,
// host_functions.cpp, memory_limit.cpp, watchdog.cpp.
#include "runtime/project_runtime.hpp"

#include <future>
#include <memory>
#include <string>

#include "runtime/detail/project_impl.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

const char* runStateName(RunState s) {
  switch (s) {
    case RunState::Starting: return "starting";
    case RunState::Running: return "running";
    case RunState::Failed: return "failed";
    case RunState::Stopped: return "stopped";
  }
  return "stopped";
}

namespace {
// A task dropped because the run ended destroys its promise: that is an
// outcome too, not an exception for the caller.
Outcome outcomeOf(std::future<Outcome>& f) {
  try {
    return f.get();
  } catch (const std::future_error&) {
    return {false, "the run ended before it finished"};
  }
}
}  // namespace

ProjectRuntime::ProjectRuntime(ProjectInfo info, std::string code, RuntimeLimits limits, std::shared_ptr<RunLog> log,
                               const std::vector<ModuleSchema>& modules)
    : info_(std::move(info)), code_(std::move(code)), limits_(limits), log_(std::move(log)), modules_(modules),
      impl_(std::make_unique<Impl>(*this)) {}

ProjectRuntime::~ProjectRuntime() { stop(); }

void ProjectRuntime::fail(const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == RunState::Stopped) return;  // stopped on purpose: not a failure
    state_ = RunState::Failed;
    lastError_ = error;
  }
  log_->write("ERROR", error);
}

RunSnapshot ProjectRuntime::snapshot() const {
  std::lock_guard lock(mutex_);
  return {state_, lastError_, heapUsed_.load(), calls_.load()};
}

Outcome ProjectRuntime::boot() {
  auto ready = std::make_shared<std::promise<Outcome>>();
  auto readyFuture = ready->get_future();
  {
    std::lock_guard lock(mutex_);
    if (started_) return {false, "already started"};
    started_ = true;
  }
  // The isolate is created on the loop thread: V8 sets its stack limit from
  // the thread that creates it, and only that thread ever enters it.
  post([this, ready] { ready->set_value(impl_->load()); });
  {
    std::lock_guard life(lifecycleMutex_);
    if (stopped_) return {false, "the run was stopped"};
    thread_ = std::thread([this] { loop(); });
    watchdogThread_ = std::thread([this] { watchdog(); });
  }
  if (readyFuture.wait_for(limits_.phaseTimeout) != std::future_status::ready) {
    fail("loading the code did not finish in time");
    endFailedRun();
    return {false, "loading the code did not finish in time"};
  }
  Outcome loaded = outcomeOf(readyFuture);
  if (!loaded.ok) {
    fail(loaded.error);
    endFailedRun();
    return loaded;
  }
  return runPhase("boot");
}

Outcome ProjectRuntime::start() {
  Outcome o = runPhase("start");
  if (o.ok) {
    std::lock_guard lock(mutex_);
    if (state_ == RunState::Starting) state_ = RunState::Running;
  }
  return o;
}

Outcome ProjectRuntime::runPhase(const char* name) {
  auto result = std::make_shared<std::promise<Outcome>>();
  auto future = result->get_future();
  const std::string phase = name;
  post([this, result, phase] {
    auto& d = *impl_;
    v8::Isolate* isolate = d.isolate;
    v8::TryCatch tc(isolate);
    auto context = d.ctx();
    v8::Local<v8::Value> argv[] = {toV8(isolate, phase)};
    v8::Local<v8::Value> promise;
    if (!d.runPhase.Get(isolate)->Call(context, v8::Undefined(isolate), 1, argv).ToLocal(&promise) ||
        !promise->IsPromise()) {
      result->set_value({false, phase + " failed: " + (tc.HasTerminated() ? "CPU time limit exceeded"
                                                                            : describeException(isolate, tc.Exception()))});
      return;
    }
    d.whenSettled(promise.As<v8::Promise>(),
                  new Settle{[result](v8::Local<v8::Value>) { result->set_value({true, ""}); },
                             [result, phase, isolate](v8::Local<v8::Value> reason) {
                               result->set_value({false, phase + " failed: " + describeException(isolate, reason)});
                             },
                             [result, phase](int, const std::string& why) {
                               result->set_value({false, phase + " failed: " + why});
                             },
                             std::nullopt});
  });
  if (future.wait_for(limits_.phaseTimeout) != std::future_status::ready) {
    std::string error = phase + " did not finish within " + std::to_string(limits_.phaseTimeout.count()) + "ms (runtime.start_timeout)";
    fail(error);
    endFailedRun();
    return {false, error};
  }
  Outcome o = outcomeOf(future);
  if (!o.ok) {
    bool heap = impl_->heapExceeded;
    fail(heap ? heapMessage() : o.error);
    endFailedRun();
  }
  return o;
}

// A run that failed to load, boot or start ends at once: its timers,
// intervals and pending continuations never run again (the state stays
// `failed`, the log keeps why). No shutdown callbacks: it never started.
void ProjectRuntime::endFailedRun() { stop(); }

void ProjectRuntime::stop() {
  std::lock_guard life(lifecycleMutex_);
  stopped_ = true;
  if (!thread_.joinable()) {
    std::lock_guard lock(mutex_);
    quit_ = true;
    if (started_ && state_ != RunState::Failed) state_ = RunState::Stopped;
    return;
  }
  // 1. shutdown callbacks, bounded.
  bool loopAlive;
  {
    std::lock_guard lock(mutex_);
    loopAlive = !quit_;
  }
  if (loopAlive && snapshot().state != RunState::Failed) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    post([this, done] {
      auto& d = *impl_;
      v8::Isolate* isolate = d.isolate;
      // Timers of the running service end before its shutdown callbacks
      // run: a tick logged after "shutdown" would be work of a stopped run.
      // Timers the callbacks set themselves still fire (bounded below).
      d.timers.clear();
      v8::TryCatch tc(isolate);
      v8::Local<v8::Value> argv[] = {toV8(isolate, "shutdown")};
      v8::Local<v8::Value> promise;
      if (!d.runPhase.Get(isolate)->Call(d.ctx(), v8::Undefined(isolate), 1, argv).ToLocal(&promise) ||
          !promise->IsPromise()) {
        log_->write("ERROR", "shutdown failed: " + describeException(isolate, tc.Exception()));
        done->set_value();
        return;
      }
      d.whenSettled(promise.As<v8::Promise>(),
                    new Settle{[done, &d](v8::Local<v8::Value>) {
                                 d.timers.clear();
                                 done->set_value();
                               },
                               [done, isolate, this, &d](v8::Local<v8::Value> r) {
                                 d.timers.clear();
                                 log_->write("ERROR", "shutdown failed: " + describeException(isolate, r));
                                 done->set_value();
                               },
                               [done](int, const std::string&) { done->set_value(); },
                               std::nullopt});
    });
    if (future.wait_for(limits_.shutdownTimeout) != std::future_status::ready)
      log_->write("WARN", "shutdown did not finish within " + std::to_string(limits_.shutdownTimeout.count()) +
                              "ms; the run was ended");
  }
  // 2. end the loop; a script still running is terminated.
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
    if (state_ != RunState::Failed) state_ = RunState::Stopped;
  }
  wake_.notify_all();
  {
    std::lock_guard lock(wdMutex_);
    if (impl_->isolate) impl_->isolate->TerminateExecution();
  }
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard lock(wdMutex_);
    wdQuit_ = true;
  }
  wdWake_.notify_all();
  if (watchdogThread_.joinable()) watchdogThread_.join();
}

}  // namespace m3m::runtime
