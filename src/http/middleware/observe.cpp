#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

Middleware observe(std::vector<Observer> observers) {
  auto all = std::make_shared<const std::vector<Observer>>(std::move(observers));
  return [all](Request& req, Respond respond, const Handler& next) {
    for (const auto& o : *all)
      if (o.started) o.started(req);
    // `req` lives as long as the server's Respond (which owns the exchange).
    next(req, [all, &req, respond = std::move(respond)](Response res) {
      req.answered = std::chrono::steady_clock::now();
      for (const auto& o : *all)
        if (o.finished) o.finished(req, res);
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
