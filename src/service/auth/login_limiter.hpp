// Slows password guessing: at most N failed logins per (email, client IP)
// within a sliding window; beyond that every attempt is refused with 429.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

#include <m3m/error.hpp>

namespace m3m::service {

class RateLimited : public Error {
 public:
  RateLimited(std::string message, int retryAfterSeconds)
      : Error(ErrorCode::LIMIT_EXCEEDED, std::move(message)), retryAfter_(retryAfterSeconds) {}
  int retryAfterSeconds() const { return retryAfter_; }

 private:
  int retryAfter_;
};

class LoginLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  LoginLimiter(int maxAttempts, std::chrono::milliseconds window) : max_(maxAttempts), window_(window) {}

  // Throws RateLimited when the key is over the limit.
  void check(const std::string& key, Clock::time_point now = Clock::now());
  void recordFailure(const std::string& key, Clock::time_point now = Clock::now());
  void reset(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point windowStart;
  };
  void prune(Clock::time_point now);

  int max_;
  std::chrono::milliseconds window_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace m3m::service
