#include "store/sqlite/project_repository.hpp"

#include "lib/random.hpp"
#include "store/sqlite/model_repository.hpp"
#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

constexpr const char* kProjectColumns =
    "id, name, slug, color, status, active_release, auto_start, COALESCE(owner_id, ''), api_key_hash, api_key_hint, "
    "created_at, updated_at, running_release";

domain::Project readProject(SQLite::Statement& q) {
  domain::Project p;
  p.id = q.getColumn(0).getString();
  p.name = q.getColumn(1).getString();
  p.slug = q.getColumn(2).getString();
  p.color = optionalText(q.getColumn(3));
  p.status = q.getColumn(4).getString();
  p.activeRelease = optionalText(q.getColumn(5));
  p.autoStart = q.getColumn(6).getInt() != 0;
  p.ownerId = q.getColumn(7).getString();
  p.apiKeyHash = q.getColumn(8).getString();
  p.apiKeyHint = q.getColumn(9).getString();
  p.createdAt = q.getColumn(10).getString();
  p.updatedAt = q.getColumn(11).getString();
  p.runningRelease = optionalText(q.getColumn(12));
  return p;
}

std::optional<std::string> nullIfEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

constexpr const char* kEnvColumns = "project_id, key, type, value, secret, created_at, updated_at";

domain::EnvValue readEnv(SQLite::Statement& q) {
  domain::EnvValue v;
  v.projectId = q.getColumn(0).getString();
  v.key = q.getColumn(1).getString();
  v.type = q.getColumn(2).getString();
  v.valueJson = q.getColumn(3).getString();
  v.secret = q.getColumn(4).getInt() != 0;
  v.createdAt = q.getColumn(5).getString();
  v.updatedAt = q.getColumn(6).getString();
  return v;
}

}  // namespace

void SqliteProjectRepository::create(const domain::Project& p) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("slug", "a project with this slug already exists", [&] {
      SQLite::Statement q(db, std::string("INSERT INTO projects(") +
                                  "id, name, slug, color, status, active_release, auto_start, owner_id, api_key_hash, "
                                  "api_key_hint, created_at, updated_at) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      bindAll(q, p.id, p.name, p.slug, p.color, p.status, p.activeRelease, p.autoStart, nullIfEmpty(p.ownerId),
              p.apiKeyHash, p.apiKeyHint, p.createdAt, p.updatedAt);
      q.exec();
    });
  });
}

std::optional<domain::Project> SqliteProjectRepository::findOne(const char* column, const std::string& arg) {
  std::optional<domain::Project> out;
  db_.read([&](SQLite::Database& db) {
    auto st = db_.prepare(db, std::string("SELECT ") + kProjectColumns + " FROM projects WHERE " + column + " = ?1");
    auto& q = *st;
    bindAll(q, arg);
    if (q.executeStep()) out = readProject(q);
  });
  return out;
}

std::optional<domain::Project> SqliteProjectRepository::findById(const std::string& id) { return findOne("id", id); }
std::optional<domain::Project> SqliteProjectRepository::findBySlug(const std::string& slug) {
  return findOne("slug", slug);
}

std::vector<domain::Project> SqliteProjectRepository::listAutoStart() {
  std::vector<domain::Project> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kProjectColumns +
                                " FROM projects WHERE status = 'running' AND auto_start = 1 ORDER BY created_at");
    while (q.executeStep()) out.push_back(readProject(q));
  });
  return out;
}

void SqliteProjectRepository::setRunState(const std::string& id, const std::string& status,
                                          const std::optional<std::string>& runningRelease) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE projects SET status = ?2, running_release = ?3 WHERE id = ?1");
    bindAll(q, id, status, runningRelease);
    q.exec();
  });
}

std::optional<domain::Project> SqliteProjectRepository::findByApiKeyHash(const std::string& h) {
  return findOne("api_key_hash", h);
}

bool SqliteProjectRepository::update(const domain::Project& p) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    mapUnique("slug", "a project with this slug already exists", [&] {
      SQLite::Statement q(db,
                          "UPDATE projects SET name = ?2, slug = ?3, color = ?4, status = ?5, active_release = ?6, "
                          "auto_start = ?7, api_key_hash = ?8, api_key_hint = ?9, updated_at = ?10 WHERE id = ?1");
      bindAll(q, p.id, p.name, p.slug, p.color, p.status, p.activeRelease, p.autoStart, p.apiKeyHash, p.apiKeyHint,
              p.updatedAt);
      changed = q.exec();
    });
  });
  return changed > 0;
}

