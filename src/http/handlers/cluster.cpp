#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "service/cluster_service.hpp"

namespace m3m::http::handlers {

void registerCluster(Router& router, service::AuthService& auth, service::ClusterService& cluster) {
  router.get("/api/cluster/nodes", sync([&](Request& req) {
               auto items = nlohmann::json::array();
               for (const auto& n : cluster.nodes(authenticate(req, auth)))
                 items.push_back({{"id", n.id},
                                  {"url", n.url},
                                  {"live", n.live},
                                  {"self", n.self},
                                  {"heartbeat_at", n.heartbeatAt},
                                  {"started_at", n.startedAt},
                                  {"projects", n.projects}});
               const auto total = items.size();
               return Response::json(200, {{"items", std::move(items)}, {"total", total}});
             }));
}

}  // namespace m3m::http::handlers
