#include "metrics/http_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "metrics/catalog.hpp"

namespace m3m::metrics {

namespace {
constexpr std::array<std::string_view, HttpMetrics::kMethods> kMethodNames = {"GET",    "HEAD",  "POST",    "PUT",
                                                                              "PATCH",  "DELETE", "OPTIONS", "other"};
constexpr std::array<std::string_view, HttpMetrics::kClasses> kClassNames = {"1xx", "2xx", "3xx", "4xx", "5xx"};
constexpr auto relaxed = std::memory_order_relaxed;
}  // namespace

HttpMetrics::HttpMetrics() {
  tables_.push_back(std::make_unique<Table>());
  table_.store(tables_.back().get());
}

HttpMetrics::~HttpMetrics() = default;

std::size_t HttpMetrics::methodIndex(std::string_view method) noexcept {
  for (std::size_t i = 0; i + 1 < kMethods; ++i)
    if (kMethodNames[i] == method) return i;
  return kMethods - 1;
}

std::string_view HttpMetrics::methodName(std::size_t index) noexcept {
  return kMethodNames[std::min(index, kMethods - 1)];
}

std::size_t HttpMetrics::classIndex(int status) noexcept {
  int c = status / 100 - 1;
  return static_cast<std::size_t>(std::clamp(c, 0, static_cast<int>(kClasses) - 1));
}

HttpMetrics::Series* HttpMetrics::find(const Table& t, std::string_view route) const noexcept {
  auto it = std::lower_bound(t.routes.begin(), t.routes.end(), route,
                             [](const auto& e, std::string_view r) { return std::string_view(e.first) < r; });
  return it != t.routes.end() && it->first == route ? it->second : nullptr;
}

HttpMetrics::Series* HttpMetrics::add(std::string_view route) {
  std::lock_guard lock(mutex_);
  const Table* current = table_.load(std::memory_order_acquire);
  if (auto s = find(*current, route)) return s;  // added meanwhile
  if (current->routes.size() >= kMaxRoutes) {
    route = "(other)";
    if (auto s = find(*current, route)) return s;
  }
  series_.push_back(std::make_unique<Series>());
  auto next = std::make_unique<Table>(*current);
  auto pos = std::lower_bound(next->routes.begin(), next->routes.end(), route,
                              [](const auto& e, std::string_view r) { return std::string_view(e.first) < r; });
  next->routes.insert(pos, {std::string(route), series_.back().get()});
  tables_.push_back(std::move(next));
  table_.store(tables_.back().get(), std::memory_order_release);
  return series_.back().get();
}

void HttpMetrics::finished(std::string_view route, std::string_view method, int status, std::uint64_t bytes,
                           double seconds) noexcept {
  inFlight_.fetch_sub(1, relaxed);
  Series* s = find(*table_.load(std::memory_order_acquire), route);
  if (!s) {
    try {
      s = add(route);  // once per route for the life of the process
    } catch (...) {
      return;
    }
  }
  const auto m = methodIndex(method);
  s->requests[m][classIndex(status)].fetch_add(1, relaxed);
  s->count[m].fetch_add(1, relaxed);
  s->bytes[m].fetch_add(bytes, relaxed);
  if (!(seconds >= 0)) seconds = 0;
  s->sumNanos[m].fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e9)), relaxed);
  for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b)
    if (seconds <= kLatencyBuckets[b]) {
      s->buckets[m][b].fetch_add(1, relaxed);
      break;
    }
}

void HttpMetrics::rejected(int status) noexcept {
  for (std::size_t i = 0; i < kRejectedStatuses.size(); ++i)
    if (kRejectedStatuses[i] == status) rejected_[i].fetch_add(1, relaxed);
}

std::vector<prometheus::MetricFamily> HttpMetrics::collect() const {
  using prometheus::ClientMetric;
  using prometheus::MetricType;
  auto requests = make(family::httpRequests);
  auto duration = make(family::httpDuration);
  auto bytes = make(family::httpResponseBytes);
  auto inFlight = make(family::httpInFlight);
  ClientMetric g;
  g.gauge.value = static_cast<double>(inFlight_.load(relaxed));
  inFlight.metric.push_back(std::move(g));

  const Table* t = table_.load(std::memory_order_acquire);
  for (const auto& [route, s] : t->routes) {
    for (std::size_t m = 0; m < kMethods; ++m) {
      const auto count = s->count[m].load(relaxed);
      if (count == 0) continue;
      const std::string method(kMethodNames[m]);
      for (std::size_t c = 0; c < kClasses; ++c) {
        const auto n = s->requests[m][c].load(relaxed);
        if (n == 0) continue;
        ClientMetric r;
        r.label = {{"route", route}, {"method", method}, {"status", std::string(kClassNames[c])}};
        r.counter.value = static_cast<double>(n);
        requests.metric.push_back(std::move(r));
      }
      ClientMetric h;
      h.label = {{"route", route}, {"method", method}};
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
        cumulative += s->buckets[m][b].load(relaxed);
        h.histogram.bucket.push_back({cumulative, kLatencyBuckets[b]});
      }
      // Read after the buckets: +Inf never falls below the last bucket.
      h.histogram.sample_count = std::max(count, cumulative);
      h.histogram.bucket.push_back({h.histogram.sample_count, std::numeric_limits<double>::infinity()});
      h.histogram.sample_sum = static_cast<double>(s->sumNanos[m].load(relaxed)) / 1e9;
      duration.metric.push_back(std::move(h));
      ClientMetric b;
      b.label = {{"route", route}, {"method", method}};
      b.counter.value = static_cast<double>(s->bytes[m].load(relaxed));
      bytes.metric.push_back(std::move(b));
    }
  }
  // Every status always present (0 included): an alert on rate() needs the series.
  auto rejected = make(family::httpRejected);
  for (std::size_t i = 0; i < kRejectedStatuses.size(); ++i) {
    ClientMetric r;
    r.label = {{"status", std::to_string(kRejectedStatuses[i])}};
    r.counter.value = static_cast<double>(rejected_[i].load(relaxed));
    rejected.metric.push_back(std::move(r));
  }
  std::vector<prometheus::MetricFamily> out;
  out.push_back(std::move(requests));
  out.push_back(std::move(duration));
  out.push_back(std::move(bytes));
  out.push_back(std::move(inFlight));
  out.push_back(std::move(rejected));
  return out;
}

}  // namespace m3m::metrics
