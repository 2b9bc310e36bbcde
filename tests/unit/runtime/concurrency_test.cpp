// The runtime's concurrency model (issue 15, DESIGN "Runtime model"): a
// project's JS on several threads, one at a time; waiting calls leave the
// isolate. Each of DESIGN's rules has a test here. The `gate` module is a
// test-only waiting call that the test opens by name.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "runtime_harness.hpp"

using namespace m3m;
using namespace m3m::runtime;
using namespace std::chrono_literals;

namespace {

// Gates the test opens; JS waits on them through a waiting call.
struct Gates {
  std::mutex m;
  std::condition_variable_any cv;
  std::map<std::string, bool> open;
  std::atomic<int> waiting{0};

  void release(const std::string& name) {
    {
      std::lock_guard lock(m);
      open[name] = true;
    }
    cv.notify_all();
  }
  bool waitForWaiters(int n, std::chrono::milliseconds within = 5s) {
    auto until = std::chrono::steady_clock::now() + within;
    while (waiting.load() < n)
      if (std::chrono::steady_clock::now() > until) return false;
      else std::this_thread::sleep_for(1ms);
    return true;
  }
};

ModuleSchema gateModule(std::shared_ptr<Gates> gates) {
  return ModuleBuilder("gate")
      .function("wait", {param("name", t::string())}, t::void_(), "waits until the test opens the gate",
                [gates](CallContext& ctx, const Args& a) -> Value {
                  auto name = a.string(0);
                  ctx.blocking([&](std::stop_token stop) {
                    std::unique_lock lock(gates->m);
                    ++gates->waiting;
                    gates->cv.wait_for(lock, stop, 10s, [&] { return gates->open[name]; });
                    --gates->waiting;
                  });
                  return nullptr;
                })
      .function("within", {param("fn", t::function("() => unknown"))}, t::unknown(), "calls fn inside this module call",
                [](CallContext&, const Args& a) -> Value { return a.callback(0)({}); })
      .build();
}

RuntimeLimits pool(size_t n) {
  auto l = Harness::quick();
  l.poolSize = n;
  return l;
}

nlohmann::json body(const HttpReply& r) { return nlohmann::json::parse(r.body); }

}  // namespace

// The pool: a fast call answers while 7 others wait; the realm is shared and
// the counter exact; handles kept across a release survive GCs (rule 1, 2).
TEST(RuntimeConcurrency, OtherTasksRunWhileSevenWait) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    let n = 0
    service.start(() => {
      router.get('/wait', () => { const mine = { n: ++n, big: 'x'.repeat(1000) }; gate.wait('go'); return { mine: mine.n, len: mine.big.length } })
      router.get('/fast', () => { const junk = []; for (let i = 0; i < 2000; i++) junk.push({ i }); return { n: ++n } })
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::vector<std::future<HttpReply>> waiting;
  for (int i = 0; i < 7; ++i) waiting.push_back(h.send("/wait"));
  ASSERT_TRUE(gates->waitForWaiters(7));
  EXPECT_EQ(h.rt->snapshot().waiting, 7u);
  for (int i = 0; i < 300; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = h.call("/fast");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  }
  gates->release("go");
  std::set<int> seen;
  for (auto& f : waiting) {
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    auto r = f.get();
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body(r)["len"], 1000) << "the waiter's objects survived the other tasks' GCs";
    seen.insert(body(r)["mine"].get<int>());
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(body(h.call("/fast"))["n"], 7 + 300 + 1) << "one realm, every increment counted";
  auto snap = h.rt->snapshot();
  EXPECT_LE(snap.threads, 8u);
  EXPECT_EQ(snap.waiting, 0u);
  h.rt->stop();
}

// runtime.worker_pool_size 1: a wait blocks the project (the old behaviour).
TEST(RuntimeConcurrency, PoolOfOneBlocksBehindAWait) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    service.start(() => {
      router.get('/wait', () => { gate.wait('go'); return { waited: true } })
      router.get('/fast', () => ({ fast: true }))
    })
  )",
            pool(1), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto w = h.send("/wait");
  ASSERT_TRUE(gates->waitForWaiters(1));
  auto fast = h.send("/fast");
  EXPECT_EQ(fast.wait_for(300ms), std::future_status::timeout) << "queued behind the wait";
  gates->release("go");
  EXPECT_EQ(w.get().status, 200);
  EXPECT_EQ(fast.get().status, 200);
  h.rt->stop();
}

