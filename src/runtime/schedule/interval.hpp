// The interval of `schedule.every(ms | '10s' | '5m' | '1h30m', fn)`.
// Strings go through lib::parseDuration, the one duration syntax of m3m.
#pragma once

#include <chrono>
#include <string_view>

namespace m3m::schedule {

// Bounds of an interval. The floor keeps a sub-second job from turning into a
// busy loop of the project's isolate; anything over a year is a job for cron.
inline constexpr std::chrono::milliseconds kMinInterval{100};
inline constexpr std::chrono::milliseconds kMaxInterval = std::chrono::days{366};

// "10s", "5m", "1h30m", "250ms" (units ms s m h d). Throws m3m::Error
// INVALID_ARGUMENT (fields["interval"]) for anything else or out of bounds.
std::chrono::milliseconds parseInterval(std::string_view text);

// A number of milliseconds as JS passes it: a whole, finite number within bounds.
std::chrono::milliseconds intervalFromMillis(double ms);

}  // namespace m3m::schedule
