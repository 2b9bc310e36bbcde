// The project's service code: per-branch drafts, frozen numbered releases,
// the active release (roll forward/back), and resets of drafts to releases.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/page.hpp"
#include "domain/pipeline.hpp"
#include "service/auth/principal.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct BranchView {
  domain::Branch branch;
  bool exists = true;  // false: the template offered to a project with no branches
};

struct ReleaseView {
  domain::Release release;
  bool isActive = false;
  bool isRunning = false;
};

struct NewRelease {
  std::string branch;
  std::string bump;  // major | minor
  std::string comment;
  std::string tag;  // stable | hot-fix | night-build | develop
};

class PipelineService {
 public:
  static constexpr const char* DEFAULT_BRANCH = "develop";
  static const std::string& serviceTemplate();

  PipelineService(store::Store& store, ProjectService& projects, std::uint64_t maxCodeSize);

  domain::Page<domain::Branch> listBranches(const Principal& who, const std::string& projectId,
                                            const domain::PageRequest& page);
  BranchView getBranch(const Principal& who, const std::string& projectId, const std::string& name);
  // Saves a draft; `revision` must be the one read (CONFLICT when stale). With no
  // branch yet, saving "develop" at revision 0 creates it. Returns {branch, created}.
  std::pair<domain::Branch, bool> saveDraft(const Principal& who, const std::string& projectId,
                                            const std::string& name, const std::string& code,
                                            std::optional<int> revision);
  domain::Branch createBranch(const Principal& who, const std::string& projectId, const std::string& name,
                              const std::optional<std::string>& fromRelease,
                              const std::optional<std::string>& fromBranch);
  domain::Branch renameBranch(const Principal& who, const std::string& projectId, const std::string& name,
                              const std::string& newName);
  domain::Branch resetBranch(const Principal& who, const std::string& projectId, const std::string& name,
                             const std::string& version);
  void deleteBranch(const Principal& who, const std::string& projectId, const std::string& name);

  domain::Page<ReleaseView> listReleases(const Principal& who, const std::string& projectId,
                                         const domain::PageRequest& page);
  ReleaseView getRelease(const Principal& who, const std::string& projectId, const std::string& version);
  ReleaseView createRelease(const Principal& who, const std::string& projectId, const NewRelease& input);
  void deleteRelease(const Principal& who, const std::string& projectId, const std::string& version);
  ReleaseView activate(const Principal& who, const std::string& projectId, const std::string& version);

  static bool isValidBranchName(std::string_view name);
  static domain::Version parseVersion(const std::string& text);  // NOT_FOUND-safe INVALID_ARGUMENT

 private:
  void checkSize(const std::string& code) const;
  ReleaseView view(const domain::Project& p, domain::Release r);

  store::Store& store_;
  ProjectService& projects_;
  std::uint64_t maxCodeSize_;
};

}  // namespace m3m::service
