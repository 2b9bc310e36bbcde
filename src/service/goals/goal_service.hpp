// Goals (analytics counters): global and project goals, their statistics,
// and increments from the runtime. Increments are coalesced in memory and
// written in one transaction per flush (every `flushInterval`, on stats
// reads and on stop), so a burst of thousands of increments costs a few
// writes; stop() flushes what is pending, so a graceful shutdown loses none.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "domain/goal.hpp"
#include "domain/page.hpp"
#include "service/auth/principal.hpp"
#include "service/projects.hpp"
#include "service/validation.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct GoalInput {
  std::optional<std::string> name, slug, type, description;
  std::optional<std::optional<std::string>> color;  // set to null clears
  std::optional<std::vector<std::string>> allowedProjects;
};

struct GoalStatsQuery {
  std::vector<std::string> goalIds;  // empty: every goal the caller can see (global ones)
  std::string from, to;              // YYYY-MM-DD, inclusive; default: the last 30 days
  std::optional<std::string> projectId;
};

class GoalService {
 public:
  GoalService(store::Store& store, ProjectService& projects,
              std::chrono::milliseconds flushInterval = std::chrono::milliseconds(200));
  ~GoalService();

  // projectId nullopt: global goals (any user may read; root manages them).
  domain::Page<domain::Goal> list(const Principal& who, const std::optional<std::string>& projectId,
                                  const domain::PageRequest& page);
  domain::Goal get(const Principal& who, const std::string& goalId);
  domain::Goal create(const Principal& who, const std::optional<std::string>& projectId, const GoalInput& in);
  domain::Goal update(const Principal& who, const std::optional<std::string>& projectId, const std::string& goalId,
                      const GoalInput& in);
  void remove(const Principal& who, const std::optional<std::string>& projectId, const std::string& goalId);
  nlohmann::json stats(const Principal& who, GoalStatsQuery q);

  // The runtime: the project's own goal by short slug, or an allowed global
  // goal by its slug. NOT_FOUND / PERMISSION_DENIED otherwise.
  void increment(const std::string& projectId, const std::string& slug, std::int64_t value);
  // goals.increment calls of the project (that named a goal) since the server started (metrics).
  std::uint64_t incrementsOf(const std::string& projectId);
  // Writes every pending increment now.
  void flush();
  // Flushes and stops the background writer (idempotent).
  void stop();

 private:
  struct Resolved {
    std::string goalId;
    bool daily = false;
  };
  Resolved resolve(const std::string& projectId, const std::string& slug);
  domain::Goal requireGoal(const Principal& who, const std::optional<std::string>& projectId, const std::string& goalId,
                           bool write);
  void forgetResolved();
  void readAllowedProjects(domain::Goal& g, const GoalInput& in, Validation& v);
  void writerLoop();

  store::Store& store_;
  ProjectService& projects_;
  std::chrono::milliseconds flushInterval_;

  std::mutex pendingMutex_;
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> pending_;  // (goal, project, date) → sum
  std::map<std::string, std::uint64_t, std::less<>> increments_;  // project id → calls (under pendingMutex_)
  std::mutex flushMutex_;  // one flush at a time: a reader never sees a half-applied batch

  std::mutex resolveMutex_;
  std::unordered_map<std::string, Resolved> resolved_;  // projectId + '\n' + slug
  std::uint64_t resolveGeneration_ = 0;

  std::mutex wakeMutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace m3m::service
