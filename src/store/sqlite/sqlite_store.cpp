#include "store/sqlite/sqlite_store.hpp"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <m3m/error.hpp>
#include <string>

#include "store/sqlite/goal_repository.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/model_repository.hpp"
#include "store/sqlite/pipeline_repository.hpp"
#include "store/sqlite/project_repository.hpp"
#include "store/sqlite/settings_repository.hpp"
#include "store/sqlite/storage_link_repository.hpp"
#include "store/sqlite/user_repository.hpp"
#include "store/sqlite/wal_tuning.hpp"

namespace m3m::store::sqlite {
namespace {

class SqliteRepositories final : public Repositories {
 public:
  explicit SqliteRepositories(ConnectionSource& src)
      : settings_(src), users_(src), sessions_(src), projects_(src), env_(src), pipeline_(src), models_(src), records_(src), goals_(src), storageLinks_(src) {}
  SettingsRepository& settings() override { return settings_; }
  UserRepository& users() override { return users_; }
  SessionRepository& sessions() override { return sessions_; }
  ProjectRepository& projects() override { return projects_; }
  EnvRepository& env() override { return env_; }
  PipelineRepository& pipeline() override { return pipeline_; }
  ModelRepository& models() override { return models_; }
  RecordRepository& records() override { return records_; }
  GoalRepository& goals() override { return goals_; }
  StorageLinkRepository& storageLinks() override { return storageLinks_; }

 private:
  SqliteSettingsRepository settings_;
  SqliteUserRepository users_;
  SqliteSessionRepository sessions_;
  SqliteProjectRepository projects_;
  SqliteEnvRepository env_;
  SqlitePipelineRepository pipeline_;
  SqliteModelRepository models_;
  SqliteRecordRepository records_;
  SqliteGoalRepository goals_;
  SqliteStorageLinkRepository storageLinks_;
};

// Inside a transaction every read and write goes to the locked writer, so a
// transaction sees its own uncommitted changes.
class TransactionSource final : public ConnectionSource {
 public:
  TransactionSource(SQLite::Database& db, Connections& counters)
      : db_(db), statements_(counters.statements()), counters_(counters) {}
  void read(const std::function<void(SQLite::Database&)>& fn) override {
    counters_.reads.fetch_add(1, std::memory_order_relaxed);
    fn(db_);
  }
  void write(const std::function<void(SQLite::Database&)>& fn) override {
    counters_.writes.fetch_add(1, std::memory_order_relaxed);
    fn(db_);
  }
  CachedStatement prepare(SQLite::Database& db, const std::string& sql) override { return statements_.get(db, sql); }

 private:
  SQLite::Database& db_;
  StatementCache& statements_;
  Connections& counters_;  // its reads / writes count with the pool's
};

thread_local int tlsTxDepth = 0;
// The repositories of this thread's open transaction (see Store::repos()).
thread_local Repositories* tlsTxRepos = nullptr;
std::atomic<unsigned> savepointCounter{0};

// Creates the database file 0600 before SQLite does (SQLite gives its -wal and
// -shm files the main file's mode) and tightens files an older build left readable.
void restrictToOwner(const std::string& db) {
  if (db.empty() || db == ":memory:" || db.starts_with("file:")) return;
  int fd = ::open(db.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string file = db + suffix;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) ::chmod(file.c_str(), st.st_mode & 0700);
  }
}

// Units per group commit: bounds how long the writer lock is held at once.
constexpr std::size_t kMaxGroup = 256;

}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const config::DatabaseConfig& cfg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path(cfg.path);
  // The database holds secret env values and password hashes: only the server's user reads it.
  if (path.has_parent_path() && fs::create_directories(path.parent_path(), ec))
    fs::permissions(path.parent_path(), fs::perms::owner_all, ec);
  if (ec)
    throw Error(ErrorCode::UNAVAILABLE,
                "database.path: cannot create folder " + path.parent_path().string() + ": " + ec.message());
  restrictToOwner(cfg.path);
  std::unique_ptr<Connections> conns;
  try {
    // The writer must exist (and create the file + WAL) before readers open it.
    conns = std::make_unique<Connections>(cfg.path, cfg.busyTimeout, 0);
    {
      auto lock = conns->lockWriter();
      migrate(conns->writer(), builtinMigrations());
    }
    conns = std::make_unique<Connections>(cfg.path, cfg.busyTimeout, cfg.readers);
  } catch (const SQLite::Exception& e) {
    throw Error(ErrorCode::UNAVAILABLE, "database.path: cannot open SQLite database " + cfg.path + ": " + e.what());
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(conns), cfg));
}

