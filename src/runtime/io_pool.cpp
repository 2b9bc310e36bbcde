#include "runtime/io_pool.hpp"

#include <pthread.h>

namespace m3m::runtime {

namespace {
// Enough concurrent transfers for many projects at once; each mostly waits.
constexpr std::size_t kThreads = 32;
}  // namespace

IoPool& IoPool::instance() {
  static IoPool pool(kThreads);
  return pool;
}

IoPool::IoPool(std::size_t threads) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

IoPool::~IoPool() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void IoPool::submit(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

void IoPool::loop() {
  pthread_setname_np(pthread_self(), "m3m-io-pool");
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return quit_ || !queue_.empty(); });
    if (queue_.empty()) return;  // quit_ with nothing left
    auto work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    work();
    work = nullptr;
    lock.lock();
  }
}

}  // namespace m3m::runtime
