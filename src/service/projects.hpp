// Projects: creation, settings, members, the project API key, deletion. Every
// other project-scoped service asks requireAccess() before touching a project.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/project.hpp"
#include "service/auth/principal.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct NewProject {
  std::string name;
  std::string slug;
  std::optional<std::string> color;
};

struct ProjectPatch {
  std::optional<std::string> name;
  std::optional<std::string> slug;
  std::optional<std::optional<std::string>> color;  // set to null = no color
  std::optional<bool> autoStart;
};

struct CreatedProject {
  domain::Project project;
  std::string apiKey;  // shown once
};

class ProjectService {
 public:
  // Called (inside deletion, before the rows go) by features that own
  // per-project resources: the runtime stops it, storage removes its files.
  using DeletionHook = std::function<void(const domain::Project&)>;

  ProjectService(store::Store& store, std::vector<std::filesystem::path> perProjectRoots);

  void onDelete(DeletionHook hook) { deletionHooks_.push_back(std::move(hook)); }
  // Called after a project's slug changed (the runtime re-routes /r/{slug}).
  using SlugHook = std::function<void(const domain::Project& updated, const std::string& oldSlug)>;
  void onSlugChange(SlugHook hook) { slugHooks_.push_back(std::move(hook)); }
  // Called after a project's API key was replaced or the project deleted
  // (committed): caches of keys must forget it.
  void onApiKeyChange(std::function<void()> hook) { keyHooks_.push_back(std::move(hook)); }

  CreatedProject create(const Principal& who, const NewProject& input);
  domain::Page<domain::Project> list(const Principal& who, const domain::PageRequest& page);
  domain::Project get(const Principal& who, const std::string& id);
  domain::Project update(const Principal& who, const std::string& id, const ProjectPatch& patch);
  void remove(const Principal& who, const std::string& id);
  std::string regenerateKey(const Principal& who, const std::string& id);

  std::vector<store::MemberRow> members(const Principal& who, const std::string& id);
  void addMember(const Principal& who, const std::string& id, const std::string& userId);
  void removeMember(const Principal& who, const std::string& id, const std::string& userId);

  // NOT_FOUND when the project does not exist, PERMISSION_DENIED when the
  // caller may not touch it. Returns the project.
  domain::Project requireAccess(const Principal& who, const std::string& projectId);
  // The same check when the caller needs no project row: an API key already
  // resolved to this project (this request) passes without a lookup.
  void checkAccess(const Principal& who, const std::string& projectId);

  static bool isValidSlug(std::string_view slug);
  static bool isValidColor(std::string_view color);

 private:
  void requireUserAccess(const Principal& who, const domain::Project& p, const char* action);
  store::Store& store_;
  std::vector<std::filesystem::path> perProjectRoots_;
  std::vector<DeletionHook> deletionHooks_;
  std::vector<SlugHook> slugHooks_;
  std::vector<std::function<void()>> keyHooks_;
};

}  // namespace m3m::service
