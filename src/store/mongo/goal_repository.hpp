#pragma once

#include "store/goal_repository.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {

class MongoGoalRepository final : public GoalRepository {
 public:
  explicit MongoGoalRepository(Database& db) : db_(db) {}
  domain::Page<domain::Goal> list(const std::optional<std::string>& projectId, const domain::PageRequest& page) override;
  std::optional<domain::Goal> find(const std::string& id) override;
  std::optional<domain::Goal> findBySlug(const std::string& fullSlug) override;
  void create(const domain::Goal& g) override;
  bool update(const domain::Goal& g) override;
  bool remove(const std::string& id) override;
  void renameProjectSlugs(const std::string& projectId, const std::string& newProjectSlug) override;
  void addStats(const std::vector<domain::GoalStat>& increments, const std::string& now) override;
  std::vector<domain::GoalStat> stats(const std::vector<std::string>& goalIds, const std::string& from,
                                      const std::string& to, const std::optional<std::string>& projectId) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

}  // namespace m3m::store::mongo
