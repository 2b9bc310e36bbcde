#include "runtime/utils/dates.hpp"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <vector>

#include <m3m/error.hpp>

#include "runtime/schedule/cron.hpp"

namespace m3m::utils {
namespace {

[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorCode::INVALID_ARGUMENT, message); }

// For messages: at most 64 bytes (not cutting a UTF-8 sequence), control characters escaped.
std::string quoted(std::string_view s) {
  std::size_t n = std::min<std::size_t>(s.size(), 64);
  while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  std::string out = "'";
  for (char ch : s.substr(0, n)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  if (n < s.size()) out += "…";
  return out + "'";
}

constexpr std::array<std::string_view, 12> kMonths = {"January", "February", "March",     "April",   "May",      "June",
                                                      "July",    "August",   "September", "October", "November", "December"};
// Sunday first: the d token is 0 (Sunday) – 6 (Saturday), as in JavaScript's getDay().
constexpr std::array<std::string_view, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                   "Thursday", "Friday", "Saturday"};

// ---- zones ------------------------------------------------------------------

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// "+03:00", "-0530", "+03" → seconds east of UTC.
std::optional<int> parseOffset(std::string_view s) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-') || !isDigit(s[1]) || !isDigit(s[2])) return std::nullopt;
  int h = (s[1] - '0') * 10 + (s[2] - '0');
  int m = 0;
  std::string_view rest = s.substr(3);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  if (!rest.empty()) {
    if (rest.size() != 2 || !isDigit(rest[0]) || !isDigit(rest[1])) return std::nullopt;
    m = (rest[0] - '0') * 10 + (rest[1] - '0');
  }
  if (h > 23 || m > 59) return std::nullopt;
  int sec = h * 3600 + m * 60;
  return s[0] == '-' ? -sec : sec;
}

absl::TimeZone loadZone(std::string_view zone) {
  if (zone.empty() || zone == "UTC") return absl::UTCTimeZone();
  if (zone[0] == '+' || zone[0] == '-') {
    auto off = parseOffset(zone);
    if (!off) invalid("time zone " + quoted(zone) + " is not an offset ±HH:MM");
    return absl::FixedTimeZone(*off);
  }
  schedule::TimeZone::load(zone);  // the same names and checks as schedule.cron (throws)
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) invalid("unknown time zone " + quoted(zone));
  return tz;
}

// ---- tokens -----------------------------------------------------------------

enum class Tok { Literal, YYYY, YY, MMMM, MMM, MM, M, DD, D, dddd, ddd, d, HH, H, hh, h, mm, m, ss, s, SSS, A, a, ZZ, Z, X, x, z };

struct Piece {
  Tok tok;
  std::string text;  // for Literal
};

constexpr std::array<std::pair<std::string_view, Tok>, 27> kTokens = {{
    {"YYYY", Tok::YYYY}, {"YY", Tok::YY}, {"MMMM", Tok::MMMM}, {"MMM", Tok::MMM}, {"MM", Tok::MM},
    {"M", Tok::M},       {"DD", Tok::DD}, {"D", Tok::D},       {"dddd", Tok::dddd}, {"ddd", Tok::ddd},
    {"d", Tok::d},       {"HH", Tok::HH}, {"H", Tok::H},       {"hh", Tok::hh},   {"h", Tok::h},
    {"mm", Tok::mm},     {"m", Tok::m},   {"ss", Tok::ss},     {"s", Tok::s},     {"SSS", Tok::SSS},
    {"A", Tok::A},       {"a", Tok::a},   {"ZZ", Tok::ZZ},     {"Z", Tok::Z},     {"X", Tok::X},
    {"x", Tok::x},       {"z", Tok::z},
}};

std::vector<Piece> tokenize(std::string_view format) {
  if (format.size() > kMaxDateFormat)
    invalid("is longer than " + std::to_string(kMaxDateFormat) + " characters");
  std::vector<Piece> out;
  auto literal = [&out](std::string_view s) {
    if (out.empty() || out.back().tok != Tok::Literal) out.push_back({Tok::Literal, {}});
    out.back().text.append(s);
  };
  for (std::size_t i = 0; i < format.size();) {
    if (format[i] == '[') {
      auto end = format.find(']', i + 1);
      if (end == std::string_view::npos) invalid(quoted(format) + ": '[' at position " + std::to_string(i + 1) + " is not closed by ']'");
      literal(format.substr(i + 1, end - i - 1));
      i = end + 1;
      continue;
    }
    bool matched = false;
    for (const auto& [name, tok] : kTokens) {
      if (format.substr(i, name.size()) == name) {
        out.push_back({tok, {}});
        i += name.size();
        matched = true;
        break;
      }
    }
    if (!matched) literal(format.substr(i++, 1));
  }
  return out;
}

