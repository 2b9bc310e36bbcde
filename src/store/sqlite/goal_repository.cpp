#include "store/sqlite/goal_repository.hpp"

#include <nlohmann/json.hpp>

#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

constexpr const char* kColumns = "id, project_id, name, slug, full_slug, color, type, description, created_at, updated_at";

domain::Goal readGoal(SQLite::Statement& q) {
  domain::Goal g;
  g.id = q.getColumn(0).getString();
  g.projectId = optionalText(q.getColumn(1));
  g.name = q.getColumn(2).getString();
  g.slug = q.getColumn(3).getString();
  g.fullSlug = q.getColumn(4).getString();
  g.color = optionalText(q.getColumn(5));
  g.type = q.getColumn(6).getString();
  g.description = q.getColumn(7).getString();
  g.createdAt = q.getColumn(8).getString();
  g.updatedAt = q.getColumn(9).getString();
  return g;
}

const std::string kSlugTaken = "a goal with this slug already exists (project goals use {project-slug}-{slug})";

}  // namespace

void SqliteGoalRepository::loadAllowed(SQLite::Database& db, domain::Goal& g) {
  SQLite::Statement q(db, "SELECT project_id FROM goal_allowed_projects WHERE goal_id = ? ORDER BY project_id");
  bindAll(q, g.id);
  while (q.executeStep()) g.allowedProjects.push_back(q.getColumn(0).getString());
}

void SqliteGoalRepository::saveAllowed(SQLite::Database& db, const domain::Goal& g) {
  SQLite::Statement del(db, "DELETE FROM goal_allowed_projects WHERE goal_id = ?");
  bindAll(del, g.id);
  del.exec();
  for (const auto& p : g.allowedProjects) {
    SQLite::Statement ins(db, "INSERT OR IGNORE INTO goal_allowed_projects (goal_id, project_id) VALUES (?, ?)");
    bindAll(ins, g.id, p);
    ins.exec();
  }
}

domain::Page<domain::Goal> SqliteGoalRepository::list(const std::optional<std::string>& projectId,
                                                      const domain::PageRequest& page) {
  domain::Page<domain::Goal> out;
  db_.read([&](SQLite::Database& db) {
    const std::string search = "(?2 = '' OR name LIKE ?3 ESCAPE '\\' OR full_slug LIKE ?3 ESCAPE '\\')";
    if (projectId)
      out = pagedQuery<domain::Goal>(db, page, kColumns, "goals WHERE project_id = ?1 AND " + search, "full_slug", readGoal,
                                     *projectId, page.search, likeContains(page.search));
    else
      out = pagedQuery<domain::Goal>(db, page, kColumns, "goals WHERE project_id IS NULL AND ?1 = ?1 AND " + search,
                                     "full_slug", readGoal, std::string(), page.search, likeContains(page.search));
    for (auto& g : out.items) loadAllowed(db, g);
  });
  return out;
}

std::optional<domain::Goal> SqliteGoalRepository::find(const std::string& id) {
  std::optional<domain::Goal> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM goals WHERE id = ?");
    bindAll(q, id);
    if (q.executeStep()) {
      out = readGoal(q);
      loadAllowed(db, *out);
    }
  });
  return out;
}

std::optional<domain::Goal> SqliteGoalRepository::findBySlug(const std::string& fullSlug) {
  std::optional<domain::Goal> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM goals WHERE full_slug = ?");
    bindAll(q, fullSlug);
    if (q.executeStep()) {
      out = readGoal(q);
      loadAllowed(db, *out);
    }
  });
  return out;
}

void SqliteGoalRepository::create(const domain::Goal& g) {
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "goal_create");
    mapUnique("slug", kSlugTaken, [&] {
      SQLite::Statement q(db, "INSERT INTO goals (id, project_id, name, slug, full_slug, color, type, description, "
                              "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      bindAll(q, g.id, g.projectId, g.name, g.slug, g.fullSlug, g.color, g.type, g.description, g.createdAt, g.updatedAt);
      q.exec();
    });
    saveAllowed(db, g);
    tx.release();
  });
}

bool SqliteGoalRepository::update(const domain::Goal& g) {
  bool changed = false;
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "goal_update");
    mapUnique("slug", kSlugTaken, [&] {
      SQLite::Statement q(db, "UPDATE goals SET name = ?, slug = ?, full_slug = ?, color = ?, type = ?, description = ?, "
                              "updated_at = ? WHERE id = ?");
      bindAll(q, g.name, g.slug, g.fullSlug, g.color, g.type, g.description, g.updatedAt, g.id);
      changed = q.exec() > 0;
    });
    saveAllowed(db, g);
    tx.release();
  });
  return changed;
}

bool SqliteGoalRepository::remove(const std::string& id) {
  bool removed = false;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM goals WHERE id = ?");
    bindAll(q, id);
    removed = q.exec() > 0;
  });
  return removed;
}

void SqliteGoalRepository::renameProjectSlugs(const std::string& projectId, const std::string& newProjectSlug) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("slug", kSlugTaken, [&] {
      SQLite::Statement q(db, "UPDATE goals SET full_slug = ?1 || '-' || slug WHERE project_id = ?2");
      bindAll(q, newProjectSlug, projectId);
      q.exec();
    });
  });
}

void SqliteGoalRepository::addStats(const std::vector<domain::GoalStat>& increments, const std::string& now) {
  if (increments.empty()) return;
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "goal_stats");
    // A goal deleted since the increment was queued: its rows are skipped.
    SQLite::Statement q(db, "INSERT INTO goal_stats (goal_id, project_id, date, value, updated_at) "
                            "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM goals WHERE id = ?1) "
                            "ON CONFLICT (goal_id, date, project_id) DO UPDATE SET value = value + excluded.value, "
                            "updated_at = excluded.updated_at");
    for (const auto& s : increments) {
      q.reset();
      bindAll(q, s.goalId, s.projectId, s.date, s.value, now);
      q.exec();
    }
    tx.release();
  });
}

std::vector<domain::GoalStat> SqliteGoalRepository::stats(const std::vector<std::string>& goalIds,
                                                          const std::string& from, const std::string& to,
                                                          const std::optional<std::string>& projectId) {
  std::vector<domain::GoalStat> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT goal_id, project_id, date, value FROM goal_stats "
                        "WHERE goal_id IN (SELECT value FROM json_each(?1)) AND (date = '' OR date BETWEEN ?2 AND ?3) "
                        "AND (?4 IS NULL OR project_id = ?4) ORDER BY goal_id, date, project_id");
    bindAll(q, nlohmann::json(goalIds).dump(), from, to, projectId);
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getInt64()});
  });
  return out;
}

}  // namespace m3m::store::sqlite
