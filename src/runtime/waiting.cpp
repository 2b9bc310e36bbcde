// Waiting calls (CallContext::blocking): the calling thread leaves the
// isolate for the wait — DESIGN rule 2: Exit, one Unlocker, no V8 call or
// handle inside — so other tasks of the project run meanwhile, and takes it
// back afterwards. The CPU clock stops for the wait; the wait itself is
// bounded by the caller (utils.sleep by runtime.max_wait) and ends at once
// when the run ends (the stop token).
#include <chrono>
#include <exception>
#include <optional>
#include <tuple>

#include "runtime/detail/project_impl.hpp"

namespace m3m::runtime {

void ProjectRuntime::Impl::blocking(const std::function<void(std::stop_token)>& wait) {
  // Once a stop began, only the shutdown callbacks may still wait (until
  // runtime.shutdown_timeout ends them too); any other task that reaches a
  // waiting call is abandoned, like one that was waiting when stop came.
  const bool stopping = ending();
  const bool forShutdown = stopping && (shutdownStack || (inCheckpoint && shutdownPhase));
  if (stopping && !forShutdown) abandonTask();
  const std::stop_token token = forShutdown ? self.stopShutdownWaits_.get_token() : self.stopWaits_.get_token();
  if (token.stop_requested()) abandonTask();
  if (!pauseStretch()) throw WaitAbandoned{};  // the watchdog ended this stretch: termination goes on
  std::exception_ptr failed;
  // The wait is counted for the metrics (count and time), wherever it runs.
  struct CountWait {
    explicit CountWait(ProjectRuntime& rt) : self(rt) {}
    CountWait(const CountWait&) = delete;
    CountWait& operator=(const CountWait&) = delete;
    ProjectRuntime& self;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    ~CountWait() {
      const auto took = std::chrono::steady_clock::now() - start;
      self.waits_.fetch_add(1, std::memory_order_relaxed);
      self.waitNanos_.fetch_add(
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(took).count()),
          std::memory_order_relaxed);
    }
  };
  std::optional<CountWait> counted;
  // Inside the microtask checkpoint (code after an `await`) the queue is
  // shared by every task (DESIGN rule 4), and inside another module's call
  // (a database transaction's callback) that module holds its own locks:
  // there the wait keeps the isolate, as a plain blocking call would.
  if (inCheckpoint || moduleDepth > 1) {
    counted.emplace(self);
    try {
      wait(token);
    } catch (...) {
      failed = std::current_exception();
    }
  } else {
    const auto due = nextDue();
    // This stack's own state; the next holder has its own.
    const int depth = moduleDepth;
    const bool shutdown = shutdownStack;
    moduleDepth = 0;
    shutdownStack = false;
    isolate->Exit();
    {
      v8::Unlocker unlocker(isolate);
      self.leaveTurn(due);
      counted.emplace(self);
      try {
        wait(token);
      } catch (...) {
        failed = std::current_exception();
      }
      counted.reset();  // the wait, not the time taken to get the isolate back
      self.takeTurnBack();
    }
    isolate->Enter();
    moduleDepth = depth;
    shutdownStack = shutdown;
  }
  beginStretch();
  // The run is ending: the task is abandoned, not told (a catch in JS could
  // carry on); a request answers 503.
  if (token.stop_requested()) abandonTask();
  if (failed) std::rethrow_exception(failed);
}

void ProjectRuntime::Impl::abandonTask() {
  // This thread holds the isolate and is armed, so the termination hits
  // this task and no other.
  {
    std::lock_guard lock(self.wdMutex_);
    self.wdFired_ = true;
    isolate->TerminateExecution();
  }
  // TerminateExecution is an interrupt, taken at the next stack check:
  // without one the JS after the wait (a native call, a return) would still
  // run. Entering any script takes it; the termination then goes up
  // through the caller's frames.
  v8::Local<v8::Script> probe;
  if (v8::Script::Compile(ctx(), v8::String::NewFromUtf8Literal(isolate, "void 0")).ToLocal(&probe))
    std::ignore = probe->Run(ctx());
  throw WaitAbandoned{};
}

}  // namespace m3m::runtime
