// Every metric family the server exports, declared once: name, help, type,
// labels, unit, and where the generated Grafana dashboard shows it. The
// collectors make their families from these declarations (make()), the
// OpenMetrics serializer takes the units from them, and the dashboard
// generator (dashboard.hpp) its panels — a name is never written twice.
#pragma once

#include <prometheus/metric_family.h>

#include <string_view>
#include <vector>

namespace m3m::metrics {

enum class Row { Http, Projects, Store, Process };

// How the dashboard shows a family.
enum class Panel {
  None,       // not on the dashboard
  Rate,       // a time series of sum by (by) (rate(name[…]))
  Value,      // a time series of the gauge, sum by (by)
  Quantiles,  // a histogram: p50 / p95 / p99 over time
  Stat,       // one number
};

struct FamilyDef {
  std::string_view name;
  std::string_view help;
  prometheus::MetricType type;
  std::vector<std::string_view> labels;  // every label its series carry (besides le)
  std::string_view unit;                 // OpenMetrics unit ("seconds", "bytes"), or empty
  Row row;
  Panel panel;
  std::string_view title;         // the panel's title
  std::string_view by;            // labels the panel sums by ("" = one series), comma-separated
  std::string_view grafanaUnit;   // the panel's unit (Grafana's ids: "s", "bytes", "reqps", …)
};

namespace family {
// HTTP (http_metrics.cpp)
extern const FamilyDef httpRequests, httpDuration, httpResponseBytes, httpInFlight, httpRejected;
// Projects (metrics.cpp, from the run control)
extern const FamilyDef projectsRunning, projectState, projectRouteCalls, projectRouteErrors, projectJsCpu,
    projectWaits, projectWaitSeconds, projectHeapUsed, projectHeapLimit, projectQueuedRequests, projectTasks,
    projectTasksFailed, projectThreads, projectWaitingThreads, projectOutboundRequests, projectOutboundErrors,
    projectScheduleRuns, projectScheduleSkips, projectScheduleErrors, projectGoalIncrements, projectRestarts;
// Store (metrics.cpp, from the store's counters)
extern const FamilyDef storeQueries, storeWriteBatchSize, storeCommitDuration, storeWalBytes, storeCheckpoints,
    storeCheckpointSeconds, storeCheckpointLockedSeconds;
// Process
extern const FamilyDef processResidentMemory, processCpu, processOpenFds, processThreads, uptime, buildInfo;
}  // namespace family

// Every family, in the order the dashboard shows them (rows in Row order).
const std::vector<const FamilyDef*>& catalog();
// The declaration of `name`, or nullptr.
const FamilyDef* findFamily(std::string_view name);
// An empty family of this declaration (its samples are added by the collector).
prometheus::MetricFamily make(const FamilyDef& def);

std::string_view rowTitle(Row row);

}  // namespace m3m::metrics
