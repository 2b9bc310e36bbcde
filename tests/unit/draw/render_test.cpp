// The renderer (runtime/modules/draw/render.cpp) on display lists written as
// the JS wrapper sends them, checked pixel by pixel on the cairo surface; the
// font shorthand parser; and the document checks (document.cpp).
#include "runtime/modules/draw/render.hpp"

#include <gtest/gtest.h>

#include <m3m/error.hpp>

#include <array>
#include <cmath>

#include "runtime/modules/draw/images.hpp"
#include "runtime/modules/draw/text.hpp"

using m3m::Error;
using m3m::ErrorCode;
using m3m::Value;
using namespace m3m::draw;

namespace {

struct Surface {
  cairo_surface_t* s;
  ~Surface() { cairo_surface_destroy(s); }
  // Straight RGBA of one pixel.
  std::array<int, 4> at(int x, int y) const {
    const auto* row = reinterpret_cast<const std::uint32_t*>(cairo_image_surface_get_data(s) + y * cairo_image_surface_get_stride(s));
    const std::uint32_t p = row[x];
    const int a = p >> 24;
    auto un = [a](int v) { return a ? (v * 255 + a / 2) / a : 0; };
    return {un((p >> 16) & 0xff), un((p >> 8) & 0xff), un(p & 0xff), a};
  }
};

Surface draw(int w, int h, Value ops, Value extra = Value::object()) {
  Value doc = {{"width", w}, {"height", h}, {"ops", std::move(ops)}};
  for (auto& [k, v] : extra.items()) doc[k] = v;
  Limits limits;
  Document d = parseDocument(doc, limits);
  for (const auto& img : d.images) {
    const auto& b = img.get_binary();
    d.imageBytes.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
  }
  return {renderSurface(d, pango_cairo_font_map_get_default(), limits, {})};
}

Value rgba(double r, double g, double b, double a = 1) { return Value::array({r, g, b, a}); }

void expectPixel(const Surface& s, int x, int y, std::array<int, 4> want, int tol = 0) {
  const auto got = s.at(x, y);
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(got[k], want[k], tol) << "pixel " << x << "," << y << " channel " << k << ": got " << got[0] << ","
                                      << got[1] << "," << got[2] << "," << got[3];
}

constexpr std::array<int, 4> kClear{0, 0, 0, 0};
constexpr std::array<int, 4> kRed{255, 0, 0, 255};
constexpr std::array<int, 4> kBlack{0, 0, 0, 255};

TEST(DrawRender, FillRectExactlyItsPixels) {
  auto s = draw(20, 20, {{"fillStyle", rgba(1, 0, 0)}, {"fillRect", 5, 5, 10, 10}});
  for (int y = 0; y < 20; ++y)
    for (int x = 0; x < 20; ++x) expectPixel(s, x, y, x >= 5 && x < 15 && y >= 5 && y < 15 ? kRed : kClear);
}

TEST(DrawRender, BackgroundClearRectAndDefaultBlack) {
  auto s = draw(10, 10, {{"fillRect", 0, 0, 10, 5}, {"clearRect", 0, 0, 2, 2}}, {{"background", rgba(0, 0, 1)}});
  expectPixel(s, 5, 2, kBlack);
  expectPixel(s, 5, 7, {0, 0, 255, 255});
  expectPixel(s, 1, 1, kClear);
}

TEST(DrawRender, SaveRestoreStylesAndTransforms) {
  auto s = draw(40, 40, {{"save"}, {"fillStyle", rgba(1, 0, 0)}, {"translate", 20, 20}, {"fillRect", 0, 0, 5, 5},
                         {"restore"}, {"fillRect", 0, 0, 5, 5}, {"restore"}, {"fillRect", 10, 0, 2, 2}});
  expectPixel(s, 22, 22, kRed);
  expectPixel(s, 2, 2, kBlack);   // black and untranslated after restore
  expectPixel(s, 11, 1, kBlack);  // an unbalanced restore is ignored
}

TEST(DrawRender, RotateScaleAndSetTransform) {
  auto s = draw(100, 100, {{"translate", 50, 50}, {"rotate", M_PI / 2}, {"scale", 2, 1}, {"fillRect", 0, 0, 10, 10},
                           {"setTransform", 1, 0, 0, 1, 80, 80}, {"fillRect", 0, 0, 5, 5}});
  expectPixel(s, 45, 65, kBlack);  // x → down (20 long), y → left (10 wide)
  expectPixel(s, 55, 55, kClear);
  expectPixel(s, 82, 82, kBlack);
  expectPixel(s, 70, 70, kClear);
}

TEST(DrawRender, SingularTransformDrawsNothingUntilReset) {
  auto s = draw(20, 20, {{"scale", 0, 1}, {"fillRect", 0, 0, 20, 20}, {"resetTransform"}, {"fillRect", 0, 0, 2, 2}});
  expectPixel(s, 10, 10, kClear);
  expectPixel(s, 1, 1, kBlack);
}

TEST(DrawRender, PathsArcsCurvesAndFillRules) {
  // A ring by even-odd: the centre stays clear.
  auto s = draw(60, 60, {{"beginPath"}, {"arc", 30, 30, 25, 0, 2 * M_PI}, {"moveTo", 40, 30},
                         {"arc", 30, 30, 10, 0, 2 * M_PI}, {"fill", "evenodd"}});
  expectPixel(s, 30, 30, kClear);
  expectPixel(s, 30, 12, kBlack);
  expectPixel(s, 2, 2, kClear);
  // The same with nonzero fills the centre too (both circles go the same way).
  auto t = draw(60, 60, {{"beginPath"}, {"arc", 30, 30, 25, 0, 2 * M_PI}, {"moveTo", 40, 30},
                         {"arc", 30, 30, 10, 0, 2 * M_PI}, {"fill"}});
  expectPixel(t, 30, 30, kBlack);
  // A triangle of lines, a quadratic and a bezier hump.
  auto u = draw(60, 60, {{"moveTo", 0, 0}, {"lineTo", 40, 0}, {"lineTo", 0, 40}, {"closePath"}, {"fill"}, {"beginPath"},
                         {"moveTo", 0, 59}, {"quadraticCurveTo", 30, 20, 59, 59}, {"fill"}});
  expectPixel(u, 5, 5, kBlack);
  expectPixel(u, 35, 35, kClear);
  expectPixel(u, 30, 50, kBlack);
  expectPixel(u, 30, 42, kBlack);  // inside the hump (its top is at y = 39.5)
  expectPixel(u, 30, 37, kClear);
}

TEST(DrawRender, FillRectDoesNotTouchTheCurrentPath) {
  auto s = draw(40, 20, {{"beginPath"}, {"rect", 0, 0, 10, 10}, {"fillRect", 30, 0, 5, 5}, {"fillStyle", rgba(1, 0, 0)}, {"fill"}});
  expectPixel(s, 5, 5, kRed);     // the rect, filled after the fillRect
  expectPixel(s, 32, 2, kBlack);  // the fillRect, not refilled red
}

TEST(DrawRender, StrokeWidthCapAndDash) {
  auto s = draw(40, 20, {{"strokeStyle", rgba(1, 0, 0)}, {"lineWidth", 4}, {"lineCap", "square"}, {"beginPath"},
                         {"moveTo", 5, 10}, {"lineTo", 35, 10}, {"stroke"}});
  expectPixel(s, 20, 9, kRed);
  expectPixel(s, 20, 11, kRed);
  expectPixel(s, 20, 13, kClear);
  expectPixel(s, 4, 10, kRed);  // the square cap
  auto d = draw(40, 20, {{"lineWidth", 2}, {"lineDash", Value::array({5})}, {"beginPath"}, {"moveTo", 0, 10},
                         {"lineTo", 40, 10}, {"stroke"}});
  expectPixel(d, 2, 10, kBlack);
  expectPixel(d, 7, 10, kClear);
  expectPixel(d, 12, 10, kBlack);
}

TEST(DrawRender, GradientsAndGlobalAlpha) {
  Value lin = {{"type", "linear"}, {"coords", {0, 0, 100, 0}}, {"stops", Value::array({Value::array({0, rgba(1, 0, 0)}), Value::array({1, rgba(0, 0, 1)})})}};
  auto s = draw(100, 4, {{"fillStyle", lin}, {"fillRect", 0, 0, 100, 4}});
  expectPixel(s, 0, 2, kRed, 4);
  expectPixel(s, 99, 2, {0, 0, 255, 255}, 4);
  expectPixel(s, 50, 2, {127, 0, 128, 255}, 4);
  Value rad = {{"type", "radial"}, {"coords", {20, 20, 0, 20, 20, 20}}, {"stops", Value::array({Value::array({0, rgba(1, 1, 1)}), Value::array({1, rgba(0, 0, 0)})})}};
  auto r = draw(40, 40, {{"fillStyle", rad}, {"fillRect", 0, 0, 40, 40}});
  expectPixel(r, 20, 20, {255, 255, 255, 255}, 12);
  expectPixel(r, 20, 30, {128, 128, 128, 255}, 8);
  // A gradient with no stops paints nothing; globalAlpha applies to gradients and colours.
  Value none = {{"type", "linear"}, {"coords", {0, 0, 10, 0}}, {"stops", Value::array()}};
  auto n = draw(10, 10, {{"fillStyle", none}, {"fillRect", 0, 0, 10, 10}});
  expectPixel(n, 5, 5, kClear);
  auto a = draw(10, 10, {{"globalAlpha", 0.5}, {"fillStyle", lin}, {"fillRect", 0, 0, 10, 10}});
  expectPixel(a, 0, 5, {255, 0, 0, 128}, 3);
  auto b = draw(10, 10, {{"globalAlpha", 0.25}, {"fillStyle", rgba(1, 0, 0)}, {"fillRect", 0, 0, 10, 10}}, {{"background", rgba(1, 1, 1)}});
  expectPixel(b, 5, 5, {255, 191, 191, 255}, 2);
}

TEST(DrawRender, ClipNestsAndRestores) {
  auto s = draw(40, 40, {{"save"}, {"rect", 0, 0, 20, 20}, {"clip"}, {"beginPath"}, {"rect", 10, 10, 20, 20}, {"clip"},
                         {"fillRect", 0, 0, 40, 40}, {"restore"}, {"fillStyle", rgba(1, 0, 0)}, {"fillRect", 35, 35, 5, 5}});
  expectPixel(s, 15, 15, kBlack);  // the intersection
  expectPixel(s, 5, 5, kClear);
  expectPixel(s, 25, 25, kClear);
  expectPixel(s, 37, 37, kRed);    // the clip is gone after restore
}

TEST(DrawRender, CompositeCopyAndDestinationOut) {
  auto s = draw(10, 10, {{"fillRect", 0, 0, 10, 10}, {"globalCompositeOperation", "destination-out"}, {"fillRect", 0, 0, 5, 10}});
  expectPixel(s, 2, 5, kClear);
  expectPixel(s, 7, 5, kBlack);
}

TEST(DrawRender, TextDrawsInsideItsMeasuredBox) {
  TextEngine engine(pango_cairo_font_map_get_default());
  const auto font = *parseFont("30px DejaVu Sans");
  const auto m = engine.measure(font, "Привет");
  EXPECT_GT(m.width, 60);
  EXPECT_LT(m.width, 200);
  EXPECT_GT(m.actualBoundingBoxAscent, 15);
  EXPECT_GT(m.fontBoundingBoxAscent, m.actualBoundingBoxAscent - 1);
  auto s = draw(240, 60, {{"font", "30px DejaVu Sans"}, {"fillText", "Привет", 10, 40}});
  int inside = 0;
  for (int y = 0; y < 60; ++y)
    for (int x = 0; x < 240; ++x) {
      const bool drawn = s.at(x, y)[3] > 0;
      const bool inBox = x >= 9 && x <= 10 + m.width + 1 && y >= 40 - m.actualBoundingBoxAscent - 1 &&
                         y <= 40 + m.actualBoundingBoxDescent + 1;
      if (!inBox) EXPECT_FALSE(drawn) << "pixel " << x << "," << y << " outside the text";
      inside += drawn;
    }
  EXPECT_GT(inside, 200);
}

TEST(DrawRender, TextAlignBaselineAndMaxWidth) {
  // Right-aligned at x = 100: everything left of 100; top baseline: everything below y = 10.
  auto s = draw(120, 60, {{"font", "20px DejaVu Sans"}, {"textAlign", "right"}, {"textBaseline", "top"}, {"fillText", "Hi", 100, 10}});
  int left = 0;
  for (int y = 0; y < 60; ++y)
    for (int x = 0; x < 120; ++x)
      if (s.at(x, y)[3]) {
        EXPECT_LE(x, 100);
        EXPECT_GE(y, 10);
        ++left;
      }
  EXPECT_GT(left, 20);
  // maxWidth squeezes a long line into it.
  auto w = draw(300, 40, {{"font", "20px DejaVu Sans"}, {"fillText", "A rather long line of text", 0, 30, 50}});
  for (int y = 0; y < 40; ++y)
    for (int x = 52; x < 300; ++x) EXPECT_EQ(w.at(x, y)[3], 0) << x << "," << y;
}

TEST(DrawRender, TextBoxWraps) {
  TextEngine engine(pango_cairo_font_map_get_default());
  const auto font = *parseFont("16px DejaVu Sans");
  const auto one = engine.measureBox(font, "word", 200, 1.2, 0, 0);
  const auto many = engine.measureBox(font, "word word word word word word word word", 80, 1.2, 0, 0);
  EXPECT_EQ(one.lines, 1);
  EXPECT_GE(many.lines, 4);
  EXPECT_LE(many.width, 80.5);
  EXPECT_NEAR(many.height / many.lines, 16 * 1.2, 1.5);
  const auto capped = engine.measureBox(font, "word word word word word word word word", 80, 1.2, 0, 2);
  EXPECT_EQ(capped.lines, 2);
  auto s = draw(100, 200, {{"font", "16px DejaVu Sans"}, {"textBox", "word word word word word word word word", 10, 10, 80, 1.2, 0}});
  for (int y = 0; y < 200; ++y)
    for (int x = 91; x < 100; ++x) EXPECT_EQ(s.at(x, y)[3], 0) << x << "," << y;
  EXPECT_GT(s.at(0, 0)[3] + 1, 0);
}

TEST(DrawRender, DrawImageScalesAndRefusesBombs) {
  // A 2×2 PNG made by cairo itself: red, green / blue, white.
  cairo_surface_t* src = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 2, 2);
  auto* px = reinterpret_cast<std::uint32_t*>(cairo_image_surface_get_data(src));
  const int stride = cairo_image_surface_get_stride(src) / 4;
  px[0] = 0xffff0000;
  px[1] = 0xff00ff00;
  px[stride] = 0xff0000ff;
  px[stride + 1] = 0xffffffff;
  cairo_surface_mark_dirty(src);
  const std::string png = encodePng(src);
  cairo_surface_destroy(src);
  Value bytes = Value::binary(Value::binary_t::container_type(png.begin(), png.end()));
  auto s = draw(20, 20, {{"imageSmoothing", false}, {"drawImage", 0, 0, 0, -1, -1, 0, 0, 10, 10}, {"drawImage", 0, 1, 1, 1, 1, 15, 15, 5, 5}},
                {{"images", Value::array({bytes})}});
  expectPixel(s, 2, 2, kRed);
  expectPixel(s, 7, 2, {0, 255, 0, 255});
  expectPixel(s, 2, 7, {0, 0, 255, 255});
  expectPixel(s, 17, 17, {255, 255, 255, 255});  // the source rect (1,1,1,1) only
  expectPixel(s, 12, 12, kClear);
  // Past max_pixels: refused from the header.
  Limits tiny;
  tiny.maxPixels = 3;
  std::uint64_t budget = 1 << 20;
  try {
    cairo_surface_destroy(decodeImage(png, tiny.maxPixels, budget));
    FAIL() << "a 4-pixel image passed a 3-pixel limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PAYLOAD_TOO_LARGE);
  }
  budget = 16;  // less than the 2×2 image's copies
  EXPECT_THROW(cairo_surface_destroy(decodeImage(png, 100, budget)), Error);
  budget = 1 << 20;
  EXPECT_THROW(cairo_surface_destroy(decodeImage("not an image", 100, budget)), Error);
}

