#include "service/auth/login_limiter.hpp"

namespace m3m::service {

void LoginLimiter::check(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (now - it->second.windowStart >= window_) {
    entries_.erase(it);
    return;
  }
  if (it->second.failures >= max_) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.windowStart + window_ - now).count() + 1;
    throw RateLimited("too many failed logins for this account from this address; try again in " +
                          std::to_string(left) + "s",
                      static_cast<int>(left));
  }
}

void LoginLimiter::recordFailure(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100'000) prune(now);  // bounded memory under a spray of emails
  auto& e = entries_[key];
  if (e.failures == 0 || now - e.windowStart >= window_) {
    e.failures = 0;
    e.windowStart = now;
  }
  ++e.failures;
}

void LoginLimiter::reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

void LoginLimiter::prune(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();)
    it = now - it->second.windowStart >= window_ ? entries_.erase(it) : std::next(it);
}

}  // namespace m3m::service
