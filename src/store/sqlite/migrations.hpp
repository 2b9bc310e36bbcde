// Versioned schema migrations, recorded in schema_migrations and applied at start.
#pragma once

#include <SQLiteCpp/Database.h>

#include <span>
#include <string_view>

namespace m3m::store::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// The product's migrations, in order. Append only: never edit a released one.
std::span<const Migration> builtinMigrations();

// Applies every migration newer than the database's version, each in its own
// transaction. Refuses (m3m::Error) a database written by a newer m3m, or a
// migration list that is not strictly increasing. Returns the final version.
int migrate(SQLite::Database& db, std::span<const Migration> migrations);

int currentVersion(SQLite::Database& db);

}  // namespace m3m::store::sqlite