TEST(DrawRender, JpegEncodesOverItsBackground) {
  auto s = draw(16, 16, Value::array());  // transparent
  const auto jpeg = encodeJpeg(s.s, 90, {0, 1, 0, 1});
  ASSERT_GT(jpeg.size(), 100u);
  EXPECT_EQ(static_cast<unsigned char>(jpeg[0]), 0xff);
  EXPECT_EQ(static_cast<unsigned char>(jpeg[1]), 0xd8);
  // Decoded again: green.
  std::uint64_t budget = 1 << 20;
  Surface back{decodeImage(jpeg, 1000, budget)};
  expectPixel(back, 8, 8, {0, 255, 0, 255}, 3);
}

TEST(DrawRender, StopsPastItsTimeAndWhenTheRunEnds) {
  Limits limits;
  limits.maxTime = std::chrono::milliseconds(-1);  // already past
  Document d = parseDocument({{"width", 10}, {"height", 10}, {"ops", {{"fillRect", 0, 0, 1, 1}}}}, limits);
  try {
    cairo_surface_destroy(renderSurface(d, pango_cairo_font_map_get_default(), limits, {}));
    FAIL() << "no timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::TIMEOUT);
    EXPECT_NE(std::string(e.what()).find("runtime.timeout"), std::string::npos) << e.what();
  }
  std::stop_source stop;
  stop.request_stop();
  EXPECT_THROW(cairo_surface_destroy(renderSurface(d, pango_cairo_font_map_get_default(), Limits{}, stop.get_token())), Error);
}

