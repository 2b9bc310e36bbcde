// The CPU watchdog. A stretch of JS arms its project's slot (from taking the
// isolate to leaving it: Impl::beginStretch / endStretch / pauseStretch);
// past runtime.timeout the stretch is terminated — only while armed, i.e.
// while its target holds the isolate. One thread watches every running
// project (an idle project costs no thread of its own for this), polling on
// a tick instead of being woken per task: arming and disarming stay two
// uncontended lock/unlock pairs on the request path, no syscalls. The limit
// is enforced within one tick.
#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/detail/project_impl.hpp"

namespace m3m::runtime {

namespace {

class SharedWatchdog {
 public:
  static SharedWatchdog& instance() {
    static SharedWatchdog watchdog;
    return watchdog;
  }

  void add(const void* key, milliseconds tick, std::function<void()> check) {
    std::lock_guard lock(mutex_);
    watched_[key] = {tick, std::move(check)};
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    wake_.notify_one();  // the tick may be shorter now
  }
  // After this returns the check of `key` never runs again (checks run under mutex_).
  void remove(const void* key) {
    std::lock_guard lock(mutex_);
    watched_.erase(key);
  }

  ~SharedWatchdog() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Watched {
    milliseconds tick;
    std::function<void()> check;
  };

  void loop() {
    pthread_setname_np(pthread_self(), "m3m-watchdog");
    std::unique_lock lock(mutex_);
    while (!quit_) {
      auto tick = milliseconds(100);
      for (const auto& [key, w] : watched_) tick = std::min(tick, w.tick);
      wake_.wait_for(lock, tick, [&] { return quit_; });
      for (const auto& [key, w] : watched_) w.check();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<const void*, Watched> watched_;
  bool quit_ = false;
  std::thread thread_;
};

}  // namespace

void ProjectRuntime::watch() {
  const auto tick = std::clamp(limits_.cpuTimeout / 10, milliseconds(5), milliseconds(100));
  SharedWatchdog::instance().add(this, tick, [this] { checkStretch(); });
}

void ProjectRuntime::unwatch() { SharedWatchdog::instance().remove(this); }

void ProjectRuntime::checkStretch() {
  std::lock_guard lock(wdMutex_);
  if (!wdArmed_ || wdFired_) return;
  if (std::chrono::steady_clock::now() - wdStart_ < limits_.cpuTimeout) return;
  // Still armed for the same stretch, past its limit. Terminate under the
  // lock, so the stretch (which disarms under it) can cancel it reliably.
  wdFired_ = true;
  impl_->terminatedByWatchdog = true;
  impl_->isolate->TerminateExecution();
}

}  // namespace m3m::runtime
