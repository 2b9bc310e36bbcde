#include "runtime/schedule/cron.hpp"

#include <absl/time/time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

#include <m3m/error.hpp>

namespace m3m::schedule {

using std::chrono::days;
using std::chrono::local_seconds;
using std::chrono::seconds;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

struct TimeZone::Impl {
  std::string name;
  absl::TimeZone zone;
};

namespace {

[[noreturn]] void invalid(const std::string& message, const char* field = "expression") {
  throw Error(ErrorCode::INVALID_ARGUMENT, message, {{field, message}});
}

// User text echoed in a message: printable ASCII as is, other bytes as \xNN, at most 40 characters.
std::string quoted(std::string_view text) {
  std::string out = "'";
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size() && i < 40; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > 40) out += "...";
  return out + "'";
}

std::string upper(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

bool isDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isLetters(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
}

constexpr std::array<std::string_view, 12> kMonthNames{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int min, max;
  const std::string_view* names;  // names[i] is the value min + i
  std::size_t nameCount;
};

constexpr FieldSpec kSecond{"second", 0, 59, nullptr, 0};
constexpr FieldSpec kMinute{"minute", 0, 59, nullptr, 0};
constexpr FieldSpec kHour{"hour", 0, 23, nullptr, 0};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr, 0};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames.data(), kMonthNames.size()};
// 0-7: 7 is Sunday as well (folded into 0 after parsing).
constexpr FieldSpec kDayOfWeek{"day-of-week", 0, 7, kDayNames.data(), kDayNames.size()};

class FieldParser {
 public:
  explicit FieldParser(const FieldSpec& spec) : spec_(spec) {}

