#include "lib/datetime.hpp"

#include <chrono>
#include <cstdio>

namespace m3m::lib {
namespace {

using namespace std::chrono;

// A cursor over the text; every reader fails without consuming on a mismatch.
struct Reader {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i == s.size(); }
  bool peek(char c) const { return i < s.size() && s[i] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i;
    return true;
  }
  bool number(size_t n, int& out) {
    if (i + n > s.size()) return false;
    int v = 0;
    for (size_t k = i; k < i + n; ++k) {
      if (s[k] < '0' || s[k] > '9') return false;
      v = v * 10 + (s[k] - '0');
    }
    out = v;
    i += n;
    return true;
  }
};

std::optional<year_month_day> readDate(Reader& r) {
  int y, m, d;
  if (!r.number(4, y) || !r.eat('-') || !r.number(2, m) || !r.eat('-') || !r.number(2, d)) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (y < 1 || !ymd.ok()) return std::nullopt;  // ok() knows the leap years
  return ymd;
}

// "HH:MM[:SS[.fff…]]"; digits past milliseconds are truncated.
std::optional<milliseconds> readTime(Reader& r) {
  int hh, mm, ss = 0, ms = 0;
  if (!r.number(2, hh) || !r.eat(':') || !r.number(2, mm)) return std::nullopt;
  if (r.eat(':')) {
    if (!r.number(2, ss)) return std::nullopt;
    if (r.eat('.') || r.eat(',')) {
      const size_t start = r.i;
      for (; r.i < r.s.size() && r.s[r.i] >= '0' && r.s[r.i] <= '9'; ++r.i)
        if (r.i - start < 3) ms = ms * 10 + (r.s[r.i] - '0');
      if (r.i == start) return std::nullopt;
      for (size_t n = r.i - start; n < 3; ++n) ms *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;  // no leap seconds: UTC text must sort
  return hours{hh} + minutes{mm} + seconds{ss} + milliseconds{ms};
}

// "Z", "±HH:MM", "±HHMM" or nothing (UTC): the offset east of UTC.
std::optional<minutes> readOffset(Reader& r) {
  if (r.done()) return minutes{0};
  if (r.eat('Z') || r.eat('z')) return minutes{0};
  const int sign = r.peek('-') ? -1 : 1;
  if (!r.eat('+') && !r.eat('-')) return std::nullopt;
  int oh, om;
  if (!r.number(2, oh)) return std::nullopt;
  r.eat(':');
  if (!r.number(2, om) || oh > 23 || om > 59) return std::nullopt;
  return minutes{sign * (oh * 60 + om)};
}

std::string format(sys_time<milliseconds> t) {
  const auto dayStart = floor<days>(t);
  const year_month_day ymd{dayStart};
  const hh_mm_ss tod{t - dayStart};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return buf;
}

}  // namespace

bool isValidDate(std::string_view s) {
  Reader r{s};
  return readDate(r) && r.done();
}

std::optional<std::string> normalizeDatetime(std::string_view s) {
  Reader r{s};
  auto date = readDate(r);
  if (!date) return std::nullopt;
  milliseconds time{0};
  minutes offset{0};
  if (!r.done()) {
    if (!r.eat('T') && !r.eat('t') && !r.eat(' ')) return std::nullopt;
    auto t = readTime(r);
    auto o = t ? readOffset(r) : std::nullopt;
    if (!o || !r.done()) return std::nullopt;
    time = *t;
    offset = *o;
  }
  const sys_time<milliseconds> utc = sys_days{*date} + time - offset;
  // An offset can push 0001-01-01 or 9999-12-31 out of the four-digit years.
  const auto y = year_month_day{floor<days>(utc)}.year();
  if (y < year{1} || y > year{9999}) return std::nullopt;
  return format(utc);
}

}  // namespace m3m::lib
