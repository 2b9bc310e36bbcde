// The `image` module's libvips pipeline (runtime/image/pipeline.hpp): every
// operation checked on pixels of images the test makes with libvips, with a
// tolerance (resampling and lossy formats move values a little).
#include <gtest/gtest.h>
#include <vips/vips.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cmath>
#include <vector>

#include "runtime/image/pipeline.hpp"

using namespace m3m;
using namespace m3m::image;

namespace {

using Rgba = std::array<int, 4>;
const Rgba kRed{255, 0, 0, 255}, kGreen{0, 255, 0, 255}, kBlue{0, 0, 255, 255}, kWhite{255, 255, 255, 255};

struct VipsEnv : ::testing::Environment {
  void SetUp() override {
    ASSERT_EQ(VIPS_INIT("m3m_image_tests"), 0);
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new VipsEnv);

struct Unref {
  void operator()(VipsImage* i) const {
    if (i) g_object_unref(i);
  }
};
using Img = std::unique_ptr<VipsImage, Unref>;

// w × h pixels from fn(x, y), encoded by `suffix` (".png", ".jpg[Q=95]"…).
std::string make(int w, int h, int bands, const std::function<Rgba(int, int)>& fn, const char* suffix = ".png",
                 int orientation = 0) {
  std::vector<std::uint8_t> px(static_cast<size_t>(w) * h * bands);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const Rgba c = fn(x, y);
      for (int b = 0; b < bands; ++b) px[(static_cast<size_t>(y) * w + x) * bands + b] = static_cast<std::uint8_t>(c[b]);
    }
  Img raw(vips_image_new_from_memory_copy(px.data(), px.size(), w, h, bands, VIPS_FORMAT_UCHAR));
  VipsImage* out = nullptr;
  EXPECT_EQ(vips_copy(raw.get(), &out, "interpretation", VIPS_INTERPRETATION_sRGB, nullptr), 0);
  Img img(out);
  if (orientation) vips_image_set_int(img.get(), VIPS_META_ORIENTATION, orientation);
  void* buf = nullptr;
  size_t len = 0;
  EXPECT_EQ(vips_image_write_to_buffer(img.get(), suffix, &buf, &len, nullptr), 0) << vips_error_buffer();
  std::string s(static_cast<const char*>(buf), len);
  g_free(buf);
  return s;
}

// 200 × 100: red top left, green top right, blue bottom left, white bottom right.
Rgba quadrant(int x, int y, int w = 200, int h = 100) {
  if (y < h / 2) return x < w / 2 ? kRed : kGreen;
  return x < w / 2 ? kBlue : kWhite;
}
std::string quadrants(const char* suffix = ".png", int orientation = 0) {
  return make(200, 100, 3, [](int x, int y) { return quadrant(x, y); }, suffix, orientation);
}

struct Decoded {
  int width = 0, height = 0, bands = 0;
  std::vector<std::uint8_t> px;
  Rgba at(int x, int y) const {
    Rgba c{0, 0, 0, 255};
    for (int b = 0; b < std::min(bands, 4); ++b) c[b] = px[(static_cast<size_t>(y) * width + x) * bands + b];
    return c;
  }
};

Decoded decode(const std::string& bytes) {
  Img im(vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr));
  EXPECT_TRUE(im) << vips_error_buffer();
  Decoded d;
  if (!im) return d;
  VipsImage* u8 = nullptr;
  EXPECT_EQ(vips_cast_uchar(im.get(), &u8, nullptr), 0);
  Img img(u8);
  d.width = img->Xsize;
  d.height = img->Ysize;
  d.bands = img->Bands;
  size_t len = 0;
  void* mem = vips_image_write_to_memory(img.get(), &len);
  d.px.assign(static_cast<std::uint8_t*>(mem), static_cast<std::uint8_t*>(mem) + len);
  g_free(mem);
  return d;
}

