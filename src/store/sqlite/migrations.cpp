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
