#include "metrics/catalog.hpp"

#include <algorithm>

namespace m3m::metrics {

using prometheus::MetricType;
constexpr auto Counter = MetricType::Counter;
constexpr auto Gauge = MetricType::Gauge;
constexpr auto Histogram = MetricType::Histogram;

namespace family {

// ---- HTTP -------------------------------------------------------------------
const FamilyDef httpRequests{"m3m_http_requests_total",
                             "HTTP requests answered, by route template, method and status class",
                             Counter, {"route", "method", "status"}, "", Row::Http, Panel::Rate,
                             "Requests / s by status class", "status", "reqps"};
const FamilyDef httpDuration{"m3m_http_request_duration_seconds",
                             "Time from a request's arrival to its response, by route template and method",
                             Histogram, {"route", "method"}, "seconds", Row::Http, Panel::Quantiles,
                             "Request latency", "", "s"};
const FamilyDef httpResponseBytes{"m3m_http_response_bytes_total", "Response body bytes, by route template and method",
                                  Counter, {"route", "method"}, "bytes", Row::Http, Panel::Rate,
                                  "Response bytes / s by route", "route", "Bps"};
const FamilyDef httpInFlight{"m3m_http_requests_in_flight", "Requests being handled now", Gauge, {}, "", Row::Http,
                             Panel::Value, "Requests in flight", "", "short"};
const FamilyDef httpRejected{"m3m_http_rejected_total",
                             "Requests refused by a limit: 413 body too large, 431 headers too large, 429 too many requests",
                             Counter, {"status"}, "", Row::Http, Panel::Rate, "Refused by limits / s", "status", "reqps"};

// ---- projects -----------------------------------------------------------------
const FamilyDef projectsRunning{"m3m_projects_running", "Projects with a run (any state but stopped)", Gauge, {}, "",
                                Row::Projects, Panel::Stat, "Projects running", "", "short"};
const FamilyDef projectState{"m3m_project_state", "1 for the state a running project is in", Gauge,
                             {"project", "state"}, "", Row::Projects, Panel::Value, "State", "project,state", "short"};
const FamilyDef projectRouteCalls{"m3m_project_route_calls_total", "Route calls handled by the project's current run",
                                  Counter, {"project"}, "", Row::Projects, Panel::Rate, "Route calls / s", "project",
                                  "reqps"};
const FamilyDef projectRouteErrors{"m3m_project_route_errors_total",
                                   "Route calls of the project's current run answered with a 5xx", Counter,
                                   {"project"}, "", Row::Projects, Panel::Rate, "Route errors (5xx) / s", "project",
                                   "reqps"};
const FamilyDef projectJsCpu{"m3m_project_js_cpu_seconds_total",
                             "Seconds the project's JS held its isolate (the CPU watchdog's clock; waits excluded)",
                             Counter, {"project"}, "seconds", Row::Projects, Panel::Rate, "JS CPU (cores)",
                             "project", "short"};
const FamilyDef projectWaits{"m3m_project_waits_total", "Waiting calls (utils.sleep, http.*, …) that ended", Counter,
                             {"project"}, "", Row::Projects, Panel::Rate, "Waits / s", "project", "short"};
const FamilyDef projectWaitSeconds{"m3m_project_wait_seconds_total", "Seconds spent in waiting calls", Counter,
                                   {"project"}, "seconds", Row::Projects, Panel::Rate, "Time waiting (threads)",
                                   "project", "short"};
const FamilyDef projectHeapUsed{"m3m_project_heap_used_bytes", "JS heap used by the project", Gauge, {"project"},
                                "bytes", Row::Projects, Panel::Value, "Heap used", "project", "bytes"};
const FamilyDef projectHeapLimit{"m3m_project_heap_limit_bytes", "The project's heap limit (runtime.memory_limit_mb)",
                                 Gauge, {"project"}, "bytes", Row::Projects, Panel::Value, "Heap limit", "project",
                                 "bytes"};
const FamilyDef projectQueuedRequests{"m3m_project_queued_requests",
                                      "Route calls waiting for (or being run by) the project's JS", Gauge, {"project"},
                                      "", Row::Projects, Panel::Value, "Queued route calls", "project", "short"};
const FamilyDef projectTasks{"m3m_project_tasks", "delayed.run tasks by state (running, queued)", Gauge,
                             {"project", "state"}, "", Row::Projects, Panel::Value, "delayed.run tasks",
                             "project,state", "short"};
const FamilyDef projectTasksFailed{"m3m_project_tasks_failed_total", "delayed.run tasks that failed", Counter,
                                   {"project"}, "", Row::Projects, Panel::Rate, "Failed tasks / s", "project", "short"};
const FamilyDef projectThreads{"m3m_project_threads", "Alive JS threads of the project", Gauge, {"project"}, "",
                               Row::Projects, Panel::Value, "JS threads", "project", "short"};
const FamilyDef projectWaitingThreads{"m3m_project_waiting_threads", "Threads inside a waiting call", Gauge,
                                      {"project"}, "", Row::Projects, Panel::Value, "Threads waiting", "project",
                                      "short"};
const FamilyDef projectOutboundRequests{"m3m_project_outbound_http_requests_total", "Outbound http.* / fetch requests",
                                        Counter, {"project"}, "", Row::Projects, Panel::Rate,
                                        "Outbound HTTP requests / s", "project", "reqps"};
const FamilyDef projectOutboundErrors{"m3m_project_outbound_http_errors_total",
                                      "Outbound http.* / fetch requests that failed", Counter, {"project"}, "",
                                      Row::Projects, Panel::Rate, "Outbound HTTP errors / s", "project", "reqps"};
const FamilyDef projectScheduleRuns{"m3m_project_schedule_runs_total", "schedule.* job runs", Counter, {"project"}, "",
                                    Row::Projects, Panel::Rate, "Schedule runs / s", "project", "short"};
const FamilyDef projectScheduleSkips{"m3m_project_schedule_skips_total",
                                     "schedule.* runs skipped (the previous one still running)", Counter, {"project"},
                                     "", Row::Projects, Panel::Rate, "Schedule skips / s", "project", "short"};
const FamilyDef projectScheduleErrors{"m3m_project_schedule_errors_total", "schedule.* runs that threw", Counter,
                                      {"project"}, "", Row::Projects, Panel::Rate, "Schedule errors / s", "project",
                                      "short"};
const FamilyDef projectGoalIncrements{"m3m_project_goal_increments_total",
                                      "goals.increment calls of the project since the server started", Counter,
                                      {"project"}, "", Row::Projects, Panel::Rate, "Goal increments / s", "project",
                                      "short"};
const FamilyDef projectRestarts{"m3m_project_restarts_total",
                                "Runs of the project started after its first one since the server started", Counter,
                                {"project"}, "", Row::Projects, Panel::Value, "Restarts", "project", "short"};

// ---- store ---------------------------------------------------------------------
const FamilyDef storeQueries{"m3m_store_queries_total", "Database accesses by kind (read: a pooled reader; write)",
                             Counter, {"kind"}, "", Row::Store, Panel::Rate, "Queries / s", "kind", "short"};
const FamilyDef storeWriteBatchSize{"m3m_store_write_batch_size", "Write units committed together by a group commit",
                                    Histogram, {}, "", Row::Store, Panel::Quantiles, "Group commit batch size", "",
                                    "short"};
const FamilyDef storeCommitDuration{"m3m_store_commit_duration_seconds", "Time a COMMIT took", Histogram, {},
                                    "seconds", Row::Store, Panel::Quantiles, "Commit latency", "", "s"};
const FamilyDef storeWalBytes{"m3m_store_wal_bytes", "Size of the write-ahead log file", Gauge, {}, "bytes", Row::Store,
                              Panel::Value, "WAL size", "", "bytes"};
const FamilyDef storeCheckpoints{"m3m_store_checkpoints_total", "WAL checkpoints run", Counter, {}, "", Row::Store,
                                 Panel::Rate, "Checkpoints / s", "", "short"};
const FamilyDef storeCheckpointSeconds{"m3m_store_checkpoint_seconds_total", "Seconds spent checkpointing the WAL",
                                       Counter, {}, "seconds", Row::Store, Panel::Rate, "Checkpoint time (s / s)", "",
                                       "percentunit"};
const FamilyDef storeCheckpointLockedSeconds{"m3m_store_checkpoint_locked_seconds_total",
                                             "Seconds writers waited for a checkpoint's final pass (the write lock)",
                                             Counter, {}, "seconds", Row::Store, Panel::Rate,
                                             "Writers blocked by checkpoints (s / s)", "", "percentunit"};

// ---- process ---------------------------------------------------------------------
const FamilyDef processResidentMemory{"process_resident_memory_bytes", "Resident memory size in bytes", Gauge, {},
                                      "bytes", Row::Process, Panel::Value, "Resident memory", "", "bytes"};
const FamilyDef processCpu{"process_cpu_seconds_total", "User and system CPU time spent in seconds", Counter, {},
                           "seconds", Row::Process, Panel::Rate, "CPU (cores)", "", "short"};
const FamilyDef processOpenFds{"process_open_fds", "Open file descriptors", Gauge, {}, "", Row::Process, Panel::Value,
                               "Open file descriptors", "", "short"};
const FamilyDef processThreads{"process_threads", "OS threads of the process", Gauge, {}, "", Row::Process,
                               Panel::Value, "OS threads", "", "short"};
const FamilyDef uptime{"m3m_uptime_seconds", "Seconds since the server started", Gauge, {}, "seconds", Row::Process,
                       Panel::Stat, "Uptime", "", "s"};
const FamilyDef buildInfo{"m3m_build_info", "1, labelled with the server's version", Gauge, {"version"}, "",
                          Row::Process, Panel::Stat, "Version", "version", "short"};

}  // namespace family

const std::vector<const FamilyDef*>& catalog() {
  using namespace family;
  static const std::vector<const FamilyDef*> all = {
      &httpRequests, &httpDuration, &httpResponseBytes, &httpInFlight, &httpRejected,
      &projectsRunning, &projectState, &projectRouteCalls, &projectRouteErrors, &projectJsCpu, &projectWaits,
      &projectWaitSeconds, &projectHeapUsed, &projectHeapLimit, &projectQueuedRequests, &projectTasks,
      &projectTasksFailed, &projectThreads, &projectWaitingThreads, &projectOutboundRequests, &projectOutboundErrors,
      &projectScheduleRuns, &projectScheduleSkips, &projectScheduleErrors, &projectGoalIncrements, &projectRestarts,
      &storeQueries, &storeWriteBatchSize, &storeCommitDuration, &storeWalBytes, &storeCheckpoints,
      &storeCheckpointSeconds, &storeCheckpointLockedSeconds,
      &processResidentMemory, &processCpu, &processOpenFds, &processThreads, &uptime, &buildInfo,
  };
  return all;
}

const FamilyDef* findFamily(std::string_view name) {
  const auto& all = catalog();
  auto it = std::find_if(all.begin(), all.end(), [&](const FamilyDef* d) { return d->name == name; });
  return it == all.end() ? nullptr : *it;
}

prometheus::MetricFamily make(const FamilyDef& def) {
  return prometheus::MetricFamily{std::string(def.name), std::string(def.help), def.type, {}};
}

std::string_view rowTitle(Row row) {
  switch (row) {
    case Row::Http: return "HTTP";
    case Row::Projects: return "Projects";
    case Row::Store: return "Store";
    case Row::Process: return "Process";
  }
  return "";
}

}  // namespace m3m::metrics
