// libvips reports warnings and errors through GLib's log (domain "VIPS"), by
// default straight to stderr; one hostile image made 72,000 lines. They go to
// the server log instead, at most a few lines a second: the rest are counted
// and reported as one "suppressed" line.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

namespace m3m::service {

// At most `perSecond` lines in each one-second window.
class LogRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogRateLimiter(int perSecond) : perSecond_(perSecond) {}

  // True when a line may be written at `now`; `suppressed` then gets the
  // number of lines dropped since the last one written (report them first).
  bool allow(Clock::time_point now, std::uint64_t& suppressed);
  // Lines dropped and not reported yet (and forgets them).
  std::uint64_t takeSuppressed();

 private:
  std::mutex m_;
  int perSecond_;
  Clock::time_point windowStart_{};
  int inWindow_ = 0;
  std::uint64_t suppressed_ = 0;
};

inline constexpr int kVipsLogLinesPerSecond = 10;

// Installs the "VIPS" log handler (once) and sends its lines to `log` from now
// on; a later call replaces the logger.
void routeVipsLog(std::shared_ptr<spdlog::logger> log);
// Writes the "suppressed" line for lines dropped so far (after each image job,
// so a burst is always accounted for).
void flushVipsLog();

}  // namespace m3m::service
