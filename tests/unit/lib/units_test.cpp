#include "lib/units.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using m3m::lib::parseDuration;
using m3m::lib::parseSize;

TEST(Units, ParsesDurations) {
  struct Case { const char* in; std::chrono::milliseconds want; };
  for (auto c : {Case{"30s", 30s}, Case{"168h", 168h}, Case{"1h30m", 90min}, Case{"250ms", 250ms},
                 Case{"0", 0ms}, Case{"2d", 48h}, Case{"1m1s1ms", 61001ms}}) {
    auto got = parseDuration(c.in);
    ASSERT_TRUE(got.has_value()) << c.in;
    EXPECT_EQ(*got, c.want) << c.in;
  }
}

TEST(Units, RejectsBadDurations) {
  for (auto in : {"", "abc", "10", "-5s", "5 s", "1.5h", "5x", "h", "99999999999999999999h", "3s5"})
    EXPECT_FALSE(parseDuration(in).has_value()) << in;
}

TEST(Units, FormatsDurations) {
  EXPECT_EQ(m3m::lib::formatDuration(90min), "1h30m");
  EXPECT_EQ(m3m::lib::formatDuration(1500ms), "1s500ms");
  EXPECT_EQ(m3m::lib::formatDuration(0ms), "0s");
}

TEST(Units, ParsesSizes) {
  EXPECT_EQ(parseSize("1024"), 1024u);
  EXPECT_EQ(parseSize("10MB"), 10u << 20);
  EXPECT_EQ(parseSize("10mb"), 10u << 20);
  EXPECT_EQ(parseSize("512KiB"), 512u << 10);
  EXPECT_EQ(parseSize("1 GB"), 1ull << 30);
  EXPECT_EQ(parseSize("7B"), 7u);
}

TEST(Units, RejectsBadSizes) {
  for (auto in : {"", "MB", "-1MB", "10XB", "1.5MB", "99999999999999999999GB", "20000000000GB"})
    EXPECT_FALSE(parseSize(in).has_value()) << in;
}
