// The server's Prometheus metrics (GET /metrics): HTTP (HttpMetrics, updated
// by the metrics middleware), per-project figures read at scrape time from a
// ProjectSource (the run control's status of every running project: a
// deleted or stopped project's series disappear with it), and the process
// (RSS, fds, threads, CPU, uptime, build info). Rendered in the Prometheus
// text format (0.0.4) by prometheus-cpp's TextSerializer.
#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/atomic_histogram.hpp"
#include "metrics/http_metrics.hpp"

namespace m3m::metrics {

// One running project at scrape time (RuntimeService's status).
struct ProjectSample {
  std::string slug;
  std::string state;  // starting | running | failed | …
  std::uint64_t heapUsed = 0;
  std::uint64_t calls = 0;                // route calls of this run
  std::uint64_t errors = 0;               // of them, answered with a 5xx
  std::uint64_t tasksRunning = 0, tasksQueued = 0, tasksFailed = 0;
  std::uint64_t threads = 0, waiting = 0;
  std::uint64_t httpRequests = 0, httpErrors = 0;  // outbound http.* / fetch since the server started
  std::uint64_t scheduleRuns = 0, scheduleSkipped = 0, scheduleErrors = 0;
  double jsCpuSeconds = 0;                // JS stretches (the watchdog's clock), waits excluded
  std::uint64_t waits = 0;                // waiting calls that ended
  double waitSeconds = 0;
  std::uint64_t heapLimit = 0;            // bytes
  std::uint64_t queuedRequests = 0;       // route calls queued or running
  std::uint64_t goalIncrements = 0;       // since the server started
  std::uint64_t restarts = 0;             // runs after the first since the server started
};
using ProjectSource = std::function<std::vector<ProjectSample>()>;

// The store's figures at scrape time (the composition root reads them from
// the store; this module knows no database).
struct StoreSample {
  std::uint64_t reads = 0, writes = 0;   // database accesses
  lib::HistogramSnapshot batchSizes;     // units per group commit
  lib::HistogramSnapshot commitSeconds;  // COMMIT latency
  std::uint64_t walBytes = 0;
  std::uint64_t checkpoints = 0;
  double checkpointSeconds = 0, checkpointLockedSeconds = 0;
};
using StoreSource = std::function<StoreSample()>;

// Who may read /metrics. With neither a token nor a CIDR list the endpoint is off.
struct AccessOptions {
  std::string token;               // metrics.token: "Authorization: Bearer <token>"
  std::vector<std::string> allow;  // metrics.allow: CIDRs / addresses of the scrapers
};

enum class Access { Allowed, Off, NoToken, Forbidden };

class AccessPolicy {
 public:
  // Throws std::invalid_argument naming a malformed entry of `allow`.
  explicit AccessPolicy(AccessOptions options);
  ~AccessPolicy();
  AccessPolicy(AccessPolicy&&) noexcept;
  // authorization: the Authorization header; remote: "address:port" (the
  // server's Request::remoteAddress; the port is always there) or an IPv4 address.
  Access check(std::string_view authorization, std::string_view remote) const;
  bool enabled() const { return !token_.empty() || !cidrs_.empty(); }

 private:
  struct Cidr;
  std::string token_;
  std::vector<Cidr> cidrs_;
};

class Metrics {
 public:
  explicit Metrics(std::string version);
  // Shared: the middleware's response callbacks may outlive the exporter.
  const std::shared_ptr<HttpMetrics>& http() const { return http_; }
  void setProjectSource(ProjectSource source) { projects_ = std::move(source); }
  void setStoreSource(StoreSource source) { store_ = std::move(source); }

  std::vector<prometheus::MetricFamily> collect() const;
  // The text exposition format (Content-Type kContentType), or OpenMetrics 1.0
  // (kOpenMetricsContentType, openmetrics.hpp).
  std::string render(bool openMetrics = false) const;
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  std::string version_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::shared_ptr<HttpMetrics> http_ = std::make_shared<HttpMetrics>();
  ProjectSource projects_;
  StoreSource store_;
};

// Families of the process (from /proc/self): appended to `out`.
void collectProcess(std::vector<prometheus::MetricFamily>& out);
// Families of the projects: appended to `out`.
void collectProjects(const std::vector<ProjectSample>& projects, std::vector<prometheus::MetricFamily>& out);
// Families of the store: appended to `out`.
void collectStore(const StoreSample& store, std::vector<prometheus::MetricFamily>& out);

}  // namespace m3m::metrics
