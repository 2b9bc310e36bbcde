#include "store/sqlite/user_repository.hpp"

#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

constexpr const char* kUserColumns =
    "id, email, name, password_hash, is_root, is_blocked, can_create_projects, can_manage_users, "
    "token_version, avatar_version, created_at, updated_at, language";

domain::User readUser(SQLite::Statement& q) {
  domain::User u;
  u.id = q.getColumn(0).getString();
  u.email = q.getColumn(1).getString();
  u.name = q.getColumn(2).getString();
  u.passwordHash = q.getColumn(3).getString();
  u.isRoot = q.getColumn(4).getInt() != 0;
  u.isBlocked = q.getColumn(5).getInt() != 0;
  u.canCreateProjects = q.getColumn(6).getInt() != 0;
  u.canManageUsers = q.getColumn(7).getInt() != 0;
  u.tokenVersion = q.getColumn(8).getInt();
  u.avatarVersion = q.getColumn(9).getInt();
  u.createdAt = q.getColumn(10).getString();
  u.updatedAt = q.getColumn(11).getString();
  u.language = q.getColumn(12).getString();
  return u;
}

constexpr const char* kSessionColumns =
    "id, user_id, refresh_hash, expires_at, revoked, created_at";

domain::Session readSession(SQLite::Statement& q) {
  domain::Session s;
  s.id = q.getColumn(0).getString();
  s.userId = q.getColumn(1).getString();
  s.refreshHash = q.getColumn(2).getString();
  s.expiresAt = q.getColumn(3).getString();
  s.revoked = q.getColumn(4).getInt() != 0;
  s.createdAt = q.getColumn(5).getString();
  return s;
}

}  // namespace

void SqliteUserRepository::create(const domain::User& u) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("email", "a user with this email already exists", [&] {
      SQLite::Statement q(db, std::string("INSERT INTO users(") + kUserColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
      bindAll(q, u.id, u.email, u.name, u.passwordHash, u.isRoot, u.isBlocked, u.canCreateProjects, u.canManageUsers,
              u.tokenVersion, u.avatarVersion, u.createdAt, u.updatedAt, u.language);
      q.exec();
    });
  });
}

std::optional<domain::User> SqliteUserRepository::findOne(const std::string& where, const std::string& arg) {
  std::optional<domain::User> out;
  db_.read([&](SQLite::Database& db) {
    auto st = db_.prepare(db, std::string("SELECT ") + kUserColumns + " FROM users WHERE " + where);
    auto& q = *st;
    if (!arg.empty() || where.find("?1") != std::string::npos) bindAll(q, arg);
    if (q.executeStep()) out = readUser(q);
  });
  return out;
}

std::optional<domain::User> SqliteUserRepository::findById(const std::string& id) { return findOne("id = ?1", id); }
std::optional<domain::User> SqliteUserRepository::findByEmail(const std::string& email) {
  return findOne("email = ?1", email);
}
std::optional<domain::User> SqliteUserRepository::findRoot() { return findOne("is_root = 1", ""); }

bool SqliteUserRepository::update(const domain::User& u) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    mapUnique("email", "a user with this email already exists", [&] {
      SQLite::Statement q(db,
                          "UPDATE users SET email = ?2, name = ?3, password_hash = ?4, is_blocked = ?5, "
                          "can_create_projects = ?6, can_manage_users = ?7, token_version = ?8, avatar_version = ?9, "
                          "updated_at = ?10, language = ?11 WHERE id = ?1");
      bindAll(q, u.id, u.email, u.name, u.passwordHash, u.isBlocked, u.canCreateProjects, u.canManageUsers,
              u.tokenVersion, u.avatarVersion, u.updatedAt, u.language);
      changed = q.exec();
    });
  });
  return changed > 0;
}

bool SqliteUserRepository::remove(const std::string& id) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM users WHERE id = ?1");
    bindAll(q, id);
    changed = q.exec();
  });
  return changed > 0;
}

domain::Page<domain::User> SqliteUserRepository::list(const domain::PageRequest& page) {
  std::optional<std::string> pattern;
  if (!page.search.empty()) pattern = likeContains(page.search);
  domain::Page<domain::User> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::User>(db, page, kUserColumns,
                                   "users WHERE (?1 IS NULL OR email LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\')",
                                   "created_at, id", readUser, pattern);
  });
  return out;
}

void SqliteSessionRepository::create(const domain::Session& s) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO sessions(id, user_id, refresh_hash, expires_at, revoked, created_at) "
                        "VALUES (?1, ?2, ?3, ?4, 0, ?5)");
    bindAll(q, s.id, s.userId, s.refreshHash, s.expiresAt, s.createdAt);
    q.exec();
  });
}

std::optional<domain::Session> SqliteSessionRepository::findOne(const char* column, const std::string& arg) {
  std::optional<domain::Session> out;
  db_.read([&](SQLite::Database& db) {
    auto st = db_.prepare(db, std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE " + column + " = ?1");
    auto& q = *st;
    bindAll(q, arg);
    if (q.executeStep()) out = readSession(q);
  });
  return out;
}

std::optional<domain::Session> SqliteSessionRepository::findById(const std::string& id) { return findOne("id", id); }
std::optional<domain::Session> SqliteSessionRepository::findByRefreshHash(const std::string& h) {
  return findOne("refresh_hash", h);
}
std::optional<domain::Session> SqliteSessionRepository::findByUsedRefreshHash(const std::string& h) {
  std::optional<domain::Session> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kSessionColumns +
                                " FROM sessions WHERE id = (SELECT session_id FROM session_used_refresh WHERE hash = ?1)");
    bindAll(q, h);
    if (q.executeStep()) out = readSession(q);
  });
  return out;
}

bool SqliteSessionRepository::rotate(const std::string& id, const std::string& expected, const std::string& next,
                                     const std::string& expiresAt) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE sessions SET refresh_hash = ?3, expires_at = ?4 "
                        "WHERE id = ?1 AND refresh_hash = ?2 AND revoked = 0");
    bindAll(q, id, expected, next, expiresAt);
    changed = q.exec();
    if (changed > 0) {
      SQLite::Statement used(db, "INSERT OR IGNORE INTO session_used_refresh(hash, session_id) VALUES (?1, ?2)");
      bindAll(used, expected, id);
      used.exec();
    }
  });
  return changed > 0;
}

void SqliteSessionRepository::revoke(const std::string& id) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE sessions SET revoked = 1 WHERE id = ?1");
    bindAll(q, id);
    q.exec();
  });
}

void SqliteSessionRepository::revokeAllOf(const std::string& userId) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE sessions SET revoked = 1 WHERE user_id = ?1");
    bindAll(q, userId);
    q.exec();
  });
}

}  // namespace m3m::store::sqlite
