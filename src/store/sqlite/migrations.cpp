#include "store/sqlite/migrations.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <m3m/error.hpp>
#include <string>

namespace m3m::store::sqlite {
namespace {

constexpr Migration kMigrations[] = {
    {1, "settings", R"sql(
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
)sql"},
    {2, "accounts_projects_env", R"sql(
CREATE TABLE users (
  id                  TEXT PRIMARY KEY,
  email               TEXT NOT NULL UNIQUE,
  name                TEXT NOT NULL DEFAULT '',
  password_hash       TEXT NOT NULL,
  is_root             INTEGER NOT NULL DEFAULT 0 CHECK (is_root IN (0, 1)),
  is_blocked          INTEGER NOT NULL DEFAULT 0 CHECK (is_blocked IN (0, 1)),
  can_create_projects INTEGER NOT NULL DEFAULT 0 CHECK (can_create_projects IN (0, 1)),
  can_manage_users    INTEGER NOT NULL DEFAULT 0 CHECK (can_manage_users IN (0, 1)),
  token_version       INTEGER NOT NULL DEFAULT 0,
  avatar_version      INTEGER NOT NULL DEFAULT 0,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_single_root ON users(is_root) WHERE is_root = 1;

CREATE TABLE sessions (
  id                    TEXT PRIMARY KEY,
  user_id               TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  refresh_hash          TEXT NOT NULL UNIQUE,
  expires_at            TEXT NOT NULL,
  revoked               INTEGER NOT NULL DEFAULT 0,
  created_at            TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

-- Every refresh token a session has rotated away: presenting one again means
-- it was stolen or replayed, whatever its generation.
CREATE TABLE session_used_refresh (
  hash       TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE
) STRICT;
CREATE INDEX session_used_refresh_session ON session_used_refresh(session_id);

CREATE TABLE projects (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  slug           TEXT NOT NULL UNIQUE,
  color          TEXT,
  status         TEXT NOT NULL DEFAULT 'stopped',
  active_release TEXT,
  auto_start     INTEGER NOT NULL DEFAULT 1,
  owner_id       TEXT REFERENCES users(id) ON DELETE SET NULL,
  api_key_hash   TEXT NOT NULL UNIQUE,
  api_key_hint   TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE project_members (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, user_id)
) STRICT;
CREATE INDEX project_members_user ON project_members(user_id);

CREATE TABLE env_values (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  type       TEXT NOT NULL,
  value      TEXT NOT NULL,
  secret     INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (project_id, key)
) STRICT;
)sql"},
    {3, "pipeline", R"sql(
CREATE TABLE branches (
  project_id           TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  code                 TEXT NOT NULL,
  revision             INTEGER NOT NULL,
  created_from_release TEXT,
  parent_branch        TEXT,
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL,
  PRIMARY KEY (project_id, name)
) STRICT;

CREATE TABLE releases (
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  major      INTEGER NOT NULL CHECK (major >= 0),
  minor      INTEGER NOT NULL CHECK (minor >= 0),
  code       TEXT NOT NULL,
  comment    TEXT NOT NULL,
  tag        TEXT NOT NULL,
  branch     TEXT NOT NULL,
  created_by TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, major, minor)
) STRICT;

-- A release's code is frozen forever, whatever code path tries otherwise.
CREATE TRIGGER releases_code_frozen BEFORE UPDATE OF code ON releases
BEGIN
  SELECT RAISE(ABORT, 'release code is frozen');
END;

ALTER TABLE projects ADD COLUMN running_release TEXT;
-- The highest version ever issued: numbers are never reused, even after the
-- newest release is deleted (a version names one frozen code forever).
ALTER TABLE projects ADD COLUMN last_release_major INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN last_release_minor INTEGER NOT NULL DEFAULT 0;
)sql"},
    {4, "models", R"sql(
-- A model's records live in their own table m_<id> (store/sqlite/record_table).
CREATE TABLE models (
  id         TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  definition TEXT NOT NULL CHECK (json_valid(definition)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, name)
) STRICT;
)sql"},
    {5, "goals", R"sql(
-- Global goals (project_id NULL) and project goals in one table; full_slug
-- is the effective slug ({project-slug}-{slug} for project goals).
CREATE TABLE goals (
  id          TEXT PRIMARY KEY,
  project_id  TEXT REFERENCES projects(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL,
  full_slug   TEXT NOT NULL UNIQUE,
  color       TEXT,
  type        TEXT NOT NULL CHECK (type IN ('counter', 'daily_counter')),
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX goals_project ON goals(project_id);

CREATE TABLE goal_allowed_projects (
  goal_id    TEXT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  PRIMARY KEY (goal_id, project_id)
) STRICT;

-- date is YYYY-MM-DD for daily counters and '' for counters.
CREATE TABLE goal_stats (
  goal_id    TEXT NOT NULL REFERENCES goals(id) ON DELETE CASCADE,
  project_id TEXT NOT NULL,
  date       TEXT NOT NULL,
  value      INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (goal_id, date, project_id)
) STRICT;
)sql"},
    {6, "storage_links", R"sql(
-- Public links to project files; only the SHA-256 of the token is kept.
CREATE TABLE storage_links (
  token_hash TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  path       TEXT NOT NULL,
  token_hint TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX storage_links_project_path ON storage_links(project_id, path);
)sql"},
    {7, "user_language", R"sql(
-- The admin UI's language chosen in the profile ('' = the browser's).
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
)sql"},
};

void ensureTable(SQLite::Database& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
}

}  // namespace

std::span<const Migration> builtinMigrations() { return kMigrations; }

int currentVersion(SQLite::Database& db) {
  ensureTable(db);
  SQLite::Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  q.executeStep();
  return q.getColumn(0).getInt();
}

int migrate(SQLite::Database& db, std::span<const Migration> migrations) {
  int previous = 0;
  for (const auto& m : migrations) {
    if (m.version <= previous)
      throw Error(ErrorCode::INTERNAL, "migration list out of order at version " + std::to_string(m.version));
    previous = m.version;
  }
  int version = currentVersion(db);
  int newest = migrations.empty() ? 0 : migrations.back().version;
  if (version > newest)
    throw Error(ErrorCode::UNAVAILABLE, "the database schema is version " + std::to_string(version) +
                                            " but this m3m knows only up to " + std::to_string(newest) +
                                            ": it was written by a newer m3m; upgrade the binary");
  for (const auto& m : migrations) {
    if (m.version <= version) continue;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    try {
      db.exec(std::string(m.sql));
    } catch (const SQLite::Exception& e) {
      throw Error(ErrorCode::INTERNAL,
                  "migration " + std::to_string(m.version) + " (" + std::string(m.name) + ") failed: " + e.what());
    }
    SQLite::Statement ins(db,
                          "INSERT INTO schema_migrations(version, name, applied_at) "
                          "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
    ins.bind(1, m.version);
    ins.bind(2, std::string(m.name));
    ins.exec();
    tx.commit();
    version = m.version;
  }
  return version;
}

}  // namespace m3m::store::sqlite
