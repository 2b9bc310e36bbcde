// One running project: a V8 isolate + context owned by its own event-loop
// thread. Everything that touches the isolate runs as a task on that loop;
// other threads only post tasks, read a status snapshot, or terminate it.
#pragma once

#include <m3m/module.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/run_log.hpp"

namespace m3m::runtime {

using std::chrono::milliseconds;

struct RuntimeLimits {
  milliseconds cpuTimeout{30'000};      // one task (route call, timer, phase step)
  size_t heapMb = 128;                   // V8 heap + ArrayBuffers
  size_t maxQueue = 1000;                // requests waiting for this project
  milliseconds shutdownTimeout{5'000};   // the shutdown phase
  milliseconds phaseTimeout{60'000};     // boot or start, awaits included
  milliseconds requestTimeout{60'000};   // one request, awaits included (then 504)
  size_t maxResponse = 10u << 20;        // one route's response body (bytes); larger → 500
  bool wasm = false;                     // WebAssembly available (its memory counts against heapMb)
};

struct ProjectInfo {
  std::string id;
  std::string slug;
  std::string url;
};

struct HttpCall {
  std::string method;
  std::string path;  // inside the project: "/hello/ann"
  std::string rawQuery;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string requestId;
};

struct HttpReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class RunState { Starting, Running, Failed, Stopped };
const char* runStateName(RunState s);

struct RunSnapshot {
  RunState state = RunState::Stopped;
  std::string lastError;
  std::size_t heapUsed = 0;
  std::uint64_t calls = 0;
};

struct Outcome {
  bool ok = true;
  std::string error;
};

class ProjectRuntime {
 public:
  ProjectRuntime(ProjectInfo info, std::string code, RuntimeLimits limits, std::shared_ptr<RunLog> log,
                 const std::vector<ModuleSchema>& modules);
  ~ProjectRuntime();
  ProjectRuntime(const ProjectRuntime&) = delete;
  ProjectRuntime& operator=(const ProjectRuntime&) = delete;

  // Starts the loop thread, evaluates the code and runs every boot callback.
  // Blocks the caller until done (bounded by limits.phaseTimeout).
  Outcome boot();
  // Runs every start callback; on success the project serves requests.
  Outcome start();
  // Ends the run: shutdown callbacks (bounded), then the isolate is destroyed;
  // nothing of this run executes afterwards. Safe to call more than once.
  void stop();

  // Queues a request; `done` is called exactly once, from the loop thread (or
  // from stop() with a 503). False when the queue is full.
  bool dispatch(HttpCall call, std::function<void(HttpReply)> done);

  RunSnapshot snapshot() const;
  const ProjectInfo& info() const { return info_; }

  struct Impl;  // V8 state, in runtime/detail/project_impl.hpp (keeps v8.h out of this header)

 private:
  Outcome runPhase(const char* name);
  void post(std::function<void()> task);
  void loop();
  void watchdog();
  void fail(const std::string& error);
  std::string heapMessage() const;
  void endFailedRun();

  ProjectInfo info_;
  std::string code_;
  RuntimeLimits limits_;
  std::shared_ptr<RunLog> log_;
  const std::vector<ModuleSchema>& modules_;

  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  std::thread watchdogThread_;
  // Guards creating and joining the threads: stop() may come from another
  // thread while boot() is still starting them.
  std::mutex lifecycleMutex_;
  bool stopped_ = false;

  mutable std::mutex mutex_;  // tasks_, quit_, state
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool quit_ = false;
  // V8 posted a foreground task for the isolate (runs when due); max = none.
  std::chrono::steady_clock::time_point platformDue_ = std::chrono::steady_clock::time_point::max();
  bool started_ = false;
  RunState state_ = RunState::Starting;
  std::string lastError_;

  std::atomic<std::size_t> heapUsed_{0};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::size_t> pendingRequests_{0};

  // Watchdog: arms around every task; fires TerminateExecution past the CPU limit.
  std::mutex wdMutex_;
  std::condition_variable wdWake_;
  bool wdQuit_ = false;
  bool wdArmed_ = false;
  bool wdFired_ = false;
  std::uint64_t wdGeneration_ = 0;
  std::chrono::steady_clock::time_point wdStart_;
};

}  // namespace m3m::runtime
