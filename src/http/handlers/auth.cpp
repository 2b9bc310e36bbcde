#include "http/handlers/handlers.hpp"
#include "http/handlers/json_views.hpp"
#include "http/handlers/support.hpp"

namespace m3m::http::handlers {

void registerAuth(Router& router, service::AuthService& auth) {
  router.post("/api/auth/login", sync([&auth](Request& req) {
                JsonInput in(req);
                auto email = in.string("email", true);
                auto password = in.string("password", true);
                in.done();
                try {
                  auto t = auth.login(*email, *password, clientIp(req));
                  return Response::json(200, tokensJson(t));
                } catch (const service::RateLimited& e) {
                  Response r = Response::error(e);
                  r.setHeader("Retry-After", std::to_string(e.retryAfterSeconds()));
                  return r;
                }
              }));
  router.post("/api/auth/refresh", sync([&auth](Request& req) {
                JsonInput in(req);
                auto token = in.string("refresh_token", true);
                in.done();
                return Response::json(200, tokensJson(auth.refresh(*token)));
              }));
  router.post("/api/auth/logout", sync([&auth](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                auth.logout(who);
                return Response::noContent();
              }));
}

}  // namespace m3m::http::handlers