// Rule 3: a wait that ended gets the isolate back before fresh work, even
// under a flood of fast calls.
TEST(RuntimeConcurrency, AWaiterThatWakesIsServedBeforeTheFlood) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    service.start(() => {
      router.get('/wait', () => { gate.wait('go'); return { at: Date.now() } })
      router.get('/fast', () => { let s = 0; for (let i = 0; i < 20000; i++) s += i; return { s } })
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::atomic<bool> flood{true};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c)
    clients.emplace_back([&] {
      while (flood) {
        std::vector<std::future<HttpReply>> batch;
        for (int i = 0; i < 50; ++i) batch.push_back(h.send("/fast"));
        for (auto& f : batch) f.wait();
      }
    });
  auto w = h.send("/wait");
  ASSERT_TRUE(gates->waitForWaiters(1));
  std::this_thread::sleep_for(50ms);
  const auto opened = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  gates->release("go");
  auto r = w.get();
  flood = false;
  for (auto& c : clients) c.join();
  ASSERT_EQ(r.status, 200);
  const auto late = body(r)["at"].get<std::int64_t>() - opened;
  // Up to 100 queued fast calls were ahead of it; it waited for at most the
  // one running (each well under a millisecond, more under ASan).
  EXPECT_LT(late, 50) << "the waiter waited " << late << " ms for the isolate";
  h.rt->stop();
}

// Rule 4: microtasks are shared — a continuation queued before a wait runs
// while its task still waits; inside a checkpoint a wait keeps the isolate.
TEST(RuntimeConcurrency, MicrotasksAreSharedAndAWaitInsideOneKeepsTheIsolate) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    let flag = false
    service.start(() => {
      router.get('/a', () => { Promise.resolve().then(() => { flag = true }); gate.wait('a'); return { flag } })
      router.get('/fast', () => ({ flag }))
      router.get('/after-await', async () => { await null; gate.wait('b'); return { ok: true } })
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto a = h.send("/a");
  ASSERT_TRUE(gates->waitForWaiters(1));
  h.call("/fast");  // its checkpoint runs A's queued continuation
  EXPECT_EQ(body(h.call("/fast"))["flag"], true) << "A's continuation ran on another task's checkpoint";
  gates->release("a");
  EXPECT_EQ(body(a.get())["flag"], true);

  auto b = h.send("/after-await");
  ASSERT_TRUE(gates->waitForWaiters(1));
  auto fast = h.send("/fast");
  EXPECT_EQ(fast.wait_for(300ms), std::future_status::timeout) << "a wait after an await holds the isolate";
  gates->release("b");
  EXPECT_EQ(b.get().status, 200);
  EXPECT_EQ(fast.get().status, 200);
  h.rt->stop();
}

// A waiting call inside another module's call (a database transaction's
// callback) keeps the isolate: that module may hold locks other tasks need.
TEST(RuntimeConcurrency, AWaitInsideAModuleCallbackKeepsTheIsolate) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    service.start(() => {
      router.get('/nested', () => { gate.within(() => gate.wait('n')); return { ok: true } })
      router.get('/fast', () => ({ ok: true }))
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto n = h.send("/nested");
  ASSERT_TRUE(gates->waitForWaiters(1));
  auto fast = h.send("/fast");
  EXPECT_EQ(fast.wait_for(300ms), std::future_status::timeout);
  gates->release("n");
  EXPECT_EQ(n.get().status, 200);
  EXPECT_EQ(fast.get().status, 200);
  h.rt->stop();
}

// Rule 5: the watchdog terminates only its target — a runaway call while 5
// others wait; the 5 finish normally, a pending continuation survives, and
// the next call is not hit by a leftover termination.
TEST(RuntimeConcurrency, TheWatchdogTerminatesOnlyItsTarget) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    let later = null
    service.start(() => {
      router.get('/wait', () => { gate.wait('go'); return { ok: true } })
      router.get('/spin', () => { for (;;) {} })
      router.get('/pending', () => new Promise(r => { later = r }))
      router.get('/settle', () => { later({ settled: true }); return { ok: true } })
      router.get('/fast', () => ({ ok: true }))
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto pending = h.send("/pending");
  std::vector<std::future<HttpReply>> waiting;
  for (int i = 0; i < 5; ++i) waiting.push_back(h.send("/wait"));
  ASSERT_TRUE(gates->waitForWaiters(5));
  auto spin = h.call("/spin");
  EXPECT_EQ(spin.status, 500);
  EXPECT_NE(spin.body.find("CPU time limit"), std::string::npos) << spin.body;
  EXPECT_EQ(h.call("/fast").status, 200) << "the termination was not carried into the next call";
  gates->release("go");
  for (auto& f : waiting) {
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    auto r = f.get();
    EXPECT_EQ(r.status, 200) << "a sleeper was terminated instead: " << r.body;
  }
  EXPECT_EQ(h.call("/settle").status, 200);
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(body(pending.get())["settled"], true) << "the other task's continuation survived";
  h.rt->stop();
}

// A stretch of JS is bounded, a task with waits is not: a loop that waits
// lives past runtime.timeout (300 ms here).
TEST(RuntimeConcurrency, TheCpuLimitCountsOneStretchNotTheWholeTask) {
  Harness h(R"(
    service.start(() => {
      router.get('/long', () => { const t = Date.now(); while (Date.now() - t < 900) { let s = 0; for (let i = 0; i < 1e5; i++) s += i; utils.sleep(50) } return { ok: true } })
    })
  )",
            pool(4));
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  EXPECT_EQ(h.call("/long").status, 200);
  h.rt->stop();
}

// Stop during waits returns within a second; the waiters answer 503 and
// nothing of the run executes afterwards.
TEST(RuntimeConcurrency, StopWakesWaitsAndNothingRunsAfter) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    service.start(() => {
      setInterval(() => logger.info('tick'), 10)
      router.get('/wait', () => { gate.wait('never'); logger.info('after the wait'); return { ok: true } })
    })
  )",
            pool(8), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::vector<std::future<HttpReply>> waiting;
  for (int i = 0; i < 5; ++i) waiting.push_back(h.send("/wait"));
  ASSERT_TRUE(gates->waitForWaiters(5));
  auto t0 = std::chrono::steady_clock::now();
  h.rt->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  for (auto& f : waiting) {
    ASSERT_EQ(f.wait_for(1s), std::future_status::ready);
    EXPECT_EQ(f.get().status, 503);
  }
  auto log = h.logText();
  EXPECT_EQ(log.find("after the wait"), std::string::npos) << log;
  auto size = log.size();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.logText().size(), size) << "a tick after stop";
}

