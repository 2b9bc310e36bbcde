// The project's loop thread and its task queue: the thread owns the isolate;
// other threads post tasks to it. Each task runs inside the isolate and
// context scopes, with the CPU watchdog armed, then the microtask checkpoint.
#include <algorithm>
#include <deque>
#include <functional>

#include "runtime/detail/project_impl.hpp"
#include "runtime/engine.hpp"

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

}  // namespace m3m::runtime
