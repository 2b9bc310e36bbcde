#include "http/handlers/json_views.hpp"

namespace m3m::http::handlers {

namespace {
nlohmann::json nullable(const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); }
}  // namespace

nlohmann::json userJson(const domain::User& u, const std::vector<std::string>& projectIds) {
  nlohmann::json avatar = nullptr;
  if (u.avatarVersion > 0) avatar = "/api/users/" + u.id + "/avatar?v=" + std::to_string(u.avatarVersion);
  return {{"id", u.id},
          {"email", u.email},
          {"name", u.name},
          {"avatar_url", avatar},
          {"language", u.language.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.language)},
          {"is_root", u.isRoot},
          {"is_blocked", u.isBlocked},
          {"permissions", {{"create_projects", u.createsProjects()}, {"manage_users", u.managesUsers()}}},
          {"project_ids", projectIds},
          {"created_at", u.createdAt},
          {"updated_at", u.updatedAt}};
}

nlohmann::json tokensJson(const service::TokenPair& t) {
  return {{"access_token", t.accessToken},
          {"token_type", "Bearer"},
          {"expires_in", t.expiresIn},
          {"refresh_token", t.refreshToken},
          {"user", userJson(t.user, t.projectIds)}};
}

nlohmann::json projectJson(const domain::Project& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"slug", p.slug},
          {"color", nullable(p.color)},
          {"status", p.status},
          {"active_release", nullable(p.activeRelease)},
          {"auto_start", p.autoStart},
          {"owner_id", p.ownerId.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.ownerId)},
          {"api_key_hint", p.apiKeyHint},
          {"created_at", p.createdAt},
          {"updated_at", p.updatedAt}};
}

}  // namespace m3m::http::handlers
