// WalCheckpointer: the WAL is checkpointed by its own thread (the writer's own
// autocheckpoint is off in these tests, so nothing else copies it), it stays
// small under a stream of commits, a reader holding an old snapshot only delays
// it, and nothing written is lost.
#include "store/sqlite/wal_checkpointer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "config/config.hpp"
#include "store/sqlite/connections.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_dir.hpp"

using namespace m3m::store::sqlite;

namespace {

constexpr int kStartPages = 64;

struct Fixture : ::testing::Test {
  TempDir dir;
  std::string path = dir.file("ckpt.db");
  std::unique_ptr<Connections> conns;

  void SetUp() override {
    conns = std::make_unique<Connections>(path, std::chrono::seconds(5), 2);
    conns->writer().exec("PRAGMA wal_autocheckpoint=0");  // only the checkpointer copies the WAL
    conns->writer().exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)");
  }
  std::unique_ptr<WalCheckpointer> checkpointer() {
    return std::make_unique<WalCheckpointer>(
        path, conns->writer(), [c = conns.get()] { return c->lockWriter(); }, kStartPages);
  }
  // One commit: a row of 3 KB, so that every commit adds at least one page.
  void commitRow(int i) {
    auto lock = conns->lockWriter();
    SQLite::Statement q(conns->writer(), "INSERT INTO t (id, body) VALUES (?, randomblob(3000))");
    q.bind(1, i);
    q.exec();
  }
  // Frames in the WAL now (a PASSIVE checkpoint's report on a fresh connection; retried
  // while the checkpointer's own pass runs, which makes it SQLITE_BUSY).
  int walFrames() {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.execAndGet("SELECT count(*) FROM sqlite_master");  // opens the WAL: until then it reports -1
    for (int attempt = 0; attempt < 1000; ++attempt) {
      int log = 0, copied = 0;
      const int rc = sqlite3_wal_checkpoint_v2(db.getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      if (rc == SQLITE_OK) return log;
      EXPECT_EQ(rc, SQLITE_BUSY);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "the WAL stayed busy";
    return -1;
  }
  long long rows() {
    long long n = 0;
    conns->read([&](SQLite::Database& db) { n = db.execAndGet("SELECT count(*) FROM t").getInt64(); });
    return n;
  }
  template <class Pred>
  static bool eventually(Pred p) {
    for (int i = 0; i < 500; ++i) {
      if (p()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return p();
  }
};

}  // namespace

TEST_F(Fixture, WithoutItTheWalOnlyGrows) {
  // The baseline of the next test: with autocheckpoint off, 3,000 commits leave ≥ 3,000 frames.
  for (int i = 0; i < 3000; ++i) commitRow(i);
  EXPECT_GE(walFrames(), 3000);
}

TEST_F(Fixture, StartsTheWalOverUnderAStreamOfCommits) {
  auto ck = checkpointer();
  int next = 0;
  for (; next < 3000; ++next) commitRow(next);
  // Commits coming slower than it copies: soon one finds the WAL copied and starts it over.
  ASSERT_TRUE(eventually([&] {
    commitRow(next++);
    return walFrames() < kStartPages;
  })) << walFrames();
  const auto s = ck->stats();
  EXPECT_GE(s.passes, 1u);
  EXPECT_EQ(s.errors, 0u) << s.lastError;
  EXPECT_EQ(rows(), next);
}

TEST_F(Fixture, CommitsWhileItCopiesAreKeptAndReadersSeeEveryCommit) {
  auto ck = checkpointer();
  std::atomic<bool> stop{false};
  std::atomic<long long> lastSeen{0};
  std::atomic<bool> readerOk{true};
  std::thread reader([&] {
    long long prev = 0;
    while (!stop) {
      long long n = rows();
      if (n < prev) readerOk = false;  // a snapshot never goes back
      prev = n;
      lastSeen = n;
    }
  });
  for (int i = 0; i < 4000; ++i) commitRow(i);
  stop = true;
  reader.join();
  EXPECT_TRUE(readerOk);
  EXPECT_EQ(rows(), 4000);
  EXPECT_GT(ck->stats().runs, 0u);
}

TEST_F(Fixture, AReaderOnAnOldSnapshotOnlyDelaysTheRestart) {
  auto ck = checkpointer();
  for (int i = 0; i < 200; ++i) commitRow(i);
  {
    // A reader that keeps its snapshot open: frames after it cannot be copied meanwhile.
    SQLite::Database old(path, SQLite::OPEN_READONLY);
    old.exec("BEGIN");
    EXPECT_EQ(old.execAndGet("SELECT count(*) FROM t").getInt64(), 200);
    for (int i = 200; i < 1200; ++i) commitRow(i);
    EXPECT_EQ(old.execAndGet("SELECT count(*) FROM t").getInt64(), 200);  // its snapshot is intact
    old.exec("COMMIT");
  }
  int next = 1200;  // once the reader is gone, a run copies all and a commit starts the WAL over
  ASSERT_TRUE(eventually([&] {
    commitRow(next++);
    return walFrames() < kStartPages;
  })) << walFrames();
  EXPECT_EQ(rows(), next);
  EXPECT_EQ(ck->stats().errors, 0u) << ck->stats().lastError;
}

TEST_F(Fixture, GoneItGivesTheWriterItsAutocheckpointBack) {
  { auto ck = checkpointer(); }
  EXPECT_EQ(conns->writer().execAndGet("PRAGMA wal_autocheckpoint").getInt(), kStartPages);
}

TEST(WalCheckpointerInStore, AStoreOpensAndClosesWithItsCheckpointerAndReopensIntact) {
  TempDir dir;
  m3m::config::DatabaseConfig cfg;
  cfg.path = dir.file("m3m.db");
  {
    auto store = SqliteStore::open(cfg);
    store->transaction([](auto&) {});
    EXPECT_EQ(store->walCheckpointStats().errors, 0u);
  }
  auto again = SqliteStore::open(cfg);
  EXPECT_GE(again->schemaVersion(), 1);
}
