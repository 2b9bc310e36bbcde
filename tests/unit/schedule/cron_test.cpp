// Table-driven tests of the cron parser and the next-run search (issue 15).
#include "runtime/schedule/cron.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <m3m/error.hpp>

using m3m::schedule::CronExpression;
using m3m::schedule::TimeZone;
using std::chrono::local_seconds;
using std::chrono::sys_seconds;

namespace {

// "2026-03-29T02:30:00" → seconds since the epoch of that civil time.
long long civil(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
    throw std::runtime_error("bad time in test: " + text);
  std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return day.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60 + s;
}

sys_seconds utc(const std::string& text) { return sys_seconds(std::chrono::seconds(civil(text))); }
local_seconds wall(const std::string& text) { return local_seconds(std::chrono::seconds(civil(text))); }

std::string show(std::optional<sys_seconds> t) {
  if (!t) return "never";
  auto day = std::chrono::floor<std::chrono::days>(*t);
  std::chrono::year_month_day ymd{day};
  long long sod = (*t - day).count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), sod / 3600,
                sod % 3600 / 60, sod % 60);
  return buf;
}

std::string errorOf(const std::string& text) {
  try {
    CronExpression::parse(text);
  } catch (const m3m::Error& e) {
    EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT) << text;
    EXPECT_EQ(e.fields().at("expression"), e.what()) << text;
    return e.what();
  }
  return "accepted";
}

// The runs of `expr` in `zone` after `from`, one after the other.
std::vector<std::string> runs(const std::string& expr, const std::string& zone, const std::string& from, int n) {
  auto cron = CronExpression::parse(expr);
  auto tz = TimeZone::load(zone);
  std::vector<std::string> out;
  std::optional<sys_seconds> t = utc(from);
  for (int i = 0; i < n && t; ++i) {
    t = cron.next(*t, tz);
    out.push_back(show(t));
  }
  return out;
}

}  // namespace

// ---- field forms ----------------------------------------------------------------

struct MatchCase {
  const char* expr;
  const char* wall;
  bool want;
};

TEST(CronParse, EveryFieldForm) {
  const MatchCase cases[] = {
      {"* * * * *", "2026-05-17T13:42:00", true},
      {"* * * * *", "2026-05-17T13:42:01", false},  // 5 fields: second 0 only
      {"42 * * * *", "2026-05-17T13:42:00", true},
      {"42 * * * *", "2026-05-17T13:43:00", false},
      {"10-20 * * * *", "2026-05-17T13:10:00", true},
      {"10-20 * * * *", "2026-05-17T13:20:00", true},
      {"10-20 * * * *", "2026-05-17T13:21:00", false},
      {"*/15 * * * *", "2026-05-17T13:45:00", true},
      {"*/15 * * * *", "2026-05-17T13:40:00", false},
      {"10-40/10 * * * *", "2026-05-17T13:30:00", true},
      {"10-40/10 * * * *", "2026-05-17T13:50:00", false},
      {"10-40/10 * * * *", "2026-05-17T13:35:00", false},
      {"5/20 * * * *", "2026-05-17T13:45:00", true},  // a/n: 5, 25, 45
      {"5/20 * * * *", "2026-05-17T13:05:00", true},
      {"5/20 * * * *", "2026-05-17T13:00:00", false},
      {"1,2,30-32,*/50 * * * *", "2026-05-17T13:31:00", true},
      {"1,2,30-32,*/50 * * * *", "2026-05-17T13:50:00", true},
      {"1,2,30-32,*/50 * * * *", "2026-05-17T13:03:00", false},
      {"0 9-17/4 * * *", "2026-05-17T13:00:00", true},
      {"0 9-17/4 * * *", "2026-05-17T12:00:00", false},
      {"0 0 1,15 * *", "2026-05-15T00:00:00", true},
      {"0 0 1,15 * *", "2026-05-16T00:00:00", false},
      {"0 0 * 5 *", "2026-05-16T00:00:00", true},
      {"0 0 * 5 *", "2026-06-16T00:00:00", false},
      {"0 0 * */3 *", "2026-07-16T00:00:00", true},  // 1, 4, 7, 10
      {"0 0 * */3 *", "2026-06-16T00:00:00", false},
      // names, any case, in lists, ranges and steps
      {"0 0 * JAN,jul *", "2026-07-01T00:00:00", true},
      {"0 0 * JAN,jul *", "2026-06-01T00:00:00", false},
      {"0 0 * Mar-May *", "2026-04-01T00:00:00", true},
      {"0 0 * jan-dec/6 *", "2026-07-01T00:00:00", true},  // JAN, JUL
      {"0 0 * jan-dec/6 *", "2026-06-01T00:00:00", false},
      {"0 0 * * MON-FRI", "2026-05-15T00:00:00", true},   // Friday
      {"0 0 * * mon-fri", "2026-05-16T00:00:00", false},  // Saturday
      {"0 0 * * Sun", "2026-05-17T00:00:00", true},
      {"0 0 * * 0", "2026-05-17T00:00:00", true},
      {"0 0 * * 7", "2026-05-17T00:00:00", true},       // 7 is Sunday
      {"0 0 * * 5-7", "2026-05-17T00:00:00", true},
      {"0 0 * * FRI-SUN", "2026-05-17T00:00:00", true},  // Sunday closing a range is 7
      {"0 0 * * FRI-SUN", "2026-05-18T00:00:00", false},
      {"0 0 * * */2", "2026-05-19T00:00:00", true},  // Tuesday (2)
      {"0 0 * * */2", "2026-05-18T00:00:00", false},
      // six fields: leading seconds
      {"*/10 * * * * *", "2026-05-17T13:42:20", true},
      {"*/10 * * * * *", "2026-05-17T13:42:25", false},
      {"30 0 12 * * *", "2026-05-17T12:00:30", true},
      {"30 0 12 * * *", "2026-05-17T12:00:00", false},
      {"0-5 * * * * *", "2026-05-17T12:00:05", true},
      // tabs and extra spaces separate fields too
      {"  0\t12  * * *  ", "2026-05-17T12:00:00", true},
  };
  for (const auto& c : cases) {
    auto cron = CronExpression::parse(c.expr);
    EXPECT_EQ(cron.matches(wall(c.wall)), c.want) << c.expr << " at " << c.wall;
  }
}