::testing::AssertionResult near(const Rgba& got, const Rgba& want, int tolerance = 8) {
  for (int i = 0; i < 4; ++i)
    if (std::abs(got[i] - want[i]) > tolerance)
      return ::testing::AssertionFailure() << "got (" << got[0] << ", " << got[1] << ", " << got[2] << ", " << got[3]
                                           << "), want (" << want[0] << ", " << want[1] << ", " << want[2] << ", "
                                           << want[3] << ") ±" << tolerance;
  return ::testing::AssertionSuccess();
}

Plan plan(std::string source, std::vector<Op> ops = {}, std::optional<Format> format = std::nullopt) {
  Plan p;
  p.where = "image.test";
  p.source.bytes = std::move(source);
  p.ops = std::move(ops);
  p.output.format = format;
  return p;
}
Op resizeOp(int w, int h, Fit fit, std::optional<Colour> bg = std::nullopt) {
  Op op;
  op.kind = Op::Kind::Resize;
  op.width = w;
  op.height = h;
  op.fit = fit;
  op.background = bg;
  return op;
}
Op cropOp(int x, int y, int w, int h) {
  Op op;
  op.kind = Op::Kind::Crop;
  op.x = x, op.y = y, op.width = w, op.height = h;
  return op;
}
Op rotateOp(double d) {
  Op op;
  op.kind = Op::Kind::Rotate;
  op.degrees = d;
  return op;
}

Decoded run(const Plan& p) { return decode(execute(p, 40'000'000).bytes); }

ErrorCode codeOf(const Plan& p, std::string* message = nullptr, std::uint64_t maxPixels = 40'000'000) {
  try {
    execute(p, maxPixels);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return ErrorCode::INTERNAL;
}

// A PNG whose header declares w × h (and one tiny IDAT): a decompression bomb's header.
std::string pngHeader(std::uint32_t w, std::uint32_t h) {
  auto be = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    std::string td = type + data;
    return be(static_cast<std::uint32_t>(data.size())) + td +
           be(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(td.data()), static_cast<uInt>(td.size()))));
  };
  std::string ihdr = be(w) + be(h) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", std::string("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) +
         chunk("IEND", "");
}

}  // namespace

TEST(ImagePipeline, InfoReadsTheHeader) {
  Plan p = plan(quadrants());
  p.output.kind = Output::Kind::Info;
  auto info = execute(p, 40'000'000).info;
  EXPECT_EQ(info, (Value{{"width", 200}, {"height", 100}, {"format", "png"}, {"hasAlpha", false}, {"orientation", 1}}));
  p.source.bytes = make(4, 4, 4, [](int, int) { return Rgba{1, 2, 3, 0}; }, ".webp");
  info = execute(p, 40'000'000).info;
  EXPECT_EQ(info["format"], "webp");
  EXPECT_EQ(info["hasAlpha"], true);
  // Info reads no pixel: even a bomb's header is only described.
  p.source.bytes = pngHeader(100000, 100000);
  EXPECT_EQ(execute(p, 40'000'000).info["width"], 100000);
}

TEST(ImagePipeline, ResizeFits) {
  const std::string src = quadrants();
  auto cover = run(plan(src, {resizeOp(50, 50, Fit::Cover)}));
  ASSERT_EQ(cover.width, 50);
  ASSERT_EQ(cover.height, 50);
  EXPECT_TRUE(near(cover.at(10, 10), kRed));  // the centre 100 × 100 of the 200 × 100 scaled to 100 × 50
  EXPECT_TRUE(near(cover.at(40, 10), kGreen));
  EXPECT_TRUE(near(cover.at(10, 40), kBlue));
  EXPECT_TRUE(near(cover.at(40, 40), kWhite));

  auto contain = run(plan(src, {resizeOp(50, 50, Fit::Contain, Colour{255, 0, 255, 255})}));
  ASSERT_EQ(contain.width, 50);
  ASSERT_EQ(contain.height, 50);
  EXPECT_TRUE(near(contain.at(25, 2), Rgba{255, 0, 255, 255}));   // padding above
  EXPECT_TRUE(near(contain.at(25, 47), Rgba{255, 0, 255, 255}));  // and below
  EXPECT_TRUE(near(contain.at(5, 16), kRed));
  EXPECT_TRUE(near(contain.at(45, 32), kWhite));

  auto fill = run(plan(src, {resizeOp(50, 50, Fit::Fill)}));
  ASSERT_EQ(fill.width, 50);
  ASSERT_EQ(fill.height, 50);
  EXPECT_TRUE(near(fill.at(5, 5), kRed));
  EXPECT_TRUE(near(fill.at(45, 45), kWhite));

  auto inside = run(plan(src, {resizeOp(50, 50, Fit::Inside)}));
  EXPECT_EQ(inside.width, 50);
  EXPECT_EQ(inside.height, 25);

  auto byWidth = run(plan(src, {resizeOp(100, 0, Fit::Cover)}));
  EXPECT_EQ(byWidth.width, 100);
  EXPECT_EQ(byWidth.height, 50);
  auto byHeight = run(plan(src, {resizeOp(0, 300, Fit::Cover)}));  // enlarges
  EXPECT_EQ(byHeight.width, 600);
  EXPECT_EQ(byHeight.height, 300);
}

