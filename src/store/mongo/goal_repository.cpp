#include "store/mongo/goal_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensureGoalIndexes(Database&) {}

domain::Page<domain::Goal> MongoGoalRepository::list(const std::optional<std::string>&, const domain::PageRequest&) { notBuilt("MongoGoalRepository::list"); }
std::optional<domain::Goal> MongoGoalRepository::find(const std::string&) { notBuilt("MongoGoalRepository::find"); }
std::optional<domain::Goal> MongoGoalRepository::findBySlug(const std::string&) { notBuilt("MongoGoalRepository::findBySlug"); }
void MongoGoalRepository::create(const domain::Goal&) { notBuilt("MongoGoalRepository::create"); }
bool MongoGoalRepository::update(const domain::Goal&) { notBuilt("MongoGoalRepository::update"); }
bool MongoGoalRepository::remove(const std::string&) { notBuilt("MongoGoalRepository::remove"); }
void MongoGoalRepository::renameProjectSlugs(const std::string&, const std::string&) { notBuilt("MongoGoalRepository::renameProjectSlugs"); }
void MongoGoalRepository::addStats(const std::vector<domain::GoalStat>&, const std::string&) { notBuilt("MongoGoalRepository::addStats"); }
std::vector<domain::GoalStat> MongoGoalRepository::stats(const std::vector<std::string>&, const std::string&, const std::string&, const std::optional<std::string>&) { notBuilt("MongoGoalRepository::stats"); }

}  // namespace m3m::store::mongo
