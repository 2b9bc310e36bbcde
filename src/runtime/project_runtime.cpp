// A project's run: its lifecycle (boot, start, stop) and state, and the parts of
// ProjectRuntime::Impl (detail/project_impl.hpp) not yet in files of their own.
#include "runtime/project_runtime.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "runtime/detail/project_impl.hpp"
#include "runtime/engine.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

void ProjectRuntime::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (quit_) return;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

void ProjectRuntime::loop() {
  auto& d = *impl_;
  v8::Isolate* isolate = d.newIsolate();
  {
    std::lock_guard lock(wdMutex_);
    d.isolate = isolate;
  }
  isolate->SetData(0, &d);
  isolate->SetMicrotasksPolicy(v8::MicrotasksPolicy::kExplicit);
  d.enforceMemoryLimit();
  isolate->SetPromiseRejectCallback(&Impl::promiseRejected);
  // Tasks V8 posts for this isolate (from any thread) wake the loop.
  foreground::watch(isolate, [this](double delaySeconds) {
    auto due = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(delaySeconds));
    {
      std::lock_guard lock(mutex_);
      if (due >= platformDue_) return;
      platformDue_ = due;
    }
    wake_.notify_one();
  });
  {
    v8::Isolate::Scope isolateScope(isolate);
    v8::HandleScope handles(isolate);
    d.context.Reset(isolate, v8::Context::New(isolate));
  }

  while (true) {
    std::function<void()> task;
    std::uint32_t dueTimer = 0;
    bool expireDue = false;
    bool platformTasks = false;
    {
      std::unique_lock lock(mutex_);
      auto nextDue = std::chrono::steady_clock::time_point::max();
      for (const auto& [id, t] : d.timers)
        if (t.due < nextDue) nextDue = t.due, dueTimer = id;
      if (auto deadline = d.nextDeadline(); deadline < nextDue) nextDue = deadline, dueTimer = 0;
      const auto now = std::chrono::steady_clock::now();
      if (tasks_.empty() && !quit_ && nextDue > now && platformDue_ > now) {
        wake_.wait_until(lock, std::min(nextDue, platformDue_),
                         [&] { return !tasks_.empty() || quit_ || platformDue_ <= std::chrono::steady_clock::now(); });
      }
      if (quit_) break;
      if (platformDue_ <= std::chrono::steady_clock::now()) {
        platformDue_ = std::chrono::steady_clock::time_point::max();
        platformTasks = true;
        dueTimer = 0;
      } else if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
        dueTimer = 0;
      } else if (nextDue > std::chrono::steady_clock::now()) {
        continue;  // woke early
      } else if (dueTimer == 0) {
        expireDue = true;
      }
    }

    v8::Isolate::Scope isolateScope(isolate);
    v8::HandleScope handles(isolate);
    v8::Context::Scope contextScope(d.ctx());
    d.armWatchdog();

    if (platformTasks) {
      // V8's own tasks (a finished WebAssembly compile resolving its
      // promise, GC steps); a delayed one not yet due stays queued.
      while (foreground::pump(isolate) && !isolate->IsExecutionTerminating()) {
      }
    } else if (task) {
      task();
    } else if (expireDue) {
      d.expireDeadlines(std::chrono::steady_clock::now());
    } else if (auto it = d.timers.find(dueTimer); it != d.timers.end()) {
      d.fireTimer(it);
    }
    const bool terminatedInTask = d.terminatedByWatchdog || isolate->IsExecutionTerminating();
    if (!terminatedInTask) isolate->PerformMicrotaskCheckpoint();
    if (!d.unhandled.empty() && !isolate->IsExecutionTerminating()) {
      v8::TryCatch tc(isolate);  // describing a reason may run user code (.stack)
      d.reportUnhandled();
    }

    d.disarmWatchdog();
    // After disarming under the lock no new termination can come for this
    // task; cancel one that did, or it would kill the next task (DESIGN).
    if (d.terminatedByWatchdog || isolate->IsExecutionTerminating()) {
      isolate->CancelTerminateExecution();
      d.terminatedByWatchdog = false;
      // A termination inside the microtask checkpoint drops every queued
      // continuation: promises still pending may never settle. Answer them
      // now rather than let them hang (their work was lost with the queue).
      // Only a termination inside the checkpoint loses queued continuations.
      if (!d.heapExceeded && !terminatedInTask) {
        if (!d.terminationReported)
          log_->write("ERROR", "CPU time limit exceeded (runtime.timeout) in a promise continuation" +
                                   std::string(d.settles.empty() ? "" : "; pending requests were aborted"));
        d.abortSettles(500, "CPU time limit exceeded (runtime.timeout) in a promise continuation");
      }
    }
    d.terminationReported = false;
    // Heap statistics for /status: refreshed at most every 100 ms, not per task.
    if (auto now = std::chrono::steady_clock::now(); now - d.lastHeapStats > milliseconds(100)) {
      v8::HeapStatistics hs;
      isolate->GetHeapStatistics(&hs);
      heapUsed_ = hs.used_heap_size() + d.allocator->used();
      d.lastHeapStats = now;
    }
    if (d.heapExceeded) {
      if (snapshot().state != RunState::Failed) fail(heapMessage());
      std::lock_guard lock(mutex_);
      quit_ = true;
      break;
    }
  }

  // Teardown on the loop thread: nothing of this run can run again.
  {
    v8::Isolate::Scope isolateScope(isolate);
    v8::HandleScope handles(isolate);
    d.abortSettles(503, "the project stopped before answering");
    d.timers.clear();
    d.unhandled.clear();
    d.runPhase.Reset();
    d.dispatch.Reset();
    d.context.Reset();
  }
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(tasks_);
  }
  {
    std::lock_guard lock(wdMutex_);
    d.isolate = nullptr;
  }
  foreground::forget(isolate);
  isolate->Dispose();
  // Queued requests that never ran still get an answer (their tasks are
  // destroyed; the HTTP side answers 503 via pendingRequests_ accounting).
  dropped.clear();
}

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
                             }});
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
                               [done](int, const std::string&) { done->set_value(); }});
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
