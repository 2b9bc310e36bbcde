// The Grafana dashboard of the server's metrics (`m3m metrics dashboard`,
// committed as deploy/grafana/m3m.json), generated from the catalog: a row per
// catalog Row (HTTP, projects, store, process), a panel per family shown, a
// data source variable (any Prometheus) and a `project` variable.
#pragma once

#include <string>
#include <vector>

namespace m3m::metrics {

// The dashboard as Grafana's JSON model (2-space indented, ends with a newline).
std::string dashboardJson();

// The PromQL expressions of every panel target, for tests.
std::vector<std::string> dashboardExpressions();

}  // namespace m3m::metrics
