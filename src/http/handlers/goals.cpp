#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "service/goals/goal_service.hpp"

namespace m3m::http::handlers {
namespace {

nlohmann::json goalJson(const domain::Goal& g) {
  return {{"id", g.id},
          {"project_id", g.projectId ? nlohmann::json(*g.projectId) : nlohmann::json()},
          {"name", g.name},
          {"slug", g.slug},
          {"full_slug", g.fullSlug},
          {"color", g.color ? nlohmann::json(*g.color) : nlohmann::json()},
          {"type", g.type},
          {"description", g.description},
          {"allowed_projects", g.allowedProjects},
          {"created_at", g.createdAt},
          {"updated_at", g.updatedAt}};
}

service::GoalInput readInput(const Request& req) {
  JsonInput in(req);
  service::GoalInput g;
  g.name = in.string("name");
  g.slug = in.string("slug");
  g.type = in.string("type");
  g.description = in.string("description");
  if (in.isNull("color")) g.color = std::optional<std::string>();
  else if (auto c = in.string("color")) g.color = c;
  g.allowedProjects = in.stringList("allowed_projects");
  in.done();
  return g;
}

}  // namespace

void registerGoals(Router& router, service::AuthService& auth, service::GoalService& goals) {
  // Global goals.
  router.get("/api/goals", sync([&](Request& req) {
               auto page = goals.list(authenticate(req, auth), std::nullopt, pageRequest(req));
               return Response::json(200, pageJson(page, goalJson));
             }));
  router.post("/api/goals", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                return Response::json(201, goalJson(goals.create(who, std::nullopt, readInput(req))));
              }));
  router.get("/api/goals/stats", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               service::GoalStatsQuery q;
               q.goalIds = commaList(req.query("goals"));
               q.from = req.query("from");
               q.to = req.query("to");
               if (auto p = req.query("project_id"); !p.empty()) q.projectId = p;
               return Response::json(200, goals.stats(who, q));
             }));
  router.get("/api/goals/:goalId", sync([&](Request& req) {
               return Response::json(200, goalJson(goals.get(authenticate(req, auth), req.params["goalId"])));
             }));
  router.put("/api/goals/:goalId", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(200, goalJson(goals.update(who, std::nullopt, req.params["goalId"], readInput(req))));
             }));
  router.del("/api/goals/:goalId", sync([&](Request& req) {
               goals.remove(authenticate(req, auth), std::nullopt, req.params["goalId"]);
               return Response::noContent();
             }));
  // Project goals.
  router.get("/api/projects/:id/goals", sync([&](Request& req) {
               auto page = goals.list(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, goalJson));
             }));
  router.post("/api/projects/:id/goals", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                return Response::json(201, goalJson(goals.create(who, req.params["id"], readInput(req))));
              }));
  router.put("/api/projects/:id/goals/:goalId", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(200,
                                     goalJson(goals.update(who, req.params["id"], req.params["goalId"], readInput(req))));
             }));
  router.del("/api/projects/:id/goals/:goalId", sync([&](Request& req) {
               goals.remove(authenticate(req, auth), req.params["id"], req.params["goalId"]);
               return Response::noContent();
             }));
}

}  // namespace m3m::http::handlers
