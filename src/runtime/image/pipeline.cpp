#include "runtime/image/pipeline.hpp"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string_view>

namespace m3m::image {

namespace {

struct Unref {
  void operator()(VipsImage* image) const {
    if (image) g_object_unref(image);
  }
};
using Img = std::unique_ptr<VipsImage, Unref>;

std::string withCommas(std::uint64_t n) {
  auto s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// libvips' last error, one line (its messages end in newlines and may stack).
std::string vipsReason() {
  std::string e = vips_error_buffer();
  vips_error_clear();
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  if (auto nl = e.rfind('\n'); nl != std::string::npos) e = e.substr(nl + 1);
  return e.size() > 200 ? e.substr(0, 200) + "…" : e;
}

// Clears the task's canceller before the image it kills is freed.
struct CancellerGuard {
  Task* task = nullptr;
  ~CancellerGuard() {
    if (task) task->clearCanceller();
  }
};

class Runner {
 public:
  Runner(const Plan& plan, std::uint64_t maxPixels, Task* task) : plan_(plan), maxPixels_(maxPixels), task_(task) {}

  Result run();

 private:
  [[noreturn]] void undecodable(const std::string& subject) {
    vips_error_clear();  // libvips' reason stays out of the message (long, odd, about internals)
    throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE,
                plan_.where + ": " + subject + " is not an image that can be decoded (PNG, JPEG, WebP, GIF, AVIF, TIFF…) or it is corrupt");
  }
  // A libvips step failed on an image that decoded: stopped, or a real failure.
  [[noreturn]] void failed(const std::string& step) {
    if (task_ && task_->cancelled()) {
      vips_error_clear();
      throw Error(ErrorCode::TIMEOUT, plan_.where + ": image processing was stopped");
    }
    const std::string reason = vipsReason();
    // A truncated or corrupt file is found when its pixels are read, not at the header.
    throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE, plan_.where + ": " + step + " failed: the image could not be decoded" +
                                                       (reason.empty() ? "" : " (" + reason + ")"));
  }
  void checkPixels(const VipsImage* im, const std::string& what) {
    const auto w = static_cast<std::uint64_t>(im->Xsize), h = static_cast<std::uint64_t>(im->Ysize);
    if (w * h > maxPixels_)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, plan_.where + ": " + what + " is " + std::to_string(w) + " × " +
                                                    std::to_string(h) + " pixels (" + withCommas(w * h) + "); at most " +
                                                    withCommas(maxPixels_) + " pixels are accepted (runtime.image.max_pixels)");
  }

  // Sequential access reads only the header now and pixels once, top to
  // bottom, as the encoder pulls them; random access decodes the whole image
  // first (needed when a step reads it out of order: a rotation by 90°).
  // fail_on: a truncated or corrupt file is an error, not partial pixels.
  Img open(const std::string& bytes, bool random, int shrink, const std::string& subject) {
    VipsImage* im = nullptr;
    const auto access = random ? VIPS_ACCESS_RANDOM : VIPS_ACCESS_SEQUENTIAL;
    if (shrink > 1)
      im = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", access, "fail_on", VIPS_FAIL_ON_ERROR,
                                      "shrink", shrink, nullptr);
    else
      im = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", access, "fail_on", VIPS_FAIL_ON_ERROR,
                                      nullptr);
    if (!im) undecodable(subject);
    return Img(im);
  }

  // The header's facts, without decoding pixels.
  static std::string formatOf(VipsImage* im) {
    const char* loader = nullptr;
    if (!vips_image_get_typeof(im, VIPS_META_LOADER) || vips_image_get_string(im, VIPS_META_LOADER, &loader) != 0 ||
        !loader)
      return "unknown";
    std::string name = loader;
    if (auto p = name.find("load"); p != std::string::npos) name = name.substr(0, p);
    if (name == "heif") {
      const char* compression = nullptr;
      if (vips_image_get_typeof(im, "heif-compression") &&
          vips_image_get_string(im, "heif-compression", &compression) == 0 && compression &&
          std::string_view(compression) == "av1")
        return "avif";
    }
    return name.empty() ? "unknown" : name;
  }
  static int orientationOf(VipsImage* im) {
    int o = 1;
    if (vips_image_get_typeof(im, VIPS_META_ORIENTATION) && vips_image_get_int(im, VIPS_META_ORIENTATION, &o) == 0 &&
        o >= 1 && o <= 8)
      return o;
    return 1;
  }

  Img chain(VipsImage* out, int rc, const std::string& step) {
    Img img(out);
    if (rc != 0 || !img) failed(step);
    return img;
  }

  Img loadSource(const std::string& inputFormat, int orientation);
  Img standardise(Img in, const std::string& step);
  Img withAlpha(Img in);
  Img resize(Img in, double hscale, double vscale);
  Img apply(Img in, const Op& op);
  Img applyResize(Img in, const Op& op);
  Img applyRotate(Img in, const Op& op);
  Img applyComposite(Img in, const Op& op);
  std::string encode(Img in, Format format);
  VipsArrayDouble* background(const Colour& c, int bands);

  const Plan& plan_;
  std::uint64_t maxPixels_;
  Task* task_;
};

