// The threads that do image work (libvips). Decoding an image can take seconds,
// or minutes for a hostile one, so it never runs on an HTTP IO thread: a fixed
// number of workers, a bounded queue (full → UNAVAILABLE at once), and a
// wall-clock limit per job. A job past its limit is answered TIMEOUT at once by
// a watchdog thread and told to stop (its canceller kills the libvips pipeline);
// the client never waits on the decoder. stop() answers every open job and
// does not wait on one that will not stop.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace m3m::service {

// The running job's side of its deadline. Used from the job's own thread
// except where noted.
class ImageJob {
 public:
  // True once the job was answered by the watchdog (time limit) or by stop().
  bool cancelled() const { return cancelled_.load(); }
  // `cancel` is called (from another thread, under a lock) when the job is
  // cancelled while it is set — at once if it already is. Clear it before
  // what it touches is freed: clearCanceller() waits for a running call.
  void setCanceller(std::function<void()> cancel);
  void clearCanceller();
  // Takes the right to answer: after it no timeout or stop answers this job,
  // and stop() waits for the answer. Call it before side effects (writing a
  // file, updating a record). False when the job was already answered: drop
  // the result and change nothing.
  bool claim();

 private:
  friend class ImageWorkers;
  struct Shared;
  enum State : int { Queued, Running, Claimed, Answered };
  // Answers a queued or running job with `error` (time limit, shutdown) and
  // tells it to stop. False when it was claimed or answered already.
  bool abandon(std::exception_ptr error);

  std::atomic<int> state_{Queued};
  std::atomic<bool> cancelled_{false};
  std::mutex m_;  // canceller_ and done_
  std::function<void()> canceller_;
  std::function<void(std::exception_ptr, std::string)> done_;
  std::function<std::string(ImageJob&)> work_;
  std::chrono::steady_clock::time_point deadline_;
  Shared* pool_ = nullptr;  // alive while the job runs (its worker holds it)
};

class ImageWorkers {
 public:
  struct Options {
    int threads = 2;
    int queue = 8;  // jobs waiting for a thread
    std::chrono::milliseconds timeout{10'000};
    std::string timeoutMessage = "image processing took too long";
    std::chrono::milliseconds stopGrace{1'000};  // how long stop() waits for threads to return
  };
  // Runs on a worker; its result (or exception) goes to Done unless the job was
  // answered meanwhile.
  using Work = std::function<std::string(ImageJob&)>;
  // Called exactly once, from a worker, the watchdog, or stop().
  using Done = std::function<void(std::exception_ptr, std::string)>;

  // afterJob runs on the worker after each job (e.g. to flush a rate-limited log).
  explicit ImageWorkers(Options opts, std::function<void()> afterJob = {});
  ~ImageWorkers();
  ImageWorkers(const ImageWorkers&) = delete;
  ImageWorkers& operator=(const ImageWorkers&) = delete;

  // Throws m3m::Error(UNAVAILABLE) when the queue is full or the pool stopped.
  void submit(Work work, Done done);

  // Answers every queued and running job UNAVAILABLE, waits for answers being
  // given (claimed jobs), then up to stopGrace for the threads. A thread still
  // inside libvips after that is detached: it holds only its own job and the
  // pool's shared state. Returns the number of threads left behind. Idempotent.
  int stop();

 private:
  static void workerLoop(const std::shared_ptr<ImageJob::Shared>& shared, size_t index);
  static void watchdogLoop(const std::shared_ptr<ImageJob::Shared>& shared, size_t index);
  static void markExited(ImageJob::Shared& shared, size_t index);

  std::shared_ptr<ImageJob::Shared> shared_;
};

}  // namespace m3m::service
