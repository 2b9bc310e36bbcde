#pragma once

#include "store/project_repository.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {

class MongoProjectRepository final : public ProjectRepository {
 public:
  explicit MongoProjectRepository(Database& db) : db_(db) {}
  void create(const domain::Project& p) override;
  std::optional<domain::Project> findById(const std::string& id) override;
  std::optional<domain::Project> findByApiKeyHash(const std::string& hash) override;
  std::optional<domain::Project> findBySlug(const std::string& slug) override;
  std::vector<domain::Project> listAutoStart() override;
  void setRunState(const std::string& id, const std::string& status,
                   const std::optional<std::string>& runningRelease) override;
  bool update(const domain::Project& p) override;
  bool remove(const std::string& id) override;
  domain::Page<domain::Project> list(const domain::PageRequest& page,
                                     const std::optional<std::string>& memberOf) override;
  bool isMember(const std::string& projectId, const std::string& userId) override;
  void addMember(const std::string& projectId, const std::string& userId) override;
  bool removeMember(const std::string& projectId, const std::string& userId) override;
  std::vector<MemberRow> members(const std::string& projectId) override;
  std::vector<std::string> projectIdsOf(const std::string& userId) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

class MongoEnvRepository final : public EnvRepository {
 public:
  explicit MongoEnvRepository(Database& db) : db_(db) {}
  domain::Page<domain::EnvValue> list(const std::string& projectId, const domain::PageRequest& page) override;
  std::optional<domain::EnvValue> find(const std::string& projectId, const std::string& key) override;
  void create(const domain::EnvValue& v) override;
  bool update(const domain::EnvValue& v) override;
  bool remove(const std::string& projectId, const std::string& key) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

}  // namespace m3m::store::mongo