// JPEG decodes at 1/2, 1/4 or 1/8 for next to nothing: when the first step
// shrinks by at least that, decode smaller (the remaining resize still
// antialiases). The same choice as sharp's default (fastShrinkOnLoad).
int jpegShrink(const Plan& plan, int width, int height, int orientation) {
  if (plan.ops.empty()) return 1;
  if (orientation >= 5) std::swap(width, height);  // the steps see the upright image
  const Op& op = plan.ops.front();
  double factor = 1;
  if (op.kind == Op::Kind::Thumbnail) {
    factor = static_cast<double>(std::max(width, height)) / op.size;
  } else if (op.kind == Op::Kind::Resize) {
    const double fx = op.width ? static_cast<double>(width) / op.width : 0;
    const double fy = op.height ? static_cast<double>(height) / op.height : 0;
    if (!op.width) factor = fy;
    else if (!op.height) factor = fx;
    else if (op.fit == Fit::Inside || op.fit == Fit::Contain) factor = std::max(fx, fy);
    else factor = std::min(fx, fy);
  } else {
    return 1;
  }
  return factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
}

bool readsOutOfOrder(const Plan& plan, int orientation) {
  if (orientation > 1) return true;  // autorotation flips or turns the whole image
  return std::any_of(plan.ops.begin(), plan.ops.end(), [](const Op& op) { return op.kind == Op::Kind::Rotate; });
}

VipsArrayDouble* Runner::background(const Colour& c, int bands) {
  double v[4] = {static_cast<double>(c[0]), static_cast<double>(c[1]), static_cast<double>(c[2]), static_cast<double>(c[3])};
  return vips_array_double_new(v, bands);
}

// Every step works on 8-bit sRGB (with or without alpha): grey, CMYK and
// 16-bit images are converted once, so colours and overlays mean one thing.
Img Runner::standardise(Img in, const std::string& step) {
  if (in->Type != VIPS_INTERPRETATION_sRGB || in->BandFmt != VIPS_FORMAT_UCHAR) {
    VipsImage* out = nullptr;
    in = chain(out, vips_colourspace(in.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr), step);
    if (in->BandFmt != VIPS_FORMAT_UCHAR) {
      out = nullptr;
      in = chain(out, vips_cast_uchar(in.get(), &out, nullptr), step);
    }
  }
  return in;
}

Img Runner::withAlpha(Img in) {
  if (vips_image_hasalpha(in.get())) return in;
  VipsImage* out = nullptr;
  return chain(out, vips_bandjoin_const1(in.get(), &out, 255, nullptr), "adding an alpha channel");
}

Img Runner::loadSource(const std::string& inputFormat, int orientation) {
  const std::string& bytes = plan_.source.bytes;
  int shrink = 1;
  if (inputFormat == "jpeg") {
    Img header = open(bytes, false, 1, "the source");
    shrink = jpegShrink(plan_, header->Xsize, header->Ysize, orientation);
  }
  return open(bytes, readsOutOfOrder(plan_, orientation), shrink, "the source");
}

// Alpha is premultiplied around the resize, or transparent pixels' colours
// would bleed into their neighbours.
Img Runner::resize(Img in, double hscale, double vscale) {
  const bool alpha = vips_image_hasalpha(in.get());
  VipsImage* out = nullptr;
  if (alpha) in = chain(out, vips_premultiply(in.get(), &out, nullptr), "resize");
  out = nullptr;
  in = chain(out, vips_resize(in.get(), &out, hscale, "vscale", vscale, nullptr), "resize");
  if (alpha) {
    out = nullptr;
    in = chain(out, vips_unpremultiply(in.get(), &out, nullptr), "resize");
    out = nullptr;
    in = chain(out, vips_cast_uchar(in.get(), &out, nullptr), "resize");
  }
  return in;
}

