#include <spdlog/spdlog.h>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

std::string redactedPath(std::string_view path) {
  constexpr std::string_view kPublic = "/api/storage/public/";
  if (!path.starts_with(kPublic)) return std::string(path);
  auto rest = path.substr(kPublic.size());
  auto token = rest.substr(0, rest.find('/'));
  std::string out(kPublic);
  out += "…";
  if (token.size() > 12) out += token.substr(token.size() - 6);
  out += rest.substr(token.size());
  return out;
}

Middleware accessLog(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](Request& req, Respond respond, const Handler& next) {
    if (!log->should_log(spdlog::level::info)) return next(req, std::move(respond));
    next(req, [log, respond = std::move(respond), method = req.method, path = redactedPath(req.path), id = req.requestId,
               remote = req.remoteAddress, start = req.received](Response res) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
      log->info("http {} {} {} {}B {:.2f}ms id={} remote={}", method, path, res.status, res.body.size(), us / 1000.0,
                id, remote);
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
