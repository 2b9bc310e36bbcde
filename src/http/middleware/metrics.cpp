#include "metrics/http_metrics.hpp"

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

namespace {
// The route label of a request no route matched: a coarse class, never the path.
std::string_view routeClass(const Request& req) {
  if (!req.route.empty()) return req.route;
  const std::string_view path = req.path;
  if (path == "/api" || path.starts_with("/api/") || path == "/r" || path.starts_with("/r/")) return "(unmatched)";
  return "(ui)";
}
}  // namespace

Middleware metrics(std::shared_ptr<m3m::metrics::HttpMetrics> http) {
  return [http = std::move(http)](Request& req, Respond respond, const Handler& next) {
    http->started();
    // `req` lives as long as the server's Respond (which owns the exchange),
    // so the callback may read the route the router set meanwhile.
    next(req, [http, &req, respond = std::move(respond)](Response res) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - req.received).count();
      http->finished(routeClass(req), req.method, res.status, res.body.size(), seconds);
      if (res.status == 413 || res.status == 429 || res.status == 431) http->rejected(res.status);
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
