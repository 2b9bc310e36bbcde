#include <algorithm>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

Middleware cors(std::vector<std::string> allowedOrigins) {
  return [origins = std::move(allowedOrigins)](Request& req, Respond respond, const Handler& next) {
    std::string origin(req.header("Origin"));
    bool allowed = !origin.empty() &&
                   (std::find(origins.begin(), origins.end(), origin) != origins.end() ||
                    std::find(origins.begin(), origins.end(), "*") != origins.end());
    if (!allowed) return next(req, std::move(respond));
    auto decorate = [origin](Response& res) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", "X-Request-Id");
    };
    if (req.method == "OPTIONS" && !req.header("Access-Control-Request-Method").empty()) {
      Response res = Response::noContent();
      decorate(res);
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key, X-Request-Id");
      res.setHeader("Access-Control-Max-Age", "600");
      return respond(std::move(res));
    }
    next(req, [respond = std::move(respond), decorate](Response res) {
      decorate(res);
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
