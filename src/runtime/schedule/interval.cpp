#include "runtime/schedule/interval.hpp"

#include <cmath>
#include <string>

#include <m3m/error.hpp>

#include "lib/units.hpp"

namespace m3m::schedule {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::INVALID_ARGUMENT, message, {{"interval", message}});
}

std::chrono::milliseconds checked(std::chrono::milliseconds ms) {
  if (ms < kMinInterval || ms > kMaxInterval)
    invalid("interval must be between " + lib::formatDuration(kMinInterval) + " and " +
            lib::formatDuration(kMaxInterval));
  return ms;
}

}  // namespace

std::chrono::milliseconds parseInterval(std::string_view text) {
  constexpr std::size_t kMaxText = 64;
  if (text.size() > kMaxText) invalid("interval is longer than 64 characters");
  auto ms = lib::parseDuration(text);
  if (!ms) invalid("interval must be a duration such as '10s', '5m', '1h30m' or '250ms'");
  return checked(*ms);
}

std::chrono::milliseconds intervalFromMillis(double ms) {
  if (!std::isfinite(ms) || ms != std::floor(ms))
    invalid("interval must be a whole number of milliseconds");
  // Compare as double before converting: a huge double does not fit an int64.
  if (ms < static_cast<double>(kMinInterval.count()) || ms > static_cast<double>(kMaxInterval.count()))
    return checked(ms < 0 ? std::chrono::milliseconds(-1) : kMaxInterval + std::chrono::milliseconds(1));
  return checked(std::chrono::milliseconds(static_cast<long long>(ms)));
}

}  // namespace m3m::schedule
