#include "lib/datetime.hpp"

#include <chrono>
#include <cstdio>

namespace m3m::lib {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool readDate(std::string_view s, std::chrono::year_month_day& out) {
  int y, m, d;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' || !digits(s, 8, 2, d))
    return false;
  out = std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} / std::chrono::day{static_cast<unsigned>(d)};
  return y >= 1 && out.ok();
}

}  // namespace

bool isValidDate(std::string_view s) {
  std::chrono::year_month_day ymd;
  return s.size() == 10 && readDate(s, ymd);
}

std::optional<std::string> normalizeDatetime(std::string_view s) {
  using namespace std::chrono;
  year_month_day ymd;
  if (!readDate(s, ymd)) return std::nullopt;
  int hh = 0, mm = 0, ss = 0, ms = 0, offsetMinutes = 0;
  size_t i = 10;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    if (!digits(s, i + 1, 2, hh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, mm)) return std::nullopt;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!digits(s, i + 1, 2, ss)) return std::nullopt;
      i += 3;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          if (i - start < 3) ms = ms * 10 + (s[i] - '0');
          ++i;
        }
        if (i == start) return std::nullopt;
        for (size_t n = i - start; n < 3; ++n) ms *= 10;
      }
    }
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    if (i < s.size()) {
      if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
        i = s.size();
      } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        const int sign = s[i] == '-' ? -1 : 1;
        std::string_view rest = s.substr(i + 1);
        if (rest.size() == 5 && rest[2] == ':' && digits(rest, 0, 2, oh) && digits(rest, 3, 2, om)) {
        } else if (rest.size() == 4 && digits(rest, 0, 2, oh) && digits(rest, 2, 2, om)) {
        } else {
          return std::nullopt;
        }
        if (oh > 23 || om > 59) return std::nullopt;
        offsetMinutes = sign * (oh * 60 + om);
        i = s.size();
      } else {
        return std::nullopt;
      }
    }
  } else {
    i = s.size();
  }
  if (i != s.size()) return std::nullopt;
  auto t = sys_days{ymd} + hours{hh} + minutes{mm} + seconds{ss} + milliseconds{ms} - minutes{offsetMinutes};
  auto day = floor<days>(t);
  year_month_day utc{day};
  if (utc.year() < year{1} || utc.year() > year{9999}) return std::nullopt;
  hh_mm_ss tod{floor<milliseconds>(t - day)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(utc.year()),
                static_cast<unsigned>(utc.month()), static_cast<unsigned>(utc.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return std::string(buf);
}

}  // namespace m3m::lib
