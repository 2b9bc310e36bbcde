#include "store/sqlite/wal_checkpointer.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>


namespace m3m::store::sqlite {
namespace {

// Unlocked passes before the locked one; each copies what was committed during the one
// before, so the remainder shrinks while writes go on.
constexpr int kMaxUnlockedPasses = 4;
// A remainder this small (frames not yet copied) is left to the locked pass.
constexpr int kSmallRemainder = 256;

}  // namespace

WalCheckpointer::WalCheckpointer(const std::string& path, SQLite::Database& writer, LockWriter lockWriter,
                                 int startPages)
    : writer_(writer), lockWriter_(std::move(lockWriter)), startPages_(std::max(1, startPages)) {
  db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
  // The checkpoint's fsyncs follow the store's durability setting (connections.cpp).
  db_->exec("PRAGMA synchronous=NORMAL");
  thread_ = std::thread([this] { loop(); });
  auto lock = lockWriter_();  // a commit never sees the hook half set
  sqlite3_wal_hook(writer_.getHandle(), &WalCheckpointer::onCommit, this);
}

WalCheckpointer::~WalCheckpointer() {
  {
    auto lock = lockWriter_();
    sqlite3_wal_autocheckpoint(writer_.getHandle(), startPages_);  // also removes the hook
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int WalCheckpointer::onCommit(void* self, sqlite3*, const char*, int frames) {
  // On the committing thread, under the write lock: only a flag and a wake-up.
  auto* me = static_cast<WalCheckpointer*>(self);
  bool wake = false;
  {
    std::lock_guard lock(me->mutex_);
    me->walNow_ = frames;
    me->stats_.largestWal = std::max(me->stats_.largestWal, frames);
    if (frames >= me->startPages_ && !me->requested_) wake = me->requested_ = true;
  }
  if (wake) me->wake_.notify_one();
  return SQLITE_OK;
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WalCheckpointer::loop() {
  pthread_setname_np(pthread_self(), "m3m-db-ckpt");  // for top -H, perf, gdb
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || requested_; });
      if (stopping_) return;  // closing the last connection checkpoints what is left
      ++stats_.runs;
    }
    const auto start = std::chrono::steady_clock::now();
    checkpoint();
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    std::lock_guard lock(mutex_);
    stats_.total += took;
    // Cleared only now: commits during the passes were copied by them, or will be by the
    // next run, which the next commit past the mark asks for.
    requested_ = false;
  }
}

void WalCheckpointer::checkpoint() {
  int wal = 0, copied = 0;
  for (int i = 0; i < kMaxUnlockedPasses; ++i) {
    if (!pass(wal, copied)) return;
    int now = 0;
    {
      std::lock_guard lock(mutex_);
      ++stats_.passes;
      now = walNow_;
    }
    // A pass reports the WAL as it was when the pass began; what was committed during it
    // (the hook's count) is left too, and the locked pass must not have to copy much.
    if (std::max(wal, now) - copied <= kSmallRemainder) break;
  }
  // Even when that pass copied everything, it is taken again under the write lock: the WAL
  // starts over only if a write transaction *begins* on a fully copied WAL, and a busy
  // writer begins its next one before an unlocked pass ends. Under the lock nothing is
  // appended, so this pass copies what is left (little or nothing: no sync then) and the
  // write that takes the lock next starts the file over — unless a reader still reads an
  // older snapshot, and then a later run does.
  auto lock = lockWriter_();
  const auto start = std::chrono::steady_clock::now();
  const bool ok = pass(wal, copied);
  const auto held = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  std::lock_guard statsLock(mutex_);
  stats_.lockedMax = std::max(stats_.lockedMax, held);
  stats_.lockedTotal += held;
  if (ok) ++stats_.lockedPasses;
}

bool WalCheckpointer::pass(int& walFrames, int& copiedFrames) {
  const int rc =
      sqlite3_wal_checkpoint_v2(db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copiedFrames);
  if (rc == SQLITE_OK) return true;
  std::lock_guard lock(mutex_);
  if (rc == SQLITE_BUSY) {
    // Another connection is checkpointing (one closing, or a PRAGMA wal_checkpoint):
    // it copies the same frames; the next commit past the mark asks again.
    ++stats_.busy;
    return false;
  }
  // An I/O error: SQLite reports it to the writers too; counted in stats() for the tests
  // and benchmarks (not yet shown anywhere else).
  ++stats_.errors;
  stats_.lastError = sqlite3_errstr(rc);
  return false;
}

}  // namespace m3m::store::sqlite
