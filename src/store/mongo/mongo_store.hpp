// The MongoDB driver (database.driver: mongodb): the same repositories as the
// SQLite driver, one collection per table and one per model's records.
// Transactions are MongoDB's own where the deployment has them (a replica
// set); on a standalone server each write is atomic alone (docs/cluster.md).
#pragma once

#include <memory>
#include <thread>

#include "config/config.hpp"
#include "store/mongo/database.hpp"
#include "store/store.hpp"

namespace m3m::store::mongo {

class MongoStore final : public Store {
 public:
  // Connects (UNAVAILABLE after mongodb.connect_timeout) and creates indexes.
  static std::unique_ptr<MongoStore> open(const config::MongoConfig& cfg);
  ~MongoStore() override;

  std::string_view driver() const override { return "mongodb"; }
  bool healthy() noexcept override;
  Repositories& repos() override;
  void transaction(const std::function<void(Repositories&)>& fn) override;
  void transactionGrouped(std::function<void(Repositories&)> fn,
                          std::function<void(std::exception_ptr)> done) override;
  int schemaVersion() override;
  bool atomicTransactions() const override { return db_->transactions(); }
  StoreStats stats() const override;

  Database& database() { return *db_; }

 private:
  explicit MongoStore(std::unique_ptr<Database> db);
  struct Writer;

  std::unique_ptr<Database> db_;
  std::unique_ptr<Repositories> repos_;
  std::unique_ptr<Writer> writer_;  // last: its thread ends before the rest goes
};

}  // namespace m3m::store::mongo
