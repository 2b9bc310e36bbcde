// One running project: a V8 isolate + context, and up to
// runtime.worker_pool_size threads of its own that run its JS one at a time
// (v8::Locker). A waiting host call (utils.sleep, later http.*) leaves the
// isolate; another thread of the project runs the next task meanwhile
// (docs/runtime.md, "Concurrency"). Other threads only post tasks, read a
// status snapshot, or stop the run.
#pragma once

#include <m3m/module.hpp>

#include "runtime/module_source.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/module_registry.hpp"
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
  size_t poolSize = 8;                   // threads that may run this project's JS (one at a time)
  milliseconds maxWait{600'000};         // one waiting call (utils.sleep)
  std::string timezone = "UTC";          // schedule.* (IANA name)
  milliseconds idleThreadTtl{10'000};    // an extra idle thread exits after this
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

// One schedule.* job as the API shows it (times: UTC, milliseconds since the epoch; 0 = none).
struct ScheduleJobInfo {
  std::string id;
  std::string kind;        // "cron" | "every"
  std::string expression;  // the cron text, or "200ms"
  std::int64_t nextRunMs = 0;
  std::int64_t lastRunMs = 0;
  std::optional<std::int64_t> lastDurationMs;
  std::uint64_t runs = 0, skipped = 0, errors = 0;
  bool running = false;
};

struct TaskCounts {  // delayed.run tasks
  std::uint64_t running = 0, queued = 0, done = 0, failed = 0;
};

struct RunSnapshot {
  RunState state = RunState::Stopped;
  std::string lastError;
  std::size_t heapUsed = 0;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;  // of the calls, answered with a 5xx
  TaskCounts tasks;
  std::size_t threads = 0;  // alive threads of the project
  std::size_t waiting = 0;  // of them, inside a waiting call
  double jsSeconds = 0;     // time threads held the isolate running JS (waits excluded)
  std::uint64_t waits = 0;  // waiting calls that ended
  double waitSeconds = 0;   // time spent in them
  std::size_t heapLimit = 0;       // bytes (runtime.memory_limit_mb)
  std::size_t queuedRequests = 0;  // route calls queued or running
  std::string timezone;
  std::vector<ScheduleJobInfo> schedules;
};

struct Outcome {
  bool ok = true;
  std::string error;
};

class ProjectRuntime {
 public:
  ProjectRuntime(ProjectInfo info, std::string code, RuntimeLimits limits, std::shared_ptr<RunLog> log,
                 ModuleSet modules);  // the modules bound in every context of this run
  ~ProjectRuntime();
  ProjectRuntime(const ProjectRuntime&) = delete;
  ProjectRuntime& operator=(const ProjectRuntime&) = delete;

  // Creates the isolate, starts the first thread, evaluates the code and runs every boot callback.
  // Blocks the caller until done (bounded by limits.phaseTimeout).
  Outcome boot();
  // Runs every start callback; on success the project serves requests.
  Outcome start();
  // Ends the run: shutdown callbacks (bounded), then the isolate is destroyed;
  // nothing of this run executes afterwards. Safe to call more than once.
  void stop();

  // Queues a request; `done` is called exactly once, from a thread of the project (or
  // from stop() with a 503). False when the queue is full.
  bool dispatch(HttpCall call, std::function<void(HttpReply)> done);

  // Several nodes (docs/cluster.md): asked before each timer or schedule
  // tick; false holds the tick back (retried shortly) because this node may
  // no longer own the project. Set before boot; none = always.
  void setFence(std::function<bool()> mayAct) { fence_ = std::move(mayAct); }

  RunSnapshot snapshot() const;
  // The state alone (on the request path: no copies).
  RunState state() const {
    std::lock_guard lock(mutex_);
    return state_;
  }
  const ProjectInfo& info() const { return info_; }

  struct Impl;  // V8 state, in runtime/detail/project_impl.hpp (keeps v8.h out of this header)
  struct Mailbox;  // how finished async work reaches the run (detail/project_impl.hpp)

 private:
  // A unit of work the holder of the isolate picks (workers.cpp).
  enum class WorkKind { None, Task, Platform, Timed };
  // A thread whose wait ended, queued for the isolate ahead of fresh work.
  struct Resumer {
    bool granted = false;
    std::condition_variable cv;
  };

  Outcome runPhase(const char* name);
  // False (the task dropped) once the run is ending.
  bool post(std::function<void()> task);
  void fail(const std::string& error);
  std::string heapMessage() const;
  void endFailedRun();

  // --- the project's threads (workers.cpp) -----------------------------------
  void createIsolate();
  void spawnWorkerLocked();
  void workerMain();
  void runHeld(std::unique_lock<std::mutex>& lock);
  WorkKind pickLocked(std::function<void()>& task);
  void runWork(WorkKind kind, std::function<void()>& task);
  bool hasWorkLocked() const;
  void releaseTurnLocked();
  void teardown();
  // The waiting-call protocol, called by Impl::blocking on the thread that
  // holds the isolate (inside a task): leave the turn, wait, take it back.
  void leaveTurn(std::chrono::steady_clock::time_point nextDue);
  void takeTurnBack();

  // --- CPU watchdog (watchdog.cpp): one thread for every project -------------
  void watch();
  void unwatch();
  void checkStretch();  // on the watchdog's thread

  ProjectInfo info_;
  std::string code_;
  RuntimeLimits limits_;
  std::shared_ptr<RunLog> log_;
  ModuleSet modules_;

  std::unique_ptr<Impl> impl_;
  std::function<bool()> fence_;
  std::shared_ptr<Mailbox> mailbox_;
  // Guards creating and joining the threads: stop() may come from another
  // thread while boot() is still starting them.
  std::mutex lifecycleMutex_;
  bool stopped_ = false;

  // The turn: at most one thread holds the isolate (holder_); the queue of
  // work and the threads' bookkeeping. All under mutex_.
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // idle threads
  std::deque<std::function<void()>> tasks_;
  bool quit_ = false;
  bool poolStarted_ = false;
  bool holder_ = false;
  std::deque<Resumer*> resumers_;
  std::size_t threadsAlive_ = 0, idle_ = 0, waiting_ = 0;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> exited_;  // reaped idle threads, joined at the next spawn
  // The next timer, request deadline or schedule tick (published by the
  // holder of the isolate), and the next task V8 posted for the isolate.
  std::chrono::steady_clock::time_point nextDue_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point platformDue_ = std::chrono::steady_clock::time_point::max();
  // Signalled when stop begins: every waiting call returns at once (those of
  // the shutdown callbacks when the shutdown phase ends).
  std::stop_source stopWaits_;
  std::stop_source stopShutdownWaits_;
  bool started_ = false;
  RunState state_ = RunState::Starting;
  std::string lastError_;

  std::atomic<std::size_t> heapUsed_{0};
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> errors_{0};  // calls answered with a 5xx
  std::atomic<std::size_t> pendingRequests_{0};
  // For the metrics: added once per JS stretch / per waiting call (no lock of their own).
  std::atomic<std::uint64_t> jsNanos_{0};
  std::atomic<std::uint64_t> waits_{0};
  std::atomic<std::uint64_t> waitNanos_{0};

  // Watchdog: armed while a thread runs JS (from taking the isolate to
  // leaving it); past runtime.timeout it terminates that stretch. It only
  // ever terminates under wdMutex_ while armed, i.e. while its target holds
  // the isolate (DESIGN "Runtime model" rule 5).
  std::mutex wdMutex_;
  bool wdArmed_ = false;
  std::atomic<bool> wdFired_{false};  // written under wdMutex_; read lock-free after a task
  bool wdStopping_ = false;  // stop(): a stretch that begins is terminated at once
  std::chrono::steady_clock::time_point wdStart_;
};

}  // namespace m3m::runtime
