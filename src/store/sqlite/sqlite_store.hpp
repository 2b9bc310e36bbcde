#pragma once

#include <memory>

#include "config/config.hpp"
#include "store/sqlite/connections.hpp"
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
  int schemaVersion() override;

  ~SqliteStore() override;

 private:
  explicit SqliteStore(std::unique_ptr<Connections> conns);

  std::unique_ptr<Connections> conns_;
  std::unique_ptr<Repositories> repos_;
};

}  // namespace m3m::store::sqlite
