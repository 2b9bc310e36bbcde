// Checkpoints the WAL on a thread and connection of its own.
//
// Left to SQLite, the connection whose commit takes the WAL past wal_autocheckpoint
// copies the changed pages into the database file and fsyncs it inside that commit,
// holding the write lock: every write waits meanwhile (bench/records.mjs: p99 of API
// creates 60 ms, and 15–20% fewer creates/s than with no checkpoint in the run). Here the
// writer's commit only signals; this thread copies what was committed while writers go on
// (SQLite's PASSIVE checkpoint needs no write lock), and takes the write lock only for a
// last short pass over the pages committed meanwhile, so that the whole WAL is copied and
// the next write starts the file over instead of growing it.
#pragma once

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace m3m::store::sqlite {

class WalCheckpointer {
 public:
  using LockWriter = std::function<std::unique_lock<std::recursive_mutex>()>;
  struct Stats {
    std::size_t runs = 0;          // times woken to checkpoint
    std::size_t passes = 0;        // PASSIVE checkpoints without the write lock
    std::size_t lockedPasses = 0;  // final passes under the write lock
    std::chrono::microseconds lockedTotal{0}, lockedMax{0};  // time writers waited for them
    std::chrono::microseconds total{0};  // time spent checkpointing (every pass of every run)
    std::size_t busy = 0;          // passes skipped: another connection was checkpointing
    std::size_t errors = 0;
    int largestWal = 0;  // frames in the WAL when it was largest, as the hook saw it
    std::string lastError;
  };

  // Hooks the commits of `writer` (replacing its wal_autocheckpoint) and checkpoints once a
  // commit leaves at least `startPages` frames in the WAL; when this object is gone, SQLite's
  // own autocheckpoint does, at the same mark. `lockWriter` is the in-process write lock of
  // the store: held by whoever commits on `writer`.
  WalCheckpointer(const std::string& path, SQLite::Database& writer, LockWriter lockWriter, int startPages);
  // Stops the thread (after the pass it is running) and gives the writer back its autocheckpoint.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  Stats stats() const;

 private:
  static int onCommit(void* self, sqlite3* db, const char* schema, int frames);
  void loop();
  void checkpoint();
  bool pass(int& walFrames, int& copiedFrames);  // false on an error (counted)

  SQLite::Database& writer_;
  LockWriter lockWriter_;
  const int startPages_;
  std::unique_ptr<SQLite::Database> db_;  // this thread's own connection

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  int walNow_ = 0;  // frames in the WAL after the last commit
  Stats stats_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace m3m::store::sqlite
