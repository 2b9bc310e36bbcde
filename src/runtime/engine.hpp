// The process-wide V8 platform (the only global the design allows). Created
// once by App before any project runtime, disposed after the last one.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace v8 {
class Isolate;
class Platform;
}  // namespace v8

namespace m3m::runtime {

struct EngineOptions {
  // Upper bound of one WebAssembly memory, in 64 KiB pages (V8's
  // --wasm-max-mem-pages; process-wide, so it must be set before V8 starts).
  // 0 keeps V8's default (65536 pages = 4 GiB).
  std::size_t wasmMaxMemPages = 0;
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

 private:
  std::unique_ptr<v8::Platform> inner_;     // V8's default platform (runs the task queues)
  std::unique_ptr<v8::Platform> platform_;  // what V8 sees: the default one, plus wake-ups
};

// V8 posts tasks for an isolate to its foreground queue (a finished async
// WebAssembly compile resolves its promise from there; GC steps and
// FinalizationRegistry callbacks too). A thread of the project must run
// them: it registers a wake-up, and pumps the queue when woken.
namespace foreground {
// Called from any thread when a task is posted for `isolate`; `delaySeconds`
// > 0 for a delayed task. Replaces an earlier wake-up of the same isolate.
void watch(v8::Isolate* isolate, std::function<void(double delaySeconds)> wake);
// Runs the isolate's due foreground tasks (on its own thread, isolate
// entered); true when at least one ran.
bool pump(v8::Isolate* isolate);
// Before Isolate::Dispose: drops the wake-up and the isolate's queue.
void forget(v8::Isolate* isolate);
}  // namespace foreground

}  // namespace m3m::runtime
