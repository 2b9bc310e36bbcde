#include "service/image_workers.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <m3m/error.hpp>
#include <thread>
#include <utility>
#include <vector>

namespace m3m::service {

using Clock = std::chrono::steady_clock;

// Everything the threads touch: owned jointly by the pool and its threads, so a
// thread detached by stop() never touches freed memory.
struct ImageJob::Shared {
  ImageWorkers::Options opts;
  std::function<void()> afterJob;

  std::mutex m;
  std::condition_variable work;      // workers: a job was queued, or stopping
  std::condition_variable watchdog;  // a job started, or stopping
  std::condition_variable idle;      // a claimed answer was given, or a thread exited
  std::deque<std::shared_ptr<ImageJob>> queue;
  std::vector<std::shared_ptr<ImageJob>> running;
  bool stopping = false;
  int claimed = 0;  // jobs between claim() and their answer
  std::vector<char> exited;
  std::vector<std::thread> threads;
};

namespace {

std::exception_ptr errorOf(ErrorCode code, const std::string& message) {
  return std::make_exception_ptr(Error(code, message));
}

// An answer that throws must not end the process from a worker thread.
void answerSafely(const std::function<void(std::exception_ptr, std::string)>& done, std::exception_ptr error,
                  std::string result) noexcept {
  try {
    done(error, std::move(result));
  } catch (...) {
  }
}

}  // namespace

bool ImageJob::abandon(std::exception_ptr error) {
  int s = state_.load();
  do {
    if (s != Queued && s != Running) return false;
  } while (!state_.compare_exchange_weak(s, Answered));
  std::function<void(std::exception_ptr, std::string)> done;
  {
    std::lock_guard lock(m_);
    cancelled_ = true;
    if (canceller_) canceller_();
    done = std::exchange(done_, nullptr);  // the answer (a Respond) must not stay alive with the job
  }
  if (done) answerSafely(done, error, {});
  return true;
}

void ImageJob::setCanceller(std::function<void()> cancel) {
  std::lock_guard lock(m_);
  canceller_ = std::move(cancel);
  if (cancelled_ && canceller_) canceller_();
}

void ImageJob::clearCanceller() {
  std::lock_guard lock(m_);
  canceller_ = nullptr;
}

bool ImageJob::claim() {
  std::lock_guard lock(pool_->m);
  int s = Running;
  if (state_.compare_exchange_strong(s, Claimed)) {
    ++pool_->claimed;
    return true;
  }
  return s == Claimed;
}

ImageWorkers::ImageWorkers(Options opts, std::function<void()> afterJob) : shared_(std::make_shared<ImageJob::Shared>()) {
  shared_->opts = std::move(opts);
  shared_->afterJob = std::move(afterJob);
  const int n = std::max(1, shared_->opts.threads);
  std::lock_guard lock(shared_->m);
  shared_->exited.assign(static_cast<size_t>(n) + 1, 0);
  for (int i = 0; i < n; ++i)
    shared_->threads.emplace_back([sh = shared_, i] { workerLoop(sh, static_cast<size_t>(i)); });
  shared_->threads.emplace_back([sh = shared_, n] { watchdogLoop(sh, static_cast<size_t>(n)); });
}

ImageWorkers::~ImageWorkers() { stop(); }

void ImageWorkers::submit(Work work, Done done) {
  auto job = std::make_shared<ImageJob>();
  job->work_ = std::move(work);
  job->done_ = std::move(done);
  job->pool_ = shared_.get();
  auto& sh = *shared_;
  {
    std::lock_guard lock(sh.m);
    if (sh.stopping) throw Error(ErrorCode::UNAVAILABLE, "the server is shutting down");
    if (sh.queue.size() >= static_cast<size_t>(sh.opts.queue))
      throw Error(ErrorCode::UNAVAILABLE, "image processing is busy: " + std::to_string(sh.queue.size()) +
                                              " images are already waiting; try again shortly");
    sh.queue.push_back(std::move(job));
  }
  sh.work.notify_one();
}

int ImageWorkers::stop() {
  auto& sh = *shared_;
  std::vector<std::shared_ptr<ImageJob>> open;
  {
    std::lock_guard lock(sh.m);
    if (sh.stopping) return 0;
    sh.stopping = true;
    open.assign(sh.queue.begin(), sh.queue.end());
    open.insert(open.end(), sh.running.begin(), sh.running.end());
    sh.queue.clear();
  }
  sh.work.notify_all();
  sh.watchdog.notify_all();
  for (auto& job : open)
    job->abandon(errorOf(ErrorCode::UNAVAILABLE, "the server is shutting down"));
  open.clear();

  std::vector<std::thread> threads;
  std::vector<char> exited;
  {
    std::unique_lock lock(sh.m);
    // Claimed jobs are writing their result (a file, a record): short, and
    // what they touch must still exist, so this wait has no limit.
    sh.idle.wait(lock, [&] { return sh.claimed == 0; });
    auto allExited = [&] { return std::all_of(sh.exited.begin(), sh.exited.end(), [](char e) { return e != 0; }); };
    sh.idle.wait_for(lock, sh.opts.stopGrace, allExited);
    threads = std::move(sh.threads);
    exited = sh.exited;
  }
  int left = 0;
  for (size_t i = 0; i < threads.size(); ++i) {
    if (exited[i]) {
      threads[i].join();
    } else {
      threads[i].detach();
      ++left;
    }
  }
  return left;
}

void ImageWorkers::markExited(ImageJob::Shared& sh, size_t index) {
  {
    std::lock_guard lock(sh.m);
    sh.exited[index] = 1;
  }
  sh.idle.notify_all();
}

void ImageWorkers::workerLoop(const std::shared_ptr<ImageJob::Shared>& shp, size_t index) {
  pthread_setname_np(pthread_self(), "m3m-image");
  auto& sh = *shp;
  for (;;) {
    std::shared_ptr<ImageJob> job;
    {
      std::unique_lock lock(sh.m);
      sh.work.wait(lock, [&] { return sh.stopping || !sh.queue.empty(); });
      if (sh.stopping) break;
      job = std::move(sh.queue.front());
      sh.queue.pop_front();
      int s = ImageJob::Queued;
      if (!job->state_.compare_exchange_strong(s, ImageJob::Running)) continue;
      job->deadline_ = Clock::now() + sh.opts.timeout;
      sh.running.push_back(job);
    }
    sh.watchdog.notify_one();

    std::string result;
    std::exception_ptr error;
    try {
      result = job->work_(*job);
    } catch (...) {
      error = std::current_exception();
    }
    if (job->claim()) {
      std::function<void(std::exception_ptr, std::string)> done;
      {
        std::lock_guard lock(job->m_);
        done = std::exchange(job->done_, nullptr);
      }
      if (done) answerSafely(done, error, std::move(result));
      {
        std::lock_guard lock(sh.m);
        --sh.claimed;
      }
      sh.idle.notify_all();
    }
    job->work_ = nullptr;  // what the work captured goes now, not with the pool
    {
      std::lock_guard lock(sh.m);
      sh.running.erase(std::remove(sh.running.begin(), sh.running.end(), job), sh.running.end());
    }
    job.reset();
    if (sh.afterJob) sh.afterJob();
  }
  markExited(sh, index);
}

// Answers running jobs past their deadline. Sleeps until the earliest one.
void ImageWorkers::watchdogLoop(const std::shared_ptr<ImageJob::Shared>& shp, size_t index) {
  pthread_setname_np(pthread_self(), "m3m-image-wd");
  auto& sh = *shp;
  for (;;) {
    std::vector<std::shared_ptr<ImageJob>> expired;
    {
      std::unique_lock lock(sh.m);
      if (sh.stopping) break;
      auto now = Clock::now();
      auto next = Clock::time_point::max();
      for (auto& job : sh.running) {
        if (job->state_.load() != ImageJob::Running) continue;  // claimed or answered: not ours any more
        if (job->deadline_ <= now) expired.push_back(job);
        else next = std::min(next, job->deadline_);
      }
      if (expired.empty()) {
        if (next == Clock::time_point::max()) sh.watchdog.wait(lock);
        else sh.watchdog.wait_until(lock, next);
        continue;
      }
    }
    for (auto& job : expired)
      job->abandon(errorOf(ErrorCode::TIMEOUT, sh.opts.timeoutMessage));
  }
  markExited(sh, index);
}

}  // namespace m3m::service