Img Runner::applyResize(Img in, const Op& op) {
  const double w = in->Xsize, h = in->Ysize;
  // One side given: the other follows the aspect ratio (and every fit is the same).
  const int tw = op.width ? op.width : std::max(1, static_cast<int>(std::lround(w * op.height / h)));
  const int th = op.height ? op.height : std::max(1, static_cast<int>(std::lround(h * op.width / w)));
  const double sx = tw / w, sy = th / h;
  VipsImage* out = nullptr;
  switch (op.fit) {
    case Fit::Fill:
      return resize(std::move(in), sx, sy);
    case Fit::Cover: {
      const double s = std::max(sx, sy);
      // The limiting side gets its exact scale, so rounding cannot leave it a pixel short.
      in = resize(std::move(in), sx >= sy ? sx : s, sy >= sx ? sy : s);
      const int cw = std::min(tw, in->Xsize), ch = std::min(th, in->Ysize);
      if (cw == in->Xsize && ch == in->Ysize) return in;
      return chain(out, vips_extract_area(in.get(), &out, (in->Xsize - cw) / 2, (in->Ysize - ch) / 2, cw, ch, nullptr),
                   "resize");
    }
    case Fit::Inside:
    case Fit::Contain: {
      const double s = std::min(sx, sy);
      in = resize(std::move(in), sx <= sy ? sx : s, sy <= sx ? sy : s);
      if (op.fit == Fit::Inside || (in->Xsize == tw && in->Ysize == th)) return in;
      const Colour bg = op.background.value_or(Colour{0, 0, 0, 255});
      if (bg[3] < 255) in = withAlpha(std::move(in));
      VipsArrayDouble* colour = background(bg, in->Bands);
      const int rc = vips_embed(in.get(), &out, (tw - in->Xsize) / 2, (th - in->Ysize) / 2, tw, th, "extend",
                                VIPS_EXTEND_BACKGROUND, "background", colour, nullptr);
      vips_area_unref(VIPS_AREA(colour));
      return chain(out, rc, "resize");
    }
  }
  return in;
}

Img Runner::applyRotate(Img in, const Op& op) {
  VipsImage* out = nullptr;
  const double d = op.degrees;
  if (d == 0) return in;
  if (d == 90 || d == 180 || d == 270) {
    const VipsAngle angle = d == 90 ? VIPS_ANGLE_D90 : d == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
    return chain(out, vips_rot(in.get(), &out, angle, nullptr), "rotate");
  }
  // Other angles grow the canvas; the corners get the background (default: transparent).
  const Colour bg = op.background.value_or(Colour{0, 0, 0, 0});
  if (bg[3] < 255) in = withAlpha(std::move(in));
  VipsArrayDouble* colour = background(bg, in->Bands);
  const int rc = vips_rotate(in.get(), &out, d, "background", colour, nullptr);
  vips_area_unref(VIPS_AREA(colour));
  in = chain(out, rc, "rotate");
  out = nullptr;
  return chain(out, vips_cast_uchar(in.get(), &out, nullptr), "rotate");
}

Img Runner::applyComposite(Img in, const Op& op) {
  const std::string& bytes = op.overlay.bytes;
  Img overlay = open(bytes, false, 1, "the overlay");
  checkPixels(overlay.get(), "the overlay");
  const int orientation = orientationOf(overlay.get());
  // The overlay is read where it lands, in the base's order: random access.
  overlay = open(bytes, true, 1, "the overlay");
  VipsImage* out = nullptr;
  if (orientation > 1) overlay = chain(out, vips_autorot(overlay.get(), &out, nullptr), "composite");
  overlay = withAlpha(standardise(std::move(overlay), "composite"));
  if (op.opacity < 1) {
    const double a[4] = {1, 1, 1, op.opacity}, b[4] = {0, 0, 0, 0};
    out = nullptr;
    overlay = chain(out, vips_linear(overlay.get(), &out, a, b, 4, "uchar", TRUE, nullptr), "composite");
  }
  const bool baseAlpha = vips_image_hasalpha(in.get());
  out = nullptr;
  in = chain(out, vips_composite2(in.get(), overlay.get(), &out, VIPS_BLEND_MODE_OVER, "x", op.x, "y", op.y, nullptr),
             "composite");
  out = nullptr;
  in = chain(out, vips_cast_uchar(in.get(), &out, nullptr), "composite");
  if (!baseAlpha && in->Bands == 4) {
    out = nullptr;
    in = chain(out, vips_extract_band(in.get(), &out, 0, "n", 3, nullptr), "composite");
  }
  return in;
}

Img Runner::apply(Img in, const Op& op) {
  VipsImage* out = nullptr;
  switch (op.kind) {
    case Op::Kind::Resize:
      return applyResize(std::move(in), op);
    case Op::Kind::Thumbnail: {
      // Fits a size × size box and never enlarges.
      const double s = std::min({1.0, static_cast<double>(op.size) / in->Xsize, static_cast<double>(op.size) / in->Ysize});
      if (s >= 1) return in;
      return resize(std::move(in), s, s);
    }
    case Op::Kind::Crop:
      if (op.x + op.width > in->Xsize || op.y + op.height > in->Ysize)
        throw Error(ErrorCode::INVALID_ARGUMENT,
                    plan_.where + ": the area " + std::to_string(op.width) + " × " + std::to_string(op.height) + " at (" +
                        std::to_string(op.x) + ", " + std::to_string(op.y) + ") is outside the " +
                        std::to_string(in->Xsize) + " × " + std::to_string(in->Ysize) + " image");
      return chain(out, vips_extract_area(in.get(), &out, op.x, op.y, op.width, op.height, nullptr), "crop");
    case Op::Kind::Rotate:
      return applyRotate(std::move(in), op);
    case Op::Kind::Composite:
      return applyComposite(std::move(in), op);
  }
  return in;
}

