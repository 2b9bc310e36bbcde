// Who is calling: a logged-in user (with the session the token belongs to) or
// a project's API key. Every permission check in the services starts here.
#pragma once

#include <string>

#include "domain/user.hpp"

namespace m3m::service {

struct Principal {
  enum class Kind { User, ProjectKey };
  Kind kind = Kind::User;
  domain::User user;      // kind == User: loaded fresh for this request
  std::string sessionId;  // kind == User
  std::string projectId;  // kind == ProjectKey

  bool isUser() const { return kind == Kind::User; }
  bool isProjectKey() const { return kind == Kind::ProjectKey; }
};

}  // namespace m3m::service
