// Group commit (Store::transactionGrouped): every unit is committed before it
// is reported done, a failing unit is undone alone, units that arrive while a
// batch runs share the next commit, and closing the store finishes the queue.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>

#include <atomic>
#include <future>
#include <m3m/error.hpp>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "config/config.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "temp_dir.hpp"

using namespace m3m;
using store::sqlite::SqliteStore;

namespace {

std::unique_ptr<SqliteStore> openAt(const std::string& path) {
  config::DatabaseConfig c;
  c.path = path;
  return SqliteStore::open(c);
}

// Collects the outcome of grouped units; waits for all of them.
class Outcomes {
 public:
  std::function<void(std::exception_ptr)> slot(std::string key) {
    {
      std::lock_guard lock(m_);
      ++expected_;
    }
    return [this, key = std::move(key)](std::exception_ptr e) {
      std::lock_guard lock(m_);
      (e ? failed_ : ok_).insert(key);
      if (e) errors_[key] = e;
      cv_.notify_all();
    };
  }
  void wait() {
    std::unique_lock lock(m_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [&] { return ok_.size() + failed_.size() == expected_; }));
  }
  std::set<std::string> ok() {
    std::lock_guard lock(m_);
    return ok_;
  }
  std::set<std::string> failed() {
    std::lock_guard lock(m_);
    return failed_;
  }
  std::exception_ptr error(const std::string& key) {
    std::lock_guard lock(m_);
    return errors_[key];
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::size_t expected_ = 0;
  std::set<std::string> ok_, failed_;
  std::map<std::string, std::exception_ptr> errors_;
};

}  // namespace

TEST(GroupCommit, EveryUnitFromManyThreadsIsCommitted) {
  TempDir dir;
  auto store = openAt(dir.file("m3m.db"));
  Outcomes out;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto key = "k" + std::to_string(t) + "-" + std::to_string(i);
        store->transactionGrouped([key](store::Repositories& r) { r.settings().set(key, "v"); }, out.slot(key));
      }
    });
  for (auto& th : threads) th.join();
  out.wait();
  EXPECT_EQ(out.ok().size(), 400u);
  EXPECT_TRUE(out.failed().empty());
  EXPECT_EQ(store->repos().settings().list().size(), 400u);
  auto stats = store->groupCommitStats();
  EXPECT_EQ(stats.units, 400u);
  EXPECT_LE(stats.batches, 400u);
}

TEST(GroupCommit, DoneComesAfterTheCommitIsVisibleToOtherConnections) {
  TempDir dir;
  auto path = dir.file("m3m.db");
  auto store = openAt(path);
  std::promise<std::string> seen;
  store->transactionGrouped([](store::Repositories& r) { r.settings().set("visible", "yes"); },
                            [&](std::exception_ptr e) {
                              // A separate connection: sees only committed data.
                              SQLite::Database other(path, SQLite::OPEN_READONLY);
                              SQLite::Statement q(other, "SELECT value FROM settings WHERE key = 'visible'");
                              seen.set_value(e ? "error" : q.executeStep() ? q.getColumn(0).getString() : "absent");
                            });
  EXPECT_EQ(seen.get_future().get(), "yes");
}

TEST(GroupCommit, UnitsQueuedDuringABatchShareOneCommitAndAFailureIsUndoneAlone) {
  TempDir dir;
  auto store = openAt(dir.file("m3m.db"));
  Outcomes out;
  // The first unit holds the writer thread until the others are queued.
  std::promise<void> release, started;
  auto released = release.get_future().share();
  store->transactionGrouped(
      [released, &started](store::Repositories& r) {
        started.set_value();
        released.wait();
        r.settings().set("first", "1");
      },
      out.slot("first"));
  started.get_future().wait();  // the writer thread is inside the first batch
  for (int i = 0; i < 20; ++i) {
    auto key = "u" + std::to_string(i);
    store->transactionGrouped(
        [key, i](store::Repositories& r) {
          r.settings().set(key, "1");
          if (i == 7) throw Error(ErrorCode::CONFLICT, "unit 7 refuses");  // after its write: it must be undone
        },
        out.slot(key));
  }
  release.set_value();
  out.wait();
  EXPECT_EQ(out.failed(), std::set<std::string>{"u7"});
  try {
    std::rethrow_exception(out.error("u7"));
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::CONFLICT);
    EXPECT_STREQ(e.what(), "unit 7 refuses");
  }
  EXPECT_EQ(out.ok().size(), 20u);
  EXPECT_FALSE(store->repos().settings().get("u7").has_value());
  EXPECT_TRUE(store->repos().settings().get("u6").has_value());
  EXPECT_TRUE(store->repos().settings().get("u8").has_value());
  auto stats = store->groupCommitStats();
  EXPECT_EQ(stats.units, 21u);
  EXPECT_EQ(stats.batches, 2u);  // the blocking one, then the twenty together
  EXPECT_EQ(stats.largestBatch, 20u);
}

TEST(GroupCommit, NestedTransactionsInsideAUnitAreSavepoints) {
  TempDir dir;
  auto store = openAt(dir.file("m3m.db"));
  std::promise<std::exception_ptr> done;
  store->transactionGrouped(
      [&](store::Repositories& r) {
        r.settings().set("outer", "1");
        EXPECT_THROW(store->transaction([](store::Repositories& inner) {
          inner.settings().set("inner", "1");
          throw std::runtime_error("inner fails");
        }),
                     std::runtime_error);
        store->transaction([](store::Repositories& inner) { inner.settings().set("inner2", "1"); });
        // repos() on the writer thread is the batch's transaction.
        EXPECT_EQ(store->repos().settings().get("inner2"), "1");
      },
      [&](std::exception_ptr e) { done.set_value(e); });
  EXPECT_EQ(done.get_future().get(), nullptr);
  EXPECT_EQ(store->repos().settings().get("outer"), "1");
  EXPECT_FALSE(store->repos().settings().get("inner").has_value());
  EXPECT_EQ(store->repos().settings().get("inner2"), "1");
}

TEST(GroupCommit, ClosingTheStoreFinishesQueuedUnits) {
  TempDir dir;
  auto path = dir.file("m3m.db");
  std::atomic<int> okCount{0};
  {
    auto store = openAt(path);
    for (int i = 0; i < 300; ++i) {
      auto key = "q" + std::to_string(i);
      store->transactionGrouped([key](store::Repositories& r) { r.settings().set(key, "1"); },
                                [&](std::exception_ptr e) { okCount += e ? 0 : 1; });
    }
  }  // closed right away, with most units still queued
  EXPECT_EQ(okCount.load(), 300);
  auto reopened = openAt(path);
  EXPECT_EQ(reopened->repos().settings().list().size(), 300u);
}

TEST(GroupCommit, AThrowingCompletionDoesNotStopTheWriter) {
  TempDir dir;
  auto store = openAt(dir.file("m3m.db"));
  store->transactionGrouped([](store::Repositories& r) { r.settings().set("a", "1"); },
                            [](std::exception_ptr) { throw std::runtime_error("careless completion"); });
  std::promise<std::exception_ptr> second;
  store->transactionGrouped([](store::Repositories& r) { r.settings().set("b", "1"); },
                            [&](std::exception_ptr e) { second.set_value(e); });
  EXPECT_EQ(second.get_future().get(), nullptr);
  EXPECT_EQ(store->repos().settings().get("a"), "1");
  EXPECT_EQ(store->repos().settings().get("b"), "1");
}
