// The storage layer as services see it: repositories in the domain's terms and
// transactions. No SQL (or BSON) above this line; drivers live in store/<driver>/.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string_view>

#include "lib/atomic_histogram.hpp"
#include "store/goal_repository.hpp"
#include "store/model_repository.hpp"
#include "store/pipeline_repository.hpp"
#include "store/project_repository.hpp"
#include "store/settings_repository.hpp"
#include "store/storage_link_repository.hpp"
#include "store/user_repository.hpp"

namespace m3m::config {
struct DatabaseConfig;
struct MongoConfig;
}

namespace m3m::store {

// Every repository a driver provides. Grows with each feature.
class Repositories {
 public:
  virtual ~Repositories() = default;
  virtual SettingsRepository& settings() = 0;
  virtual UserRepository& users() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual ProjectRepository& projects() = 0;
  virtual EnvRepository& env() = 0;
  virtual PipelineRepository& pipeline() = 0;
  virtual ModelRepository& models() = 0;
  virtual RecordRepository& records() = 0;
  virtual GoalRepository& goals() = 0;
  virtual StorageLinkRepository& storageLinks() = 0;
};

// The store's figures for the metrics, read at scrape time (counters are
// atomics updated by the driver; no lock on the query path).
struct StoreStats {
  std::uint64_t reads = 0, writes = 0;   // database accesses
  lib::HistogramSnapshot batchSizes;     // units per group commit
  lib::HistogramSnapshot commitSeconds;  // COMMIT latency
  std::uint64_t walBytes = 0;            // size of the write-ahead log now
  std::uint64_t checkpoints = 0;
  double checkpointSeconds = 0, checkpointLockedSeconds = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Empty for a driver that counts nothing.
  virtual StoreStats stats() const { return {}; }

  virtual std::string_view driver() const = 0;
  // Cheap liveness probe for /api/health.
  virtual bool healthy() noexcept = 0;
  // Repositories whose every call is its own (auto-committed) unit — except
  // on a thread inside transaction(): there they join that transaction (so
  // code called from within it, e.g. a script's database calls, sees and
  // commits with it).
  virtual Repositories& repos() = 0;
  // Runs fn atomically: commits when it returns, rolls back when it throws
  // (the exception propagates). Nested calls become savepoints. Use only the
  // Repositories passed to fn inside it.
  virtual void transaction(const std::function<void(Repositories&)>& fn) = 0;
  // Runs fn in a write transaction that may be shared with other callers'
  // (group commit) and returns at once. done(nullptr) comes after the commit
  // that holds fn's changes; done(error) when fn threw (its changes are rolled
  // back, the other callers' are not) or the commit failed. fn and done run on
  // the store's writer thread: fn uses the Repositories it gets (or repos())
  // and must not wait for another thread's writes; done should only hand the
  // result on.
  virtual void transactionGrouped(std::function<void(Repositories&)> fn,
                                  std::function<void(std::exception_ptr)> done) = 0;
  // Version of the applied schema (number of the last migration).
  virtual int schemaVersion() = 0;
  // Whether transaction() really rolls back: false for MongoDB on a
  // standalone server (no multi-document transactions), where each write is
  // atomic alone. Scripts' database.transaction is refused there.
  virtual bool atomicTransactions() const { return true; }
};

// Opens the store selected by database.driver, applying pending migrations.
// Throws m3m::Error on failure (clear message; e.g. MongoDB unreachable).
// The one-argument form: SQLite, or MongoDB with mongodb.* at its defaults.
std::unique_ptr<Store> openStore(const config::DatabaseConfig& cfg);
std::unique_ptr<Store> openStore(const config::DatabaseConfig& cfg, const config::MongoConfig& mongo);

}  // namespace m3m::store
