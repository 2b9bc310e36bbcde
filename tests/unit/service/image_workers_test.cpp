// The image worker pool: bounded queue, per-job wall-clock limit answered by a
// watchdog, claim() before side effects, and a stop() that never waits on a
// job that will not stop.
#include "service/image_workers.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <m3m/error.hpp>
#include <thread>

using namespace m3m;
using namespace m3m::service;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Answer {
  std::exception_ptr error;
  std::string result;
  std::thread::id thread;
  Clock::time_point at;
};

// A Done that fulfils a future (exactly once, or the promise throws).
std::pair<ImageWorkers::Done, std::future<Answer>> answer() {
  auto p = std::make_shared<std::promise<Answer>>();
  auto f = p->get_future();
  return {[p](std::exception_ptr e, std::string r) { p->set_value({e, std::move(r), std::this_thread::get_id(), Clock::now()}); },
          std::move(f)};
}

ErrorCode codeOf(const Answer& a) {
  try {
    std::rethrow_exception(a.error);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::INTERNAL;
}

// Blocks until cancelled or released.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void release() {
    {
      std::lock_guard lock(m);
      open = true;
    }
    cv.notify_all();
  }
  void waitUntil(const std::function<bool()>& also, std::chrono::milliseconds max = 10s) {
    std::unique_lock lock(m);
    cv.wait_for(lock, max, [&] { return open || also(); });
  }
};

ImageWorkers::Options opts(int threads, int queue, std::chrono::milliseconds timeout) {
  ImageWorkers::Options o;
  o.threads = threads;
  o.queue = queue;
  o.timeout = timeout;
  o.timeoutMessage = "too slow";
  o.stopGrace = 200ms;
  return o;
}

}  // namespace

TEST(ImageWorkers, RunsWorkOnAWorkerAndAnswersItsResult) {
  ImageWorkers pool(opts(2, 4, 5s));
  auto [done, f] = answer();
  pool.submit([](ImageJob&) { return std::string("png"); }, done);
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto a = f.get();
  EXPECT_FALSE(a.error);
  EXPECT_EQ(a.result, "png");
  EXPECT_NE(a.thread, std::this_thread::get_id());
}

TEST(ImageWorkers, AnErrorOfTheWorkIsTheAnswer) {
  ImageWorkers pool(opts(1, 4, 5s));
  auto [done, f] = answer();
  pool.submit([](ImageJob&) -> std::string { throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "big"); }, done);
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(codeOf(f.get()), ErrorCode::PAYLOAD_TOO_LARGE);
}

TEST(ImageWorkers, AFullQueueIsRefusedAtOnce) {
  ImageWorkers pool(opts(1, 1, 5s));
  auto gate = std::make_shared<Gate>();
  std::promise<void> started;
  auto [d1, f1] = answer();
  pool.submit([gate, &started](ImageJob& job) {
    started.set_value();
    gate->waitUntil([&] { return job.cancelled(); });
    return std::string("one");
  }, d1);
  started.get_future().wait();  // the only thread is busy
  auto [d2, f2] = answer();
  pool.submit([](ImageJob&) { return std::string("two"); }, d2);  // waits in the queue
  auto [d3, f3] = answer();
  try {
    pool.submit([](ImageJob&) { return std::string("three"); }, d3);
    FAIL() << "a third job fits no queue of one";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
  }
  gate->release();
  EXPECT_EQ(f1.get().result, "one");
  EXPECT_EQ(f2.get().result, "two");
}

TEST(ImageWorkers, AJobPastItsLimitIsAnsweredAtOnceAndCancelled) {
  ImageWorkers pool(opts(1, 4, 150ms));
  std::atomic<bool> cancellerCalled{false}, sideEffect{false}, claimed{true};
  auto [done, f] = answer();
  auto t0 = Clock::now();
  auto finished = std::make_shared<std::promise<void>>();
  pool.submit([&, finished](ImageJob& job) {
    job.setCanceller([&] { cancellerCalled = true; });
    // A decoder that only notices the kill a little later.
    while (!job.cancelled()) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(300ms);
    job.clearCanceller();
    claimed = job.claim();
    if (claimed) sideEffect = true;
    finished->set_value();
    return std::string("late");
  }, done);
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  auto a = f.get();
  EXPECT_EQ(codeOf(a), ErrorCode::TIMEOUT);
  auto waited = a.at - t0;
  EXPECT_GE(waited, 140ms);
  EXPECT_LT(waited, 400ms) << "the answer did not wait for the work to notice";
  EXPECT_TRUE(cancellerCalled);
  finished->get_future().wait();
  EXPECT_FALSE(claimed) << "a timed-out job cannot claim its answer";
  EXPECT_FALSE(sideEffect);
}

TEST(ImageWorkers, AClaimedJobIsNotTimedOut) {
  ImageWorkers pool(opts(1, 4, 50ms));
  auto [done, f] = answer();
  pool.submit([](ImageJob& job) {
    EXPECT_TRUE(job.claim());
    std::this_thread::sleep_for(200ms);  // writing its result
    return std::string("written");
  }, done);
  auto a = f.get();
  EXPECT_FALSE(a.error);
  EXPECT_EQ(a.result, "written");
}

TEST(ImageWorkers, StopAnswersOpenJobsAndDoesNotWaitOnAStuckOne) {
  auto pool = std::make_unique<ImageWorkers>(opts(1, 4, 60s));
  auto stuck = std::make_shared<Gate>();  // ignores cancellation, like a decoder deep in one call
  std::promise<void> started;
  auto [d1, f1] = answer();
  pool->submit([stuck, &started](ImageJob&) {
    started.set_value();
    stuck->waitUntil([] { return false; });
    return std::string("never seen");
  }, d1);
  started.get_future().wait();
  auto [d2, f2] = answer();
  pool->submit([](ImageJob&) { return std::string("queued"); }, d2);

  auto t0 = Clock::now();
  EXPECT_EQ(pool->stop(), 1) << "the stuck worker is left behind";
  EXPECT_LT(Clock::now() - t0, 2s);
  ASSERT_EQ(f1.wait_for(0s), std::future_status::ready);
  ASSERT_EQ(f2.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(codeOf(f1.get()), ErrorCode::UNAVAILABLE);
  EXPECT_EQ(codeOf(f2.get()), ErrorCode::UNAVAILABLE);
  auto [d3, f3] = answer();
  EXPECT_THROW(pool->submit([](ImageJob&) { return std::string(); }, d3), Error);
  pool.reset();  // the pool object goes; the detached thread keeps only shared state
  stuck->release();
  std::this_thread::sleep_for(100ms);  // let it finish before the test ends
}

TEST(ImageWorkers, StopWaitsForAClaimedAnswer) {
  ImageWorkers pool(opts(1, 4, 60s));
  std::promise<void> claimedNow;
  std::atomic<bool> written{false};
  auto [done, f] = answer();
  pool.submit([&](ImageJob& job) {
    EXPECT_TRUE(job.claim());
    claimedNow.set_value();
    std::this_thread::sleep_for(200ms);
    written = true;
    return std::string("ok");
  }, done);
  claimedNow.get_future().wait();
  pool.stop();
  EXPECT_TRUE(written) << "stop() returned while a claimed job was still writing";
  EXPECT_EQ(f.get().result, "ok");
}
