#include "store/sqlite/storage_link_repository.hpp"

#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

constexpr const char* kColumns = "token_hash, project_id, path, token_hint, created_at";

StorageLink readLink(SQLite::Statement& q) {
  return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          q.getColumn(3).getString(), q.getColumn(4).getString()};
}

// "path" itself or anything below it ("path/…"), with LIKE wildcards escaped.
constexpr const char* kUnder = "(path = ?2 OR path LIKE ?3 ESCAPE '\\')";

std::string belowPattern(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "/%";
}

}  // namespace

void SqliteStorageLinkRepository::create(const StorageLink& l) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "INSERT INTO storage_links (token_hash, project_id, path, token_hint, created_at) VALUES (?, ?, ?, ?, ?)");
    bindAll(q, l.tokenHash, l.projectId, l.path, l.tokenHint, l.createdAt);
    q.exec();
  });
}

std::optional<StorageLink> SqliteStorageLinkRepository::findByHash(const std::string& tokenHash) {
  std::optional<StorageLink> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM storage_links WHERE token_hash = ?");
    bindAll(q, tokenHash);
    if (q.executeStep()) out = readLink(q);
  });
  return out;
}

domain::Page<StorageLink> SqliteStorageLinkRepository::list(const std::string& projectId, const domain::PageRequest& page) {
  domain::Page<StorageLink> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<StorageLink>(db, page, kColumns, "storage_links WHERE project_id = ?1", "created_at, token_hash",
                                  readLink, projectId);
  });
  return out;
}

bool SqliteStorageLinkRepository::remove(const std::string& projectId, const std::string& tokenHash) {
  bool removed = false;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM storage_links WHERE project_id = ? AND token_hash = ?");
    bindAll(q, projectId, tokenHash);
    removed = q.exec() > 0;
  });
  return removed;
}

bool SqliteStorageLinkRepository::removeById(const std::string& projectId, const std::string& linkId) {
  bool removed = false;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM storage_links WHERE project_id = ? AND substr(token_hash, 1, ?) = ?");
    bindAll(q, projectId, static_cast<int>(kLinkIdLength), linkId);
    removed = q.exec() > 0;
  });
  return removed;
}

void SqliteStorageLinkRepository::move(const std::string& projectId, const std::string& from, const std::string& to) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("UPDATE storage_links SET path = ?4 || substr(path, length(?2) + 1) "
                                        "WHERE project_id = ?1 AND ") + kUnder);
    bindAll(q, projectId, from, belowPattern(from), to);
    q.exec();
  });
}

void SqliteStorageLinkRepository::removeUnder(const std::string& projectId, const std::string& path) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("DELETE FROM storage_links WHERE project_id = ?1 AND ") + kUnder);
    bindAll(q, projectId, path, belowPattern(path));
    q.exec();
  });
}

}  // namespace m3m::store::sqlite
