#include <fstream>
#include <sstream>

#include "http/handlers/handlers.hpp"
#include "http/handlers/json_views.hpp"
#include "http/handlers/support.hpp"
#include "lib/multipart.hpp"
#include "service/users.hpp"

namespace m3m::http::handlers {
namespace {

service::Permissions readPermissions(JsonInput& in) {
  service::Permissions p;
  if (auto perms = in.object("permissions")) {
    p.createProjects = perms->boolean("create_projects");
    p.manageUsers = perms->boolean("manage_users");
    in.mergeErrorsOf(*perms, "permissions");
  }
  return p;
}

}  // namespace

void registerUsers(Router& router, service::AuthService& auth, service::UserService& users,
                   std::uint64_t avatarMaxSize, spdlog::logger& log) {
  // --- the caller's own account ------------------------------------------
  router.get("/api/users/me", sync([&](Request& req) {
               return Response::json(200, userJson(users.me(authenticate(req, auth))));
             }));
  router.put("/api/users/me", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto email = in.string("email");
               auto name = in.string("name");
               // null = follow the browser again; absent = unchanged.
               std::optional<std::string> language;
               if (in.isNull("language"))
                 language = "";
               else
                 language = in.string("language");
               in.done();
               return Response::json(200, userJson(users.updateMe(who, email, name, language)));
             }));
  router.put("/api/users/me/password", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto current = in.string("current_password", true);
               auto next = in.string("new_password", true);
               in.done();
               auto user = users.changeMyPassword(who, *current, *next);
               return Response::json(200, tokensJson(auth.startSession(user)));
             }));
  // Answered from an image worker: decoding never runs on an IO thread.
  router.put("/api/users/me/avatar", [&, avatarMaxSize](Request& req, Respond respond) {
               auto who = authenticate(req, auth);
               if (req.body.size() > avatarMaxSize)
                 throw Error(ErrorCode::PAYLOAD_TOO_LARGE,
                             "the avatar is larger than " + std::to_string(avatarMaxSize) + " bytes (auth.avatar_max_size)",
                             {{"avatar", "too large"}});
               auto boundary = lib::multipartBoundary(req.header("Content-Type"));
               if (!boundary)
                 throw Error(ErrorCode::UNSUPPORTED_MEDIA_TYPE, "send the avatar as multipart/form-data, field \"avatar\"");
               auto parts = lib::parseMultipart(req.body, *boundary);
               if (!parts) throw Error(ErrorCode::INVALID_ARGUMENT, "malformed multipart/form-data body");
               for (const auto& part : *parts)
                 if (part.name == "avatar")
                   return users.setMyAvatar(who, std::string(part.data),
                                            answerLater<service::UserView>(req, std::move(respond), log, [](service::UserView u) {
                                              return Response::json(200, userJson(u));
                                            }));
               throw Error(ErrorCode::INVALID_ARGUMENT, "the form has no \"avatar\" file", {{"avatar", "is required"}});
             });
  router.del("/api/users/me/avatar", sync([&](Request& req) {
               return Response::json(200, userJson(users.removeMyAvatar(authenticate(req, auth))));
             }));
  // Public: <img src> cannot send a token. The URL carries ?v= for caching.
  router.get("/api/users/:id/avatar", sync([&](Request& req) {
               auto file = users.avatarFile(req.params["id"]);
               if (!file) throw Error(ErrorCode::NOT_FOUND, "this user has no avatar");
               std::ifstream in(*file, std::ios::binary);
               std::stringstream ss;
               ss << in.rdbuf();
               Response r = Response::text(200, ss.str(), "image/png");
               r.setHeader("Cache-Control", "public, max-age=86400");
               r.setHeader("X-Content-Type-Options", "nosniff");
               return r;
             }));

  // --- administration (manage_users) -------------------------------------
  router.get("/api/users", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               auto page = users.list(who, pageRequest(req));
               return Response::json(200, pageJson(page, [](const service::UserView& v) { return userJson(v); }));
             }));
  router.post("/api/users", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                service::NewUser u;
                u.email = in.string("email", true).value_or("");
                u.password = in.string("password", true).value_or("");
                u.name = in.string("name").value_or("");
                u.permissions = readPermissions(in);
                u.projectIds = in.stringList("project_ids").value_or(std::vector<std::string>{});
                in.done();
                return Response::json(201, userJson(users.create(who, u)));
              }));
  router.get("/api/users/:id", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(200, userJson(users.get(who, req.params["id"])));
             }));
  router.put("/api/users/:id", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               service::UserPatch p;
               p.email = in.string("email");
               p.name = in.string("name");
               p.password = in.string("password");
               p.permissions = readPermissions(in);
               p.projectIds = in.stringList("project_ids");
               in.done();
               return Response::json(200, userJson(users.update(who, req.params["id"], p)));
             }));
  router.del("/api/users/:id", sync([&](Request& req) {
               users.remove(authenticate(req, auth), req.params["id"]);
               return Response::noContent();
             }));
  router.post("/api/users/:id/block", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                return Response::json(200, userJson(users.setBlocked(who, req.params["id"], true)));
              }));
  router.post("/api/users/:id/unblock", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                return Response::json(200, userJson(users.setBlocked(who, req.params["id"], false)));
              }));
}

}  // namespace m3m::http::handlers