static_assert(config::DEFAULT_CHECKPOINT_PAGES == kWalAutocheckpointPages,
              "the configured default and the connections' own autocheckpoint agree");

SqliteStore::SqliteStore(std::unique_ptr<Connections> conns, const config::DatabaseConfig& cfg)
    : walPath_(cfg.path.empty() || cfg.path == ":memory:" || cfg.path.starts_with("file:") ? std::string()
                                                                                             : cfg.path + "-wal"),
      conns_(std::move(conns)),
      repos_(std::make_unique<SqliteRepositories>(*conns_)),
      checkpointer_(std::make_unique<WalCheckpointer>(
          cfg.path, conns_->writer(), [c = conns_.get()] { return c->lockWriter(); }, cfg.checkpointPages)),
      group_(std::make_unique<GroupCommitQueue>([this](auto& batch) { runGroup(batch); }, kMaxGroup)) {}

SqliteStore::~SqliteStore() = default;

StoreStats SqliteStore::stats() const {
  StoreStats s;
  s.reads = conns_->reads.load(std::memory_order_relaxed);
  s.writes = conns_->writes.load(std::memory_order_relaxed);
  s.batchSizes = group_->batchSizes().snapshot();
  s.commitSeconds = commitSeconds_.snapshot();
  struct stat st {};
  if (!walPath_.empty() && ::stat(walPath_.c_str(), &st) == 0) s.walBytes = static_cast<std::uint64_t>(st.st_size);
  const auto ck = checkpointer_->stats();
  s.checkpoints = ck.runs;
  s.checkpointSeconds = static_cast<double>(ck.total.count()) / 1e6;
  s.checkpointLockedSeconds = static_cast<double>(ck.lockedTotal.count()) / 1e6;
  return s;
}

namespace {
// Times a COMMIT into the histogram.
template <typename Fn>
void timedCommit(lib::AtomicHistogram& h, Fn&& commit) {
  const auto start = std::chrono::steady_clock::now();
  commit();
  h.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}
}  // namespace

bool SqliteStore::healthy() noexcept {
  try {
    bool ok = false;
    conns_->read([&](SQLite::Database& db) {
      SQLite::Statement q(db, "SELECT 1");
      ok = q.executeStep() && q.getColumn(0).getInt() == 1;
    });
    return ok;
  } catch (...) {
    return false;
  }
}

Repositories& SqliteStore::repos() { return tlsTxRepos ? *tlsTxRepos : *repos_; }

int SqliteStore::schemaVersion() {
  int v = 0;
  conns_->write([&](SQLite::Database& db) { v = currentVersion(db); });
  return v;
}

