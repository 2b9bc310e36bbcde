#include "store/mongo/goal_repository.hpp"

#include <algorithm>
#include <m3m/error.hpp>
#include <map>
#include <set>

#include "store/mongo/indexes.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;
using namespace util;

constexpr const char* kGoals = "goals";
constexpr const char* kStats = "goal_stats";

const std::string kSlugTaken = "a goal with this slug already exists (project goals use {project-slug}-{slug})";

[[noreturn]] void slugTaken() { throw Error(ErrorCode::CONFLICT, kSlugTaken, {{"slug", "already in use"}}); }

domain::Goal readGoal(const json& d) {
  domain::Goal g;
  g.id = str(d, "_id");
  g.projectId = optStr(d, "project_id");
  g.name = str(d, "name");
  g.slug = str(d, "slug");
  g.fullSlug = str(d, "full_slug");
  g.color = optStr(d, "color");
  g.type = str(d, "type");
  g.description = str(d, "description");
  g.createdAt = str(d, "created_at");
  g.updatedAt = str(d, "updated_at");
  if (auto it = d.find("allowed_projects"); it != d.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_string()) g.allowedProjects.push_back(p.get<std::string>());
  return g;
}

// SQLite's goal_allowed_projects rows, kept in the goal: sorted, no duplicates.
json allowedOf(const domain::Goal& g) {
  std::set<std::string> ids(g.allowedProjects.begin(), g.allowedProjects.end());
  return json(std::vector<std::string>(ids.begin(), ids.end()));
}

// The statistic row's key: goal, date and project (the SQLite primary key).
// Ids and dates never hold a NUL, so the joined key is unambiguous.
std::string statKey(const domain::GoalStat& s) {
  std::string k = s.goalId;
  k += '\x1f';
  k += s.date;
  k += '\x1f';
  k += s.projectId;
  return k;
}

}  // namespace

void ensureGoalIndexes(Database& db) {
  {
    Collection c(db, kGoals);
    c.createIndex(ordered({{"full_slug", 1}}), "goals_full_slug", true);
    c.createIndex(ordered({{"project_id", 1}}), "goals_project", false);
    c.createIndex(ordered({{"allowed_projects", 1}}), "goals_allowed_projects", false);
  }
  Collection(db, kStats).createIndex(ordered({{"goal_id", 1}, {"date", 1}, {"project_id", 1}}), "goal_stats_goal", false);
}

domain::Page<domain::Goal> MongoGoalRepository::list(const std::optional<std::string>& projectId,
                                                     const domain::PageRequest& page) {
  const json search = page.search.empty() ? json() : containsAny({"name", "full_slug"}, page.search);
  return pagedFind<domain::Goal>(db_, kGoals, allOf({json{{"project_id", orNull(projectId)}}, search}),
                                 ordered({{"full_slug", 1}}), json::object(), page, readGoal);
}

std::optional<domain::Goal> MongoGoalRepository::find(const std::string& id) {
  auto d = Collection(db_, kGoals).findOne(toBson({{"_id", id}}));
  if (!d) return std::nullopt;
  return readGoal(*d);
}

std::optional<domain::Goal> MongoGoalRepository::findBySlug(const std::string& fullSlug) {
  auto d = Collection(db_, kGoals).findOne(toBson({{"full_slug", fullSlug}}));
  if (!d) return std::nullopt;
  return readGoal(*d);
}

void MongoGoalRepository::create(const domain::Goal& g) {
  Collection c(db_, kGoals);
  try {
    c.insertOne(toBson({{"_id", g.id},
                        {"project_id", orNull(g.projectId)},
                        {"name", g.name},
                        {"slug", g.slug},
                        {"full_slug", g.fullSlug},
                        {"color", orNull(g.color)},
                        {"type", g.type},
                        {"description", g.description},
                        {"allowed_projects", allowedOf(g)},
                        {"created_at", g.createdAt},
                        {"updated_at", g.updatedAt}}));
  } catch (const DuplicateKey& e) {
    if (violated(e, "goals_full_slug", c, {{"full_slug", g.fullSlug}})) slugTaken();
    throw Error(ErrorCode::CONFLICT, "a goal with this id already exists", {{"id", "already in use"}});
  }
}

bool MongoGoalRepository::update(const domain::Goal& g) {
  auto lock = updates_();
  try {
    return Collection(db_, kGoals)
               .updateOne(toBson({{"_id", g.id}}), toBson({{"$set",
                                                            {{"name", g.name},
                                                             {"slug", g.slug},
                                                             {"full_slug", g.fullSlug},
                                                             {"color", orNull(g.color)},
                                                             {"type", g.type},
                                                             {"description", g.description},
                                                             {"allowed_projects", allowedOf(g)},
                                                             {"updated_at", g.updatedAt}}}})) > 0;
  } catch (const DuplicateKey&) {
    slugTaken();  // full_slug is the goals' only unique field
  }
}

