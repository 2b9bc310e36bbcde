#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/goal.hpp"
#include "domain/page.hpp"

namespace m3m::store {

class GoalRepository {
 public:
  virtual ~GoalRepository() = default;
  // projectId nullopt: global goals; else that project's goals.
  virtual domain::Page<domain::Goal> list(const std::optional<std::string>& projectId, const domain::PageRequest& page) = 0;
  virtual std::optional<domain::Goal> find(const std::string& id) = 0;
  virtual std::optional<domain::Goal> findBySlug(const std::string& fullSlug) = 0;
  // CONFLICT (fields.slug) when the effective slug is taken.
  virtual void create(const domain::Goal& g) = 0;
  virtual bool update(const domain::Goal& g) = 0;
  virtual bool remove(const std::string& id) = 0;
  // A project's slug changed: its goals' effective slugs follow.
  virtual void renameProjectSlugs(const std::string& projectId, const std::string& newProjectSlug) = 0;
  // Adds every value to the stored totals (one row per goal/project/date).
  virtual void addStats(const std::vector<domain::GoalStat>& increments, const std::string& now) = 0;
  // Rows of these goals; daily rows only within [from, to] (inclusive);
  // counters (date "") always. projectId filters when given.
  virtual std::vector<domain::GoalStat> stats(const std::vector<std::string>& goalIds, const std::string& from,
                                              const std::string& to, const std::optional<std::string>& projectId) = 0;
};

}  // namespace m3m::store
