#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/project.hpp"

namespace m3m::store {

struct MemberRow {
  std::string userId;
  std::string email;
  std::string name;
  std::string since;
};

class ProjectRepository {
 public:
  virtual ~ProjectRepository() = default;
  // Throws m3m::Error(CONFLICT, fields.slug) when the slug is taken.
  virtual void create(const domain::Project& p) = 0;
  virtual std::optional<domain::Project> findById(const std::string& id) = 0;
  virtual std::optional<domain::Project> findByApiKeyHash(const std::string& hash) = 0;
  virtual std::optional<domain::Project> findBySlug(const std::string& slug) = 0;
  // Projects whose desired state is running and that have auto-start on.
  virtual std::vector<domain::Project> listAutoStart() = 0;
  // Desired state (running/stopped) and the release the runtime runs.
  virtual void setRunState(const std::string& id, const std::string& status,
                           const std::optional<std::string>& runningRelease) = 0;
  virtual bool update(const domain::Project& p) = 0;
  virtual bool remove(const std::string& id) = 0;
  // memberOf: only projects this user is a member of (nullopt = all).
  virtual domain::Page<domain::Project> list(const domain::PageRequest& page,
                                             const std::optional<std::string>& memberOf) = 0;

  virtual bool isMember(const std::string& projectId, const std::string& userId) = 0;
  virtual void addMember(const std::string& projectId, const std::string& userId) = 0;  // idempotent
  virtual bool removeMember(const std::string& projectId, const std::string& userId) = 0;
  virtual std::vector<MemberRow> members(const std::string& projectId) = 0;
  virtual std::vector<std::string> projectIdsOf(const std::string& userId) = 0;
};

class EnvRepository {
 public:
  virtual ~EnvRepository() = default;
  virtual domain::Page<domain::EnvValue> list(const std::string& projectId, const domain::PageRequest& page) = 0;
  virtual std::optional<domain::EnvValue> find(const std::string& projectId, const std::string& key) = 0;
  // Throws m3m::Error(CONFLICT, fields.key) when the key exists.
  virtual void create(const domain::EnvValue& v) = 0;
  virtual bool update(const domain::EnvValue& v) = 0;
  virtual bool remove(const std::string& projectId, const std::string& key) = 0;
};

}  // namespace m3m::store
