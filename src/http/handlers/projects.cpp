#include "http/handlers/handlers.hpp"
#include "http/handlers/json_views.hpp"
#include "http/handlers/support.hpp"
#include "service/projects.hpp"

namespace m3m::http::handlers {
namespace {

// color: absent = unchanged, null = none, string = that color.
std::optional<std::optional<std::string>> readColor(JsonInput& in) {
  if (!in.has("color")) return std::nullopt;
  if (in.isNull("color")) return std::optional<std::string>{};
  auto c = in.string("color");
  if (!c) return std::nullopt;
  return std::optional<std::string>(*c);
}

nlohmann::json membersJson(const std::vector<store::MemberRow>& rows) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& m : rows) items.push_back({{"id", m.userId}, {"email", m.email}, {"name", m.name}, {"since", m.since}});
  return {{"items", items}, {"page", 1}, {"per_page", rows.size()}, {"total_items", rows.size()}, {"total_pages", 1}};
}

}  // namespace

void registerProjects(Router& router, service::AuthService& auth, service::ProjectService& projects) {
  router.post("/api/projects", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                service::NewProject p;
                p.name = in.string("name", true).value_or("");
                p.slug = in.string("slug", true).value_or("");
                if (auto c = readColor(in)) p.color = *c;
                in.done();
                auto created = projects.create(who, p);
                auto body = projectJson(created.project);
                body["api_key"] = created.apiKey;  // the only time it is shown
                return Response::json(201, body);
              }));
  router.get("/api/projects", sync([&](Request& req) {
               auto page = projects.list(authenticate(req, auth), pageRequest(req));
               return Response::json(200, pageJson(page, [](const domain::Project& p) { return projectJson(p); }));
             }));
  router.get("/api/projects/:id", sync([&](Request& req) {
               return Response::json(200, projectJson(projects.get(authenticate(req, auth), req.params["id"])));
             }));
  router.put("/api/projects/:id", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               service::ProjectPatch p;
               p.name = in.string("name");
               p.slug = in.string("slug");
               p.color = readColor(in);
               p.autoStart = in.boolean("auto_start");
               in.done();
               return Response::json(200, projectJson(projects.update(who, req.params["id"], p)));
             }));
  router.del("/api/projects/:id", sync([&](Request& req) {
               projects.remove(authenticate(req, auth), req.params["id"]);
               return Response::noContent();
             }));
  router.post("/api/projects/:id/regenerate-key", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                auto key = projects.regenerateKey(who, req.params["id"]);
                return Response::json(200, {{"api_key", key}});
              }));
  router.get("/api/projects/:id/members", sync([&](Request& req) {
               return Response::json(200, membersJson(projects.members(authenticate(req, auth), req.params["id"])));
             }));
  router.post("/api/projects/:id/members", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto userId = in.string("user_id", true);
                in.done();
                projects.addMember(who, req.params["id"], *userId);
                return Response::json(201, membersJson(projects.members(who, req.params["id"])));
              }));
  router.del("/api/projects/:id/members/:userId", sync([&](Request& req) {
               projects.removeMember(authenticate(req, auth), req.params["id"], req.params["userId"]);
               return Response::noContent();
             }));
}

}  // namespace m3m::http::handlers
