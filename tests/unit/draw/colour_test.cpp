// CSS colour parsing (runtime/modules/draw/colour.cpp): every syntax canvas
// accepts, and the near misses it must refuse.
#include "runtime/modules/draw/colour.hpp"

#include <gtest/gtest.h>

#include <cmath>

using m3m::draw::parseColour;
using m3m::draw::Rgba;
using m3m::draw::serializeColour;

namespace {

// The colour as bytes (0–255) and alpha × 1000, for exact comparisons.
std::array<long, 4> bytes(const Rgba& c) {
  return {std::lround(c.r * 255), std::lround(c.g * 255), std::lround(c.b * 255), std::lround(c.a * 1000)};
}

void expectColour(const char* text, long r, long g, long b, long a1000 = 1000) {
  auto c = parseColour(text);
  ASSERT_TRUE(c.has_value()) << text;
  EXPECT_EQ(bytes(*c), (std::array<long, 4>{r, g, b, a1000})) << text;
}

TEST(DrawColour, NamedColours) {
  expectColour("red", 255, 0, 0);
  expectColour("RED", 255, 0, 0);
  expectColour("  Red\t", 255, 0, 0);
  expectColour("rebeccapurple", 0x66, 0x33, 0x99);
  expectColour("aliceblue", 0xf0, 0xf8, 0xff);
  expectColour("yellowgreen", 0x9a, 0xcd, 0x32);
  expectColour("grey", 128, 128, 128);
  expectColour("gray", 128, 128, 128);
  expectColour("transparent", 0, 0, 0, 0);
  EXPECT_FALSE(parseColour("reddish"));
  EXPECT_FALSE(parseColour("re d"));
  EXPECT_FALSE(parseColour("currentcolor"));  // no current colour on a canvas
  EXPECT_FALSE(parseColour(""));
  EXPECT_FALSE(parseColour("   "));
}

TEST(DrawColour, Hex) {
  expectColour("#f00", 255, 0, 0);
  expectColour("#F00", 255, 0, 0);
  expectColour("#f008", 255, 0, 0, std::lround(0x88 / 255.0 * 1000));
  expectColour("#ff8000", 255, 128, 0);
  expectColour("#ff800080", 255, 128, 0, std::lround(128 / 255.0 * 1000));
  expectColour("#00000000", 0, 0, 0, 0);
  for (const char* bad : {"#", "#f", "#ff", "#fffff", "#fffffff", "#fffffffff", "#ggg", "#12345g", "##fff", "fff", "# fff"})
    EXPECT_FALSE(parseColour(bad)) << bad;
}

TEST(DrawColour, RgbCommaSyntax) {
  expectColour("rgb(255, 0, 0)", 255, 0, 0);
  expectColour("rgb(255,0,0)", 255, 0, 0);
  expectColour("rgba(255, 0, 0, 0.5)", 255, 0, 0, 500);
  expectColour("rgba(255, 0, 0, 50%)", 255, 0, 0, 500);
  expectColour("rgb(100%, 50%, 0%)", 255, 128, 0);
  expectColour("RGB( 1 , 2 , 3 )", 1, 2, 3);
  expectColour("rgb(300, -20, 12.6)", 255, 0, 13);  // clamped; fractions allowed
  expectColour("rgba(0, 0, 0, 2)", 0, 0, 0, 1000);
  expectColour("rgba(0, 0, 0, -1)", 0, 0, 0, 0);
  expectColour("rgb(1e2, 0, 0)", 100, 0, 0);
  expectColour("rgba(1, 2, 3)", 1, 2, 3);  // rgba() without alpha, rgb() with one: both fine (CSS 4)
  expectColour("rgb(1, 2, 3, .25)", 1, 2, 3, 250);
}

TEST(DrawColour, RgbSpaceSyntax) {
  expectColour("rgb(255 0 0)", 255, 0, 0);
  expectColour("rgb(255 0 0 / 0.5)", 255, 0, 0, 500);
  expectColour("rgb(255 0 0 / 25%)", 255, 0, 0, 250);
  expectColour("rgb(255 0 0/.5)", 255, 0, 0, 500);
}

TEST(DrawColour, RgbRefused) {
  for (const char* bad : {"rgb()", "rgb(1, 2)", "rgb(1, 2, 3, 4, 5)", "rgb(1 2)", "rgb(1 2 3 4)", "rgb(1, 2 3)",
                          "rgb(1 2, 3)", "rgb(1, 2, 3 / 4)", "rgb(1 2 3 / )", "rgb(1 2 3 / 4 / 5)", "rgb(a, b, c)",
                          "rgb(1px, 2, 3)", "rgb(1, 2, 3", "rgb 1, 2, 3)", "rgb(1, 2, 3))", "rgb((1, 2, 3)",
                          "rgb(1,,2,3)", "rgb(,1,2,3)", "rgb(1,2,3,)", "rgb(inf, 0, 0)", "rgb(nan, 0, 0)",
                          "rgb(0x10, 0, 0)", "rgb(1, 2, 3deg)", "rgb(1.2.3, 0, 0)", "rgb(-, 0, 0)", "rgb(.,0,0)",
                          "rgbx(1, 2, 3)", "rgb(1, 2, 3) x", "lab(50 40 59)", "color(srgb 1 0 0)"})
    EXPECT_FALSE(parseColour(bad)) << bad;
}

TEST(DrawColour, Hsl) {
  expectColour("hsl(0, 100%, 50%)", 255, 0, 0);
  expectColour("hsl(120, 100%, 50%)", 0, 255, 0);
  expectColour("hsl(240, 100%, 50%)", 0, 0, 255);
  expectColour("hsl(120, 100%, 25%)", 0, 128, 0);
  expectColour("hsl(0, 0%, 50%)", 128, 128, 128);
  expectColour("hsl(360, 100%, 50%)", 255, 0, 0);
  expectColour("hsl(-120, 100%, 50%)", 0, 0, 255);
  expectColour("hsl(480, 100%, 50%)", 0, 255, 0);
  expectColour("hsl(120deg, 100%, 50%)", 0, 255, 0);
  expectColour("hsl(0.5turn, 100%, 50%)", 0, 255, 255);
  expectColour("hsl(3.14159265rad, 100%, 50%)", 0, 255, 255);
  expectColour("hsl(200grad, 100%, 50%)", 0, 255, 255);
  expectColour("hsla(0, 100%, 50%, 0.3)", 255, 0, 0, 300);
  expectColour("hsl(0 100% 50% / 30%)", 255, 0, 0, 300);
  expectColour("hsl(0, 100%, 100%)", 255, 255, 255);
  expectColour("hsl(0, 200%, -10%)", 0, 0, 0);  // clamped
  for (const char* bad : {"hsl(0, 100%)", "hsl(0 100% 50% 1)", "hsl(0px, 100%, 50%)", "hsl(0, 100px, 50%)",
                          "hsl(0, 100%, 50%, 1deg)", "hsl(red, 100%, 50%)"})
    EXPECT_FALSE(parseColour(bad)) << bad;
}

TEST(DrawColour, RefusesLongAndOddInput) {
  EXPECT_FALSE(parseColour(std::string(300, 'a')));
  EXPECT_FALSE(parseColour(std::string("red\0", 4)));
  EXPECT_FALSE(parseColour("#fff\n#000"));
}

TEST(DrawColour, Serialize) {
  EXPECT_EQ(serializeColour(*parseColour("red")), "#ff0000");
  EXPECT_EQ(serializeColour(*parseColour("#ABCDEF")), "#abcdef");
  EXPECT_EQ(serializeColour(*parseColour("rgba(255, 0, 0, 0.5)")), "rgba(255, 0, 0, 0.5)");
  EXPECT_EQ(serializeColour(*parseColour("transparent")), "rgba(0, 0, 0, 0)");
  EXPECT_EQ(serializeColour(*parseColour("#ff000080")), "rgba(255, 0, 0, 0.5)");
  EXPECT_EQ(serializeColour(*parseColour("rgba(1, 2, 3, 0.25)")), "rgba(1, 2, 3, 0.25)");
  EXPECT_EQ(serializeColour(*parseColour("rgba(1, 2, 3, 0.001)")), "rgba(1, 2, 3, 0)");
}

}  // namespace
