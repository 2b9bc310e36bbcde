#pragma once

#include <memory>

#include "config/config.hpp"
#include "store/sqlite/connections.hpp"
#include "store/sqlite/group_commit.hpp"
#include "store/sqlite/wal_checkpointer.hpp"
#include "store/store.hpp"

namespace m3m::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Creates the file's folder if needed, opens connections, applies migrations.
  static std::unique_ptr<SqliteStore> open(const config::DatabaseConfig& cfg);

  std::string_view driver() const override { return "sqlite"; }
  bool healthy() noexcept override;
  Repositories& repos() override;
  void transaction(const std::function<void(Repositories&)>& fn) override;
  void transactionGrouped(std::function<void(Repositories&)> fn,
                          std::function<void(std::exception_ptr)> done) override;
  int schemaVersion() override;
  GroupCommitQueue::Stats groupCommitStats() const { return group_->stats(); }
  WalCheckpointer::Stats walCheckpointStats() const { return checkpointer_->stats(); }
  StoreStats stats() const override;

  ~SqliteStore() override;

 private:
  SqliteStore(std::unique_ptr<Connections> conns, const config::DatabaseConfig& cfg);
  void runGroup(std::vector<GroupCommitQueue::Pending>& batch) noexcept;

  // COMMIT latency (group commits and transaction()), for the metrics.
  mutable lib::AtomicHistogram commitSeconds_{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                              0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
  std::string walPath_;  // "<database>-wal", or empty (in-memory)
  std::unique_ptr<Connections> conns_;
  std::unique_ptr<Repositories> repos_;
  // Before group_: stopped after the writer thread's last commit.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  // Last: its thread finishes the queued units before the connections close.
  std::unique_ptr<GroupCommitQueue> group_;
};

}  // namespace m3m::store::sqlite
