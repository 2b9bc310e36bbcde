#include "runtime/modules/draw/images.hpp"

#include <vips/vips.h>

#include <m3m/error.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

namespace m3m::draw {

namespace {

struct Unref {
  void operator()(VipsImage* image) const {
    if (image) g_object_unref(image);
  }
};
using ImagePtr = std::unique_ptr<VipsImage, Unref>;

[[noreturn]] void vipsFailed(ErrorCode code, const std::string& what) {
  std::string detail = vips_error_buffer();
  vips_error_clear();
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  if (const auto nl = detail.find('\n'); nl != std::string::npos) detail.resize(nl);
  throw Error(code, "draw: " + what + (detail.empty() ? "" : " (" + detail + ")"));
}

}  // namespace

void initImageCodecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (VIPS_INIT("m3m") != 0) throw Error(ErrorCode::INTERNAL, "draw: libvips failed to initialise");
    vips_block_untrusted_set(TRUE);
  });
}

cairo_surface_t* decodeImage(std::string_view bytes, std::uint64_t maxPixels, std::uint64_t& budget) {
  initImageCodecs();
  // The header only: the pixels are decoded by vips_image_write_to_memory below.
  ImagePtr image(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!image) vipsFailed(ErrorCode::INVALID_ARGUMENT, "drawImage: not an image (PNG, JPEG, WebP or GIF)");
  const std::uint64_t w = vips_image_get_width(image.get()), h = vips_image_get_height(image.get());
  if (w * h > maxPixels)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: drawImage: a " + std::to_string(w) + "×" + std::to_string(h) +
                                                  " image is more than runtime.draw.max_pixels (" + std::to_string(maxPixels) + ")");
  // The RGBA copy and the cairo surface.
  if (w * h * 8 > budget)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: drawImage: a " + std::to_string(w) + "×" + std::to_string(h) +
                                                  " image needs more memory than the project's limit (runtime.memory_limit_mb)");
  budget -= w * h * 4;
  // Each step replaces `cur` (the call runs before its output is taken).
  ImagePtr cur;
  VipsImage* out = nullptr;
  const auto then = [&](int rc, const char* what) {
    if (rc != 0) vipsFailed(ErrorCode::INVALID_ARGUMENT, what);
    cur.reset(out);
    out = nullptr;
  };
  then(vips_autorot(image.get(), &out, nullptr), "drawImage: cannot decode the image");
  if (vips_image_get_interpretation(cur.get()) != VIPS_INTERPRETATION_sRGB)
    then(vips_colourspace(cur.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr), "drawImage: cannot convert the image to sRGB");
  if (vips_image_get_format(cur.get()) != VIPS_FORMAT_UCHAR)
    then(vips_cast_uchar(cur.get(), &out, nullptr), "drawImage: cannot convert the image");
  if (vips_image_get_bands(cur.get()) == 3)
    then(vips_bandjoin_const1(cur.get(), &out, 255, nullptr), "drawImage: cannot convert the image");
  if (vips_image_get_bands(cur.get()) != 4) throw Error(ErrorCode::INVALID_ARGUMENT, "draw: drawImage: unsupported image bands");
  size_t size = 0;
  void* raw = vips_image_write_to_memory(cur.get(), &size);
  if (!raw) vipsFailed(ErrorCode::INVALID_ARGUMENT, "drawImage: cannot decode the image");
  std::unique_ptr<void, decltype(&g_free)> rgba(raw, g_free);
  const int iw = vips_image_get_width(cur.get()), ih = vips_image_get_height(cur.get());
  if (size != static_cast<size_t>(iw) * ih * 4) throw Error(ErrorCode::INTERNAL, "draw: unexpected decoded size");
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, iw, ih);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: drawImage: cannot allocate the image");
  }
  cairo_surface_flush(s);
  const int stride = cairo_image_surface_get_stride(s);
  unsigned char* dst = cairo_image_surface_get_data(s);
  const auto* src = static_cast<const unsigned char*>(rgba.get());
  for (int y = 0; y < ih; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(dst + static_cast<size_t>(y) * stride);
    const unsigned char* p = src + static_cast<size_t>(y) * iw * 4;
    for (int x = 0; x < iw; ++x, p += 4) {
      const unsigned a = p[3];
      const unsigned r = (p[0] * a + 127) / 255, g = (p[1] * a + 127) / 255, b = (p[2] * a + 127) / 255;
      row[x] = (a << 24) | (r << 16) | (g << 8) | b;
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}

std::string encodePng(cairo_surface_t* surface) {
  std::string out;
  const auto status = cairo_surface_write_to_png_stream(
      surface,
      [](void* closure, const unsigned char* data, unsigned int length) -> cairo_status_t {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &out);
  if (status != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorCode::INTERNAL, std::string("draw: PNG encoding failed: ") + cairo_status_to_string(status));
  return out;
}

std::string encodeJpeg(cairo_surface_t* surface, int quality, const Rgba& background) {
  initImageCodecs();
  cairo_surface_flush(surface);
  const int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  // Premultiplied colour + background × (1 − alpha), in integers (this loop runs per pixel).
  const auto byte = [](double v) { return static_cast<unsigned>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  const unsigned br = byte(background.r), bg = byte(background.g), bb = byte(background.b);
  unsigned char* o = rgb.data();
  for (int y = 0; y < h; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<size_t>(y) * stride);
    for (int x = 0; x < w; ++x) {
      const std::uint32_t px = row[x];
      const unsigned inv = 255 - (px >> 24);
      if (inv == 0) {  // opaque: most pixels of most images
        *o++ = static_cast<unsigned char>(px >> 16);
        *o++ = static_cast<unsigned char>(px >> 8);
        *o++ = static_cast<unsigned char>(px);
        continue;
      }
      *o++ = static_cast<unsigned char>(((px >> 16) & 0xff) + (br * inv + 127) / 255);
      *o++ = static_cast<unsigned char>(((px >> 8) & 0xff) + (bg * inv + 127) / 255);
      *o++ = static_cast<unsigned char>((px & 0xff) + (bb * inv + 127) / 255);
    }
  }
  ImagePtr image(vips_image_new_from_memory(rgb.data(), rgb.size(), w, h, 3, VIPS_FORMAT_UCHAR));
  if (!image) vipsFailed(ErrorCode::INTERNAL, "JPEG encoding failed");
  void* buf = nullptr;
  size_t len = 0;
  if (vips_jpegsave_buffer(image.get(), &buf, &len, "Q", quality, "strip", TRUE, nullptr) != 0)
    vipsFailed(ErrorCode::INTERNAL, "JPEG encoding failed");
  std::string out(static_cast<const char*>(buf), len);
  g_free(buf);
  return out;
}

}  // namespace m3m::draw