  std::uint64_t parse(std::string_view text) {
    std::uint64_t bits = 0;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = text.find(',', start);
      bits |= item(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return bits;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { invalid(std::string(spec_.name) + ": " + what); }

  std::uint64_t item(std::string_view text) {
    if (text.empty()) fail("empty list item");
    std::string_view base = text;
    int step = 1;
    bool hasStep = false;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
      base = text.substr(0, slash);
      std::string_view stepText = text.substr(slash + 1);
      if (stepText.find('/') != std::string_view::npos) fail("more than one '/' in " + quoted(text));
      if (!isDigits(stepText)) fail("step " + quoted(stepText) + " is not a number");
      step = number(stepText);
      if (step < 1 || step > spec_.max)
        fail("step " + shown(stepText) + " is out of range 1-" + std::to_string(spec_.max));
      hasStep = true;
    }
    if (base.empty()) fail("missing value in " + quoted(text));
    int lo = 0, hi = 0;
    if (base == "*") {
      lo = spec_.min;
      hi = spec_.max;
    } else if (auto dash = base.find('-'); dash != std::string_view::npos) {
      if (dash == 0 || dash + 1 == base.size()) fail("range " + quoted(base) + " is missing a bound");
      lo = value(base.substr(0, dash));
      hi = value(base.substr(dash + 1));
      // FRI-SUN: Sunday closing a day-of-week range is day 7.
      if (&spec_ == &kDayOfWeek && hi == 0 && lo > 0) hi = 7;
      if (lo > hi) fail("range " + quoted(base) + " is backwards (its start is after its end)");
    } else {
      lo = value(base);
      hi = hasStep ? spec_.max : lo;  // a/n: from a to the field's maximum
    }
    std::uint64_t bits = 0;
    for (int v = lo; v <= hi; v += step) bits |= std::uint64_t{1} << v;
    return bits;
  }

  // A number as the user wrote it; a very long one quoted and cut.
  static std::string shown(std::string_view digits) {
    return digits.size() > 6 ? quoted(digits) : std::string(digits);
  }

  // A decimal number; anything too long to be in range reads as a large value.
  static int number(std::string_view digits) {
    if (digits.size() > 6) return 1'000'000;
    int n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    return n;
  }

  int value(std::string_view token) {
    if (token.empty()) fail("missing value");
    if (isDigits(token)) {
      int n = number(token);
      if (n < spec_.min || n > spec_.max)
        fail(shown(token) + " is out of range " +
             std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
      return n;
    }
    if (isLetters(token)) {
      if (spec_.names == nullptr) fail(quoted(token) + " is not a number");
      std::string name = upper(token);
      for (std::size_t i = 0; i < spec_.nameCount; ++i)
        if (spec_.names[i] == name) return spec_.min + static_cast<int>(i);
      fail("unknown name " + quoted(token));
    }
    for (char c : token)
      if (!(c >= '0' && c <= '9') && !std::isalpha(static_cast<unsigned char>(c)))
        fail("unexpected character " + quoted(std::string_view(&c, 1)) + " in " + quoted(token));
    fail(quoted(token) + " is neither a number nor a name");
  }

  const FieldSpec& spec_;
};

struct Alias {
  std::string_view name, expansion;
};
constexpr std::array<Alias, 7> kAliases{{{"@yearly", "0 0 1 1 *"},
                                         {"@annually", "0 0 1 1 *"},
                                         {"@monthly", "0 0 1 * *"},
                                         {"@weekly", "0 0 * * 0"},
                                         {"@daily", "0 0 * * *"},
                                         {"@midnight", "0 0 * * *"},
                                         {"@hourly", "0 * * * *"}}};

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> splitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !isSpace(text[i])) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

template <std::size_t N>
std::bitset<N> toBits(std::uint64_t bits) {
  return std::bitset<N>(bits & ((N >= 64) ? ~std::uint64_t{0} : ((std::uint64_t{1} << N) - 1)));
}

// Lowest set bit at or above `from`, or -1.
template <std::size_t N>
int nextBit(const std::bitset<N>& bits, int from) {
  for (int i = from; i < static_cast<int>(N); ++i)
    if (bits[static_cast<std::size_t>(i)]) return i;
  return -1;
}

long long wallSeconds(const absl::CivilSecond& cs) {
  sys_days d{std::chrono::year{static_cast<int>(cs.year())} / static_cast<int>(cs.month()) /
             static_cast<int>(cs.day())};
  return d.time_since_epoch().count() * 86400LL + cs.hour() * 3600LL + cs.minute() * 60LL + cs.second();
}

absl::Time toAbsl(long long unixSeconds) { return absl::FromUnixSeconds(unixSeconds); }

long long fromAbsl(absl::Time t) { return absl::ToUnixSeconds(t); }

// A zone name as tzdata spells it: segments of [A-Za-z0-9_+-] joined by '/'.
// Refusing '.', a leading '/' and "localtime" keeps cctz to files under the
// zoneinfo folder (it would open an absolute path, "/dev/stdin" included).
bool plausibleZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name == "localtime") return false;
  bool segmentStart = true;
  for (char c : name) {
    if (c == '/') {
      if (segmentStart) return false;
      segmentStart = true;
      continue;
    }
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-';
    if (!ok) return false;
    segmentStart = false;
  }
  return !segmentStart;
}

}  // namespace

// ---- TimeZone ---------------------------------------------------------------

TimeZone TimeZone::utc() {
  static const auto impl = std::make_shared<const Impl>(Impl{"UTC", absl::UTCTimeZone()});
  return TimeZone(impl);
}

TimeZone TimeZone::load(std::string_view name) {
  if (name == "UTC") return utc();
  absl::TimeZone zone;
  if (!plausibleZoneName(name) || !absl::LoadTimeZone(std::string(name), &zone))
    invalid("unknown time zone " + quoted(name) + " (expected an IANA name such as 'Europe/Berlin')",
            "timezone");
  return TimeZone(std::make_shared<const Impl>(Impl{std::string(name), zone}));
}

const std::string& TimeZone::name() const { return impl_->name; }

