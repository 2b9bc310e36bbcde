// Schedule expressions (src/runtime/schedule): CronExpression::parse on
// arbitrary text, parseInterval on the same text. For an accepted expression,
// next() in UTC and in zones with DST (and a 30-minute DST, and Samoa's skipped
// day) must give an instant after `after` that matches the expression — or, for
// a fixed-time job, the end of a spring-forward gap — and successive runs must
// increase. In UTC the run must also be the first: no earlier second of a short
// window matches. `after` and the zone come from a hash of the input.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common.hpp"
#include "runtime/schedule/cron.hpp"
#include "runtime/schedule/interval.hpp"

using namespace m3m;
using namespace m3m::schedule;
using std::chrono::seconds;
using std::chrono::sys_seconds;

namespace {

const std::array<TimeZone, 6>& zones() {
  static const std::array<TimeZone, 6> z{TimeZone::utc(),
                                         TimeZone::load("Europe/Berlin"),
                                         TimeZone::load("America/New_York"),
                                         TimeZone::load("Australia/Lord_Howe"),
                                         TimeZone::load("Pacific/Apia"),
                                         TimeZone::load("Asia/Kathmandu")};
  return z;
}

std::uint64_t fnv1a(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

// Instants near DST changes: 2026 Berlin spring/fall, New York spring/fall, Samoa's skipped day.
constexpr std::array<long long, 5> kChanges{1774746000, 1792890000, 1772953200, 1793512800, 1325239200};

sys_seconds pickAfter(std::uint64_t h) {
  if ((h & 3) == 0) return sys_seconds(seconds(kChanges[(h >> 2) % kChanges.size()] - 7200 + (h >> 8) % 14400));
  // Otherwise anywhere in 1900-2200.
  constexpr long long k1900 = -2208988800LL, kSpan = 300LL * 365 * 86400;
  return sys_seconds(seconds(k1900 + static_cast<long long>((h >> 2) % kSpan)));
}

void checkRun(const CronExpression& cron, const TimeZone& zone, sys_seconds after, sys_seconds run) {
  if (run <= after) fuzz::fail("next() is not after `after`");
  if (run - after > CronExpression::kSearchHorizon + std::chrono::days(1)) fuzz::fail("next() beyond the horizon");
  if (cron.matches(zone.toLocal(run))) return;
  // Only a fixed-time job may fire off its fields: at the end of a spring-forward gap.
  bool gapEnd = zone.offsetAt(run) > zone.offsetAt(run - seconds(1));
  if (cron.isWildcard() || !gapEnd) fuzz::fail("next() does not match the expression");
}

// In UTC nothing between `after` and the run (or within the window, for "never") matches.
void checkFirst(const CronExpression& cron, sys_seconds after, std::optional<sys_seconds> run) {
  const seconds step = cron.hasSeconds() ? seconds(1) : seconds(60);
  const seconds window = cron.hasSeconds() ? seconds(3 * 3600) : seconds(2 * 86400);
  sys_seconds end = run ? *run : after + window;
  if (end - after > window) return;
  // From the first candidate after `after` on the step's grid.
  sys_seconds t = std::chrono::floor<std::chrono::minutes>(after) + (step == seconds(60) ? step : seconds(0));
  if (step == seconds(1)) t = after + seconds(1);
  for (; t < end; t += step) {
    if (cron.matches(std::chrono::local_seconds(t.time_since_epoch()))) fuzz::fail("next() skipped an earlier match");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expectOnlyErrors([&] { parseInterval(text); });
  fuzz::expectOnlyErrors([&] {
    CronExpression cron = CronExpression::parse(text);
    // The expression prints back as something that parses to the same job.
    CronExpression again = CronExpression::parse(cron.text());
    if (again.text() != cron.text() || again.isWildcard() != cron.isWildcard()) fuzz::fail("text() does not round-trip");

    std::uint64_t h = fnv1a(data, size);
    sys_seconds after = pickAfter(h);
    const TimeZone& zone = zones()[(h >> 40) % zones().size()];

    auto utcRun = cron.next(after);
    if (utcRun) checkRun(cron, TimeZone::utc(), after, *utcRun);
    checkFirst(cron, after, utcRun);

    sys_seconds t = after;
    for (int i = 0; i < 3; ++i) {
      auto run = cron.next(t, zone);
      if (!run) break;
      checkRun(cron, zone, t, *run);
      t = *run;
    }
  });
  return 0;
}
