#include "runtime/engine.hpp"

#include <libplatform/libplatform.h>
#include <v8.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace m3m::runtime {

namespace {

// An isolate's foreground queue as V8 sees it: V8's own queue, plus a
// wake-up of a thread of the project that owns the isolate (otherwise a task posted
// from a worker thread — a finished async compile — waits until some request
// happens to arrive, or forever).
class WakingRunner final : public v8::TaskRunner {
 public:
  explicit WakingRunner(std::shared_ptr<v8::TaskRunner> inner) : inner_(std::move(inner)) {}

  void setWake(std::function<void(double)> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
  }

  void PostTask(std::unique_ptr<v8::Task> task) override {
    inner_->PostTask(std::move(task));
    notify(0);
  }
  void PostNonNestableTask(std::unique_ptr<v8::Task> task) override {
    inner_->PostNonNestableTask(std::move(task));
    notify(0);
  }
  void PostDelayedTask(std::unique_ptr<v8::Task> task, double delay) override {
    inner_->PostDelayedTask(std::move(task), delay);
    notify(delay);
  }
  void PostNonNestableDelayedTask(std::unique_ptr<v8::Task> task, double delay) override {
    inner_->PostNonNestableDelayedTask(std::move(task), delay);
    notify(delay);
  }
  void PostIdleTask(std::unique_ptr<v8::IdleTask> task) override { inner_->PostIdleTask(std::move(task)); }
  bool IdleTasksEnabled() override { return inner_->IdleTasksEnabled(); }
  bool NonNestableTasksEnabled() const override { return inner_->NonNestableTasksEnabled(); }
  bool NonNestableDelayedTasksEnabled() const override { return inner_->NonNestableDelayedTasksEnabled(); }

 private:
  void notify(double delay) {
    std::lock_guard lock(mutex_);  // forget() clears wake_ under it: no call after
    if (wake_) wake_(delay);
  }

  std::shared_ptr<v8::TaskRunner> inner_;
  std::mutex mutex_;
  std::function<void(double)> wake_;
};

struct Registry {
  v8::Platform* inner = nullptr;
  std::mutex mutex;
  std::unordered_map<v8::Isolate*, std::shared_ptr<WakingRunner>> runners;

  std::shared_ptr<WakingRunner> runnerOf(v8::Isolate* isolate) {
    std::lock_guard lock(mutex);
    auto& r = runners[isolate];
    if (!r) r = std::make_shared<WakingRunner>(inner->GetForegroundTaskRunner(isolate));
    return r;
  }
};
Registry* gRegistry = nullptr;  // set while the Engine lives

// V8's default platform with the foreground queues wrapped (above).
class WakingPlatform final : public v8::Platform {
 public:
  explicit WakingPlatform(v8::Platform* inner) : inner_(inner) {}

  std::shared_ptr<v8::TaskRunner> GetForegroundTaskRunner(v8::Isolate* isolate) override {
    return gRegistry->runnerOf(isolate);
  }
  v8::PageAllocator* GetPageAllocator() override { return inner_->GetPageAllocator(); }
  v8::ZoneBackingAllocator* GetZoneBackingAllocator() override { return inner_->GetZoneBackingAllocator(); }
  void OnCriticalMemoryPressure() override { inner_->OnCriticalMemoryPressure(); }
  bool OnCriticalMemoryPressure(size_t length) override { return inner_->OnCriticalMemoryPressure(length); }
  int NumberOfWorkerThreads() override { return inner_->NumberOfWorkerThreads(); }
  void CallOnWorkerThread(std::unique_ptr<v8::Task> task) override { inner_->CallOnWorkerThread(std::move(task)); }
  void CallBlockingTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner_->CallBlockingTaskOnWorkerThread(std::move(task));
  }
  void CallLowPriorityTaskOnWorkerThread(std::unique_ptr<v8::Task> task) override {
    inner_->CallLowPriorityTaskOnWorkerThread(std::move(task));
  }
  void CallDelayedOnWorkerThread(std::unique_ptr<v8::Task> task, double delay) override {
    inner_->CallDelayedOnWorkerThread(std::move(task), delay);
  }
  bool IdleTasksEnabled(v8::Isolate* isolate) override { return inner_->IdleTasksEnabled(isolate); }
  std::unique_ptr<v8::JobHandle> PostJob(v8::TaskPriority priority, std::unique_ptr<v8::JobTask> job) override {
    return inner_->PostJob(priority, std::move(job));
  }
  double MonotonicallyIncreasingTime() override { return inner_->MonotonicallyIncreasingTime(); }
  double CurrentClockTimeMillis() override { return inner_->CurrentClockTimeMillis(); }
  StackTracePrinter GetStackTracePrinter() override { return inner_->GetStackTracePrinter(); }
  v8::TracingController* GetTracingController() override { return inner_->GetTracingController(); }
  void DumpWithoutCrashing() override { inner_->DumpWithoutCrashing(); }

