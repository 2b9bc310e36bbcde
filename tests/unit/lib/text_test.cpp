// lib::unsafeTextReason: what names and one-line values may not hold (issue 14).
#include "lib/text.hpp"

#include <gtest/gtest.h>

using m3m::lib::TextKind;
using m3m::lib::unsafeTextReason;
using m3m::lib::isUtf8;
using m3m::lib::latin1ToUtf8;
using m3m::lib::utf8ToLatin1;

TEST(UnsafeText, OrdinaryTextInAnyScriptPasses) {
  for (const char* ok : {"", "My project", "Анна ✓", "李小龍", "emoji 🎉", "a-b_c.d (1)", "\xc2\xa0nbsp"})
    EXPECT_EQ(unsafeTextReason(ok), std::nullopt) << ok;
}

TEST(UnsafeText, ControlCharactersAreNamedByCodePoint) {
  EXPECT_EQ(unsafeTextReason(std::string("a\0b", 3)), "contains a control character (U+0000)");
  EXPECT_EQ(unsafeTextReason("a\tb"), "contains a control character (U+0009)");
  EXPECT_EQ(unsafeTextReason("a\x1b[31m"), "contains a control character (U+001B)");
  EXPECT_EQ(unsafeTextReason("a\x7f"), "contains a control character (U+007F)");
  EXPECT_EQ(unsafeTextReason("a\xc2\x85"), "contains a control character (U+0085)");
  EXPECT_EQ(unsafeTextReason("a\xc2\x9f"), "contains a control character (U+009F)");
  EXPECT_EQ(unsafeTextReason("evil\xe2\x80\xae"), "contains a bidirectional override (U+202E)");
  EXPECT_EQ(unsafeTextReason("x\xe2\x81\xa9"), "contains a bidirectional override (U+2069)");
}

TEST(UnsafeText, MultilineAllowsTabsAndLineBreaksOnly) {
  EXPECT_EQ(unsafeTextReason("a\tb\r\nc", TextKind::Multiline), std::nullopt);
  EXPECT_NE(unsafeTextReason("a\nb"), std::nullopt);
  EXPECT_NE(unsafeTextReason(std::string("a\0", 2), TextKind::Multiline), std::nullopt);
  EXPECT_NE(unsafeTextReason("a\xe2\x80\xae", TextKind::Multiline), std::nullopt);
}

TEST(UnsafeText, MalformedUtf8IsRefused) {
  for (const char* bad : {"\xff", "a\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80", "\xe2\x82",
                          "\x80", "\xf8\x88\x80\x80\x80"})
    EXPECT_NE(unsafeTextReason(bad).value_or("").find("not valid UTF-8"), std::string::npos) << bad;
}

TEST(Utf8, WellFormedness) {
  EXPECT_TRUE(isUtf8(""));
  EXPECT_TRUE(isUtf8("h\xc3\xa9llo \xf0\x9f\x98\x80"));
  EXPECT_FALSE(isUtf8("\xff"));
  EXPECT_FALSE(isUtf8("\xc3"));              // cut short
  EXPECT_FALSE(isUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(isUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(isUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Latin1, EveryByteRoundTripsThroughUtf8) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  const auto utf8 = latin1ToUtf8(all);
  EXPECT_EQ(utf8.size(), 128u + 2u * 128u);
  EXPECT_TRUE(isUtf8(utf8));
  EXPECT_EQ(utf8ToLatin1(utf8), std::optional<std::string>(all));
  EXPECT_EQ(latin1ToUtf8("\xe9"), "\xc3\xa9");
}

TEST(Latin1, RefusesCodePointsPastFF) {
  EXPECT_FALSE(utf8ToLatin1("\xc4\x80"));      // U+0100
  EXPECT_FALSE(utf8ToLatin1("\xef\xbf\xbd"));  // U+FFFD (a lone surrogate from JS becomes this)
  EXPECT_FALSE(utf8ToLatin1("\xff"));
}
