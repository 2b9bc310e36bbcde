// SQLite connections for one database file: a single writer (SQLite allows one
// at a time anyway; serializing here avoids SQLITE_BUSY storms) and a pool of
// read-only connections that run concurrently under WAL.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace m3m::store::sqlite {

// A prepared statement borrowed from a connection's cache for one use: reset
// (and its bindings cleared) when the borrow ends, so it never keeps a read
// transaction open on its connection (which would freeze that connection's
// snapshot) and the next user starts clean.
class CachedStatement {
 public:
  explicit CachedStatement(SQLite::Statement& s) : s_(&s) {}
  CachedStatement(CachedStatement&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement() {
    if (!s_) return;
    try {
      s_->reset();
      s_->clearBindings();
    } catch (...) {
      // reset reports the last step's error again; it was handled there.
    }
  }
  SQLite::Statement& operator*() const { return *s_; }
  SQLite::Statement* operator->() const { return s_; }

 private:
  SQLite::Statement* s_;
};

// Prepared statements per connection, keyed by SQL text. Preparing is most of
// the cost of a small query (parsing and planning: 40% of a record insert's
// instructions under callgrind), so hot queries prepare once per connection.
class StatementCache {
 public:
  // `db` must be held exclusively by the caller (a checked-out reader or the
  // locked writer) for as long as the returned statement is used.
  CachedStatement get(SQLite::Database& db, const std::string& sql);
  void clear();

 private:
  std::mutex mutex_;
  std::unordered_map<const SQLite::Database*, std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>>> byConnection_;
};

// Where a repository gets its connection from: the pool, or an open transaction.
class ConnectionSource {
 public:
  virtual ~ConnectionSource() = default;
  virtual void read(const std::function<void(SQLite::Database&)>& fn) = 0;
  virtual void write(const std::function<void(SQLite::Database&)>& fn) = 0;
  // A cached prepared statement on `db` (a connection this source handed out).
  virtual CachedStatement prepare(SQLite::Database& db, const std::string& sql) = 0;
};

class Connections final : public ConnectionSource {
 public:
  Connections(const std::string& path, std::chrono::milliseconds busyTimeout, int readers);

  void read(const std::function<void(SQLite::Database&)>& fn) override;
  void write(const std::function<void(SQLite::Database&)>& fn) override;
  CachedStatement prepare(SQLite::Database& db, const std::string& sql) override { return statements_.get(db, sql); }
  StatementCache& statements() { return statements_; }
  ~Connections() override { statements_.clear(); }

  // The writer, locked for the lifetime of the returned guard (transactions).
  // Recursive: the same thread may take it again (nested transactions).
  std::unique_lock<std::recursive_mutex> lockWriter() { return std::unique_lock(writerMutex_); }
  // Database accesses (read(), write(), and those of transactions), for the metrics.
  std::atomic<std::uint64_t> reads{0}, writes{0};
  SQLite::Database& writer() { return *writer_; }

 private:
  static void configure(SQLite::Database& db, std::chrono::milliseconds busyTimeout, bool readOnly);

  std::recursive_mutex writerMutex_;
  std::unique_ptr<SQLite::Database> writer_;

  std::mutex readersMutex_;
  std::condition_variable readerFree_;
  std::vector<std::unique_ptr<SQLite::Database>> idleReaders_;
  // Last: destroyed first, before the connections its statements belong to.
  StatementCache statements_;
};

}  // namespace m3m::store::sqlite
