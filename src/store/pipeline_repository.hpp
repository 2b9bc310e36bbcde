#pragma once

#include <optional>
#include <string>

#include "domain/page.hpp"
#include "domain/pipeline.hpp"

namespace m3m::store {

class PipelineRepository {
 public:
  virtual ~PipelineRepository() = default;

  // Branches are listed without their code (listing stays cheap).
  virtual domain::Page<domain::Branch> listBranches(const std::string& projectId, const domain::PageRequest& page) = 0;
  virtual std::int64_t countBranches(const std::string& projectId) = 0;
  virtual std::optional<domain::Branch> findBranch(const std::string& projectId, const std::string& name) = 0;
  // CONFLICT (fields.name) when the name exists.
  virtual void createBranch(const domain::Branch& b) = 0;
  // Compare-and-swap on the revision: false when `expectedRevision` is stale.
  virtual bool updateBranchCode(const std::string& projectId, const std::string& name, const std::string& code,
                                int expectedRevision, const std::string& updatedAt) = 0;
  // CONFLICT when newName exists; false when the branch is gone.
  virtual bool renameBranch(const std::string& projectId, const std::string& name, const std::string& newName,
                            const std::string& updatedAt) = 0;
  virtual bool deleteBranch(const std::string& projectId, const std::string& name) = 0;

  // Newest first, numerically; listed without code.
  virtual domain::Page<domain::Release> listReleases(const std::string& projectId, const domain::PageRequest& page) = 0;
  virtual std::optional<domain::Release> findRelease(const std::string& projectId, const domain::Version& v) = 0;
  // The highest version ever issued for the project (deleted ones included).
  virtual std::optional<domain::Version> latestVersion(const std::string& projectId) = 0;
  // CONFLICT when the version exists (the service retries with the next one).
  virtual void createRelease(const domain::Release& r) = 0;
  virtual bool deleteRelease(const std::string& projectId, const domain::Version& v) = 0;

  // The project's active and running releases (nullopt = none).
  virtual void setActiveRelease(const std::string& projectId, const std::optional<std::string>& version) = 0;
  virtual std::optional<std::string> runningRelease(const std::string& projectId) = 0;
};

}  // namespace m3m::store