// delayed: runs in the realm, cancel, exceptions logged, counts.
TEST(RuntimeConcurrency, DelayedTasksRunCancelAndCount) {
  auto gates = std::make_shared<Gates>();
  Harness h(R"(
    let sum = 0
    service.start(() => {
      router.get('/go', () => {
        const block = delayed.run(() => gate.wait('t'))
        const a = delayed.run((x, y) => { sum += x + y }, 2, 3)
        const b = delayed.run(() => { throw new Error('task-boom') })
        return { block, a, b, unknown: delayed.cancel('task_999'), notAnId: delayed.cancel(42) }
      })
      router.get('/sum', () => ({ sum }))
      router.get('/queue', () => { const id = delayed.run(() => { sum += 100 }); return { id, cancelled: delayed.cancel(id) } })
    })
  )",
            pool(2), {gateModule(gates)});
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  auto r = body(h.call("/go"));
  EXPECT_EQ(r["a"], "task_2");
  EXPECT_EQ(r["unknown"], false);
  EXPECT_EQ(r["notAnId"], false);
  ASSERT_TRUE(gates->waitForWaiters(1));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(body(h.call("/sum"))["sum"], 5);
  auto q = body(h.call("/queue"));
  EXPECT_EQ(q["cancelled"], true);
  auto snap = h.rt->snapshot();
  EXPECT_EQ(snap.tasks.running, 1u);
  EXPECT_EQ(snap.tasks.queued, 0u);
  EXPECT_EQ(snap.tasks.done, 1u);
  EXPECT_EQ(snap.tasks.failed, 1u);
  gates->release("t");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.rt->snapshot().tasks.done, 2u);
  EXPECT_EQ(body(h.call("/sum"))["sum"], 5) << "the cancelled task never ran";
  auto log = h.logText();
  EXPECT_NE(log.find("delayed task task_3 failed: Error: task-boom"), std::string::npos) << log;
  h.rt->stop();
}

// schedule: a job never overlaps itself; ticks are skipped and counted.
TEST(RuntimeConcurrency, AScheduleJobNeverOverlapsItself) {
  Harness h(R"(
    let running = 0, most = 0, runs = 0
    service.start(() => {
      schedule.every(100, () => { running++; most = Math.max(most, running); runs++; utils.sleep(350); running-- })
      router.get('/s', () => ({ most, runs }))
    })
  )",
            pool(4));
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  std::this_thread::sleep_for(1200ms);
  auto r = body(h.call("/s"));
  EXPECT_EQ(r["most"], 1);
  EXPECT_GE(r["runs"].get<int>(), 2);
  auto jobs = h.rt->snapshot().schedules;
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].kind, "every");
  EXPECT_EQ(jobs[0].expression, "100ms");
  EXPECT_GE(jobs[0].skipped, 3u) << "ticks during the 350 ms runs were skipped";
  h.rt->stop();
}

// Stop: the shutdown callbacks may still wait (bounded by
// runtime.shutdown_timeout); a void module function returns undefined.
TEST(RuntimeConcurrency, ShutdownCallbacksMayWait) {
  Harness h(R"(
    service.start(() => router.get('/t', () => ({ sleep: String(utils.sleep(1)) })))
    service.shutdown(() => { utils.sleep(100); logger.info('slept in shutdown') })
  )",
            pool(4));
  ASSERT_TRUE(h.rt->boot().ok);
  ASSERT_TRUE(h.rt->start().ok);
  EXPECT_EQ(body(h.call("/t"))["sleep"], "undefined");
  h.rt->stop();
  EXPECT_NE(h.logText().find("slept in shutdown"), std::string::npos) << h.logText();
}