bool SqliteProjectRepository::remove(const std::string& id) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "project_remove");
    dropProjectModelTables(db, id);
    SQLite::Statement q(db, "DELETE FROM projects WHERE id = ?1");
    bindAll(q, id);
    changed = q.exec();
    tx.release();
  });
  return changed > 0;
}

domain::Page<domain::Project> SqliteProjectRepository::list(const domain::PageRequest& page,
                                                            const std::optional<std::string>& memberOf) {
  // ?1 = search pattern or NULL, ?2 = member user id or NULL: one statement, always bound.
  std::optional<std::string> pattern;
  if (!page.search.empty()) pattern = likeContains(page.search);
  domain::Page<domain::Project> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::Project>(
        db, page, kProjectColumns,
        "projects WHERE (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR slug LIKE ?1 ESCAPE '\\')"
        " AND (?2 IS NULL OR id IN (SELECT project_id FROM project_members WHERE user_id = ?2))",
        "created_at DESC, id", readProject, pattern, memberOf);
  });
  return out;
}

bool SqliteProjectRepository::isMember(const std::string& projectId, const std::string& userId) {
  bool found = false;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT 1 FROM project_members WHERE project_id = ?1 AND user_id = ?2");
    bindAll(q, projectId, userId);
    found = q.executeStep();
  });
  return found;
}

void SqliteProjectRepository::addMember(const std::string& projectId, const std::string& userId) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO project_members(project_id, user_id, created_at) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT DO NOTHING");
    bindAll(q, projectId, userId, lib::nowIso());
    q.exec();
  });
}

bool SqliteProjectRepository::removeMember(const std::string& projectId, const std::string& userId) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM project_members WHERE project_id = ?1 AND user_id = ?2");
    bindAll(q, projectId, userId);
    changed = q.exec();
  });
  return changed > 0;
}

std::vector<MemberRow> SqliteProjectRepository::members(const std::string& projectId) {
  std::vector<MemberRow> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "SELECT u.id, u.email, u.name, m.created_at FROM project_members m JOIN users u ON u.id = "
                        "m.user_id WHERE m.project_id = ?1 ORDER BY m.created_at, u.email");
    bindAll(q, projectId);
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString()});
  });
  return out;
}

std::vector<std::string> SqliteProjectRepository::projectIdsOf(const std::string& userId) {
  std::vector<std::string> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT project_id FROM project_members WHERE user_id = ?1 ORDER BY created_at");
    bindAll(q, userId);
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  });
  return out;
}

domain::Page<domain::EnvValue> SqliteEnvRepository::list(const std::string& projectId,
                                                         const domain::PageRequest& page) {
  std::optional<std::string> pattern;
  if (!page.search.empty()) pattern = likeContains(page.search);
  domain::Page<domain::EnvValue> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::EnvValue>(db, page, kEnvColumns,
                                       "env_values WHERE project_id = ?1 AND (?2 IS NULL OR key LIKE ?2 ESCAPE '\\')",
                                       "key", readEnv, projectId, pattern);
  });
  return out;
}

std::optional<domain::EnvValue> SqliteEnvRepository::find(const std::string& projectId, const std::string& key) {
  std::optional<domain::EnvValue> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kEnvColumns + " FROM env_values WHERE project_id = ?1 AND key = ?2");
    bindAll(q, projectId, key);
    if (q.executeStep()) out = readEnv(q);
  });
  return out;
}

void SqliteEnvRepository::create(const domain::EnvValue& v) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("key", "an environment value with this key already exists", [&] {
      SQLite::Statement q(db, std::string("INSERT INTO env_values(") + kEnvColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      bindAll(q, v.projectId, v.key, v.type, v.valueJson, v.secret, v.createdAt, v.updatedAt);
      q.exec();
    });
  });
}

bool SqliteEnvRepository::update(const domain::EnvValue& v) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE env_values SET type = ?3, value = ?4, secret = ?5, updated_at = ?6 "
                        "WHERE project_id = ?1 AND key = ?2");
    bindAll(q, v.projectId, v.key, v.type, v.valueJson, v.secret, v.updatedAt);
    changed = q.exec();
  });
  return changed > 0;
}

bool SqliteEnvRepository::remove(const std::string& projectId, const std::string& key) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM env_values WHERE project_id = ?1 AND key = ?2");
    bindAll(q, projectId, key);
    changed = q.exec();
  });
  return changed > 0;
}

}  // namespace m3m::store::sqlite
