// The host's I/O pool: the work of async module functions (fetch…) runs here,
// never on a project's isolate. A fixed set of threads shared by every
// project; work beyond them queues (no thread per call).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace m3m::runtime {

class IoPool {
 public:
  static IoPool& instance();  // started on first use, joined at exit
  explicit IoPool(std::size_t threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  void submit(std::function<void()> work);

 private:
  void loop();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool quit_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace m3m::runtime
