#pragma once

#include <string>
#include <vector>

namespace m3m::domain {

struct User {
  std::string id;
  std::string email;  // lower-case
  std::string name;
  std::string passwordHash;  // Argon2id encoded; never leaves the service layer
  bool isRoot = false;
  bool isBlocked = false;
  bool canCreateProjects = false;
  bool canManageUsers = false;
  // Bumped on block, password change and delete: tokens carry the version they
  // were issued under and stop working when it changes.
  int tokenVersion = 0;
  int avatarVersion = 0;  // 0 = no avatar
  std::string language;   // the UI language the user chose; "" = follow the browser
  std::string createdAt;
  std::string updatedAt;

  bool createsProjects() const { return isRoot || canCreateProjects; }
  bool managesUsers() const { return isRoot || canManageUsers; }
};

// A login session: one refresh token chain.
struct Session {
  std::string id;
  std::string userId;
  std::string refreshHash;  // SHA-256 of the current refresh token
  std::string expiresAt;
  bool revoked = false;
  std::string createdAt;
};

}  // namespace m3m::domain
