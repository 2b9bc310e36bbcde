// The project's threads and its turn. At most one thread holds the isolate
// (holder_); it runs queued work — route calls, timers, schedule ticks,
// delayed tasks, V8's own tasks — one at a time, each in the scopes of DESIGN
// rule 1 with the watchdog armed, then the microtask checkpoint. A waiting
// call (waiting.cpp) gives the turn away for its wait; another thread of the
// project (an idle one, or a new one up to runtime.worker_pool_size) takes
// the queue meanwhile. A thread whose wait ended is handed the isolate before
// any fresh work (V8's own lock is not fair: DESIGN rule 3). Extra threads
// exit after runtime idle time; the last one out at the end of a run tears
// the isolate down, so nothing of the run can run again.
#include <pthread.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <optional>

#include "runtime/detail/project_impl.hpp"
#include "runtime/engine.hpp"

namespace m3m::runtime {

using Clock = std::chrono::steady_clock;

bool ProjectRuntime::post(std::function<void()> task) {
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    if (quit_) return false;
    tasks_.push_back(std::move(task));
    // A holder drains the queue after its task; with none, an idle thread
    // takes it, or a new one when every thread waits (up to the pool size).
    if (!poolStarted_ || holder_ || !resumers_.empty()) return true;
    if (idle_ > 0) notify = true;
    else if (threadsAlive_ < limits_.poolSize) spawnWorkerLocked();
  }
  if (notify) wake_.notify_one();
  return true;
}

bool ProjectRuntime::hasWorkLocked() const {
  if (!tasks_.empty()) return true;
  if (platformDue_ == Clock::time_point::max() && nextDue_ == Clock::time_point::max()) return false;
  const auto now = Clock::now();
  return platformDue_ <= now || nextDue_ <= now;
}

void ProjectRuntime::spawnWorkerLocked() {
  if (quit_) return;
  // Threads that exited idle are joined here (they are gone or about to be:
  // their last step was to list themselves under this mutex).
  for (auto id : exited_) {
    auto it = std::find_if(threads_.begin(), threads_.end(), [id](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();
    threads_.erase(it);
  }
  exited_.clear();
  ++threadsAlive_;
  threads_.emplace_back([this] { workerMain(); });
}

void ProjectRuntime::createIsolate() {
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
  // Tasks V8 posts for this isolate (from any thread) wake a thread of the project.
  foreground::watch(isolate, [this](double delaySeconds) {
    auto due = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delaySeconds));
    bool notify = false;
    {
      std::lock_guard lock(mutex_);
      if (due >= platformDue_) return;
      platformDue_ = due;
      if (holder_ || !resumers_.empty()) return;
      if (idle_ > 0) notify = true;
      else if (poolStarted_ && threadsAlive_ < limits_.poolSize) spawnWorkerLocked();
    }
    if (notify) wake_.notify_one();
  });
  v8::Locker locker(isolate);
  v8::Isolate::Scope isolateScope(isolate);
  v8::HandleScope handles(isolate);
  d.context.Reset(isolate, v8::Context::New(isolate));
}

