#pragma once

#include "store/model_repository.hpp"
#include "store/mongo/database.hpp"

namespace m3m::store::mongo {

class MongoModelRepository final : public ModelRepository {
 public:
  explicit MongoModelRepository(Database& db) : db_(db) {}
  domain::Page<domain::Model> list(const std::string& projectId, const domain::PageRequest& page) override;
  std::vector<domain::Model> all(const std::string& projectId) override;
  std::optional<domain::Model> find(const std::string& projectId, const std::string& idOrName) override;
  void create(const domain::Model& m) override;
  void update(const domain::Model& before, const domain::Model& after, const nlohmann::json& fillNew) override;
  bool remove(const domain::Model& m) override;

 private:
  Database& db_;
};

class MongoRecordRepository final : public RecordRepository {
 public:
  explicit MongoRecordRepository(Database& db) : db_(db) {}
  void insert(const domain::Model& m, const nlohmann::json& record) override;
  std::optional<nlohmann::json> get(const domain::Model& m, const std::string& id) override;
  std::vector<nlohmann::json> getMany(const domain::Model& m, const std::vector<std::string>& ids) override;
  RecordPage find(const domain::Model& m, const RecordQuery& q, const std::string& nowIso) override;
  std::int64_t count(const domain::Model& m, const query::Expr* filter, const std::string& nowIso) override;
  std::vector<std::string> matchingIds(const domain::Model& m, const query::Expr* filter,
                                       const std::string& nowIso) override;
  std::vector<std::string> referencing(const domain::Model& m, const std::string& key,
                                       const std::string& targetId) override;
  bool update(const domain::Model& m, const std::string& id, const nlohmann::json& patch) override;
  bool remove(const domain::Model& m, const std::string& id) override;
  std::vector<nlohmann::json> scan(const domain::Model& m) override;

 private:
  Database& db_;
};

// Drops every model of a project with its record collection (MongoDB has no
// cascades: ProjectRepository::remove calls this).
void dropProjectModels(Database& db, const std::string& projectId);

}  // namespace m3m::store::mongo