seconds TimeZone::offsetAt(sys_seconds t) const {
  return seconds(impl_->zone.At(toAbsl(t.time_since_epoch().count())).offset);
}

local_seconds TimeZone::toLocal(sys_seconds t) const {
  return local_seconds(t.time_since_epoch() + offsetAt(t));
}

// ---- parsing ----------------------------------------------------------------

CronExpression CronExpression::parse(std::string_view text) {
  if (text.size() > kMaxLength)
    invalid("expression is longer than " + std::to_string(kMaxLength) + " characters");
  std::vector<std::string_view> fields = splitFields(text);
  if (fields.empty()) invalid("expression is empty");

  CronExpression cron;
  cron.text_.assign(fields.front().data(), fields.back().data() + fields.back().size());
  if (fields.front().front() == '@') {
    if (fields.size() != 1) invalid("an alias such as @daily stands alone, without fields after it");
    std::string name(fields.front());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Alias* found = nullptr;
    for (const auto& a : kAliases)
      if (a.name == name) found = &a;
    if (found == nullptr)
      invalid("unknown alias " + quoted(fields.front()) +
              " (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)");
    CronExpression expanded = parse(found->expansion);
    expanded.text_ = cron.text_;
    return expanded;
  }
  if (fields.size() != 5 && fields.size() != 6)
    invalid("expected 5 or 6 fields, got " + std::to_string(fields.size()));

  cron.hasSeconds_ = fields.size() == 6;
  std::size_t i = 0;
  if (cron.hasSeconds_) {
    cron.seconds_ = toBits<60>(FieldParser(kSecond).parse(fields[i]));
    cron.wildcard_ = fields[i].front() == '*';
    ++i;
  } else {
    cron.seconds_.set(0);
  }
  cron.minutes_ = toBits<60>(FieldParser(kMinute).parse(fields[i]));
  cron.wildcard_ = cron.wildcard_ || fields[i].front() == '*';
  ++i;
  cron.hours_ = toBits<24>(FieldParser(kHour).parse(fields[i]));
  cron.wildcard_ = cron.wildcard_ || fields[i].front() == '*';
  ++i;
  cron.daysOfMonth_ = toBits<32>(FieldParser(kDayOfMonth).parse(fields[i]));
  cron.domStar_ = fields[i].front() == '*';
  ++i;
  cron.months_ = toBits<13>(FieldParser(kMonth).parse(fields[i]));
  ++i;
  std::uint64_t dow = FieldParser(kDayOfWeek).parse(fields[i]);
  if (dow & (std::uint64_t{1} << 7)) dow |= 1;  // 7 is Sunday
  cron.daysOfWeek_ = toBits<7>(dow);
  cron.dowStar_ = fields[i].front() == '*';
  return cron;
}

// ---- matching -----------------------------------------------------------------

bool CronExpression::dayMatches(std::chrono::year_month_day ymd) const {
  bool dom = daysOfMonth_[static_cast<unsigned>(ymd.day())];
  bool dow = daysOfWeek_[std::chrono::weekday(sys_days(ymd)).c_encoding()];
  // Vixie cron: restricting both means either may match; a field beginning with '*' does not restrict.
  if (domStar_ || dowStar_) return dom && dow;
  return dom || dow;
}

bool CronExpression::matches(local_seconds wall) const {
  auto d = std::chrono::floor<days>(wall);
  std::chrono::year_month_day ymd{sys_days(d.time_since_epoch())};
  long long sod = (wall - d).count();
  return months_[static_cast<unsigned>(ymd.month())] && dayMatches(ymd) && hours_[sod / 3600] &&
         minutes_[(sod % 3600) / 60] && seconds_[sod % 60];
}

