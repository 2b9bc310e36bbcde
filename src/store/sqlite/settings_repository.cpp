#include "store/sqlite/settings_repository.hpp"

#include <SQLiteCpp/Statement.h>

namespace m3m::store::sqlite {

std::optional<std::string> SqliteSettingsRepository::get(const std::string& key) {
  std::optional<std::string> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT value FROM settings WHERE key = ?1");
    q.bind(1, key);
    if (q.executeStep()) out = q.getColumn(0).getString();
  });
  return out;
}

void SqliteSettingsRepository::set(const std::string& key, const std::string& value) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "INSERT INTO settings(key, value, updated_at) "
                        "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    q.bind(1, key);
    q.bind(2, value);
    q.exec();
  });
}

std::string SqliteSettingsRepository::setIfAbsent(const std::string& key, const std::string& value) {
  std::string stored = value;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement insert(db,
                             "INSERT INTO settings(key, value, updated_at) "
                             "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT(key) DO NOTHING");
    insert.bind(1, key);
    insert.bind(2, value);
    insert.exec();
    SQLite::Statement q(db, "SELECT value FROM settings WHERE key = ?1");
    q.bind(1, key);
    if (q.executeStep()) stored = q.getColumn(0).getString();
  });
  return stored;
}

bool SqliteSettingsRepository::remove(const std::string& key) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM settings WHERE key = ?1");
    q.bind(1, key);
    changed = q.exec();
  });
  return changed > 0;
}

std::vector<Setting> SqliteSettingsRepository::list() {
  std::vector<Setting> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT key, value, updated_at FROM settings ORDER BY key");
    while (q.executeStep())
      out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()});
  });
  return out;
}

}  // namespace m3m::store::sqlite