// Golden: the pipeline's resize matches libvips' own vips_resize of the same pixels.
TEST(ImagePipeline, ResizeMatchesVipsResize) {
  const std::string src = make(120, 80, 3, [](int x, int y) { return Rgba{x * 2, y * 3, (x * y) % 256, 255}; });
  auto got = run(plan(src, {resizeOp(60, 40, Fit::Fill)}));
  Img in(vips_image_new_from_buffer(src.data(), src.size(), "", nullptr));
  VipsImage* out = nullptr;
  ASSERT_EQ(vips_resize(in.get(), &out, 0.5, nullptr), 0);
  Img ref(out);
  void* buf = nullptr;
  size_t len = 0;
  ASSERT_EQ(vips_pngsave_buffer(ref.get(), &buf, &len, nullptr), 0);
  auto want = decode(std::string(static_cast<char*>(buf), len));
  g_free(buf);
  ASSERT_EQ(got.px.size(), want.px.size());
  double diff = 0;
  for (size_t i = 0; i < got.px.size(); ++i) diff += std::abs(got.px[i] - want.px[i]);
  EXPECT_LE(diff / static_cast<double>(got.px.size()), 1.0);
}

TEST(ImagePipeline, CropAndItsBounds) {
  auto green = run(plan(quadrants(), {cropOp(100, 0, 100, 50)}));
  ASSERT_EQ(green.width, 100);
  ASSERT_EQ(green.height, 50);
  for (auto [x, y] : {std::pair{0, 0}, {99, 0}, {0, 49}, {99, 49}, {50, 25}}) EXPECT_TRUE(near(green.at(x, y), kGreen, 0));
  std::string message;
  EXPECT_EQ(codeOf(plan(quadrants(), {cropOp(150, 0, 100, 50)}), &message), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(message, "image.test: the area 100 × 50 at (150, 0) is outside the 200 × 100 image");
}

TEST(ImagePipeline, RotateClockwise) {
  auto r90 = run(plan(quadrants(), {rotateOp(90)}));
  ASSERT_EQ(r90.width, 100);
  ASSERT_EQ(r90.height, 200);
  EXPECT_TRUE(near(r90.at(10, 10), kBlue, 0));  // the bottom left comes to the top left
  EXPECT_TRUE(near(r90.at(90, 10), kRed, 0));
  EXPECT_TRUE(near(r90.at(90, 190), kGreen, 0));
  auto r180 = run(plan(quadrants(), {rotateOp(180)}));
  EXPECT_TRUE(near(r180.at(10, 10), kWhite, 0));
  auto r270 = run(plan(quadrants(), {rotateOp(270)}));
  EXPECT_TRUE(near(r270.at(10, 10), kGreen, 0));

  auto r45 = run(plan(make(100, 100, 3, [](int, int) { return kRed; }), {rotateOp(45)}));
  EXPECT_GT(r45.width, 140);  // the canvas grows to hold the turned square
  ASSERT_EQ(r45.bands, 4);
  EXPECT_EQ(r45.at(0, 0)[3], 0);  // corners transparent
  EXPECT_TRUE(near(r45.at(r45.width / 2, r45.height / 2), kRed));
}

TEST(ImagePipeline, ThumbnailNeverEnlarges) {
  Op op;
  op.kind = Op::Kind::Thumbnail;
  op.size = 50;
  auto small = run(plan(quadrants(), {op}));
  EXPECT_EQ(small.width, 50);
  EXPECT_EQ(small.height, 25);
  EXPECT_TRUE(near(small.at(5, 5), kRed));
  op.size = 500;
  auto same = run(plan(quadrants(), {op}));
  EXPECT_EQ(same.width, 200);
  EXPECT_EQ(same.height, 100);
}

TEST(ImagePipeline, CompositeWithOpacityAndAlpha) {
  Op op;
  op.kind = Op::Kind::Composite;
  op.overlay.bytes = make(10, 10, 3, [](int, int) { return kRed; });
  op.x = 5, op.y = 5, op.opacity = 0.5;
  auto out = run(plan(make(40, 40, 3, [](int, int) { return kWhite; }), {op}));
  ASSERT_EQ(out.width, 40);
  EXPECT_EQ(out.bands, 3);  // the base had no alpha: neither has the result
  EXPECT_TRUE(near(out.at(10, 10), Rgba{255, 128, 128, 255}, 3));
  EXPECT_TRUE(near(out.at(30, 30), kWhite, 0));
  EXPECT_TRUE(near(out.at(4, 4), kWhite, 0));

  // The overlay's own transparency is respected: only its opaque half shows.
  op.overlay.bytes = make(10, 10, 4, [](int x, int) { return x < 5 ? Rgba{0, 0, 255, 255} : Rgba{0, 0, 255, 0}; });
  op.x = 0, op.y = 0, op.opacity = 1;
  out = run(plan(make(20, 20, 3, [](int, int) { return kWhite; }), {op}));
  EXPECT_TRUE(near(out.at(2, 2), kBlue, 0));
  EXPECT_TRUE(near(out.at(7, 2), kWhite, 0));
}

TEST(ImagePipeline, FormatRoundTrips) {
  const std::string src = quadrants();
  for (Format f : {Format::Png, Format::Jpeg, Format::Webp, Format::Gif, Format::Avif}) {
    SCOPED_TRACE(formatName(f));
    auto result = execute(plan(src, {}, f), 40'000'000);
    EXPECT_EQ(result.info["format"], formatName(f));
    Plan back = plan(result.bytes);
    back.output.kind = Output::Kind::Info;
    EXPECT_EQ(execute(back, 40'000'000).info["format"], formatName(f));
    auto d = decode(result.bytes);
    ASSERT_EQ(d.width, 200);
    ASSERT_EQ(d.height, 100);
    const int tolerance = f == Format::Png || f == Format::Gif ? 0 : 24;
    EXPECT_TRUE(near(d.at(50, 25), kRed, tolerance));
    EXPECT_TRUE(near(d.at(150, 25), kGreen, tolerance));
    EXPECT_TRUE(near(d.at(50, 75), kBlue, tolerance));
    EXPECT_TRUE(near(d.at(150, 75), kWhite, tolerance));
  }
  // Without a format the source's is kept; quality changes a lossy encoding.
  EXPECT_EQ(execute(plan(quadrants(".jpg")), 40'000'000).info["format"], "jpeg");
  Plan low = plan(make(64, 64, 3, [](int x, int y) { return Rgba{x * 4, y * 4, (x ^ y) * 4, 255}; }), {}, Format::Jpeg);
  low.output.quality = 10;
  Plan high = low;
  high.output.quality = 95;
  EXPECT_LT(execute(low, 40'000'000).bytes.size(), execute(high, 40'000'000).bytes.size());
}

TEST(ImagePipeline, ExifOrientationIsApplied) {
  const std::string src = quadrants(".jpg[Q=95]", 6);
  Plan info = plan(src);
  info.output.kind = Output::Kind::Info;
  auto header = execute(info, 40'000'000).info;
  EXPECT_EQ(header["orientation"], 6);
  EXPECT_EQ(header["width"], 200);  // as stored
  auto upright = run(plan(src, {}, Format::Png));
  ASSERT_EQ(upright.width, 100);  // orientation 6: turned 90° clockwise to display
  ASSERT_EQ(upright.height, 200);
  EXPECT_TRUE(near(upright.at(10, 10), kBlue, 24));
  EXPECT_TRUE(near(upright.at(90, 10), kRed, 24));
  // The output carries no orientation any more (it would be applied twice).
  Plan again = plan(execute(plan(src), 40'000'000).bytes);
  again.output.kind = Output::Kind::Info;
  EXPECT_EQ(execute(again, 40'000'000).info["orientation"], 1);
  // Shrink-on-load and resize see the upright image too.
  auto small = run(plan(src, {resizeOp(25, 50, Fit::Fill)}, Format::Png));
  EXPECT_EQ(small.width, 25);
  EXPECT_EQ(small.height, 50);
  EXPECT_TRUE(near(small.at(3, 3), kBlue, 24));
}

TEST(ImagePipeline, JpegShrinkOnLoadKeepsTheSize) {
  const std::string big = make(1600, 1200, 3, [](int x, int y) { return quadrant(x, y, 1600, 1200); }, ".jpg");
  auto out = run(plan(big, {resizeOp(200, 150, Fit::Cover)}));
  EXPECT_EQ(out.width, 200);
  EXPECT_EQ(out.height, 150);
  EXPECT_TRUE(near(out.at(20, 20), kRed, 24));
  EXPECT_TRUE(near(out.at(180, 130), kWhite, 24));
}

TEST(ImagePipeline, DecompressionBombRefusedBeforeDecoding) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string message;
  EXPECT_EQ(codeOf(plan(pngHeader(100000, 100000), {resizeOp(10, 10, Fit::Cover)}), &message),
            ErrorCode::PAYLOAD_TOO_LARGE);
  EXPECT_EQ(message,
            "image.test: the source is 100000 × 100000 pixels (10,000,000,000); at most 40,000,000 pixels are accepted "
            "(runtime.image.max_pixels)");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  // A step that would make too many pixels is refused too, before it runs.
  EXPECT_EQ(codeOf(plan(quadrants(), {resizeOp(100000, 100000, Fit::Fill)}), &message), ErrorCode::PAYLOAD_TOO_LARGE);
  EXPECT_NE(message.find("the result is 100000 × 100000"), std::string::npos) << message;
  // And the limit is the configured one.
  EXPECT_EQ(codeOf(plan(quadrants()), &message, 10'000), ErrorCode::PAYLOAD_TOO_LARGE);
}

TEST(ImagePipeline, BadInputIsAClearError) {
  std::string message;
  EXPECT_EQ(codeOf(plan("this is not an image"), &message), ErrorCode::UNSUPPORTED_MEDIA_TYPE);
  EXPECT_EQ(message.rfind("image.test: the source is not an image that can be decoded", 0), 0u) << message;
  const std::string jpeg = make(300, 300, 3, [](int x, int y) { return Rgba{x % 256, y % 256, 7, 255}; }, ".jpg");
  EXPECT_EQ(codeOf(plan(jpeg.substr(0, jpeg.size() / 2), {}, Format::Png), &message), ErrorCode::UNSUPPORTED_MEDIA_TYPE);
  Op op;
  op.kind = Op::Kind::Composite;
  op.overlay.bytes = "junk";
  EXPECT_EQ(codeOf(plan(quadrants(), {op}), &message), ErrorCode::UNSUPPORTED_MEDIA_TYPE);
  EXPECT_NE(message.find("the overlay is not an image"), std::string::npos) << message;
}

namespace {
// A task cancelled before it starts: its canceller runs at once (like ImageJob's).
struct CancelledTask : Task {
  bool cancelled() const override { return true; }
  void setCanceller(std::function<void()> kill) override { kill(); }
  void clearCanceller() override {}
};
}  // namespace

TEST(ImagePipeline, ACancelledTaskStops) {
  CancelledTask task;
  try {
    execute(plan(quadrants(), {resizeOp(50, 50, Fit::Cover)}), 40'000'000, &task);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::TIMEOUT) << e.what();
  }
}
