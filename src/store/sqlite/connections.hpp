// SQLite connections for one database file: a single writer (SQLite allows one
// at a time anyway; serializing here avoids SQLITE_BUSY storms) and a pool of
// read-only connections that run concurrently under WAL.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace m3m::store::sqlite {

// Where a repository gets its connection from: the pool, or an open transaction.
class ConnectionSource {
 public:
  virtual ~ConnectionSource() = default;
  virtual void read(const std::function<void(SQLite::Database&)>& fn) = 0;
  virtual void write(const std::function<void(SQLite::Database&)>& fn) = 0;
};

class Connections final : public ConnectionSource {
 public:
  Connections(const std::string& path, std::chrono::milliseconds busyTimeout, int readers);

  void read(const std::function<void(SQLite::Database&)>& fn) override;
  void write(const std::function<void(SQLite::Database&)>& fn) override;

  // The writer, locked for the lifetime of the returned guard (transactions).
  // Recursive: the same thread may take it again (nested transactions).
  std::unique_lock<std::recursive_mutex> lockWriter() { return std::unique_lock(writerMutex_); }
  SQLite::Database& writer() { return *writer_; }

 private:
  static void configure(SQLite::Database& db, std::chrono::milliseconds busyTimeout, bool readOnly);

  std::recursive_mutex writerMutex_;
  std::unique_ptr<SQLite::Database> writer_;

  std::mutex readersMutex_;
  std::condition_variable readerFree_;
  std::vector<std::unique_ptr<SQLite::Database>> idleReaders_;
};

}  // namespace m3m::store::sqlite
