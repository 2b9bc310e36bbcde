// JSON shapes of the API's resources (documented in openapi.json).
#pragma once

#include <nlohmann/json.hpp>

#include "domain/project.hpp"
#include "service/auth/auth_service.hpp"
#include "service/users.hpp"

namespace m3m::http::handlers {

nlohmann::json userJson(const domain::User& u, const std::vector<std::string>& projectIds);
inline nlohmann::json userJson(const service::UserView& v) { return userJson(v.user, v.projectIds); }
nlohmann::json tokensJson(const service::TokenPair& t);
nlohmann::json projectJson(const domain::Project& p);

}  // namespace m3m::http::handlers
