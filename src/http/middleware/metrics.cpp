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

Observer metrics(std::shared_ptr<m3m::metrics::HttpMetrics> http) {
  Observer o;
  o.started = [http](const Request&) { http->started(); };
  // The route the router set meanwhile is on `req`.
  o.finished = [http](const Request& req, const Response& res) {
    const double seconds = std::chrono::duration<double>(req.answered - req.received).count();
    http->finished(routeClass(req), req.method, res.status, res.body.size(), seconds);
    if (res.status == 413 || res.status == 429 || res.status == 431) http->rejected(res.status);
  };
  return o;
}

}  // namespace m3m::http::middleware
