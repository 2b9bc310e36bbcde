#include "store/sqlite/connections.hpp"

#include <sqlite3.h>

#include <string>

#include "store/sqlite/wal_tuning.hpp"

namespace m3m::store::sqlite {

Connections::Connections(const std::string& path, std::chrono::milliseconds busyTimeout, int readers) {
  writer_ = std::make_unique<SQLite::Database>(
      path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
  configure(*writer_, busyTimeout, false);
  for (int i = 0; i < readers; ++i) {
    auto r = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX);
    configure(*r, busyTimeout, true);
    idleReaders_.push_back(std::move(r));
  }
}

void Connections::configure(SQLite::Database& db, std::chrono::milliseconds busyTimeout, bool readOnly) {
  db.setBusyTimeout(static_cast<int>(busyTimeout.count()));
  if (!readOnly) {
    db.exec("PRAGMA journal_mode=WAL");
    // NORMAL is durable across application crashes in WAL mode; only an OS
    // crash/power loss may lose the last commits.
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA wal_autocheckpoint=" + std::to_string(kWalAutocheckpointPages));
    db.exec("PRAGMA journal_size_limit=" + std::to_string(kJournalSizeLimitBytes));
  }
  db.exec("PRAGMA foreign_keys=ON");
}

void Connections::read(const std::function<void(SQLite::Database&)>& fn) {
  reads.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<SQLite::Database> conn;
  {
    std::unique_lock lock(readersMutex_);
    readerFree_.wait(lock, [&] { return !idleReaders_.empty(); });
    conn = std::move(idleReaders_.back());
    idleReaders_.pop_back();
  }
  struct Return {
    Connections* self;
    std::unique_ptr<SQLite::Database>& conn;
    ~Return() {
      {
        std::lock_guard lock(self->readersMutex_);
        self->idleReaders_.push_back(std::move(conn));
      }
      self->readerFree_.notify_one();
    }
  } giveBack{this, conn};
  fn(*conn);
}

void Connections::write(const std::function<void(SQLite::Database&)>& fn) {
  writes.fetch_add(1, std::memory_order_relaxed);
  auto lock = lockWriter();
  fn(*writer_);
}

}  // namespace m3m::store::sqlite

namespace m3m::store::sqlite {

CachedStatement StatementCache::get(SQLite::Database& db, const std::string& sql) {
  std::unique_lock lock(mutex_);
  auto& perDb = byConnection_[&db];
  auto it = perDb.find(sql);
  if (it != perDb.end()) return CachedStatement(*it->second);
  lock.unlock();
  // Prepared outside the lock (it may fail: bad SQL, a dropped table).
  auto st = std::make_unique<SQLite::Statement>(db, sql);
  lock.lock();
  auto& slot = byConnection_[&db][sql];
  if (!slot) slot = std::move(st);
  return CachedStatement(*slot);
}

void StatementCache::clear() {
  std::lock_guard lock(mutex_);
  byConnection_.clear();
}

}  // namespace m3m::store::sqlite
