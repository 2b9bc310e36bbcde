// Datetimes as models store them: any accepted input becomes one fixed-width UTC
// text, so that text order is time order in the database.
#include "lib/datetime.hpp"

#include <gtest/gtest.h>

using m3m::lib::isValidDate;
using m3m::lib::normalizeDatetime;

TEST(Datetime, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(normalizeDatetime("2026-11-24"), "2026-11-24T00:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("0001-01-01"), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("9999-12-31"), "9999-12-31T00:00:00.000Z");
}

TEST(Datetime, TimeFormsAndSeparators) {
  EXPECT_EQ(normalizeDatetime("2026-11-24 01:02"), "2026-11-24T01:02:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02"), "2026-11-24T01:02:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03"), "2026-11-24T01:02:03.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24 23:59:59Z"), "2026-11-24T23:59:59.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02Z"), "2026-11-24T01:02:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03z"), "2026-11-24T01:02:03.000Z");
}

TEST(Datetime, FractionsAreMillisecondsTruncated) {
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03.4Z"), "2026-11-24T01:02:03.400Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03.45Z"), "2026-11-24T01:02:03.450Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03.456Z"), "2026-11-24T01:02:03.456Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03.4567899Z"), "2026-11-24T01:02:03.456Z") << "truncated, not rounded";
  EXPECT_EQ(normalizeDatetime("2026-11-24T01:02:03.999999+00:00"), "2026-11-24T01:02:03.999Z");
}

TEST(Datetime, OffsetsConvertToUtc) {
  EXPECT_EQ(normalizeDatetime("2026-11-24T15:00:00+03:00"), "2026-11-24T12:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T15:00:00+0300"), "2026-11-24T12:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T15:00:00-05:30"), "2026-11-24T20:30:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T15:00:00+00:00"), "2026-11-24T15:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T15:00:00-00:00"), "2026-11-24T15:00:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-01-01T01:00:00+03:00"), "2025-12-31T22:00:00.000Z") << "back over a year";
  EXPECT_EQ(normalizeDatetime("2026-12-31T23:30:00-0100"), "2027-01-01T00:30:00.000Z") << "forward over a year";
  EXPECT_EQ(normalizeDatetime("2024-03-01T00:30+01:00"), "2024-02-29T23:30:00.000Z") << "back into a leap day";
  EXPECT_EQ(normalizeDatetime("2023-03-01T00:30+01:00"), "2023-02-28T23:30:00.000Z");
  EXPECT_EQ(normalizeDatetime("2026-11-24T10:00:00.5+23:59"), "2026-11-23T10:01:00.500Z");
}

TEST(Datetime, LeapYears) {
  EXPECT_TRUE(normalizeDatetime("2024-02-29"));
  EXPECT_TRUE(normalizeDatetime("2000-02-29")) << "divisible by 400";
  EXPECT_FALSE(normalizeDatetime("1900-02-29")) << "divisible by 100";
  EXPECT_FALSE(normalizeDatetime("2023-02-29"));
  EXPECT_TRUE(isValidDate("2024-02-29"));
  EXPECT_FALSE(isValidDate("2100-02-29"));
}

TEST(Datetime, YearsStayFourDigits) {
  EXPECT_FALSE(normalizeDatetime("0000-01-01"));
  EXPECT_FALSE(normalizeDatetime("0001-01-01T00:30+01:00")) << "before year 1 in UTC";
  EXPECT_FALSE(normalizeDatetime("9999-12-31T23:30-01:00")) << "after 9999 in UTC";
  EXPECT_EQ(normalizeDatetime("0001-01-01T01:30+01:00"), "0001-01-01T00:30:00.000Z");
}

TEST(Datetime, RejectsMalformedAndOutOfRange) {
  for (const char* bad :
       {"", "2026", "2026-11", "2026-1-24", "26-11-24", "24-11-2026", "2026/11/24", "2026-13-01", "2026-00-10",
        "2026-11-00", "2026-11-31", "2026-11-24T", "2026-11-24T1:00", "2026-11-24T24:00", "2026-11-24T10:60",
        "2026-11-24T10:00:60", "2026-11-24T10", "2026-11-24T10:00:", "2026-11-24T10:00:00.", "2026-11-24T10:00:00.Z",
        "2026-11-24T10:00+3", "2026-11-24T10:00+03", "2026-11-24T10:00+03:", "2026-11-24T10:00+24:00",
        "2026-11-24T10:00+03:60", "2026-11-24T10:00:00Zjunk", "2026-11-24T10:00:00+03:00 ", " 2026-11-24",
        "2026-11-24Z", "2026-11-24+03:00", "2026-11-24X10:00", "2026-11-24T10:00:00.123abc", "２０２６-11-24"})
    EXPECT_FALSE(normalizeDatetime(bad)) << bad;
}

TEST(Datetime, IsValidDateIsExactlyYmd) {
  EXPECT_TRUE(isValidDate("2026-11-24"));
  EXPECT_TRUE(isValidDate("0001-01-01"));
  EXPECT_FALSE(isValidDate("0000-01-01"));
  EXPECT_FALSE(isValidDate("2026-11-24T00:00"));
  EXPECT_FALSE(isValidDate("2026-11-24 "));
  EXPECT_FALSE(isValidDate("2026-02-30"));
  EXPECT_FALSE(isValidDate("2026-4-01"));
  EXPECT_FALSE(isValidDate(""));
}

TEST(Datetime, NormalizedTextSortsChronologically) {
  auto a = *normalizeDatetime("2026-11-24T15:00:00+03:00");  // 12:00Z
  auto b = *normalizeDatetime("2026-11-24T11:30:00-00:15");  // 11:45Z
  auto c = *normalizeDatetime("2026-11-24 12:00:00.001");
  EXPECT_LT(b, a);
  EXPECT_LT(a, c);
}
