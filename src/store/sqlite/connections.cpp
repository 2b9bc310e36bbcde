#include "store/sqlite/connections.hpp"

#include <sqlite3.h>

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
  }
  db.exec("PRAGMA foreign_keys=ON");
}

void Connections::read(const std::function<void(SQLite::Database&)>& fn) {
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
  auto lock = lockWriter();
  fn(*writer_);
}

}  // namespace m3m::store::sqlite
