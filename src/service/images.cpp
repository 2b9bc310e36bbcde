#include "service/images.hpp"

#include <vips/vips.h>

#include <m3m/error.hpp>
#include <mutex>

namespace m3m::service {

void initImages(const char* argv0) {
  static std::once_flag once;
  std::call_once(once, [&] {
    if (VIPS_INIT(argv0 ? argv0 : "m3m") != 0) throw Error(ErrorCode::INTERNAL, "libvips failed to initialise");
    vips_cache_set_max(0);  // no operation cache: avatars are one-off work
  });
}

std::string makeSquarePng(std::string_view bytes, int size) {
  initImages(nullptr);
  if (bytes.empty()) throw Error(ErrorCode::INVALID_ARGUMENT, "the uploaded file is empty", {{"avatar", "is empty"}});
  VipsImage* thumb = nullptr;
  // "fail" refuses truncated/corrupt files instead of returning partial pixels.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &thumb, size, "height", size, "crop",
                            VIPS_INTERESTING_CENTRE, "fail_on", VIPS_FAIL_ON_ERROR, nullptr) != 0) {
    vips_error_clear();
    throw Error(ErrorCode::INVALID_ARGUMENT, "the uploaded file is not an image that can be read",
                {{"avatar", "must be an image (PNG, JPEG, WebP, GIF, …)"}});
  }
  void* out = nullptr;
  size_t outLen = 0;
  int rc = vips_image_write_to_buffer(thumb, ".png", &out, &outLen, nullptr);
  g_object_unref(thumb);
  if (rc != 0) {
    vips_error_clear();
    throw Error(ErrorCode::INVALID_ARGUMENT, "the image could not be converted", {{"avatar", "cannot be converted"}});
  }
  std::string png(static_cast<const char*>(out), outLen);
  g_free(out);
  return png;
}

}  // namespace m3m::service
