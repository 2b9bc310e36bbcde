// A project's run as the rest of the server sees it: boot (load, then the
// boot callbacks), start, stop (the shutdown callbacks, then its threads
// end), and its state. The parts it drives live beside it: workers.cpp (the
// project's threads), waiting.cpp, requests.cpp, context_setup.cpp,
// timers.cpp, delayed.cpp, schedule_jobs.cpp, promises.cpp,
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
                               ModuleSet modules)
    : info_(std::move(info)), code_(std::move(code)), limits_(limits), log_(std::move(log)), modules_(std::move(modules)),
      impl_(std::make_unique<Impl>(*this)), mailbox_(std::make_shared<Mailbox>()) {
  mailbox_->runtime = this;
}

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
  RunSnapshot s;
  {
    std::lock_guard lock(mutex_);
    s.state = state_;
    s.lastError = lastError_;
    s.threads = threadsAlive_;
    s.waiting = waiting_;
  }
  s.heapUsed = heapUsed_.load();
  s.calls = calls_.load();
  s.errors = errors_.load();
  s.jsSeconds = static_cast<double>(jsNanos_.load(std::memory_order_relaxed)) / 1e9;
  s.waits = waits_.load(std::memory_order_relaxed);
  s.waitSeconds = static_cast<double>(waitNanos_.load(std::memory_order_relaxed)) / 1e9;
  s.heapLimit = limits_.heapMb << 20;
  s.queuedRequests = pendingRequests_.load(std::memory_order_relaxed);
  const auto& d = *impl_;
  s.tasks = {d.tasksRunning.load(), d.tasksQueued.load(), d.tasksDone.load(), d.tasksFailed.load()};
  s.timezone = limits_.timezone;
  s.schedules = d.jobInfos();
  return s;
}

Outcome ProjectRuntime::boot() {
  auto ready = std::make_shared<std::promise<Outcome>>();
  auto readyFuture = ready->get_future();
  {
    std::lock_guard lock(mutex_);
    if (started_) return {false, "already started"};
    started_ = true;
  }
  {
    std::lock_guard life(lifecycleMutex_);
    if (stopped_) return {false, "the run was stopped"};
    try {
      impl_->zone = limits_.timezone == "UTC" ? schedule::TimeZone::utc() : schedule::TimeZone::load(limits_.timezone);
    } catch (const std::exception& e) {
      fail(std::string("runtime.timezone: ") + e.what());
      return {false, std::string("runtime.timezone: ") + e.what()};
    }
    // Every thread enters the isolate under a v8::Locker (which also sets
    // that thread's stack limit), so it may be created here.
    createIsolate();
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back([this, ready] { ready->set_value(impl_->load()); });
      poolStarted_ = true;
      spawnWorkerLocked();
    }
    watch();
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
  {
    std::lock_guard lock(mutex_);
    if (!poolStarted_) {
      quit_ = true;
      if (started_ && state_ != RunState::Failed) state_ = RunState::Stopped;
      return;
    }
  }
  // 0. Waits in progress end at once: their tasks are abandoned (a request
  // answers 503), which also frees threads for the shutdown callbacks.
  stopWaits_.request_stop();
  // 1. shutdown callbacks, bounded.
  bool loopAlive;
  {
    std::lock_guard lock(mutex_);
    loopAlive = !quit_;
  }
  if (loopAlive && state() != RunState::Failed) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    post([this, done] {
      auto& d = *impl_;
      v8::Isolate* isolate = d.isolate;
      // Timers, schedule jobs and queued delayed tasks of the running
      // service end before its shutdown callbacks run: a tick logged after
      // "shutdown" would be work of a stopped run. Timers the callbacks set
      // themselves still fire (bounded below).
      d.timers.clear();
      d.endJobsAndTasks();
      v8::TryCatch tc(isolate);
      v8::Local<v8::Value> argv[] = {toV8(isolate, "shutdown")};
      v8::Local<v8::Value> promise;
      d.shutdownPhase = d.shutdownStack = true;
      const bool called = d.runPhase.Get(isolate)->Call(d.ctx(), v8::Undefined(isolate), 1, argv).ToLocal(&promise);
      d.shutdownStack = false;
      if (!called || !promise->IsPromise()) {
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
  // 2. end the threads; a script still running is terminated — only while
  // it holds the isolate (armed), never a thread that merely released it.
  stopShutdownWaits_.request_stop();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
    if (state_ != RunState::Failed) state_ = RunState::Stopped;
    threads.swap(threads_);  // no thread is spawned once quit_ is set
  }
  wake_.notify_all();
  {
    std::lock_guard lock(wdMutex_);
    wdStopping_ = true;
    if (wdArmed_ && impl_->isolate) {
      wdFired_ = true;
      impl_->isolate->TerminateExecution();
    }
  }
  // The last thread out tears the isolate down.
  for (auto& t : threads)
    if (t.joinable()) t.join();
  unwatch();
  mailbox_->close();
}

}  // namespace m3m::runtime
