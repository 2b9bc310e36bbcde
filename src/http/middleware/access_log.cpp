#include <spdlog/spdlog.h>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

Middleware accessLog(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](Request& req, Respond respond, const Handler& next) {
    if (!log->should_log(spdlog::level::info)) return next(req, std::move(respond));
    next(req, [log, respond = std::move(respond), method = req.method, path = req.path, id = req.requestId,
               remote = req.remoteAddress, start = req.received](Response res) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
      log->info("http {} {} {} {}B {:.2f}ms id={} remote={}", method, path, res.status, res.body.size(), us / 1000.0,
                id, remote);
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