bool MongoGoalRepository::remove(const std::string& id) {
  bool removed = false;
  db_.transaction([&] {
    removed = Collection(db_, kGoals).deleteOne(toBson({{"_id", id}})) > 0;
    Collection(db_, kStats).deleteMany(toBson({{"goal_id", id}}));
  });
  return removed;
}

void MongoGoalRepository::renameProjectSlugs(const std::string& projectId, const std::string& newProjectSlug) {
  // No update-with-pipeline on FerretDB: each goal's full_slug is set on its
  // own. When one is taken the ones already renamed go back, so the project's
  // goals never end half renamed (SQLite's single UPDATE).
  std::vector<json> goals;
  {
    const Bson opts = toBson({{"projection", {{"slug", 1}, {"full_slug", 1}}}});
    goals = Collection(db_, kGoals).find(toBson({{"project_id", projectId}}), opts.get());
  }
  std::vector<const json*> renamed;
  try {
    db_.transaction([&] {
      auto lock = updates_();  // inside: a standalone transaction's lock always comes first
      Collection c(db_, kGoals);  // inside: a transaction's writes go through its own client
      for (const auto& g : goals) {
        const std::string next = newProjectSlug + "-" + str(g, "slug");
        if (next == str(g, "full_slug")) continue;
        c.updateOne(toBson({{"_id", g["_id"]}}), toBson({{"$set", {{"full_slug", next}}}}));
        renamed.push_back(&g);
      }
    });
  } catch (const DuplicateKey&) {
    if (!db_.transactions()) {
      auto lock = updates_();
      Collection c(db_, kGoals);
      for (const json* g : renamed)
        c.updateOne(toBson({{"_id", (*g)["_id"]}}), toBson({{"$set", {{"full_slug", (*g)["full_slug"]}}}}));
    }
    slugTaken();
  }
}

void MongoGoalRepository::addStats(const std::vector<domain::GoalStat>& increments, const std::string& now) {
  auto lock = updates_();
  if (increments.empty()) return;
  Collection goals(db_, kGoals);
  Collection stats(db_, kStats);
  std::set<std::string> touched;
  std::map<std::string, bool> exists;
  for (const auto& s : increments) {
    // A goal deleted since the increment was queued: its rows are skipped.
    auto known = exists.find(s.goalId);
    if (known == exists.end())
      known = exists.emplace(s.goalId, goals.count(toBson({{"_id", s.goalId}})) > 0).first;
    if (!known->second) continue;
    // One atomic $inc with upsert per row: no read-modify-write, no lock.
    const Bson filter = toBson({{"_id", statKey(s)}});
    const Bson update = toBson({{"$inc", {{"value", s.value}}},
                                {"$set", {{"updated_at", now}}},
                                {"$setOnInsert", {{"goal_id", s.goalId}, {"project_id", s.projectId}, {"date", s.date}}}});
    try {
      stats.updateOne(filter, update, true);
    } catch (const DuplicateKey&) {
      stats.updateOne(filter, update, true);  // a concurrent upsert inserted the row first: now it matches
    }
    touched.insert(s.goalId);
  }
  // A goal removed while this batch ran (its stats deleted before our upsert):
  // drop what we wrote for it.
  for (const auto& id : touched)
    if (goals.count(toBson({{"_id", id}})) == 0) stats.deleteMany(toBson({{"goal_id", id}}));
}

std::vector<domain::GoalStat> MongoGoalRepository::stats(const std::vector<std::string>& goalIds,
                                                         const std::string& from, const std::string& to,
                                                         const std::optional<std::string>& projectId) {
  std::vector<domain::GoalStat> out;
  if (goalIds.empty()) return out;
  const json dates = {{"$or", json::array({json{{"date", ""}},
                                           json{{"date", {{"$gte", from}, {"$lte", to}}}}})}};
  const json project = projectId ? json{{"project_id", *projectId}} : json();
  const json filter = allOf({json{{"goal_id", {{"$in", goalIds}}}}, dates, project});
  const Bson opts = sortOptions(ordered({{"goal_id", 1}, {"date", 1}, {"project_id", 1}}));
  for (const auto& d : Collection(db_, kStats).find(toBson(filter), opts.get()))
    out.push_back({str(d, "goal_id"), str(d, "project_id"), str(d, "date"), num(d, "value")});
  return out;
}

}  // namespace m3m::store::mongo