// ---- formatting -------------------------------------------------------------

void pad(std::string& out, std::int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  out += buf;
}

void offsetText(std::string& out, int seconds, bool colon) {
  out += seconds < 0 ? '-' : '+';
  int a = seconds < 0 ? -seconds : seconds;
  pad(out, a / 3600, 2);
  if (colon) out += ':';
  pad(out, (a / 60) % 60, 2);
  if (a % 60 != 0) {  // local mean time before standard zones (Berlin 1850: +00:53:28)
    if (colon) out += ':';
    pad(out, a % 60, 2);
  }
}

int weekdayIndex(absl::CivilDay day) {  // 0 = Sunday
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::sunday: return 0;
    case absl::Weekday::monday: return 1;
    case absl::Weekday::tuesday: return 2;
    case absl::Weekday::wednesday: return 3;
    case absl::Weekday::thursday: return 4;
    case absl::Weekday::friday: return 5;
    case absl::Weekday::saturday: return 6;
  }
  return 0;
}

void checkRange(std::int64_t ms) {
  if (ms < -kMaxDateMs || ms > kMaxDateMs)
    invalid("is outside the range of a JavaScript Date (±8.64e15 ms)");
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---- parsing ------------------------------------------------------------------

struct Cursor {
  std::string_view text;
  std::size_t pos = 0;
  std::string_view format;

  [[noreturn]] void fail(const std::string& what) const {
    invalid(quoted(text) + " does not match " + (format == "ISO 8601" ? std::string("ISO 8601") : "format " + quoted(format)) +
            ": " + what + " at position " + std::to_string(pos + 1));
  }
  bool done() const { return pos >= text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  // Exactly `min`..`max` digits.
  std::int64_t digits(int min, int max, const char* what) {
    std::int64_t v = 0;
    int n = 0;
    while (n < max && !done() && isDigit(text[pos])) {
      v = v * 10 + (text[pos++] - '0');
      ++n;
    }
    if (n < min) fail(std::string("expected ") + what);
    return v;
  }
  bool eatCaseless(std::string_view word) {
    if (text.size() - pos < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      char a = text[pos + i], b = word[i];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
      if (a != b) return false;
    }
    pos += word.size();
    return true;
  }
  // An index into `names` (full names, or their first three letters when `shortNames`).
  int name(const auto& names, bool shortNames, const char* what) {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (eatCaseless(shortNames ? names[i].substr(0, 3) : names[i])) return static_cast<int>(i);
    fail(std::string("expected ") + what);
  }
  // Z, z, ±HH:MM, ±HHMM → seconds east of UTC.
  int offset() {
    if (peek() == 'Z' || peek() == 'z') {
      ++pos;
      return 0;
    }
    if (peek() != '+' && peek() != '-') fail("expected an offset (Z, ±HH:MM or ±HHMM)");
    const bool negative = text[pos++] == '-';
    auto h = digits(2, 2, "an offset's hours (2 digits)");
    const bool colon = peek() == ':';
    if (colon) ++pos;
    auto m = digits(2, 2, "an offset's minutes (2 digits)");
    std::int64_t sec = 0;  // seconds of a local-mean-time offset, as formatted
    if (colon && peek() == ':') {
      ++pos;
      sec = digits(2, 2, "an offset's seconds (2 digits)");
    } else if (!colon && pos + 1 < text.size() && isDigit(text[pos]) && isDigit(text[pos + 1])) {
      sec = digits(2, 2, "an offset's seconds (2 digits)");
    }
    if (h > 23 || m > 59 || sec > 59) fail("offset out of range");
    const int total = static_cast<int>(h * 3600 + m * 60 + sec);
    return negative ? -total : total;
  }
};

struct Fields {
  std::int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  std::optional<int> hour12;
  std::optional<bool> pm;
  std::optional<int> weekday;  // 0 = Sunday
  std::optional<int> offset;   // seconds east of UTC, from the text
  std::optional<std::int64_t> epochMs;
};

int daysInMonth(std::int64_t year, int month) {
  absl::CivilMonth next = absl::CivilMonth(year, month) + 1;
  return static_cast<int>(absl::CivilDay(next) - absl::CivilDay(absl::CivilMonth(year, month)));
}

// The civil fields (checked) → milliseconds since the epoch.
std::int64_t resolve(const Fields& f, std::string_view zone, const Cursor& at) {
  if (f.epochMs) {
    checkRange(*f.epochMs);
    return *f.epochMs;
  }
  const auto tz = loadZone(zone);  // checked even when the text carries an offset
  int hour = f.hour;
  if (f.hour12) {
    if (*f.hour12 < 1 || *f.hour12 > 12) at.fail("hour (h) must be 1–12");
    hour = f.pm ? (*f.hour12 % 12) + (*f.pm ? 12 : 0) : *f.hour12;
  }
  if (f.month < 1 || f.month > 12) at.fail("month must be 1–12");
  if (f.year < -300000 || f.year > 300000) at.fail("year out of range");
  if (f.day < 1 || f.day > daysInMonth(f.year, f.month))
    at.fail("day " + std::to_string(f.day) + " does not exist in " + std::string(kMonths[f.month - 1]) + " " +
            std::to_string(f.year));
  if (hour > 23) at.fail("hour must be 0–23");
  if (f.minute > 59) at.fail("minute must be 0–59");
  if (f.second > 59) at.fail("second must be 0–59");
  const absl::CivilSecond cs(f.year, f.month, f.day, hour, f.minute, f.second);
  if (f.weekday && *f.weekday != weekdayIndex(absl::CivilDay(cs)))
    at.fail("the day name does not match the date (that day is a " + std::string(kDays[weekdayIndex(absl::CivilDay(cs))]) + ")");
  // `pre`: the offset in force before a change. Skipped 02:30 CET→CEST → 02:30+01:00 = 03:30 CEST;
  // repeated 02:30 → the first (CEST) occurrence. (absl::FromCivil would give the gap's end.)
  absl::Time t = f.offset ? absl::FromCivil(cs, absl::UTCTimeZone()) - absl::Seconds(*f.offset) : tz.At(cs).pre;
  const std::int64_t ms = absl::ToUnixMillis(t) + f.millis;
  checkRange(ms);
  return ms;
}

}  // namespace

void checkZone(std::string_view zone) { loadZone(zone); }

void checkFormat(std::string_view format, bool parsing) {
  for (const auto& p : tokenize(format))
    if (parsing && p.tok == Tok::z) invalid("has the token z (zone abbreviation), which can be formatted but not parsed; use Z");
}

std::string formatDate(std::int64_t ms, std::string_view format, std::string_view zone) {
  checkRange(ms);
  const auto pieces = tokenize(format);
  const auto tz = loadZone(zone);
  const absl::Time t = absl::FromUnixMillis(ms);
  const auto info = tz.At(t);
  const absl::CivilSecond cs = info.cs;
  const std::int64_t millis = ms - floorDiv(ms, 1000) * 1000;
  std::string out;
  for (const auto& p : pieces) {
    switch (p.tok) {
      case Tok::Literal: out += p.text; break;
      case Tok::YYYY:
        if (cs.year() < 0) {
          out += '-';
          pad(out, -cs.year(), 4);
        } else {
          pad(out, cs.year(), 4);
        }
        break;
      case Tok::YY: pad(out, (cs.year() < 0 ? -cs.year() : cs.year()) % 100, 2); break;
      case Tok::MMMM: out += kMonths[cs.month() - 1]; break;
      case Tok::MMM: out += kMonths[cs.month() - 1].substr(0, 3); break;
      case Tok::MM: pad(out, cs.month(), 2); break;
      case Tok::M: out += std::to_string(cs.month()); break;
      case Tok::DD: pad(out, cs.day(), 2); break;
      case Tok::D: out += std::to_string(cs.day()); break;
      case Tok::dddd: out += kDays[weekdayIndex(absl::CivilDay(cs))]; break;
      case Tok::ddd: out += kDays[weekdayIndex(absl::CivilDay(cs))].substr(0, 3); break;
      case Tok::d: out += std::to_string(weekdayIndex(absl::CivilDay(cs))); break;
      case Tok::HH: pad(out, cs.hour(), 2); break;
      case Tok::H: out += std::to_string(cs.hour()); break;
      case Tok::hh: pad(out, cs.hour() % 12 == 0 ? 12 : cs.hour() % 12, 2); break;
      case Tok::h: out += std::to_string(cs.hour() % 12 == 0 ? 12 : cs.hour() % 12); break;
      case Tok::mm: pad(out, cs.minute(), 2); break;
      case Tok::m: out += std::to_string(cs.minute()); break;
      case Tok::ss: pad(out, cs.second(), 2); break;
      case Tok::s: out += std::to_string(cs.second()); break;
      case Tok::SSS: pad(out, millis, 3); break;
      case Tok::A: out += cs.hour() < 12 ? "AM" : "PM"; break;
      case Tok::a: out += cs.hour() < 12 ? "am" : "pm"; break;
      case Tok::ZZ: offsetText(out, info.offset, false); break;
      case Tok::Z: offsetText(out, info.offset, true); break;
      case Tok::X: out += std::to_string(floorDiv(ms, 1000)); break;
      case Tok::x: out += std::to_string(ms); break;
      case Tok::z: out += info.zone_abbr; break;
    }
  }
  return out;
}

std::int64_t parseDate(std::string_view text, std::string_view format, std::string_view zone) {
  if (text.size() > kMaxDateText) invalid("is longer than " + std::to_string(kMaxDateText) + " characters");
  const auto pieces = tokenize(format);
  Cursor c{text, 0, format};
  Fields f;
  for (const auto& p : pieces) {
    switch (p.tok) {
      case Tok::Literal:
        if (text.substr(c.pos, p.text.size()) != p.text) c.fail("expected " + quoted(p.text));
        c.pos += p.text.size();
        break;
      case Tok::YYYY: f.year = c.digits(4, 4, "a year (YYYY, 4 digits)"); break;
      case Tok::YY: {
        auto yy = c.digits(2, 2, "a year (YY, 2 digits)");
        f.year = yy < 69 ? 2000 + yy : 1900 + yy;
        break;
      }
      case Tok::MMMM: f.month = c.name(kMonths, false, "a month name (January…December)") + 1; break;
      case Tok::MMM: f.month = c.name(kMonths, true, "a month name (Jan…Dec)") + 1; break;
      case Tok::MM: f.month = static_cast<int>(c.digits(2, 2, "a month (MM, 2 digits)")); break;
      case Tok::M: f.month = static_cast<int>(c.digits(1, 2, "a month (M)")); break;
      case Tok::DD: f.day = static_cast<int>(c.digits(2, 2, "a day (DD, 2 digits)")); break;
      case Tok::D: f.day = static_cast<int>(c.digits(1, 2, "a day (D)")); break;
      case Tok::dddd: f.weekday = c.name(kDays, false, "a day name (Sunday…Saturday)"); break;
      case Tok::ddd: f.weekday = c.name(kDays, true, "a day name (Sun…Sat)"); break;
      case Tok::d: {
        auto d = c.digits(1, 1, "a day of the week (d, 0–6)");
        if (d > 6) c.fail("day of the week (d) must be 0–6");
        f.weekday = static_cast<int>(d);
        break;
      }
      case Tok::HH: f.hour = static_cast<int>(c.digits(2, 2, "an hour (HH, 2 digits)")); break;
      case Tok::H: f.hour = static_cast<int>(c.digits(1, 2, "an hour (H)")); break;
      case Tok::hh: f.hour12 = static_cast<int>(c.digits(2, 2, "an hour (hh, 2 digits)")); break;
      case Tok::h: f.hour12 = static_cast<int>(c.digits(1, 2, "an hour (h)")); break;
      case Tok::mm: f.minute = static_cast<int>(c.digits(2, 2, "minutes (mm, 2 digits)")); break;
      case Tok::m: f.minute = static_cast<int>(c.digits(1, 2, "minutes (m)")); break;
      case Tok::ss: f.second = static_cast<int>(c.digits(2, 2, "seconds (ss, 2 digits)")); break;
      case Tok::s: f.second = static_cast<int>(c.digits(1, 2, "seconds (s)")); break;
      case Tok::SSS: f.millis = static_cast<int>(c.digits(3, 3, "milliseconds (SSS, 3 digits)")); break;
      case Tok::A:
      case Tok::a:
        if (c.eatCaseless("AM")) f.pm = false;
        else if (c.eatCaseless("PM")) f.pm = true;
        else c.fail("expected AM or PM");
        break;
      case Tok::ZZ:
      case Tok::Z: f.offset = c.offset(); break;
      case Tok::X:
      case Tok::x: {
        const bool negative = c.peek() == '-';
        if (negative) ++c.pos;
        std::int64_t v = c.digits(1, p.tok == Tok::X ? 13 : 16, p.tok == Tok::X ? "seconds since the epoch (X)" : "milliseconds since the epoch (x)");
        if (p.tok == Tok::X) {
          v *= 1000;
          if (c.peek() == '.') {
            ++c.pos;
            std::int64_t frac = 0;
            int n = 0;
            while (!c.done() && isDigit(c.peek())) {
              if (n < 3) frac = frac * 10 + (c.text[c.pos] - '0');
              ++n;
              ++c.pos;
            }
            if (n == 0) c.fail("expected digits after '.'");
            for (int k = n; k < 3; ++k) frac *= 10;
            v += frac;
          }
        }
        f.epochMs = negative ? -v : v;
        break;
      }
      case Tok::z: invalid("the token z (zone abbreviation) can be formatted but not parsed; use Z");
    }
  }
  if (!c.done()) c.fail("unexpected text " + quoted(text.substr(c.pos)));
  return resolve(f, zone, c);
}

std::int64_t parseIsoDate(std::string_view text, std::string_view zone) {
  if (text.size() > kMaxDateText) invalid("is longer than " + std::to_string(kMaxDateText) + " characters");
  Cursor c{text, 0, "ISO 8601"};
  Fields f;
  auto literal = [&c](char ch) {
    if (c.peek() != ch) c.fail(std::string("expected '") + ch + "'");
    ++c.pos;
  };
  f.year = c.digits(4, 4, "a year (4 digits)");
  literal('-');
  f.month = static_cast<int>(c.digits(2, 2, "a month (2 digits)"));
  literal('-');
  f.day = static_cast<int>(c.digits(2, 2, "a day (2 digits)"));
  if (!c.done()) {
    if (c.peek() != 'T' && c.peek() != 't' && c.peek() != ' ') c.fail("expected 'T' before the time");
    ++c.pos;
    f.hour = static_cast<int>(c.digits(2, 2, "an hour (2 digits)"));
    literal(':');
    f.minute = static_cast<int>(c.digits(2, 2, "minutes (2 digits)"));
    if (c.peek() == ':') {
      ++c.pos;
      f.second = static_cast<int>(c.digits(2, 2, "seconds (2 digits)"));
      if (c.peek() == '.' || c.peek() == ',') {
        ++c.pos;
        int n = 0, ms = 0;
        while (!c.done() && isDigit(c.peek()) && n < 9) {
          if (n < 3) ms = ms * 10 + (c.text[c.pos] - '0');
          ++n;
          ++c.pos;
        }
        if (n == 0) c.fail("expected digits of a fraction");
        for (int k = n; k < 3; ++k) ms *= 10;
        f.millis = ms;
      }
    }
    if (!c.done()) {
      if (c.peek() == 'Z' || c.peek() == 'z') {
        ++c.pos;
        f.offset = 0;
      } else {
        if (c.peek() != '+' && c.peek() != '-') c.fail("expected Z or an offset ±HH:MM");
        const bool negative = text[c.pos++] == '-';
        auto h = c.digits(2, 2, "an offset's hours (2 digits)");
        std::int64_t m = 0, sec = 0;
        if (c.peek() == ':') {
          ++c.pos;
          m = c.digits(2, 2, "an offset's minutes (2 digits)");
          if (c.peek() == ':') {  // ±HH:MM:SS, as formatDate writes local mean time
            ++c.pos;
            sec = c.digits(2, 2, "an offset's seconds (2 digits)");
          }
        } else if (!c.done()) {
          m = c.digits(2, 2, "an offset's minutes (2 digits)");
        }
        if (h > 23 || m > 59 || sec > 59) c.fail("offset out of range");
        const int total = static_cast<int>(h * 3600 + m * 60 + sec);
        f.offset = negative ? -total : total;
      }
    }
  }
  if (!c.done()) c.fail("unexpected text " + quoted(text.substr(c.pos)));
  return resolve(f, zone, c);
}

}  // namespace m3m::utils
