#include "store/sqlite/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <m3m/error.hpp>

using namespace m3m;
using namespace m3m::store::sqlite;

namespace {

SQLite::Database memory() { return SQLite::Database(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }

constexpr Migration kTwo[] = {
    {1, "a", "CREATE TABLE a (x INTEGER) STRICT;"},
    {2, "b", "CREATE TABLE b (y TEXT) STRICT;"},
};

}  // namespace

TEST(Migrations, AppliesAllAndRecordsThem) {
  auto db = memory();
  EXPECT_EQ(migrate(db, kTwo), 2);
  EXPECT_EQ(currentVersion(db), 2);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(), 2);
  EXPECT_EQ(db.execAndGet("SELECT name FROM schema_migrations WHERE version = 2").getString(), "b");
  EXPECT_TRUE(db.tableExists("a"));
  EXPECT_TRUE(db.tableExists("b"));
}

TEST(Migrations, SecondRunIsANoOp) {
  auto db = memory();
  migrate(db, kTwo);
  EXPECT_EQ(migrate(db, kTwo), 2);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(), 2);
}

TEST(Migrations, AppliesOnlyNewOnes) {
  auto db = memory();
  migrate(db, std::span(kTwo).first(1));
  EXPECT_EQ(currentVersion(db), 1);
  EXPECT_EQ(migrate(db, kTwo), 2);
}

TEST(Migrations, FailedMigrationRollsBackAndIsNotRecorded) {
  auto db = memory();
  constexpr Migration bad[] = {
      {1, "ok", "CREATE TABLE ok (x INTEGER) STRICT;"},
      {2, "broken", "CREATE TABLE half (x INTEGER) STRICT; THIS IS NOT SQL;"},
  };
  EXPECT_THROW(migrate(db, bad), Error);
  EXPECT_EQ(currentVersion(db), 1);
  EXPECT_FALSE(db.tableExists("half")) << "the failed migration left nothing behind";
}

TEST(Migrations, RefusesADatabaseFromANewerM3m) {
  auto db = memory();
  migrate(db, kTwo);
  try {
    migrate(db, std::span(kTwo).first(1));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("newer m3m"), std::string::npos);
  }
}

TEST(Migrations, RefusesOutOfOrderLists) {
  auto db = memory();
  constexpr Migration unordered[] = {{2, "b", "SELECT 1;"}, {1, "a", "SELECT 1;"}};
  EXPECT_THROW(migrate(db, unordered), Error);
}

TEST(Migrations, BuiltinListIsStrictlyIncreasing) {
  int prev = 0;
  for (const auto& m : builtinMigrations()) {
    EXPECT_GT(m.version, prev);
    prev = m.version;
  }
  EXPECT_GE(prev, 1);
}