void SqliteStore::transaction(const std::function<void(Repositories&)>& fn) {
  auto lock = conns_->lockWriter();
  SQLite::Database& db = conns_->writer();
  TransactionSource src(db, *conns_);
  SqliteRepositories repos(src);

  const bool nested = tlsTxDepth > 0;
  const std::string savepoint = "sp" + std::to_string(savepointCounter.fetch_add(1));
  db.exec(nested ? "SAVEPOINT " + savepoint : std::string("BEGIN IMMEDIATE"));
  ++tlsTxDepth;
  Repositories* outer = tlsTxRepos;
  tlsTxRepos = &repos;
  try {
    fn(repos);
  } catch (...) {
    --tlsTxDepth;
    tlsTxRepos = outer;
    try {
      if (nested) {
        db.exec("ROLLBACK TO " + savepoint);
        db.exec("RELEASE " + savepoint);
      } else {
        db.exec("ROLLBACK");
      }
    } catch (...) {
      // The original error matters more than a failed rollback (SQLite rolls
      // back by itself on some errors).
    }
    throw;
  }
  --tlsTxDepth;
  tlsTxRepos = outer;
  if (nested) db.exec("RELEASE " + savepoint);
  else timedCommit(commitSeconds_, [&] { db.exec("COMMIT"); });
}

void SqliteStore::transactionGrouped(std::function<void(Repositories&)> fn,
                                     std::function<void(std::exception_ptr)> done) {
  // The unit finds the batch's repositories where every code path on the
  // writer thread finds them: repos() (thread-local while the batch runs).
  group_->submit([this, fn = std::move(fn)] { fn(repos()); }, std::move(done));
}

// One transaction for the batch, one savepoint per unit: a unit that throws
// is undone alone. When SQLite itself abandons the transaction (I/O error,
// disk full), the units before it lost their changes too and are failed with
// that error; the rest go on in a new transaction.
void SqliteStore::runGroup(std::vector<GroupCommitQueue::Pending>& batch) noexcept {
  auto lock = conns_->lockWriter();
  SQLite::Database& db = conns_->writer();
  TransactionSource src(db, *conns_);
  SqliteRepositories repos(src);
  tlsTxDepth = 1;
  tlsTxRepos = &repos;
  struct Leave {
    ~Leave() {
      tlsTxDepth = 0;
      tlsTxRepos = nullptr;
    }
  } leave;

  // Prepared once per connection: parsing these four statements anew for every unit was
  // ≈ 5% of an API create's CPU (perf, bench/records.mjs).
  auto run = [&](const char* sql) { conns_->statements().get(db, sql)->exec(); };

  std::size_t first = 0;  // the first unit of the open transaction
  // Fails units [first, to) that have not failed by themselves.
  auto failOpen = [&](std::size_t to, const std::exception_ptr& e) {
    for (std::size_t i = first; i < to; ++i)
      if (!batch[i].error) batch[i].error = e;
  };
  auto rollback = [&] {
    try {
      if (!sqlite3_get_autocommit(db.getHandle())) db.exec("ROLLBACK");
    } catch (...) {
      // The error that brought us here is what callers learn.
    }
  };
  // Opens the transaction for units [from, end); false (all failed) if it cannot.
  auto begin = [&](std::size_t from) {
    first = from;
    try {
      run("BEGIN IMMEDIATE");
      return true;
    } catch (...) {
      failOpen(batch.size(), std::current_exception());
      return false;
    }
  };

  if (!begin(0)) return;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& unit = batch[i];
    bool undone = false;  // the unit failed and only its own changes were undone
    try {
      run("SAVEPOINT grouped");
      unit.unit();
      run("RELEASE grouped");
      continue;
    } catch (...) {
      unit.error = std::current_exception();
    }
    if (!sqlite3_get_autocommit(db.getHandle())) {
      try {
        db.exec("ROLLBACK TO grouped");
        db.exec("RELEASE grouped");
        undone = true;
      } catch (...) {
      }
    }
    if (undone) continue;
    rollback();
    failOpen(i, unit.error);
    if (i + 1 == batch.size()) return;  // nothing left to commit
    if (!begin(i + 1)) return;
  }
  try {
    timedCommit(commitSeconds_, [&] { run("COMMIT"); });
  } catch (...) {
    auto e = std::current_exception();
    rollback();
    failOpen(batch.size(), e);
  }
}

}  // namespace m3m::store::sqlite
