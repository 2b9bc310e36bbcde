#include "service/projects.hpp"

#include <array>

#include "lib/random.hpp"
#include "service/users_reach.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

constexpr std::array<std::string_view, 16> kColors = {"slate", "red",  "orange", "amber",  "yellow", "lime",
                                                       "green", "emerald", "teal", "cyan", "sky",   "blue",
                                                       "indigo", "violet", "purple", "pink"};

Error forbidden(const std::string& why) { return Error(ErrorCode::PERMISSION_DENIED, why); }

std::string newApiKey() { return "m3m_" + lib::randomToken(32); }
std::string hintOf(const std::string& key) { return key.substr(0, 4) + "…" + key.substr(key.size() - 4); }

void validateName(Validation& v, const std::string& name) {
  v.check(!name.empty(), "name", "is required");
  v.check(name.size() <= 100, "name", "must be at most 100 characters");
  v.text("name", name);
}

void validateSlug(Validation& v, const std::string& slug) {
  v.check(ProjectService::isValidSlug(slug), "slug", "must be 2 to 48 characters of a-z, 0-9 and -");
}

void validateColor(Validation& v, const std::optional<std::string>& color) {
  if (color) v.check(ProjectService::isValidColor(*color), "color", "must be null or one of the 16 system colors");
}

}  // namespace

bool ProjectService::isValidSlug(std::string_view s) {
  if (s.size() < 2 || s.size() > 48) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

bool ProjectService::isValidColor(std::string_view c) {
  for (auto k : kColors)
    if (k == c) return true;
  return false;
}

ProjectService::ProjectService(store::Store& store, std::vector<std::filesystem::path> perProjectRoots)
    : store_(store), perProjectRoots_(std::move(perProjectRoots)) {}

domain::Project ProjectService::requireAccess(const Principal& who, const std::string& projectId) {
  auto p = store_.repos().projects().findById(projectId);
  if (!p) throw Error(ErrorCode::NOT_FOUND, "project " + projectId + " does not exist");
  if (who.isProjectKey()) {
    if (who.projectId != p->id) throw forbidden("this API key belongs to another project");
    return *p;
  }
  if (who.user.isRoot || store_.repos().projects().isMember(p->id, who.user.id)) return *p;
  throw forbidden("you have no access to project " + p->slug);
}

void ProjectService::checkAccess(const Principal& who, const std::string& projectId) {
  if (who.isProjectKey() && who.projectId == projectId) return;
  requireAccess(who, projectId);
}

void ProjectService::requireUserAccess(const Principal& who, const domain::Project& p, const char* action) {
  if (who.isProjectKey()) throw forbidden(std::string("an API key cannot ") + action);
  (void)p;
}

CreatedProject ProjectService::create(const Principal& who, const NewProject& in) {
  if (who.isProjectKey()) throw forbidden("an API key cannot create projects");
  if (!who.user.createsProjects()) throw forbidden("creating projects needs the create_projects permission");
  Validation v;
  std::string name = trim(in.name);
  validateName(v, name);
  validateSlug(v, in.slug);
  validateColor(v, in.color);
  v.throwIfAny();
  CreatedProject out;
  auto& p = out.project;
  p.id = lib::uuid4();
  p.name = name;
  p.slug = in.slug;
  p.color = in.color;
  p.ownerId = who.user.id;
  out.apiKey = newApiKey();
  p.apiKeyHash = lib::sha256Hex(out.apiKey);
  p.apiKeyHint = hintOf(out.apiKey);
  p.createdAt = p.updatedAt = lib::nowIso();
  store_.transaction([&](store::Repositories& repos) {
    repos.projects().create(p);
    repos.projects().addMember(p.id, who.user.id);
  });
  return out;
}

domain::Page<domain::Project> ProjectService::list(const Principal& who, const domain::PageRequest& page) {
  if (who.isProjectKey()) throw forbidden("an API key cannot list projects");
  std::optional<std::string> memberOf;
  if (!who.user.isRoot) memberOf = who.user.id;
  return store_.repos().projects().list(page, memberOf);
}

domain::Project ProjectService::get(const Principal& who, const std::string& id) { return requireAccess(who, id); }

domain::Project ProjectService::update(const Principal& who, const std::string& id, const ProjectPatch& patch) {
  domain::Project p = requireAccess(who, id);
  Validation v;
  if (patch.name) validateName(v, trim(*patch.name));
  if (patch.slug) validateSlug(v, *patch.slug);
  if (patch.color) validateColor(v, *patch.color);
  v.throwIfAny();
  const std::string oldSlug = p.slug;
  if (patch.name) p.name = trim(*patch.name);
  if (patch.slug) p.slug = *patch.slug;
  if (patch.color) p.color = *patch.color;
  if (patch.autoStart) p.autoStart = *patch.autoStart;
  p.updatedAt = lib::nowIso();
  if (!store_.repos().projects().update(p)) throw Error(ErrorCode::NOT_FOUND, "project " + id + " does not exist");
  if (p.slug != oldSlug)
    for (const auto& hook : slugHooks_) hook(p, oldSlug);
  return p;
}

void ProjectService::remove(const Principal& who, const std::string& id) {
  domain::Project p = requireAccess(who, id);
  requireUserAccess(who, p, "delete its project");
  for (const auto& hook : deletionHooks_) hook(p);
  store_.repos().projects().remove(p.id);  // members and env values cascade
  for (const auto& hook : keyHooks_) hook();
  for (const auto& root : perProjectRoots_) {
    std::error_code ec;
    std::filesystem::remove_all(root / p.id, ec);
  }
}

std::string ProjectService::regenerateKey(const Principal& who, const std::string& id) {
  domain::Project p = requireAccess(who, id);
  requireUserAccess(who, p, "regenerate its own key");
  std::string key = newApiKey();
  p.apiKeyHash = lib::sha256Hex(key);
  p.apiKeyHint = hintOf(key);
  p.updatedAt = lib::nowIso();
  store_.repos().projects().update(p);
  for (const auto& hook : keyHooks_) hook();
  return key;
}

std::vector<store::MemberRow> ProjectService::members(const Principal& who, const std::string& id) {
  domain::Project p = requireAccess(who, id);
  return store_.repos().projects().members(p.id);
}

void ProjectService::addMember(const Principal& who, const std::string& id, const std::string& userId) {
  domain::Project p = requireAccess(who, id);
  requireUserAccess(who, p, "change members");
  if (!who.user.managesUsers()) throw forbidden("granting project access needs the manage_users permission");
  auto target = store_.repos().users().findById(userId);
  if (!target)
    throw Error(ErrorCode::INVALID_ARGUMENT, "user " + userId + " does not exist", {{"user_id", "no such user"}});
  // Changing a user's project access is acting on that user (users_reach.hpp).
  requireWithinReach(store_.repos(), who.user, *target);
  store_.repos().projects().addMember(p.id, userId);
}

void ProjectService::removeMember(const Principal& who, const std::string& id, const std::string& userId) {
  domain::Project p = requireAccess(who, id);
  requireUserAccess(who, p, "change members");
  if (!who.user.managesUsers()) throw forbidden("revoking project access needs the manage_users permission");
  if (auto target = store_.repos().users().findById(userId)) requireWithinReach(store_.repos(), who.user, *target);
  if (!store_.repos().projects().removeMember(p.id, userId))
    throw Error(ErrorCode::NOT_FOUND, "user " + userId + " is not a member of this project");
}

}  // namespace m3m::service