// The first wall-clock second in [from, to) that matches, skipping whole months,
// days, hours and minutes that cannot: a few dozen steps per year searched.
std::optional<long long> CronExpression::findWall(long long from, long long to) const {
  long long c = from;
  while (c < to) {
    long long dayIndex = c >= 0 ? c / 86400 : -((-c + 86399) / 86400);
    long long dayStart = dayIndex * 86400;
    sys_days d{days(dayIndex)};
    std::chrono::year_month_day ymd{d};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      auto firstOfNext = std::chrono::year_month_day{ymd.year() / ymd.month() / 1} + std::chrono::months{1};
      c = sys_days(firstOfNext).time_since_epoch().count() * 86400LL;
      continue;
    }
    if (!dayMatches(ymd)) {
      c = dayStart + 86400;
      continue;
    }
    int sod = static_cast<int>(c - dayStart);
    int h = sod / 3600, m = (sod % 3600) / 60, s = sod % 60;
    if (!hours_[static_cast<std::size_t>(h)]) {
      int nh = nextBit(hours_, h + 1);
      c = nh < 0 ? dayStart + 86400 : dayStart + nh * 3600LL;
      continue;
    }
    if (!minutes_[static_cast<std::size_t>(m)]) {
      int nm = nextBit(minutes_, m + 1);
      c = nm < 0 ? dayStart + (h + 1) * 3600LL : dayStart + h * 3600LL + nm * 60LL;
      continue;
    }
    if (!seconds_[static_cast<std::size_t>(s)]) {
      int ns = nextBit(seconds_, s + 1);
      c = ns < 0 ? dayStart + h * 3600LL + (m + 1) * 60LL : dayStart + h * 3600LL + m * 60LL + ns;
      continue;
    }
    return c;
  }
  return std::nullopt;
}

// ---- next run -------------------------------------------------------------------

// The timeline is cut at the zone's offset changes; within one piece wall time
// is instant + offset, so the wall-clock search above applies. At a piece's end:
// a spring-forward gap fires a fixed-time job whose time fell inside it (once, at
// the gap's end); after a fall-back, a fixed-time job skips the repeated wall
// times it already had (cronie's rules, cron.hpp).
std::optional<sys_seconds> CronExpression::next(sys_seconds after, const TimeZone& zone) const {
  static const sys_seconds kFirst{sys_days{std::chrono::year{1} / 1 / 1}};
  static const sys_seconds kLast{sys_days{std::chrono::year{9999} / 12 / 31}};
  if (after < kFirst || after > kLast) invalid("time is outside the years 1-9999", "after");

  const absl::TimeZone& tz = zone.impl().zone;
  const long long limit = (after + kSearchHorizon).time_since_epoch().count();
  long long t = after.time_since_epoch().count() + 1;

  // The offset change that began the current piece (for the fall-back rule).
  absl::TimeZone::CivilTransition prev{};
  bool hasPrev = tz.PrevTransition(toAbsl(t + 1), &prev) && fromAbsl(tz.At(prev.to).trans) <= t;

  while (t <= limit) {
    const long long offset = tz.At(toAbsl(t)).offset;
    absl::TimeZone::CivilTransition tr{};
    long long pieceEnd = limit + 1;
    bool transitionAhead = tz.NextTransition(toAbsl(t), &tr);
    if (transitionAhead) {
      long long at = fromAbsl(tz.At(tr.to).trans);
      if (at > t && at <= limit) {
        pieceEnd = at;
      } else {
        transitionAhead = false;
      }
    }

    long long wallFrom = t + offset;
    if (!wildcard_ && hasPrev && prev.to < prev.from) wallFrom = std::max(wallFrom, wallSeconds(prev.from));
    if (auto wall = findWall(wallFrom, pieceEnd + offset)) return sys_seconds(seconds(*wall - offset));
    if (!transitionAhead) return std::nullopt;
    if (!wildcard_ && tr.from < tr.to && findWall(wallSeconds(tr.from), wallSeconds(tr.to)))
      return sys_seconds(seconds(pieceEnd));
    t = pieceEnd;
    prev = tr;
    hasPrev = true;
  }
  return std::nullopt;
}

}  // namespace m3m::schedule
