// HTTP request metrics: requests by route template, method and status class,
// a latency histogram, response bytes, in-flight requests. Updating costs no
// lock and no allocation: every series is a block of atomics, found through a
// copy-on-write table of routes (a route's block is made once, on its first
// request; routes are the router's patterns or a few classes, so bounded).
#pragma once

#include <prometheus/metric_family.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::metrics {

// Upper bounds (seconds) of the latency histogram; +Inf is added on export.
inline constexpr std::array<double, 12> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
// Routes beyond this many share the label "(other)".
inline constexpr std::size_t kMaxRoutes = 1000;

class HttpMetrics {
 public:
  static constexpr std::size_t kMethods = 8;  // GET HEAD POST PUT PATCH DELETE OPTIONS other
  static constexpr std::size_t kClasses = 5;  // 1xx … 5xx

  HttpMetrics();
  ~HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  void started() noexcept { inFlight_.fetch_add(1, std::memory_order_relaxed); }
  // route: a template ("/api/projects/:id") or a class ("ui", "unmatched"),
  // never a raw path. Pairs with one started().
  void finished(std::string_view route, std::string_view method, int status, std::uint64_t bytes,
                double seconds) noexcept;

  // A request refused by a limit: 413 (body), 431 (headers), 429 (rate),
  // whether the server refused it before routing or a handler did. Other
  // statuses are ignored.
  void rejected(int status) noexcept;
  static constexpr std::array<int, 3> kRejectedStatuses = {413, 429, 431};

  std::int64_t inFlight() const noexcept { return inFlight_.load(std::memory_order_relaxed); }
  std::vector<prometheus::MetricFamily> collect() const;

  static std::size_t methodIndex(std::string_view method) noexcept;
  static std::string_view methodName(std::size_t index) noexcept;
  static std::size_t classIndex(int status) noexcept;

 private:
  struct Series {
    std::array<std::array<std::atomic<std::uint64_t>, kClasses>, kMethods> requests{};
    std::array<std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()>, kMethods> buckets{};  // not cumulative
    std::array<std::atomic<std::uint64_t>, kMethods> count{};
    std::array<std::atomic<std::uint64_t>, kMethods> sumNanos{};
    std::array<std::atomic<std::uint64_t>, kMethods> bytes{};
  };
  struct Table {
    std::vector<std::pair<std::string, Series*>> routes;  // sorted by name
  };
  Series* find(const Table& t, std::string_view route) const noexcept;
  Series* add(std::string_view route);

  std::atomic<std::int64_t> inFlight_{0};
  std::array<std::atomic<std::uint64_t>, kRejectedStatuses.size()> rejected_{};
  std::atomic<const Table*> table_;
  std::mutex mutex_;  // only for adding a route
  std::vector<std::unique_ptr<Series>> series_;
  std::vector<std::unique_ptr<Table>> tables_;  // every published table, kept: readers may hold an old one
};

}  // namespace m3m::metrics
