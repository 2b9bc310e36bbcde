// The rule that keeps user administration from reaching further than the
// administrator itself: a non-root user with manage_users may act on (edit,
// block, reset the password of, delete) only users whose permissions and
// project access are within its own, and may grant only what it holds.
// Without it a manager refused a project could reset the password of one of
// that project's members and log in as them. Root is unrestricted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"
#include "store/store.hpp"

namespace m3m::service {

// What a user holds: its permissions and the projects it is a member of.
struct Reach {
  bool isRoot = false;
  bool createProjects = false;
  bool manageUsers = false;
  std::vector<std::string> projectIds;

  static Reach of(const domain::User& u, std::vector<std::string> projectIds);
};

// Why `actor` may not act on a user holding `target`; nullopt when it may
// (target ⊆ actor, and only root acts on root).
std::optional<std::string> whyCannotActOn(const Reach& actor, const Reach& target);

// Why `actor` may not grant these permissions and projects; nullopt when it
// holds all of them. Only what is granted counts: revoking is always within.
std::optional<std::string> whyCannotGrant(const Reach& actor, bool createProjects, bool manageUsers,
                                          const std::vector<std::string>& projectIds);

// The reach of a stored user (its memberships read through `repos`).
Reach reachOf(store::Repositories& repos, const domain::User& u);

// PERMISSION_DENIED unless `actor` may act on `target` (whyCannotActOn).
void requireWithinReach(store::Repositories& repos, const domain::User& actor, const domain::User& target);

}  // namespace m3m::service
