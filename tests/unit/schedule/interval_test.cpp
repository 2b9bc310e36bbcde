#include "runtime/schedule/interval.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <m3m/error.hpp>

using namespace std::chrono_literals;
using m3m::schedule::intervalFromMillis;
using m3m::schedule::parseInterval;

TEST(ScheduleInterval, ParsesDurationStrings) {
  struct Case { const char* in; std::chrono::milliseconds want; };
  for (auto c : {Case{"10s", 10s}, Case{"5m", 5min}, Case{"1h", 1h}, Case{"1h30m", 90min},
                 Case{"250ms", 250ms}, Case{"100ms", 100ms}, Case{"2d", 48h}, Case{"366d", 366 * 24h}}) {
    EXPECT_EQ(parseInterval(c.in), c.want) << c.in;
  }
}

TEST(ScheduleInterval, RefusesBadStrings) {
  struct Case { const char* in; const char* message; };
  for (auto c : {Case{"", "interval must be a duration such as '10s', '5m', '1h30m' or '250ms'"},
                 Case{"10", "interval must be a duration such as '10s', '5m', '1h30m' or '250ms'"},
                 Case{"-5s", "interval must be a duration such as '10s', '5m', '1h30m' or '250ms'"},
                 Case{"5 s", "interval must be a duration such as '10s', '5m', '1h30m' or '250ms'"},
                 Case{"0", "interval must be between 100ms and 8784h"},
                 Case{"99ms", "interval must be between 100ms and 8784h"},
                 Case{"367d", "interval must be between 100ms and 8784h"},
                 Case{"99999999999999999999h", "interval must be a duration such as '10s', '5m', '1h30m' or '250ms'"},
                 Case{"1111111111111111111111111111111111111111111111111111111111111111s",
                      "interval is longer than 64 characters"}}) {
    try {
      parseInterval(c.in);
      ADD_FAILURE() << "accepted " << c.in;
    } catch (const m3m::Error& e) {
      EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT) << c.in;
      EXPECT_EQ(std::string(e.what()), c.message) << c.in;
      EXPECT_EQ(e.fields().at("interval"), c.message) << c.in;
    }
  }
}

TEST(ScheduleInterval, TakesWholeMillisecondsWithinBounds) {
  EXPECT_EQ(intervalFromMillis(200), 200ms);
  EXPECT_EQ(intervalFromMillis(100), 100ms);
  EXPECT_EQ(intervalFromMillis(366.0 * 86400000), std::chrono::milliseconds(366LL * 86400000));
  for (double bad : {99.0, 0.0, -5.0, 1.5, 366.0 * 86400000 + 1, 1e300, -1e300,
                     std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW(intervalFromMillis(bad), m3m::Error) << bad;
  }
}
