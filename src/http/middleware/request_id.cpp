#include <array>
#include <cctype>
#include <string>
#include <atomic>
#include <chrono>
#include <random>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {
namespace {

bool saneId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

// 16 hex chars: a per-process random prefix + a counter; unique and cheap.
std::string newId() {
  static const std::uint32_t prefix = std::random_device{}();
  static std::atomic<std::uint32_t> counter{0};
  std::uint64_t v = (static_cast<std::uint64_t>(prefix) << 32) | counter.fetch_add(1, std::memory_order_relaxed);
  static constexpr char hex[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = hex[v & 0xf];
  return s;
}

}  // namespace

Middleware requestId() {
  return [](Request& req, Respond respond, const Handler& next) {
    auto given = req.header("X-Request-Id");
    // The server echoes it as X-Request-Id on the response (no wrapper here:
    // every wrapper is an allocation on the hot path).
    req.requestId = saneId(given) ? std::string(given) : newId();
    next(req, std::move(respond));
  };
}

}  // namespace m3m::http::middleware
