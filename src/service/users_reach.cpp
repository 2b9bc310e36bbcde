#include "service/users_reach.hpp"

#include <algorithm>

#include <m3m/error.hpp>

namespace m3m::service {
namespace {

bool holds(const Reach& r, const std::string& projectId) {
  return r.isRoot || std::find(r.projectIds.begin(), r.projectIds.end(), projectId) != r.projectIds.end();
}

std::optional<std::string> missing(const Reach& actor, bool createProjects, bool manageUsers,
                                   const std::vector<std::string>& projectIds) {
  if (actor.isRoot) return std::nullopt;
  if (createProjects && !actor.createProjects) return std::string("the create_projects permission");
  if (manageUsers && !actor.manageUsers) return std::string("the manage_users permission");
  for (const auto& p : projectIds)
    if (!holds(actor, p)) return "access to project " + p;
  return std::nullopt;
}

}  // namespace

Reach Reach::of(const domain::User& u, std::vector<std::string> projectIds) {
  return Reach{u.isRoot, u.createsProjects(), u.managesUsers(), std::move(projectIds)};
}

std::optional<std::string> whyCannotActOn(const Reach& actor, const Reach& target) {
  if (actor.isRoot) return std::nullopt;
  if (target.isRoot) return std::string("only root can change the root administrator");
  if (auto what = missing(actor, target.createProjects, target.manageUsers, target.projectIds))
    return "this user has " + *what + ", which you do not have: you can manage only users whose permissions and "
                                      "project access are within your own";
  return std::nullopt;
}

std::optional<std::string> whyCannotGrant(const Reach& actor, bool createProjects, bool manageUsers,
                                          const std::vector<std::string>& projectIds) {
  if (auto what = missing(actor, createProjects, manageUsers, projectIds))
    return "you cannot grant " + *what + ": you can grant only what you hold yourself";
  return std::nullopt;
}

Reach reachOf(store::Repositories& repos, const domain::User& u) {
  return Reach::of(u, u.isRoot ? std::vector<std::string>{} : repos.projects().projectIdsOf(u.id));
}

void requireWithinReach(store::Repositories& repos, const domain::User& actor, const domain::User& target) {
  if (actor.isRoot) return;
  if (auto why = whyCannotActOn(reachOf(repos, actor), reachOf(repos, target)))
    throw Error(ErrorCode::PERMISSION_DENIED, *why);
}

}  // namespace m3m::service