void ProjectRuntime::workerMain() {
  pthread_setname_np(pthread_self(), "m3m-js");  // for top -H, perf, gdb
  std::unique_lock lock(mutex_);
  auto idleSince = Clock::now();
  bool reaped = false;
  while (true) {
    if (!quit_ && !holder_ && resumers_.empty() && hasWorkLocked()) {
      holder_ = true;
      runHeld(lock);
      idleSince = Clock::now();
      continue;
    }
    if (quit_) break;
    // Idle until work comes, the next timer is due, or (for an extra thread)
    // the idle period ends. While another thread holds the isolate, what
    // comes due is its to run (it drains before it lets go): sleeping until
    // then would only spin.
    const bool held = holder_ || !resumers_.empty();
    auto until = held ? Clock::time_point::max() : std::min(nextDue_, platformDue_);
    const bool extra = threadsAlive_ > 1;
    if (extra) until = std::min(until, idleSince + limits_.idleThreadTtl);
    ++idle_;
    wake_.wait_until(lock, until);
    --idle_;
    if (extra && !quit_ && Clock::now() >= idleSince + limits_.idleThreadTtl) {
      if (threadsAlive_ > 1 && !(!holder_ && resumers_.empty() && hasWorkLocked())) {
        reaped = true;
        break;
      }
      idleSince = Clock::now();  // needed after all: another idle period
    }
  }
  --threadsAlive_;
  if (reaped) {
    // This thread's V8 bookkeeping goes with it (the isolate outlives it).
    impl_->isolate->DiscardThreadSpecificMetadata();
    exited_.push_back(std::this_thread::get_id());
    return;
  }
  if (threadsAlive_ == 0) {
    // The last thread out: the run is over.
    lock.unlock();
    teardown();
  }
}

// Holding the turn: run work until there is none, a waiter wants the isolate
// back (handed over at once; holder_ stays true for it), or the run ends.
// The v8::Locker (and the isolate's scope) spans every task of one holding:
// releasing V8's lock frees the thread's handle blocks, and taking it again
// per task cost 7% of a fast route's instructions.
void ProjectRuntime::runHeld(std::unique_lock<std::mutex>& lock) {
  std::optional<v8::Locker> locker;
  std::optional<v8::Isolate::Scope> isolateScope;
  auto letGo = [&] {
    isolateScope.reset();
    locker.reset();
  };
  while (true) {
    if (!resumers_.empty()) {
      letGo();  // before the resumer relocks
      Resumer* next = resumers_.front();
      resumers_.pop_front();
      next->granted = true;
      next->cv.notify_one();
      return;
    }
    std::function<void()> task;
    const WorkKind kind = quit_ ? WorkKind::None : pickLocked(task);
    if (kind == WorkKind::None) {
      letGo();
      holder_ = false;
      return;
    }
    lock.unlock();
    if (!locker) {
      locker.emplace(impl_->isolate);
      isolateScope.emplace(impl_->isolate);
    }
    runWork(kind, task);
    task = nullptr;  // a request's closure is destroyed outside the lock
    lock.lock();
    nextDue_ = impl_->dueAfterTask;
    if (impl_->heapExceeded && !quit_) {
      // The run ends (runWork marked it failed): threads in waits come back,
      // unwind, and the last one out tears the isolate down.
      quit_ = true;
      stopWaits_.request_stop();
      stopShutdownWaits_.request_stop();
      wake_.notify_all();
    }
  }
}

ProjectRuntime::WorkKind ProjectRuntime::pickLocked(std::function<void()>& task) {
  // The clock only when something waits for a time (V8's delayed tasks, timers).
  const bool timed = platformDue_ != Clock::time_point::max() || nextDue_ != Clock::time_point::max();
  const auto now = timed ? Clock::now() : Clock::time_point::min();
  if (platformDue_ <= now) {
    platformDue_ = Clock::time_point::max();
    return WorkKind::Platform;
  }
  if (!tasks_.empty()) {
    task = std::move(tasks_.front());
    tasks_.pop_front();
    return WorkKind::Task;
  }
  if (nextDue_ <= now) return WorkKind::Timed;
  return WorkKind::None;
}

