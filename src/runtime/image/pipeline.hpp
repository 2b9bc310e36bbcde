// Executes a Plan (plan.hpp) as one libvips pipeline: the source is opened
// lazily, its header checked against the pixel limit before a pixel is
// decoded, every operation is chained onto the last, and pixels flow once,
// when the encoder pulls them. Runs on an image worker, never on the isolate.
// libvips must be initialised first (service::initImages does it at start).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include "runtime/image/plan.hpp"

namespace m3m::image {

// The pool's side of one job: whether it was cancelled (time limit, the run
// ended) and where to register what stops the decoder then.
class Task {
 public:
  virtual ~Task() = default;
  virtual bool cancelled() const = 0;
  // `kill` may be called from another thread while it is set.
  virtual void setCanceller(std::function<void()> kill) = 0;
  virtual void clearCanceller() = 0;
  // Takes the right to answer before a side effect (writing the output file):
  // false when the job was answered meanwhile (timed out) — change nothing then.
  virtual bool claim() { return true; }
};

// Where image work runs: a bounded set of threads shared by every project
// (service::RuntimeImages over ImageWorkers, with runtime.image.* limits).
class Pool {
 public:
  virtual ~Pool() = default;
  using Work = std::function<Value(Task&)>;
  // Exactly once, from any thread: the work's Value or its exception.
  using Done = std::function<void(std::exception_ptr, Value)>;
  // Throws m3m::Error UNAVAILABLE when the queue is full or the pool stopped.
  virtual void submit(Work work, Done done) = 0;
};

struct Result {
  std::string bytes;  // the encoded image (Output Bytes and File)
  Value info;         // Info: {width, height, format, hasAlpha, orientation}; else {width, height, format, size}
};

// `plan`'s sources must hold their bytes (paths resolved by the caller).
// Throws m3m::Error: PAYLOAD_TOO_LARGE past `maxPixels` (the source, an
// overlay or a step's result), UNSUPPORTED_MEDIA_TYPE for what libvips cannot
// decode, INVALID_ARGUMENT for an operation that does not fit the image (a
// crop outside it), TIMEOUT when the task was cancelled.
Result execute(const Plan& plan, std::uint64_t maxPixels, Task* task = nullptr);

}  // namespace m3m::image
