#include "metrics/metrics.hpp"
#include "metrics/openmetrics.hpp"

#include "http/handlers/handlers.hpp"

namespace m3m::http::handlers {

void registerMetrics(Router& router, const metrics::Metrics& metrics, metrics::AccessPolicy access) {
  auto policy = std::make_shared<const metrics::AccessPolicy>(std::move(access));
  router.get("/metrics", sync([&metrics, policy](Request& req) {
               switch (policy->check(req.header("Authorization"), req.remoteAddress)) {
                 case metrics::Access::Off:
                   throw Error(ErrorCode::NOT_FOUND, "metrics are off: set metrics.token or metrics.allow");
                 case metrics::Access::Forbidden:
                   throw Error(ErrorCode::PERMISSION_DENIED, "this address may not read the metrics (metrics.allow)");
                 case metrics::Access::NoToken: {
                   auto res = Response::error(Error(ErrorCode::UNAUTHENTICATED, "a valid bearer token is required"));
                   res.setHeader("WWW-Authenticate", "Bearer");
                   return res;
                 }
                 case metrics::Access::Allowed:
                   break;
               }
               // OpenMetrics when the scraper asks for it (Prometheus does, first), else text 0.0.4.
               const bool open = metrics::wantsOpenMetrics(req.header("Accept"));
               auto res = Response::text(200, metrics.render(open),
                                         std::string(open ? metrics::kOpenMetricsContentType
                                                          : metrics::Metrics::kContentType));
               res.setHeader("Vary", "Accept");
               res.setHeader("Cache-Control", "no-store");
               return res;
             }));
}

}  // namespace m3m::http::handlers
