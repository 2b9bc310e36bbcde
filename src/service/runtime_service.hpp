// Run control: starts, stops and restarts projects' runtimes, routes HTTP
// calls to them by slug, serves their logs, and brings back after a server
// restart every project that was running (all boots, then all starts).
#pragma once

#include <spdlog/logger.h>

#include <filesystem>
#include <functional>
#include <m3m/module.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "domain/page.hpp"
#include "runtime/http/stats.hpp"
#include "runtime/module_registry.hpp"
#include "runtime/project_runtime.hpp"
#include "runtime/run_log.hpp"
#include "service/auth/principal.hpp"
#include "service/ownership.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct RunStatus {
  std::string state;  // stopped | starting | running | failed
  std::optional<std::string> release;
  std::optional<std::string> startedAt;
  std::optional<std::string> lastError;
  std::size_t heapUsed = 0;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;  // calls answered with a 5xx
  runtime::TaskCounts tasks;  // delayed.run
  std::size_t threads = 0, waiting = 0;
  std::string timezone;
  std::vector<runtime::ScheduleJobInfo> schedules;
  runtime::http::Counts http;  // outbound http.* / fetch since the server started
  // For the metrics (not in the API's status):
  std::string projectId;
  double jsSeconds = 0;        // JS time of this run (waits excluded)
  std::uint64_t waits = 0;     // waiting calls of this run that ended
  double waitSeconds = 0;
  std::size_t heapLimit = 0;   // bytes
  std::size_t queuedRequests = 0;
  std::uint64_t restarts = 0;  // runs of the project after its first since the server started
};

class RuntimeService {
 public:
  RuntimeService(store::Store& store, ProjectService& projects, const config::Config& cfg,
                 runtime::ModuleSource modules, std::shared_ptr<spdlog::logger> log);
  ~RuntimeService();
  // Where the status reads the projects' outbound HTTP counters.
  void setHttpStats(std::shared_ptr<runtime::http::Stats> stats) { httpStats_ = std::move(stats); }
  // Which node runs each project (several nodes on one MongoDB); default: this one runs them all.
  // Must outlive this service.
  void setOwnership(ProjectOwnership& ownership) { ownership_ = &ownership; }

  // version: that release becomes active; default the active one. CONFLICT without a release.
  RunStatus start(const Principal& who, const std::string& projectId, const std::optional<std::string>& version);
  RunStatus stop(const Principal& who, const std::string& projectId);
  RunStatus restart(const Principal& who, const std::string& projectId);
  RunStatus status(const Principal& who, const std::string& projectId);
  // The run's schedule.* jobs, a page of them (empty when it is not running).
  domain::Page<runtime::ScheduleJobInfo> schedules(const Principal& who, const std::string& projectId,
                                                   const domain::PageRequest& page);

  runtime::LogPage logs(const Principal& who, const std::string& projectId, std::uint64_t cursor, size_t limit);
  runtime::LogPage logTail(const Principal& who, const std::string& projectId, size_t lines);
  runtime::LogPage logsBefore(const Principal& who, const std::string& projectId, std::uint64_t end, size_t limit);
  std::string logText(const Principal& who, const std::string& projectId);
  // Live tail from `cursor`: backlog first, then new lines (RunLog::follow).
  void followLogs(const Principal& who, const std::string& projectId, std::uint64_t cursor,
                  runtime::RunLog::Follower deliver);

  // The caller may see the project (its id); throws like ProjectService::requireAccess.
  std::string requireAccess(const Principal& who, const std::string& projectId);
  // A run of the project (any state) is on this node; by id or by slug.
  bool runsHere(const std::string& projectId);
  bool servesSlug(const std::string& slug);

  // Routes a public call to the project with this slug. NOT_FOUND for an unknown
  // project; UNAVAILABLE when it is not running or its queue is full.
  void dispatch(const std::string& slug, runtime::HttpCall call, std::function<void(runtime::HttpReply)> done);

  // Every project with a run (any state but stopped), by slug, for the metrics.
  std::vector<std::pair<std::string, RunStatus>> overview();

  // Server start: every project that was running (and has auto-start on).
  void autoStart();
  // Server stop: ends every run and gives its project up, keeping the desired state for the next start.
  void stopAll();
  // Cluster: this node took the project over (its lease is free): starts it
  // here like autoStart. False when it could not (another node was faster, no release).
  bool adopt(const std::string& projectId);
  // Cluster: this node lost the project's lease: its run ends at once (desired state unchanged).
  void lost(const std::string& projectId);
  // The project is being deleted: end its run without recording anything.
  void forget(const std::string& projectId);
  // The project's slug changed: its routes move to /r/{newSlug} at once.
  void rerouted(const std::string& projectId, const std::string& oldSlug, const std::string& newSlug);

 private:
  struct Entry {
    std::shared_ptr<runtime::ProjectRuntime> runtime;
    std::string release;
    std::string startedAt;
  };

  RunStatus launch(const domain::Project& p, const domain::Release& release);
  std::shared_ptr<runtime::RunLog> logOf(const std::string& projectId);
  std::shared_ptr<runtime::ProjectRuntime> prepare(const domain::Project& p, const domain::Release& release);
  RunStatus statusOf(const std::string& projectId);
  void end(const std::string& projectId);

  store::Store& store_;
  ProjectService& projects_;
  const config::Config& cfg_;
  runtime::ModuleSource modules_;
  std::shared_ptr<spdlog::logger> log_;
  runtime::RuntimeLimits limits_;
  std::shared_ptr<runtime::http::Stats> httpStats_;
  SingleNodeOwnership singleNode_;
  ProjectOwnership* ownership_ = &singleNode_;
  std::filesystem::path logRoot_;

  std::mutex mutex_;
  std::map<std::string, Entry> running_;            // by project id
  std::map<std::string, std::string> slugs_;        // slug → project id
  std::map<std::string, std::shared_ptr<runtime::RunLog>> logs_;
  std::map<std::string, std::shared_ptr<std::mutex>> controls_;  // one start/stop at a time per project
  std::map<std::string, std::uint64_t> launches_;  // runs started per project id since the server started
  std::shared_ptr<std::mutex> controlOf(const std::string& projectId);
};

}  // namespace m3m::service
