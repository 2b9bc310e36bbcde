#pragma once

#include "store/pipeline_repository.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {

class MongoPipelineRepository final : public PipelineRepository {
 public:
  explicit MongoPipelineRepository(Database& db) : db_(db) {}

  domain::Page<domain::Branch> listBranches(const std::string& projectId, const domain::PageRequest& page) override;
  std::int64_t countBranches(const std::string& projectId) override;
  std::optional<domain::Branch> findBranch(const std::string& projectId, const std::string& name) override;
  void createBranch(const domain::Branch& b) override;
  bool updateBranchCode(const std::string& projectId, const std::string& name, const std::string& code,
                        int expectedRevision, const std::string& updatedAt) override;
  bool renameBranch(const std::string& projectId, const std::string& name, const std::string& newName,
                    const std::string& updatedAt) override;
  bool deleteBranch(const std::string& projectId, const std::string& name) override;

  domain::Page<domain::Release> listReleases(const std::string& projectId, const domain::PageRequest& page) override;
  std::optional<domain::Release> findRelease(const std::string& projectId, const domain::Version& v) override;
  std::optional<domain::Version> latestVersion(const std::string& projectId) override;
  void createRelease(const domain::Release& r) override;
  bool deleteRelease(const std::string& projectId, const domain::Version& v) override;

  void setActiveRelease(const std::string& projectId, const std::optional<std::string>& version) override;
  std::optional<std::string> runningRelease(const std::string& projectId) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

}  // namespace m3m::store::mongo