TEST(DrawFont, ParsesTheShorthand) {
  auto f = parseFont("bold 20px DejaVu Sans");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->weight, 700);
  EXPECT_EQ(f->sizePx, 20);
  EXPECT_EQ(f->families, "DejaVu Sans");
  f = parseFont("italic small-caps 300 12pt/1.5 'Noto Serif', \"DejaVu Serif\", serif");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->italic);
  EXPECT_TRUE(f->smallCaps);
  EXPECT_EQ(f->weight, 300);
  EXPECT_EQ(f->sizePx, 16);
  EXPECT_EQ(f->families, "Noto Serif,DejaVu Serif,serif");
  EXPECT_EQ(serializeFont(*f), "italic small-caps 300 16px \"Noto Serif\", \"DejaVu Serif\", serif");
  f = parseFont("2em sans-serif");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->sizePx, 32);
  EXPECT_EQ(serializeFont(*parseFont("10px sans-serif")), "10px sans-serif");
  EXPECT_TRUE(parseFont("20px / 1.2 Arial"));
  for (const char* bad : {"", "20px", "Arial", "twenty px Arial", "20xp Arial", "bold", "20px ,Arial", "20px Arial,",
                          "20px 'Arial", "wobbly 20px Arial", "-5px Arial", "20px Ari\"al", "1 2 3 4 5 20px Arial"})
    EXPECT_FALSE(parseFont(bad)) << bad;
}