// One task, in the holder's Locker and isolate scope (runHeld).
void ProjectRuntime::runWork(WorkKind kind, std::function<void()>& task) {
  auto& d = *impl_;
  v8::Isolate* isolate = d.isolate;
  v8::HandleScope handles(isolate);
  v8::Context::Scope contextScope(d.ctx());
  d.beginStretch();

  switch (kind) {
    case WorkKind::Platform:
      // V8's own tasks (a finished WebAssembly compile resolving its
      // promise, GC steps); a delayed one not yet due stays queued. Like
      // the microtask queue, V8's task queue is shared: a wait in one of
      // its tasks (a FinalizationRegistry callback) keeps the isolate.
      d.inCheckpoint = true;
      while (foreground::pump(isolate) && !isolate->IsExecutionTerminating()) {
      }
      d.inCheckpoint = false;
      break;
    case WorkKind::Task: task(); break;
    case WorkKind::Timed: d.fireDue(Clock::now()); break;
    case WorkKind::None: break;
  }
  // A terminated task skips the checkpoint: a pending termination would end
  // it and drop every queued continuation, other tasks' ones included.
  const bool terminatedInTask = d.stretchTerminated();
  if (!terminatedInTask) {
    d.inCheckpoint = true;
    isolate->PerformMicrotaskCheckpoint();
    d.inCheckpoint = false;
  }
  if (!d.unhandled.empty() && !isolate->IsExecutionTerminating()) {
    v8::TryCatch tc(isolate);  // describing a reason may run user code (.stack)
    d.reportUnhandled();
  }

  if (d.endStretch() && !terminatedInTask && !d.heapExceeded && !stopWaits_.stop_requested()) {
    // A termination inside the microtask checkpoint drops every queued
    // continuation: promises still pending may never settle. Answer them
    // now rather than let them hang (their work was lost with the queue).
    if (!d.terminationReported)
      log_->write("ERROR", "CPU time limit exceeded (runtime.timeout) in a promise continuation" +
                               std::string(d.settles.empty() ? "" : "; pending requests were aborted"));
    d.abortSettles(500, "CPU time limit exceeded (runtime.timeout) in a promise continuation");
  }
  d.terminationReported = false;
  // Heap statistics for /status: refreshed at most every 100 ms, not per task
  // (timed by the stretch's end, read just now: one clock read less per task).
  if (auto now = d.lastStretchEnd; now - d.lastHeapStats > milliseconds(100)) {
    v8::HeapStatistics hs;
    isolate->GetHeapStatistics(&hs);
    heapUsed_ = hs.used_heap_size() + d.allocator->used();
    d.lastHeapStats = now;
  }
  d.dueAfterTask = d.nextDue();
  if (d.heapExceeded && state() != RunState::Failed) fail(heapMessage());
}

void ProjectRuntime::leaveTurn(Clock::time_point nextDue) {
  bool notify = false;
  {
    std::lock_guard lock(mutex_);
    ++waiting_;
    nextDue_ = nextDue;
    if (!resumers_.empty()) {  // a waiter that came back first takes over
      Resumer* next = resumers_.front();
      resumers_.pop_front();
      next->granted = true;
      next->cv.notify_one();
      return;
    }
    holder_ = false;
    if (quit_) return;
    // Someone must run the queue, and wake for the next timer, while this
    // thread waits: an idle thread, or a new one within the pool.
    if (idle_ > 0) notify = true;
    else if (threadsAlive_ < limits_.poolSize) spawnWorkerLocked();
  }
  if (notify) wake_.notify_one();
}

void ProjectRuntime::takeTurnBack() {
  std::unique_lock lock(mutex_);
  --waiting_;
  if (!holder_ && resumers_.empty()) {
    holder_ = true;
    return;
  }
  Resumer me;
  resumers_.push_back(&me);
  me.cv.wait(lock, [&] { return me.granted; });
}

void ProjectRuntime::teardown() {
  auto& d = *impl_;
  v8::Isolate* isolate = d.isolate;
  if (!isolate) return;
  {
    v8::Locker locker(isolate);
    v8::Isolate::Scope isolateScope(isolate);
    v8::HandleScope handles(isolate);
    d.abortSettles(503, "the project stopped before answering");
    d.timers.clear();
    d.delayed.clear();
    d.asyncCalls.clear();
    {
      std::lock_guard lock(d.jobsMutex);
      d.jobs.clear();
    }
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
