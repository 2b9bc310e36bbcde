#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "service/env.hpp"

namespace m3m::http::handlers {
namespace {

nlohmann::json envJson(const service::EnvView& v) {
  return {{"key", v.key},       {"type", v.type},           {"value", v.value},
          {"secret", v.secret}, {"created_at", v.createdAt}, {"updated_at", v.updatedAt}};
}

service::EnvInput readInput(JsonInput& in) {
  service::EnvInput e;
  e.key = in.string("key");
  e.type = in.string("type");
  e.value = in.any("value");
  e.secret = in.boolean("secret");
  return e;
}

}  // namespace

void registerEnv(Router& router, service::AuthService& auth, service::EnvService& env) {
  router.get("/api/projects/:id/env", sync([&](Request& req) {
               auto page = env.list(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, envJson));
             }));
  router.post("/api/projects/:id/env", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto input = readInput(in);
                in.done();
                return Response::json(201, envJson(env.create(who, req.params["id"], input)));
              }));
  router.get("/api/projects/:id/env/:key", sync([&](Request& req) {
               return Response::json(200, envJson(env.get(authenticate(req, auth), req.params["id"], req.params["key"])));
             }));
  router.put("/api/projects/:id/env/:key", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto input = readInput(in);
               in.done();
               return Response::json(200, envJson(env.update(who, req.params["id"], req.params["key"], input)));
             }));
  router.del("/api/projects/:id/env/:key", sync([&](Request& req) {
               env.remove(authenticate(req, auth), req.params["id"], req.params["key"]);
               return Response::noContent();
             }));
}

}  // namespace m3m::http::handlers