TEST(CronParse, Aliases) {
  const MatchCase cases[] = {
      {"@yearly", "2027-01-01T00:00:00", true},   {"@yearly", "2027-02-01T00:00:00", false},
      {"@annually", "2027-01-01T00:00:00", true}, {"@annually", "2027-01-02T00:00:00", false},
      {"@monthly", "2027-02-01T00:00:00", true},  {"@monthly", "2027-02-02T00:00:00", false},
      {"@weekly", "2026-05-17T00:00:00", true},   {"@weekly", "2026-05-18T00:00:00", false},
      {"@daily", "2026-05-18T00:00:00", true},    {"@daily", "2026-05-18T01:00:00", false},
      {"@midnight", "2026-05-18T00:00:00", true}, {"@midnight", "2026-05-18T00:01:00", false},
      {"@hourly", "2026-05-18T07:00:00", true},   {"@hourly", "2026-05-18T07:30:00", false},
      {"@DAILY", "2026-05-18T00:00:00", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(CronExpression::parse(c.expr).matches(wall(c.wall)), c.want) << c.expr << " at " << c.wall;
  EXPECT_TRUE(CronExpression::parse("@hourly").isWildcard());
  EXPECT_FALSE(CronExpression::parse("@daily").isWildcard());
  EXPECT_EQ(CronExpression::parse("  @daily ").text(), "@daily");
  EXPECT_TRUE(CronExpression::parse("0 * * * * *").hasSeconds());
  EXPECT_FALSE(CronExpression::parse("0 * * * *").hasSeconds());
}

TEST(CronParse, InvalidExpressionsNameTheField) {
  struct Case {
    std::string expr;
    const char* message;
  };
  const Case cases[] = {
      {"", "expression is empty"},
      {" \t ", "expression is empty"},
      {"* * * *", "expected 5 or 6 fields, got 4"},
      {"* * * * * * *", "expected 5 or 6 fields, got 7"},
      {std::string(257, '*'), "expression is longer than 256 characters"},
      {"60 * * * * *", "second: 60 is out of range 0-59"},
      {"60 * * * *", "minute: 60 is out of range 0-59"},
      {"0 24 * * *", "hour: 24 is out of range 0-23"},
      {"0 0 0 * *", "day-of-month: 0 is out of range 1-31"},
      {"0 0 32 * *", "day-of-month: 32 is out of range 1-31"},
      {"0 0 * 0 *", "month: 0 is out of range 1-12"},
      {"0 0 * 13 *", "month: 13 is out of range 1-12"},
      {"0 0 * * 8", "day-of-week: 8 is out of range 0-7"},
      {"99999999999 * * * *", "minute: '99999999999' is out of range 0-59"},
      {"0 0 * * FUNDAY", "day-of-week: unknown name 'FUNDAY'"},
      {"0 0 * FOO *", "month: unknown name 'FOO'"},
      {"0 0 * * JAN", "day-of-week: unknown name 'JAN'"},
      {"0 JAN * * *", "hour: 'JAN' is not a number"},
      {"*/0 * * * *", "minute: step 0 is out of range 1-59"},
      {"0 */24 * * *", "hour: step 24 is out of range 1-23"},
      {"*/x * * * *", "minute: step 'x' is not a number"},
      {"*/ * * * *", "minute: step '' is not a number"},
      {"1/2/3 * * * *", "minute: more than one '/' in '1/2/3'"},
      {"5-2 * * * *", "minute: range '5-2' is backwards (its start is after its end)"},
      {"0 0 * * SAT-MON", "day-of-week: range 'SAT-MON' is backwards (its start is after its end)"},
      {"1,,2 * * * *", "minute: empty list item"},
      {"0 0 1, * *", "day-of-month: empty list item"},
      {"-5 * * * *", "minute: range '-5' is missing a bound"},
      {"5- * * * *", "minute: range '5-' is missing a bound"},
      {"/5 * * * *", "minute: missing value in '/5'"},
      {"1-2-3 * * * *", "minute: unexpected character '-' in '2-3'"},
      {"1#2 * * * *", "minute: unexpected character '#' in '1#2'"},
      {"0 0 * * \xff", "day-of-week: unexpected character '\\xff' in '\\xff'"},
      {"1a * * * *", "minute: '1a' is neither a number nor a name"},
      {"@every", "unknown alias '@every' (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"},
      {"@daily 5", "an alias such as @daily stands alone, without fields after it"},
  };
  for (const auto& c : cases) EXPECT_EQ(errorOf(c.expr), c.message) << c.expr;
  // The longest accepted expression is kMaxLength characters.
  std::string padded = "* * * * *" + std::string(CronExpression::kMaxLength - 9, ' ');
  EXPECT_EQ(errorOf(padded), "accepted");
}

// ---- next run, UTC ----------------------------------------------------------------

TEST(CronNext, Utc) {
  struct Case {
    const char* expr;
    const char* after;
    const char* want;
  };
  const Case cases[] = {
      {"* * * * *", "2026-01-01T00:00:00", "2026-01-01T00:01:00Z"},  // strictly after
      {"* * * * *", "2026-01-01T00:00:30", "2026-01-01T00:01:00Z"},
      {"0 0 * * *", "2026-01-01T00:00:00", "2026-01-02T00:00:00Z"},
      // month ends
      {"0 0 1 * *", "2026-01-31T12:00:00", "2026-02-01T00:00:00Z"},
      {"0 0 31 * *", "2026-01-31T00:00:00", "2026-03-31T00:00:00Z"},  // February has no 31st
      {"0 0 31 * *", "2026-03-31T00:00:00", "2026-05-31T00:00:00Z"},  // nor April
      {"0 12 30 * *", "2026-01-30T12:00:00", "2026-03-30T12:00:00Z"},
      // leap years
      {"0 0 29 2 *", "2026-01-01T00:00:00", "2028-02-29T00:00:00Z"},
      {"0 0 29 2 *", "2024-02-29T00:00:00", "2028-02-29T00:00:00Z"},
      {"0 0 29 2 *", "2096-03-01T00:00:00", "2104-02-29T00:00:00Z"},  // 2100 is not a leap year
      {"0 0 28 2 *", "2028-02-28T00:00:00", "2029-02-28T00:00:00Z"},
      {"0 0 * 2 *", "2028-02-28T00:00:00", "2028-02-29T00:00:00Z"},
      {"0 0 * 2 *", "2027-02-28T00:00:00", "2028-02-01T00:00:00Z"},
      // year end
      {"59 23 31 12 *", "2026-06-01T00:00:00", "2026-12-31T23:59:00Z"},
      {"0 0 1 1 *", "2026-12-31T23:59:59", "2027-01-01T00:00:00Z"},
      {"* * * * *", "2026-12-31T23:59:00", "2027-01-01T00:00:00Z"},
      {"@yearly", "2026-01-01T00:00:00", "2027-01-01T00:00:00Z"},
      // aliases
      {"@hourly", "2026-01-01T10:00:00", "2026-01-01T11:00:00Z"},
      {"@daily", "2026-01-01T05:00:00", "2026-01-02T00:00:00Z"},
      {"@midnight", "2026-01-01T05:00:00", "2026-01-02T00:00:00Z"},
      {"@weekly", "2026-02-01T00:00:00", "2026-02-08T00:00:00Z"},  // Sunday to Sunday
      {"@monthly", "2026-01-15T00:00:00", "2026-02-01T00:00:00Z"},
      {"@annually", "2026-03-01T00:00:00", "2027-01-01T00:00:00Z"},
      // day-of-month OR day-of-week when both are restricted (2026-02-06 and -13 are Fridays)
      {"0 0 10 * 5", "2026-02-01T00:00:00", "2026-02-06T00:00:00Z"},  // Friday first
      {"0 0 10 * 5", "2026-02-06T00:00:00", "2026-02-10T00:00:00Z"},  // then the 10th, a Tuesday
      {"0 0 10 * 5", "2026-02-10T00:00:00", "2026-02-13T00:00:00Z"},
      {"0 0 10 * fri", "2026-02-06T00:00:00", "2026-02-10T00:00:00Z"},
      // ...and AND when one begins with '*' (cronie: '*/2' too)
      {"0 0 * * 5", "2026-02-01T00:00:00", "2026-02-06T00:00:00Z"},
      {"0 0 10 * *", "2026-02-01T00:00:00", "2026-02-10T00:00:00Z"},
      {"0 0 */2 * 5", "2026-02-01T00:00:00", "2026-02-13T00:00:00Z"},  // odd day AND Friday
      {"0 0 1 * */1", "2026-02-02T00:00:00", "2026-03-01T00:00:00Z"},
      // ranges, steps, names
      {"0 9-17/4 * * MON-FRI", "2026-02-06T17:00:00", "2026-02-09T09:00:00Z"},  // Fri 17:00 → Mon 9:00
      {"5/20 * * * *", "2026-01-01T00:45:00", "2026-01-01T01:05:00Z"},
      {"0 0 1 JAN,jul *", "2026-02-01T00:00:00", "2026-07-01T00:00:00Z"},
      {"0 0 * * 7", "2026-02-01T00:00:00", "2026-02-08T00:00:00Z"},
      {"0 0 * * FRI-SUN", "2026-02-06T00:00:00", "2026-02-07T00:00:00Z"},
      // six fields
      {"*/15 * * * * *", "2026-01-01T00:00:00", "2026-01-01T00:00:15Z"},
      {"*/15 * * * * *", "2026-01-01T00:00:59", "2026-01-01T00:01:00Z"},
      {"30 0 0 1 1 *", "2026-01-01T00:00:00", "2026-01-01T00:00:30Z"},
      {"30 0 0 1 1 *", "2026-01-01T00:00:30", "2027-01-01T00:00:30Z"},
      {"* * * * * *", "2026-12-31T23:59:59", "2027-01-01T00:00:00Z"},
      // never: no February 30th, no 31st of a 30-day month
      {"0 0 30 2 *", "2026-01-01T00:00:00", "never"},
      {"0 0 31 4,6,9,11 *", "2026-01-01T00:00:00", "never"},
      // far dates
      {"0 0 1 1 *", "0001-01-01T00:00:00", "0002-01-01T00:00:00Z"},
      {"0 0 1 1 *", "9999-12-31T00:00:00", "10000-01-01T00:00:00Z"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(show(CronExpression::parse(c.expr).next(utc(c.after))), c.want) << c.expr << " after " << c.after;
}

TEST(CronNext, RefusesTimesOutsideYears1To9999) {
  auto cron = CronExpression::parse("* * * * *");
  EXPECT_THROW(cron.next(utc("10000-01-01T00:00:00")), m3m::Error);
  EXPECT_THROW(cron.next(utc("0000-12-31T23:59:59")), m3m::Error);
}

// ---- next run across DST changes --------------------------------------------------------
// Europe/Berlin 2026: 03-29 02:00 CET → 03:00 CEST (01:00Z); 10-25 03:00 CEST → 02:00 CET (01:00Z).
// America/New_York 2026: 03-08 02:00 EST → 03:00 EDT (07:00Z); 11-01 02:00 EDT → 01:00 EST (06:00Z).

TEST(CronNext, BerlinSpringForward) {
  // 02:30 does not exist on 03-29: a fixed-time job fires once when the gap ends (03:00 CEST).
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00", 3),
            (std::vector<std::string>{"2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"}));
  EXPECT_EQ(runs("0 30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00", 1),
            (std::vector<std::string>{"2026-03-29T01:00:00Z"}));
  // A wildcard job follows the clock: every real hour, no 02:00 that day.
  EXPECT_EQ(runs("0 * * * *", "Europe/Berlin", "2026-03-28T22:30:00", 4),
            (std::vector<std::string>{"2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z",
                                      "2026-03-29T02:00:00Z"}));
  EXPECT_EQ(runs("30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00", 2),
            (std::vector<std::string>{"2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"}));
  // Seconds beginning with '*' make a wildcard job too: skipped in the gap.
  EXPECT_EQ(runs("*/30 30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00", 1),
            (std::vector<std::string>{"2026-03-30T00:30:00Z"}));
}

TEST(CronNext, BerlinFallBack) {
  // 02:30 happens twice on 10-25: a fixed-time job fires on the first one only.
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00", 2),
            (std::vector<std::string>{"2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}));
  // Asked in the middle of the repeated hour (02:10 CET), it still does not fire again.
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", "2026-10-25T01:10:00", 1),
            (std::vector<std::string>{"2026-10-26T01:30:00Z"}));
  // Asked during the first 02:xx (CEST, after 02:30): not the repeated 02:30 either.
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", "2026-10-25T00:50:00", 1),
            (std::vector<std::string>{"2026-10-26T01:30:00Z"}));
  // The hourly job runs every real hour: 02:00 CEST, 02:00 CET, 03:00 CET.
  EXPECT_EQ(runs("@hourly", "Europe/Berlin", "2026-10-24T23:30:00", 3),
            (std::vector<std::string>{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"}));
  // Asked during the first 02:xx, a wildcard job's next run is in the repeated hour.
  EXPECT_EQ(runs("10 * * * *", "Europe/Berlin", "2026-10-25T00:50:00", 2),
            (std::vector<std::string>{"2026-10-25T01:10:00Z", "2026-10-25T02:10:00Z"}));
}

TEST(CronNext, NewYork) {
  EXPECT_EQ(runs("30 2 * * *", "America/New_York", "2026-03-07T12:00:00", 2),
            (std::vector<std::string>{"2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"}));
  EXPECT_EQ(runs("0 * * * *", "America/New_York", "2026-03-08T05:30:00", 3),
            (std::vector<std::string>{"2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"}));
  EXPECT_EQ(runs("30 1 * * *", "America/New_York", "2026-10-31T12:00:00", 2),
            (std::vector<std::string>{"2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"}));
  EXPECT_EQ(runs("0 * * * *", "America/New_York", "2026-11-01T04:30:00", 3),
            (std::vector<std::string>{"2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"}));
  // Daily at midnight is never near a change: always 05:00Z or 04:00Z.
  EXPECT_EQ(runs("@daily", "America/New_York", "2026-03-07T12:00:00", 2),
            (std::vector<std::string>{"2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"}));
}

TEST(CronNext, ZoneWithoutChangesAndFarZones) {
  EXPECT_EQ(runs("0 9 * * *", "Asia/Tokyo", "2026-01-01T00:00:00", 1),
            (std::vector<std::string>{"2026-01-02T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 * * *", "UTC", "2026-01-01T00:00:00", 1), (std::vector<std::string>{"2026-01-02T00:00:00Z"}));
  // Samoa skipped 2011-12-30 entirely: a fixed-time job of that day fires when the gap ends.
  EXPECT_EQ(runs("0 12 30 12 *", "Pacific/Apia", "2011-12-29T00:00:00", 1),
            (std::vector<std::string>{"2011-12-30T10:00:00Z"}));
  EXPECT_EQ(runs("0 0 30 2 *", "Europe/Berlin", "2026-01-01T00:00:00", 1), (std::vector<std::string>{"never"}));
}

TEST(CronTimeZone, LoadsIanaNamesOnly) {
  EXPECT_EQ(TimeZone::load("Europe/Berlin").name(), "Europe/Berlin");
  EXPECT_EQ(TimeZone::utc().name(), "UTC");
  EXPECT_EQ(TimeZone::load("Europe/Berlin").offsetAt(utc("2026-07-01T00:00:00")), std::chrono::hours(2));
  EXPECT_EQ(TimeZone::load("America/New_York").toLocal(utc("2026-01-01T05:00:00")), wall("2026-01-01T00:00:00"));
  for (const char* bad : {"", "Mars/Olympus", "Europe", "../etc/passwd", "/etc/localtime", "/dev/stdin",
                          "localtime", "Europe//Berlin", "Europe/", "Europe/./Berlin", "Europe/Berlin\n"}) {
    try {
      TimeZone::load(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const m3m::Error& e) {
      EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT);
      EXPECT_NE(e.fields().at("timezone").find("unknown time zone"), std::string::npos);
    }
  }
}

TEST(CronNext, NeverMatchingSearchIsBounded) {
  auto cron = CronExpression::parse("0 0 30 2 *");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(cron.next(utc("2026-01-01T00:00:00"), TimeZone::load("Europe/Berlin")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}