TEST(DrawDocument, RefusesMalformedLists) {
  Limits limits;
  auto refuse = [&](Value doc, ErrorCode code = ErrorCode::INVALID_ARGUMENT) {
    try {
      parseDocument(doc, limits);
      ADD_FAILURE() << doc.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), code) << doc.dump() << ": " << e.what();
    }
  };
  const Value ok = {{"width", 10}, {"height", 10}, {"ops", Value::array()}};
  EXPECT_NO_THROW(parseDocument(ok, limits));
  refuse(Value::array());
  refuse({{"width", 10}, {"height", 10}});
  refuse({{"width", 0}, {"height", 10}, {"ops", Value::array()}});
  refuse({{"width", 10.5}, {"height", 10}, {"ops", Value::array()}});
  refuse({{"width", 40000}, {"height", 1}, {"ops", Value::array()}});
  refuse({{"width", 30000}, {"height", 30000}, {"ops", Value::array()}}, ErrorCode::PAYLOAD_TOO_LARGE);
  auto with = [&](Value op) { return Value{{"width", 10}, {"height", 10}, {"ops", Value::array({std::move(op)})}}; };
  refuse(with({"explode"}));
  refuse(with({"fillRect", 1, 2, 3}));
  refuse(with({"fillRect", 1, 2, 3, "4"}));
  refuse(with({"lineCap", "pointy"}));
  refuse(with({"fillStyle", "red"}));  // colours arrive parsed
  refuse(with({"fillStyle", {{"type", "conic"}, {"coords", {0, 0, 1, 1}}, {"stops", Value::array()}}}));
  refuse(with({"drawImage", 0, 0, 0, -1, -1, 0, 0, -1, -1}));  // no such image
  refuse(with(Value::array()));
  refuse(with(42));
  Limits few;
  few.maxOps = 2;
  try {
    parseDocument({{"width", 1}, {"height", 1}, {"ops", {{"save"}, {"save"}, {"save"}}}}, few);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::PAYLOAD_TOO_LARGE);
  }
  // The memory budget: a canvas whose pixels do not fit.
  Limits small;
  small.memoryBytes = 1000;
  EXPECT_THROW(checkCanvasSize(100, 100, small, "draw"), Error);
  EXPECT_NO_THROW(checkCanvasSize(10, 10, small, "draw"));
}

// Pango's per-thread default font map lives until its thread ends; the main
// thread never does, so the leak check at exit would report its caches: free
// it after the last test. (fontconfig's own leak is in tests/lsan.supp;
// FcFini() here asserts while Pango's fontconfig thread still holds caches.)
class FreeFontCaches : public ::testing::Environment {
 public:
  void TearDown() override { pango_cairo_font_map_set_default(nullptr); }
};
const auto* const kFreeFontCaches = ::testing::AddGlobalTestEnvironment(new FreeFontCaches);

}  // namespace
