// The CPU watchdog: one thread per project. A stretch of JS arms it (from
// taking the isolate to leaving it: Impl::beginStretch / endStretch /
// pauseStretch); past runtime.timeout it terminates that stretch — only
// while armed, i.e. while its target holds the isolate.
#include <algorithm>

#include "runtime/detail/project_impl.hpp"

namespace m3m::runtime {

void ProjectRuntime::watchdog() {
  // Polls on a tick instead of being woken per task: arming and disarming are
  // then two uncontended lock/unlock pairs on the hot path, no syscalls. The
  // limit is enforced within one tick.
  const auto tick = std::clamp(limits_.cpuTimeout / 10, milliseconds(5), milliseconds(100));
  std::unique_lock lock(wdMutex_);
  while (!wdQuit_) {
    wdWake_.wait_for(lock, tick, [&] { return wdQuit_; });
    if (wdQuit_) break;
    if (!wdArmed_ || wdFired_) continue;
    if (std::chrono::steady_clock::now() - wdStart_ < limits_.cpuTimeout) continue;
    // Still armed for the same stretch, past its limit. Terminate under the
    // lock, so the stretch (which disarms under it) can cancel it reliably.
    wdFired_ = true;
    impl_->terminatedByWatchdog = true;
    impl_->isolate->TerminateExecution();
  }
}

}  // namespace m3m::runtime
