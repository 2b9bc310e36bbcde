#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace m3m::domain {

// An analytics counter: `counter` keeps one total, `daily_counter` a value
// per UTC day. A project goal belongs to one project (its effective slug is
// "{project-slug}-{slug}"); a global goal has no project and a list of
// projects allowed to write to it.
struct Goal {
  std::string id;
  std::optional<std::string> projectId;  // nullopt: global
  std::string name;
  std::string slug;      // as given
  std::string fullSlug;  // effective, unique across all goals
  std::optional<std::string> color;
  std::string type = "counter";  // counter | daily_counter
  std::string description;
  std::vector<std::string> allowedProjects;  // global goals only
  std::string createdAt;
  std::string updatedAt;
};

// One increment batch entry / one stored statistic row. `date` is
// "YYYY-MM-DD" for daily counters and "" for counters.
struct GoalStat {
  std::string goalId;
  std::string projectId;
  std::string date;
  std::int64_t value = 0;
};

}  // namespace m3m::domain
