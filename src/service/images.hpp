// Image work through libvips (decode anything it knows, re-encode safely).
// An image is hostile until its header says otherwise: the declared size is
// read first (libvips loads lazily) and anything over the pixel limit is
// refused before a pixel is decoded. Decoding runs on ImageWorkers, never on
// an HTTP IO thread, and stops at a wall-clock limit.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <m3m/error.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "service/image_workers.hpp"

namespace m3m::service {

// Call once at start (vips_init, libvips' own limits, its log to `log`); safe
// to call again (a later logger replaces the earlier one).
void initImages(const char* argv0, std::shared_ptr<spdlog::logger> log = nullptr);

// How errors about one input are worded.
struct ImageInput {
  std::string field = "image";   // the key in the error's fields
  std::string subject = "the image";  // the start of a message: "<subject> is not an image …"
  ErrorCode undecodable = ErrorCode::UNSUPPORTED_MEDIA_TYPE;
};

// Decodes `bytes`, crops to a centred square of size×size and encodes PNG, on
// the calling thread. PAYLOAD_TOO_LARGE when the header declares more than
// `maxPixels`; `input.undecodable` when libvips cannot read it. With a job, the
// decoder is killed when the job is cancelled (TIMEOUT is thrown then).
std::string makeSquarePng(std::string_view bytes, int size, std::uint64_t maxPixels, const ImageInput& input,
                          ImageJob* job = nullptr);

struct ImageOptions {
  std::uint64_t maxPixels = 40'000'000;        // storage.max_image_pixels
  std::chrono::milliseconds timeout{10'000};    // storage.image_timeout
  int workers = 2;                              // storage.image_workers
};

class ImageService {
 public:
  ImageService(ImageOptions opts, std::shared_ptr<spdlog::logger> log);
  ~ImageService();

  struct SquarePng {
    std::function<std::string()> read;  // on a worker: the encoded bytes
    int size = 256;
    ImageInput input;
    // On the worker with the PNG, only if the job still owns its answer (not
    // timed out, not shut down): the place for side effects. May throw.
    std::function<void(const std::string& png)> commit;
  };
  using Done = ImageWorkers::Done;  // (error, png), exactly once, from any thread

  // Queues the work. Throws UNAVAILABLE when the queue is full or stopping.
  void squarePng(SquarePng work, Done done);

  // Answers open jobs (503) and returns without waiting on a stuck decoder.
  void stop();

 private:
  ImageOptions opts_;
  std::shared_ptr<spdlog::logger> log_;
  ImageWorkers workers_;
};

}  // namespace m3m::service
