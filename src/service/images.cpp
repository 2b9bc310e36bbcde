#include "service/images.hpp"

#include <vips/vips.h>

#include <algorithm>
#include <m3m/error.hpp>
#include <mutex>

#include "lib/units.hpp"
#include "service/images_log.hpp"

namespace m3m::service {

void initImages(const char* argv0, std::shared_ptr<spdlog::logger> log) {
  static std::once_flag once;
  std::call_once(once, [&] {
    if (VIPS_INIT(argv0 ? argv0 : "m3m") != 0) throw Error(ErrorCode::INTERNAL, "libvips failed to initialise");
    // No operation cache: every image is one-off work, and cached operations
    // would keep decoded pixels and open files alive.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    // One libvips thread per job: ImageWorkers decides how many jobs run at once.
    vips_concurrency_set(1);
    // Loaders libvips marks as not for untrusted input (ImageMagick, FITS,
    // Matlab, …) are off: every image here comes from a user.
    vips_block_untrusted_set(TRUE);
  });
  if (log) routeVipsLog(std::move(log));
}

namespace {

struct Unref {
  void operator()(VipsImage* image) const {
    if (image) g_object_unref(image);
  }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

// Clears the job's canceller before the image it kills is freed.
struct CancellerGuard {
  ImageJob* job;
  ~CancellerGuard() {
    if (job) job->clearCanceller();
  }
};

std::string withCommas(std::uint64_t n) {
  auto s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

[[noreturn]] void throwUndecodable(const ImageInput& input) {
  vips_error_clear();  // libvips' reason stays out of the answer (it may be long or odd)
  throw Error(input.undecodable, input.subject + " is not an image that can be decoded (or it is corrupt)",
              {{input.field, "must be an image (PNG, JPEG, WebP, GIF, …)"}});
}

[[noreturn]] void throwStopped() {
  vips_error_clear();
  throw Error(ErrorCode::TIMEOUT, "image processing was stopped");
}

// JPEG decodes at 1/2, 1/4 or 1/8 for next to nothing. Like vips_thumbnail,
// keep at least twice the target size so the final resize still antialiases.
int jpegShrink(std::uint64_t width, std::uint64_t height, int size) {
  const double factor = static_cast<double>(std::min(width, height)) / size;
  return factor >= 16 ? 8 : factor >= 8 ? 4 : factor >= 4 ? 2 : 1;
}

ImagePtr open(std::string_view bytes, int jpegShrinkBy) {
  // Sequential access: only the header is read now, pixels when the pipeline
  // pulls them (and the kill flag is checked then). "fail_on" refuses a
  // truncated or corrupt file instead of returning partial pixels.
  if (jpegShrinkBy > 1)
    return ImagePtr(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL,
                                               "fail_on", VIPS_FAIL_ON_ERROR, "shrink", jpegShrinkBy, nullptr));
  return ImagePtr(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL,
                                             "fail_on", VIPS_FAIL_ON_ERROR, nullptr));
}

}  // namespace

std::string makeSquarePng(std::string_view bytes, int size, std::uint64_t maxPixels, const ImageInput& input,
                          ImageJob* job) {
  initImages(nullptr);
  if (bytes.empty()) throw Error(input.undecodable, input.subject + " is empty", {{input.field, "is empty"}});

  ImagePtr in = open(bytes, 1);
  if (!in) throwUndecodable(input);
  const auto width = static_cast<std::uint64_t>(vips_image_get_width(in.get()));
  const auto height = static_cast<std::uint64_t>(vips_image_get_height(in.get()));
  if (width * height > maxPixels)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE,
                input.subject + " is " + std::to_string(width) + " × " + std::to_string(height) + " pixels (" +
                    withCommas(width * height) + "); at most " + withCommas(maxPixels) +
                    " pixels are accepted (storage.max_image_pixels)",
                {{input.field, "at most " + withCommas(maxPixels) + " pixels"}});

  const char* loader = nullptr;
  if (vips_image_get_typeof(in.get(), VIPS_META_LOADER) && vips_image_get_string(in.get(), VIPS_META_LOADER, &loader) == 0 &&
      loader && std::string_view(loader) == "jpegload_buffer") {
    if (int shrink = jpegShrink(width, height, size); shrink > 1) {
      in = open(bytes, shrink);
      if (!in) throwUndecodable(input);
    }
  }

  // Killing the source stops the pipeline at its next read of it (measured:
  // a 400-megapixel PNG stopped 1.5 ms after the kill).
  if (job) job->setCanceller([raw = in.get()] { vips_image_set_kill(raw, TRUE); });
  CancellerGuard guard{job};  // after `in`: destroyed first

  VipsImage* thumbRaw = nullptr;
  int rc = vips_thumbnail_image(in.get(), &thumbRaw, size, "height", size, "crop", VIPS_INTERESTING_CENTRE, nullptr);
  ImagePtr thumb(thumbRaw);
  if (job && job->cancelled()) throwStopped();
  if (rc != 0) throwUndecodable(input);

  void* out = nullptr;
  size_t outLen = 0;
  rc = vips_image_write_to_buffer(thumb.get(), ".png", &out, &outLen, nullptr);
  if (job && job->cancelled()) {
    g_free(out);
    throwStopped();
  }
  if (rc != 0) throwUndecodable(input);
  std::string png(static_cast<const char*>(out), outLen);
  g_free(out);
  return png;
}

ImageService::ImageService(ImageOptions opts, std::shared_ptr<spdlog::logger> log)
    : opts_(opts),
      log_(std::move(log)),
      workers_(
          ImageWorkers::Options{
              opts.workers,
              4 * opts.workers,
              opts.timeout,
              "the image took longer than " + lib::formatDuration(opts.timeout) +
                  " to process (storage.image_timeout) and was stopped",
              std::chrono::milliseconds(1'000),
          },
          [] { flushVipsLog(); }) {}

ImageService::~ImageService() { stop(); }

void ImageService::squarePng(SquarePng work, Done done) {
  workers_.submit(
      [work = std::move(work), maxPixels = opts_.maxPixels](ImageJob& job) -> std::string {
        std::string bytes = work.read();
        std::string png = makeSquarePng(bytes, work.size, maxPixels, work.input, &job);
        if (!job.claim()) return {};  // answered meanwhile: change nothing
        if (work.commit) work.commit(png);
        return png;
      },
      [log = log_, done = std::move(done)](std::exception_ptr e, std::string png) {
        if (e && log) {
          try {
            std::rethrow_exception(e);
          } catch (const Error& err) {
            // A bomb or a stuck decoder is worth a line for the operator.
            if (err.code() == ErrorCode::TIMEOUT || err.code() == ErrorCode::PAYLOAD_TOO_LARGE)
              log->warn("image refused: {}", err.what());
          } catch (...) {
          }
        }
        done(e, std::move(png));
      });
}

void ImageService::stop() {
  if (int left = workers_.stop(); left > 0 && log_)
    log_->warn("shutdown: {} image job(s) still inside libvips; not waiting for them", left);
}

}  // namespace m3m::service
