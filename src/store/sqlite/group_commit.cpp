#include "store/sqlite/group_commit.hpp"

#include <pthread.h>

#include <algorithm>

namespace m3m::store::sqlite {

GroupCommitQueue::GroupCommitQueue(BatchRunner run, std::size_t maxBatch)
    : run_(std::move(run)), maxBatch_(std::max<std::size_t>(1, maxBatch)), thread_([this] { loop(); }) {}

GroupCommitQueue::~GroupCommitQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_one();
  thread_.join();
}

void GroupCommitQueue::submit(Unit unit, Done done) {
  bool wasEmpty = false;
  {
    std::lock_guard lock(mutex_);
    wasEmpty = queue_.empty();
    queue_.push_back({std::move(unit), std::move(done), nullptr});
  }
  // The writer sleeps only on an empty queue (it checks under the lock), so only the unit
  // that ends the emptiness has to wake it.
  if (wasEmpty) ready_.notify_one();
}

GroupCommitQueue::Stats GroupCommitQueue::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitQueue::loop() {
  pthread_setname_np(pthread_self(), "m3m-db-writer");  // for top -H, perf, gdb
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      const auto n = std::min(queue_.size(), maxBatch_);
      batch.clear();
      std::move(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n), std::back_inserter(batch));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      ++stats_.batches;
      stats_.units += n;
      stats_.largestBatch = std::max(stats_.largestBatch, n);
    }
    batchSizes_.observe(static_cast<double>(batch.size()));
    run_(batch);
    for (auto& p : batch) {
      try {
        p.done(p.error);
      } catch (...) {
        // A completion must not take the writer thread down; it has nobody to report to.
      }
    }
    batch.clear();  // the units' captures go before the thread sleeps
  }
}

}  // namespace m3m::store::sqlite
