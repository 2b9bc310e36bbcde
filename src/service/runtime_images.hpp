// The pool the runtime's `image` module runs on: ImageWorkers (the file
// manager's kind of pool: fixed threads, a bounded queue, a wall-clock limit
// per job that kills the libvips pipeline) with its own runtime.image.*
// limits, so project work and thumbnails never wait on each other.
#pragma once

#include <chrono>
#include <string>

#include "runtime/image/pipeline.hpp"
#include "service/image_workers.hpp"

namespace m3m::service {

class RuntimeImages final : public image::Pool {
 public:
  RuntimeImages(int threads, std::chrono::milliseconds timeout);
  void submit(Work work, Done done) override;

 private:
  ImageWorkers workers_;
};

}  // namespace m3m::service
