// lib::unsafeTextReason: what names and one-line values may not hold (issue 14).
#include "lib/text.hpp"

#include <gtest/gtest.h>

using m3m::lib::TextKind;
using m3m::lib::unsafeTextReason;

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
