// The OpenMetrics 1.0 text format (GET /metrics with "Accept:
// application/openmetrics-text"): Debian's prometheus-cpp 1.0 only writes the
// Prometheus text format 0.0.4. Differences that matter to a scraper: a
// counter family is named without its "_total" (its samples keep it), units
// (# UNIT, from the catalog), and the exposition ends with "# EOF".
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <string_view>
#include <vector>

namespace m3m::metrics {

inline constexpr std::string_view kOpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

std::string serializeOpenMetrics(const std::vector<prometheus::MetricFamily>& families);
// Whether an Accept header asks for OpenMetrics (Prometheus sends it first, with q=…).
bool wantsOpenMetrics(std::string_view accept);

}  // namespace m3m::metrics