 private:
  v8::Platform* inner_;
};

}  // namespace

Engine::Engine(EngineOptions options) {
  if (options.wasmMaxMemPages > 0) {
    const std::string flag = "--wasm-max-mem-pages=" + std::to_string(options.wasmMaxMemPages);
    v8::V8::SetFlagsFromString(flag.c_str(), flag.size());
  }
  // TurboFan on the project's own thread. A concurrent job finishes on a V8
  // worker thread and asks the isolate, by an interrupt, to install its code;
  // a project's thread lets go of its top-level v8::Locker whenever it idles,
  // and taking it again starts the thread's stack guard afresh, so the request
  // was lost and no function was ever optimized (only loops, by OSR). Found
  // with %GetOptimizationStatus; a unit test keeps it (project_runtime_test).
  static constexpr std::string_view kSyncTurbofan = "--no-concurrent-recompilation";
  v8::V8::SetFlagsFromString(kSyncTurbofan.data(), kSyncTurbofan.size());
  // A diagnostic knob for developers (docs/development.md), never needed to
  // run: V8's own flags, e.g. "--trace-opt --trace-deopt".
  if (const char* flags = std::getenv("M3M_V8_FLAGS"); flags && *flags)
    v8::V8::SetFlagsFromString(flags, std::strlen(flags));
  // NewDefaultPlatform, not node's MultiIsolatePlatform (that one makes a
  // plain Isolate::New abort: DESIGN pitfall).
  inner_ = v8::platform::NewDefaultPlatform();
  gRegistry = new Registry{inner_.get(), {}, {}};
  platform_ = std::make_unique<WakingPlatform>(inner_.get());
  v8::V8::InitializePlatform(platform_.get());
  if (!v8::V8::Initialize()) throw std::runtime_error("V8 failed to initialize");
}

Engine::~Engine() {
  v8::V8::Dispose();
  v8::V8::DisposePlatform();
  platform_.reset();
  inner_.reset();
  delete gRegistry;
  gRegistry = nullptr;
}

namespace foreground {

void watch(v8::Isolate* isolate, std::function<void(double)> wake) {
  gRegistry->runnerOf(isolate)->setWake(std::move(wake));
}

bool pump(v8::Isolate* isolate) { return v8::platform::PumpMessageLoop(gRegistry->inner, isolate); }

void forget(v8::Isolate* isolate) {
  std::shared_ptr<WakingRunner> runner;
  {
    std::lock_guard lock(gRegistry->mutex);
    if (auto it = gRegistry->runners.find(isolate); it != gRegistry->runners.end()) {
      runner = std::move(it->second);
      gRegistry->runners.erase(it);
    }
  }
  if (runner) runner->setWake(nullptr);
  // Without this the default platform keeps the isolate's queue (and what
  // is in it) for the life of the process: one per run ever started.
  v8::platform::NotifyIsolateShutdown(gRegistry->inner, isolate);
}

}  // namespace foreground

}  // namespace m3m::runtime
