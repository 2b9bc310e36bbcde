// utils.formatDate / parseDate (runtime/utils/dates.cpp): token tables, zones, DST.
#include "runtime/utils/dates.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <m3m/error.hpp>

using namespace m3m::utils;

namespace {

// "2026-03-29T01:30:00.250" (UTC) → milliseconds since the epoch, independent of the code under test.
std::int64_t utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  const int n = std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%d", &y, &mo, &d, &h, &mi, &s, &ms);
  if (n < 6) throw std::runtime_error("bad time in test: " + text);
  std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return (day.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60 + s) * 1000 + ms;
}

struct FormatCase {
  std::int64_t ms;
  std::string format, zone, out;
};

TEST(FormatDate, Tokens) {
  const std::vector<FormatCase> cases = {
      {0, std::string(kIsoFormat), "", "1970-01-01T00:00:00.000+00:00"},
      {0, "YYYY-MM-DD HH:mm:ss", "UTC", "1970-01-01 00:00:00"},
      {0, "dddd, MMMM D, YYYY h:mm A", "America/New_York", "Wednesday, December 31, 1969 7:00 PM"},
      {utc("2024-02-29T12:05:09.007"), "YY M D H m s SSS ddd MMM d hh a ZZ", "Asia/Kolkata",
       "24 2 29 17 35 9 007 Thu Feb 4 05 pm +0530"},
      {utc("2024-02-29T12:05:09.007"), "[Today is] dddd [at] HH:mm", "UTC", "Today is Thursday at 12:05"},
      {utc("2024-02-29T12:05:09.007"), "YYYY-MM-DDTHH:mm:ss", "UTC", "2024-02-29T12:05:09"},  // T is literal
      {utc("2024-02-29T00:05:00"), "h:mm A|hh a", "UTC", "12:05 AM|12 am"},
      {utc("2024-02-29T12:00:00"), "h A", "UTC", "12 PM"},
      {-1, "YYYY-MM-DD HH:mm:ss.SSS X x", "UTC", "1969-12-31 23:59:59.999 -1 -1"},
      {1700000000123, "X x", "UTC", "1700000000 1700000000123"},
      {0, "HH:mm Z", "+03:00", "03:00 +03:00"},
      {0, "HH:mm Z", "-0530", "18:30 -05:30"},
      {utc("2026-06-01T00:00:00"), "HH:mm Z z", "Europe/Moscow", "03:00 +03:00 MSK"},
      // Berlin, spring forward 2026-03-29 at 01:00 UTC (02:00 CET → 03:00 CEST)
      {utc("2026-03-29T00:59:59.999"), "YYYY-MM-DD HH:mm:ss.SSS Z z", "Europe/Berlin",
       "2026-03-29 01:59:59.999 +01:00 CET"},
      {utc("2026-03-29T01:00:00"), "YYYY-MM-DD HH:mm:ss.SSS Z z", "Europe/Berlin",
       "2026-03-29 03:00:00.000 +02:00 CEST"},
      // fall back 2026-10-25 at 01:00 UTC: 02:30 happens twice
      {utc("2026-10-25T00:30:00"), "HH:mm Z", "Europe/Berlin", "02:30 +02:00"},
      {utc("2026-10-25T01:30:00"), "HH:mm Z", "Europe/Berlin", "02:30 +01:00"},
      // the ends of a JavaScript Date
      {-kMaxDateMs, "YYYY-MM-DD", "UTC", "-271821-04-20"},
      {kMaxDateMs, "YYYY-MM-DD", "UTC", "275760-09-13"},
      {utc("0099-01-01T00:00:00"), "YYYY YY", "UTC", "0099 99"},
      {0, "", "UTC", ""},
      {0, "[[]", "UTC", "["},
  };
  for (const auto& c : cases)
    EXPECT_EQ(formatDate(c.ms, c.format, c.zone), c.out) << c.ms << " / " << c.format << " / " << c.zone;
}