std::string Runner::encode(Img in, Format format) {
  VipsImage* out = nullptr;
  if (format == Format::Jpeg && vips_image_hasalpha(in.get())) {
    // JPEG has no alpha: transparent areas become white, not black.
    VipsArrayDouble* white = background(Colour{255, 255, 255, 255}, 3);
    const int rc = vips_flatten(in.get(), &out, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    in = chain(out, rc, "encoding");
  }
  const int q = plan_.output.quality;
  void* buf = nullptr;
  size_t len = 0;
  int rc = 0;
  // strip: EXIF (GPS, the camera, an orientation already applied) stays out of what is written.
  switch (format) {
    case Format::Png:
      rc = vips_pngsave_buffer(in.get(), &buf, &len, "strip", TRUE, nullptr);
      break;
    case Format::Jpeg:
      rc = vips_jpegsave_buffer(in.get(), &buf, &len, "Q", q ? q : 80, "strip", TRUE, nullptr);
      break;
    case Format::Webp:
      rc = vips_webpsave_buffer(in.get(), &buf, &len, "Q", q ? q : 80, "strip", TRUE, nullptr);
      break;
    case Format::Gif:
      rc = vips_gifsave_buffer(in.get(), &buf, &len, "strip", TRUE, nullptr);
      break;
    case Format::Avif:
      rc = vips_heifsave_buffer(in.get(), &buf, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "Q", q ? q : 50,
                                "strip", TRUE, nullptr);
      break;
  }
  if (rc != 0) {
    g_free(buf);
    if (task_ && task_->cancelled()) failed("encoding");
    const std::string reason = vipsReason();
    // The pixels were decoded before the encoder failed only if the source was good:
    // a truncated file fails here too (sequential access reads it now).
    if (reason.find("save") != std::string::npos && reason.find("load") == std::string::npos &&
        reason.find("read") == std::string::npos)
      throw Error(ErrorCode::UNAVAILABLE,
                  plan_.where + ": this server's libvips cannot write " + formatName(format) + " (" + reason + ")");
    throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE,
                plan_.where + ": the image could not be decoded or encoded" + (reason.empty() ? "" : " (" + reason + ")"));
  }
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  if (task_ && task_->cancelled()) failed("encoding");
  return bytes;
}

Result Runner::run() {
  Img header = open(plan_.source.bytes, false, 1, "the source");
  const std::string inputFormat = formatOf(header.get());
  const int orientation = orientationOf(header.get());
  if (plan_.output.kind == Output::Kind::Info) {
    // The header alone: no pixel is decoded, so no limit applies.
    return {"", Value{{"width", header->Xsize},
                      {"height", header->Ysize},
                      {"format", inputFormat},
                      {"hasAlpha", static_cast<bool>(vips_image_hasalpha(header.get()))},
                      {"orientation", orientation}}};
  }
  checkPixels(header.get(), "the source");
  header.reset();

  Img source = loadSource(inputFormat, orientation);
  // Killing the source stops the pipeline at its next read of it (the guard,
  // declared after `source`, clears the canceller before the source is freed).
  if (task_) task_->setCanceller([raw = source.get()] { vips_image_set_kill(raw, TRUE); });
  CancellerGuard guard{task_};
  Img img(static_cast<VipsImage*>(g_object_ref(source.get())));
  if (orientation > 1) {
    VipsImage* out = nullptr;
    img = chain(out, vips_autorot(img.get(), &out, nullptr), "applying the EXIF orientation");
  }
  img = standardise(std::move(img), "reading the source");
  for (const Op& op : plan_.ops) {
    img = apply(std::move(img), op);
    // Steps are lazy: the size of what they would make is known before it is made.
    checkPixels(img.get(), "the result");
  }
  const Format format = outputFormat(plan_, inputFormat);
  const int width = img->Xsize, height = img->Ysize;
  Result r;
  r.bytes = encode(std::move(img), format);
  r.info = Value{{"width", width}, {"height", height}, {"format", formatName(format)}, {"size", r.bytes.size()}};
  return r;
}

}  // namespace

Result execute(const Plan& plan, std::uint64_t maxPixels, Task* task) {
  return Runner(plan, maxPixels, task).run();
}

}  // namespace m3m::image
