// Cron expressions and time zones for the `schedule` module (schedule_jobs.cpp).
// No V8 here: the parser and the next-run search are plain C++ so they can be
// unit-tested and fuzzed on their own. Time zones come from Debian's Abseil
// (absl::TimeZone = cctz, reading tzdata's /usr/share/zoneinfo) behind a pimpl,
// so users of this header do not see Abseil and the process-global TZ is never set.
//
// Semantics follow Vixie cron / cronie (docs/runtime.md, "Schedule expressions"):
//  - 5 fields (minute hour day-of-month month day-of-week) or 6 (leading seconds);
//    `*`, `a`, `a-b`, `*/n`, `a-b/n`, `a/n` (a to the field's maximum), lists `x,y`;
//    JAN–DEC and SUN–SAT (any case); day-of-week 7 is Sunday too;
//    @yearly @annually @monthly @weekly @daily @midnight @hourly.
//  - Day-of-month and day-of-week: when both are restricted (neither field begins
//    with `*`), a day matches if EITHER matches; otherwise both must (cronie's rule,
//    so `*/2` counts as unrestricted, as in every Vixie-derived cron).
//  - DST (cronie): a job whose second, minute or hour field begins with `*` is a
//    "wildcard" job and follows the real clock — it does not run for wall-clock
//    times skipped by a spring-forward gap and runs again for repeated ones. Any
//    other job is "fixed-time": a time inside a gap fires once at the instant the
//    gap ends, and a repeated time fires only on its first occurrence.
#pragma once

#include <bitset>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace m3m::schedule {

// An IANA time zone ("Europe/Berlin"), or UTC. Cheap to copy (shared, immutable).
class TimeZone {
 public:
  static TimeZone utc();
  // Throws m3m::Error INVALID_ARGUMENT for a name that is not a zone in tzdata.
  static TimeZone load(std::string_view name);

  const std::string& name() const;
  // Seconds east of UTC at instant t.
  std::chrono::seconds offsetAt(std::chrono::sys_seconds t) const;
  // Wall-clock time at instant t.
  std::chrono::local_seconds toLocal(std::chrono::sys_seconds t) const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit TimeZone(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

class CronExpression {
 public:
  static constexpr std::size_t kMaxLength = 256;
  // How far next() looks ahead: Feb 29 can be 8 years away (2096 → 2104).
  static constexpr std::chrono::days kSearchHorizon{9 * 366};

  // Throws m3m::Error INVALID_ARGUMENT; the message names the field
  // ("hour: 24 is out of range 0-23") and fields["expression"] repeats it.
  static CronExpression parse(std::string_view text);

  // The first instant strictly after `after` at which the job fires (whole
  // seconds), following the DST rules above; nullopt when nothing fires within
  // kSearchHorizon (e.g. `0 0 30 2 *` never does). `after` must lie in years
  // 1–9999 (INVALID_ARGUMENT otherwise).
  std::optional<std::chrono::sys_seconds> next(std::chrono::sys_seconds after,
                                               const TimeZone& zone) const;
  std::optional<std::chrono::sys_seconds> next(std::chrono::sys_seconds after) const {
    return next(after, TimeZone::utc());
  }

  // Whether a wall-clock time matches every field (no DST rule involved).
  bool matches(std::chrono::local_seconds wall) const;

  const std::string& text() const { return text_; }
  bool hasSeconds() const { return hasSeconds_; }
  // True when a second, minute or hour field begins with `*` (the DST rule above).
  bool isWildcard() const { return wildcard_; }

 private:
  CronExpression() = default;
  bool dayMatches(std::chrono::year_month_day ymd) const;
  std::optional<long long> findWall(long long from, long long to) const;

  std::string text_;
  std::bitset<60> seconds_, minutes_;
  std::bitset<24> hours_;
  std::bitset<32> daysOfMonth_;  // 1-31
  std::bitset<13> months_;       // 1-12
  std::bitset<7> daysOfWeek_;    // 0-6, Sunday = 0
  bool domStar_ = true, dowStar_ = true;
  bool hasSeconds_ = false, wildcard_ = false;
};

}  // namespace m3m::schedule