void expectInvalid(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no throw (expected a message with '" << needle << "')";
  } catch (const m3m::Error& e) {
    EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(FormatDate, Refuses) {
  expectInvalid([] { formatDate(kMaxDateMs + 1, "YYYY", ""); }, "range");
  expectInvalid([] { formatDate(0, "YYYY [x", ""); }, "not closed");
  expectInvalid([] { formatDate(0, std::string(kMaxDateFormat + 1, 'Y'), ""); }, "longer than");
  expectInvalid([] { formatDate(0, "YYYY", "Mars/Base"); }, "Mars/Base");
  expectInvalid([] { formatDate(0, "YYYY", "../../etc/passwd"); }, "time zone");
  expectInvalid([] { formatDate(0, "YYYY", "/etc/localtime"); }, "time zone");
  expectInvalid([] { formatDate(0, "YYYY", "+25:00"); }, "offset");
  expectInvalid([] { formatDate(0, "YYYY", "+3"); }, "offset");
}

struct ParseCase {
  std::string text, format, zone;
  std::int64_t ms;
};

TEST(ParseDate, Tokens) {
  const std::vector<ParseCase> cases = {
      {"2026-12-24 18:30", "YYYY-MM-DD HH:mm", "", utc("2026-12-24T18:30:00")},
      {"2026-12-24 18:30", "YYYY-MM-DD HH:mm", "Europe/Berlin", utc("2026-12-24T17:30:00")},
      {"24.12.2026", "DD.MM.YYYY", "UTC", utc("2026-12-24T00:00:00")},
      {"12/24/2026 6:30 PM", "MM/DD/YYYY h:mm A", "America/New_York", utc("2026-12-24T23:30:00")},
      {"2026-01-01 12:00 am", "YYYY-MM-DD hh:mm a", "UTC", utc("2026-01-01T00:00:00")},
      {"2026-01-01 12:00 pm", "YYYY-MM-DD hh:mm a", "UTC", utc("2026-01-01T12:00:00")},
      {"Thu, 24 Dec 2026 18:30:00 +0100", "ddd, DD MMM YYYY HH:mm:ss ZZ", "UTC", utc("2026-12-24T17:30:00")},
      {"Thursday, december 24, 2026", "dddd, MMMM D, YYYY", "UTC", utc("2026-12-24T00:00:00")},
      {"2026-12-24T18:30:00.250Z", "YYYY-MM-DDTHH:mm:ss.SSSZ", "Asia/Tokyo", utc("2026-12-24T18:30:00.250")},
      {"2026-12-24T18:30:00.250+05:30", "YYYY-MM-DDTHH:mm:ss.SSSZ", "", utc("2026-12-24T13:00:00.250")},
      {"26-1-5", "YY-M-D", "", utc("2026-01-05T00:00:00")},
      {"70-1-1", "YY-M-D", "", 0},
      {"68-1-1", "YY-M-D", "", utc("2068-01-01T00:00:00")},
      {"9:05", "H:mm", "", utc("1970-01-01T09:05:00")},  // missing fields: 1970-01-01
      {"1700000000", "X", "Europe/Berlin", 1700000000000},
      {"1700000000.5", "X", "", 1700000000500},
      {"-1", "x", "", -1},
      {"at 2026", "[at] YYYY", "", utc("2026-01-01T00:00:00")},
      {"2024-02-29", "YYYY-MM-DD", "", utc("2024-02-29T00:00:00")},
      // DST: a skipped time moves forward by the gap, a repeated one is its first occurrence
      {"2026-03-29 02:30", "YYYY-MM-DD HH:mm", "Europe/Berlin", utc("2026-03-29T01:30:00")},
      {"2026-10-25 02:30", "YYYY-MM-DD HH:mm", "Europe/Berlin", utc("2026-10-25T00:30:00")},
      {"2026-10-25 02:30 +01:00", "YYYY-MM-DD HH:mm Z", "Europe/Berlin", utc("2026-10-25T01:30:00")},
      {"2026-03-08 02:30", "YYYY-MM-DD HH:mm", "America/New_York", utc("2026-03-08T07:30:00")},
  };
  for (const auto& c : cases)
    EXPECT_EQ(parseDate(c.text, c.format, c.zone), c.ms) << c.text << " / " << c.format << " / " << c.zone;
}

TEST(ParseDate, Refuses) {
  expectInvalid([] { parseDate("2026-02-30", "YYYY-MM-DD", ""); }, "day 30 does not exist in February 2026");
  expectInvalid([] { parseDate("2025-02-29", "YYYY-MM-DD", ""); }, "does not exist");
  expectInvalid([] { parseDate("2026-13-01", "YYYY-MM-DD", ""); }, "month must be 1–12");
  expectInvalid([] { parseDate("2026-1-01", "YYYY-MM-DD", ""); }, "2 digits");
  expectInvalid([] { parseDate("2026-01-01x", "YYYY-MM-DD", ""); }, "unexpected text 'x'");
  expectInvalid([] { parseDate("2026-01-01", "YYYY/MM/DD", ""); }, "expected '/'");
  expectInvalid([] { parseDate("Mon, 24 Dec 2026", "ddd, DD MMM YYYY", ""); }, "Thursday");
  expectInvalid([] { parseDate("25:00", "HH:mm", ""); }, "hour");
  expectInvalid([] { parseDate("13:00 PM", "h:mm A", ""); }, "1–12");
  expectInvalid([] { parseDate("10:60", "HH:mm", ""); }, "minute");
  expectInvalid([] { parseDate("Foo 2026", "MMM YYYY", ""); }, "month name");
  expectInvalid([] { parseDate("10 XM", "hh A", ""); }, "AM or PM");
  expectInvalid([] { parseDate("2026 CET", "YYYY z", ""); }, "token z");
  expectInvalid([] { parseDate("2026", "YYYY", "Nowhere/City"); }, "Nowhere/City");
  expectInvalid([] { parseDate("2026 +24:00", "YYYY Z", ""); }, "offset");
  expectInvalid([] { parseDate("", "YYYY", ""); }, "expected a year");
  expectInvalid([] { parseDate(std::string(kMaxDateText + 1, '1'), "x", ""); }, "longer than");
  expectInvalid([] { parseDate("9999999999999999", "x", ""); }, "range");
}

TEST(ParseIsoDate, Forms) {
  EXPECT_EQ(parseIsoDate("2026-03-29", ""), utc("2026-03-29T00:00:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29", "Europe/Berlin"), utc("2026-03-28T23:00:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29T10:00", ""), utc("2026-03-29T10:00:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29T10:00:00.123456789Z", "Europe/Berlin"), utc("2026-03-29T10:00:00.123"));
  EXPECT_EQ(parseIsoDate("2026-03-29T10:00:00.5Z", ""), utc("2026-03-29T10:00:00.500"));
  EXPECT_EQ(parseIsoDate("2026-03-29 10:00:00,25", ""), utc("2026-03-29T10:00:00.250"));
  EXPECT_EQ(parseIsoDate("2026-03-29T10:00+05:30", ""), utc("2026-03-29T04:30:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29t10:00:00+0530", ""), utc("2026-03-29T04:30:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29 10:00:00-03", ""), utc("2026-03-29T13:00:00"));
  EXPECT_EQ(parseIsoDate("2026-03-29T10:00:00z", ""), utc("2026-03-29T10:00:00"));
  for (const char* bad : {"2026-3-29", "2026-03-29T", "2026-03-29T10", "2026-03-29T10:00Zjunk", "20260329",
                          "2026-03-29T10:00:00.", "2026-03-29T10:00+5", "2026-02-29", "yesterday", ""})
    expectInvalid([bad] { parseIsoDate(bad, ""); }, "ISO 8601");
}

TEST(Dates, RoundTripsAcrossZonesAndDst) {
  const std::vector<std::string> zones = {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
                                          "Australia/Lord_Howe", "Pacific/Chatham", "+03:00", "-09:30"};
  // Around both Berlin changes of 2026, New York's, Lord Howe's half-hour DST, and ordinary instants.
  // (YYYY reads 4 digits: years 0000–9999 round-trip.)
  std::vector<std::int64_t> instants = {0, -1, 1, utc("9999-12-31T23:59:59.999") - 86400000LL, utc("0001-01-02T00:00:00")};
  for (auto base : {utc("2026-03-29T01:00:00"), utc("2026-10-25T01:00:00"), utc("2026-03-08T07:00:00"),
                    utc("2026-04-04T15:00:00"), utc("2024-02-29T23:59:59.999")})
    for (std::int64_t d = -5400000; d <= 5400000; d += 900000 + 7) instants.push_back(base + d);
  const std::string full = "YYYY-MM-DD HH:mm:ss.SSS Z";
  for (const auto& zone : zones) {
    for (auto ms : instants) {
      const auto text = formatDate(ms, full, zone);
      EXPECT_EQ(parseDate(text, full, zone), ms) << zone << " " << text;
      EXPECT_EQ(parseDate(text, full, "UTC"), ms) << "the offset in the text wins: " << text;
      EXPECT_EQ(parseIsoDate(formatDate(ms, kIsoFormat, zone), "Asia/Tokyo"), ms) << zone;
    }
  }
  // Without the offset, the repeated hour reads as its first occurrence: one hour earlier.
  const auto second = utc("2026-10-25T01:30:00");  // 02:30 CET, the second 02:30
  const auto text = formatDate(second, "YYYY-MM-DD HH:mm", "Europe/Berlin");
  EXPECT_EQ(text, "2026-10-25 02:30");
  EXPECT_EQ(parseDate(text, "YYYY-MM-DD HH:mm", "Europe/Berlin"), second - 3600000);
}

}  // namespace
