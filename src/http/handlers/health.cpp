#include "http/handlers/handlers.hpp"
#include "service/health_service.hpp"

namespace m3m::http::handlers {

void registerHealth(Router& router, const service::HealthService& health) {
  // Liveness without touching the database (and the C++ baseline of the route benchmark).
  router.get("/api/ping", sync([](Request&) { return Response::text(200, R"({"ok":true})", "application/json"); }));
  router.get("/api/health", sync([&health](Request&) {
               auto r = health.check();
               nlohmann::json body = {{"status", r.ok ? "ok" : "degraded"},
                                      {"version", r.version},
                                      {"uptime_s", r.uptimeSeconds},
                                      {"database", {{"driver", r.databaseDriver}, {"ok", r.databaseOk}}}};
               // 503 lets load balancers and probes take an unhealthy instance out.
               return Response::json(r.ok ? 200 : 503, body);
             }));
}

}  // namespace m3m::http::handlers
