#pragma once

#include "store/settings_repository.hpp"
#include "store/mongo/database.hpp"

namespace m3m::store::mongo {

class MongoSettingsRepository final : public SettingsRepository {
 public:
  explicit MongoSettingsRepository(Database& db) : db_(db) {}

  std::optional<std::string> get(const std::string& key) override;
  void set(const std::string& key, const std::string& value) override;
  std::string setIfAbsent(const std::string& key, const std::string& value) override;
  bool remove(const std::string& key) override;
  std::vector<Setting> list() override;

 private:
  Database& db_;
};

}  // namespace m3m::store::mongo
