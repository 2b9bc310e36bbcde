#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>
#include <m3m/error.hpp>
#include <thread>

#include "config/config.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace m3m;

namespace {

config::DatabaseConfig dbAt(const std::string& path) {
  config::DatabaseConfig c;
  c.path = path;
  return c;
}

}  // namespace

TEST(SqliteStore, CreatesTheFileAndFolderInWalMode) {
  TempDir dir;
  auto path = dir.file("nested/deeper/m3m.db");
  auto store = store::openStore(dbAt(path));
  EXPECT_EQ(store->driver(), "sqlite");
  EXPECT_TRUE(store->healthy());
  EXPECT_TRUE(std::filesystem::exists(path));
  SQLite::Database raw(path);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_GE(store->schemaVersion(), 1);
}

TEST(SqliteStore, SettingsRoundTrip) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  auto& s = store->repos().settings();
  EXPECT_FALSE(s.get("a").has_value());
  s.set("a", "1");
  s.set("b", "two");
  s.set("a", "one");  // upsert
  EXPECT_EQ(s.get("a"), "one");
  auto all = s.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].key, "a");
  EXPECT_FALSE(all[0].updatedAt.empty());
  EXPECT_TRUE(s.remove("a"));
  EXPECT_FALSE(s.remove("a"));
  EXPECT_FALSE(s.get("a").has_value());
}

TEST(SqliteStore, ValuesAreBoundNotSpliced) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  std::string evil = "x'); DROP TABLE settings; --";
  store->repos().settings().set(evil, evil);
  EXPECT_EQ(store->repos().settings().get(evil), evil);
  EXPECT_EQ(store->repos().settings().list().size(), 1u);
}

TEST(SqliteStore, TransactionCommits) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  store->transaction([](store::Repositories& r) {
    r.settings().set("x", "1");
    EXPECT_EQ(r.settings().get("x"), "1") << "a transaction sees its own writes";
    r.settings().set("y", "2");
  });
  EXPECT_EQ(store->repos().settings().get("x"), "1");
  EXPECT_EQ(store->repos().settings().get("y"), "2");
}

TEST(SqliteStore, TransactionRollsBackOnException) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  store->repos().settings().set("keep", "old");
  EXPECT_THROW(store->transaction([](store::Repositories& r) {
    r.settings().set("keep", "new");
    r.settings().set("other", "1");
    throw std::runtime_error("business rule failed");
  }),
               std::runtime_error);
  EXPECT_EQ(store->repos().settings().get("keep"), "old");
  EXPECT_FALSE(store->repos().settings().get("other").has_value());
}

TEST(SqliteStore, NestedTransactionRollsBackOnlyItsPart) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  store->transaction([&](store::Repositories& r) {
    r.settings().set("outer", "1");
    EXPECT_THROW(store->transaction([](store::Repositories& inner) {
      inner.settings().set("inner", "1");
      throw std::runtime_error("inner fails");
    }),
                 std::runtime_error);
    EXPECT_FALSE(r.settings().get("inner").has_value());
  });
  EXPECT_EQ(store->repos().settings().get("outer"), "1");
  EXPECT_FALSE(store->repos().settings().get("inner").has_value());
}

TEST(SqliteStore, ConcurrentWritersAndReadersAreSafe) {
  TempDir dir;
  auto store = store::openStore(dbAt(dir.file("m3m.db")));
  store->repos().settings().set("counter", "0");
  constexpr int kThreads = 8, kIncrements = 50;
  std::vector<std::thread> threads;
  std::atomic<int> readErrors{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        store->transaction([](store::Repositories& r) {
          int v = std::stoi(*r.settings().get("counter"));
          r.settings().set("counter", std::to_string(v + 1));
        });
        try {
          (void)store->repos().settings().get("counter");
        } catch (...) {
          ++readErrors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store->repos().settings().get("counter"), std::to_string(kThreads * kIncrements));
  EXPECT_EQ(readErrors.load(), 0);
}

TEST(SqliteStore, DataSurvivesReopen) {
  TempDir dir;
  auto path = dir.file("m3m.db");
  {
    auto store = store::openStore(dbAt(path));
    store->repos().settings().set("persist", "yes");
  }
  auto again = store::openStore(dbAt(path));
  EXPECT_EQ(again->repos().settings().get("persist"), "yes");
}

TEST(SqliteStore, TablesAreStrictAndForeignKeysOn) {
  TempDir dir;
  auto path = dir.file("m3m.db");
  auto store = store::openStore(dbAt(path));
  SQLite::Database raw(path, SQLite::OPEN_READWRITE);
  EXPECT_THROW(raw.exec("INSERT INTO settings(key, value, updated_at) VALUES ('k', 1, x'00')"), SQLite::Exception)
      << "STRICT refuses a blob in a TEXT column";
  EXPECT_EQ(raw.execAndGet("SELECT strict FROM pragma_table_list WHERE name = 'settings'").getInt(), 1);
}

TEST(SqliteStore, UnknownDriverIsAConfigError) {
  config::DatabaseConfig c;
  c.driver = "oracle";
  try {
    store::openStore(c);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("unknown driver"), std::string::npos);
  }
}

TEST(SqliteStore, UnwritableLocationIsAClearError) {
  TempDir dir;
  auto blocker = dir.file("file");
  { std::ofstream(blocker) << "x"; }
  try {
    store::openStore(dbAt(blocker + "/sub/m3m.db"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNAVAILABLE);
    EXPECT_NE(std::string(e.what()).find("database.path"), std::string::npos) << e.what();
  }
}
