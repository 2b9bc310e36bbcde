#include "service/images_log.hpp"

#include <glib.h>

#include <string_view>

namespace m3m::service {

bool LogRateLimiter::allow(Clock::time_point now, std::uint64_t& suppressed) {
  std::lock_guard lock(m_);
  if (now - windowStart_ >= std::chrono::seconds(1)) {
    windowStart_ = now;
    inWindow_ = 0;
  }
  if (inWindow_ >= perSecond_) {
    ++suppressed_;
    return false;
  }
  ++inWindow_;
  suppressed = std::exchange(suppressed_, 0);
  return true;
}

std::uint64_t LogRateLimiter::takeSuppressed() {
  std::lock_guard lock(m_);
  return std::exchange(suppressed_, 0);
}

namespace {

// Process-wide, like GLib's handler table; never freed, so a libvips thread
// that logs during exit finds it intact.
struct VipsLog {
  std::mutex m;
  std::shared_ptr<spdlog::logger> log;
  LogRateLimiter limiter{kVipsLogLinesPerSecond};
};

VipsLog& vipsLog() {
  static auto* v = new VipsLog();
  return *v;
}

std::shared_ptr<spdlog::logger> currentLogger() {
  auto& v = vipsLog();
  std::lock_guard lock(v.m);
  return v.log;
}

spdlog::level::level_enum levelOf(GLogLevelFlags flags) {
  if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) return spdlog::level::err;
  if (flags & G_LOG_LEVEL_WARNING) return spdlog::level::warn;
  if (flags & G_LOG_LEVEL_MESSAGE) return spdlog::level::info;
  // g_info is libvips' chatter ("input size is …"), shown by GLib only with
  // G_MESSAGES_DEBUG: debug here too.
  return spdlog::level::debug;
}

void onVipsLog(const gchar* /*domain*/, GLogLevelFlags flags, const gchar* message, gpointer /*data*/) {
  auto log = currentLogger();
  if (!log) return;
  auto level = levelOf(flags);
  if (!log->should_log(level)) return;
  std::uint64_t suppressed = 0;
  if (!vipsLog().limiter.allow(LogRateLimiter::Clock::now(), suppressed)) return;
  if (suppressed > 0) log->warn("libvips: {} more message(s) suppressed", suppressed);
  log->log(level, "libvips: {}", message ? std::string_view(message) : std::string_view());
}

}  // namespace

void routeVipsLog(std::shared_ptr<spdlog::logger> log) {
  auto& v = vipsLog();
  static std::once_flag once;
  std::call_once(once, [] {
    // G_LOG_LEVEL_ERROR stays fatal in GLib whatever the handler does; the rest
    // never reaches stderr.
    g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION),
                      onVipsLog, nullptr);
  });
  std::lock_guard lock(v.m);
  v.log = std::move(log);
}

void flushVipsLog() {
  auto n = vipsLog().limiter.takeSuppressed();
  if (n == 0) return;
  if (auto log = currentLogger()) log->warn("libvips: {} more message(s) suppressed", n);
}

}  // namespace m3m::service
