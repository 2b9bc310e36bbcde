#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "http/middleware/middleware.hpp"
#include "log/logging.hpp"

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

namespace {
// The project a /r/<slug>/… request is for; empty for the rest.
std::string_view projectOf(std::string_view path) {
  if (!path.starts_with("/r/")) return {};
  path.remove_prefix(3);
  return path.substr(0, path.find('/'));
}
}  // namespace

Middleware accessLog(std::shared_ptr<spdlog::logger> log, bool json) {
  return [log = std::move(log), json](Request& req, Respond respond, const Handler& next) {
    if (!log->should_log(spdlog::level::info)) return next(req, std::move(respond));
    next(req, [log, json, respond = std::move(respond), method = req.method, path = redactedPath(req.path),
               id = req.requestId, remote = req.remoteAddress, start = req.received](Response res) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
      if (json) {
        nlohmann::json line = {{"msg", "http"},         {"id", id},
                               {"method", method},      {"path", path},
                               {"status", res.status},  {"bytes", res.body.size()},
                               {"duration_ms", static_cast<double>(us) / 1000.0}, {"remote", remote}};
        if (auto project = projectOf(path); !project.empty()) line["project"] = project;
        log->info("{}{}", m3m::log::kFieldsMark, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      } else {
        log->info("http {} {} {} {}B {:.2f}ms id={} remote={}", method, path, res.status, res.body.size(), us / 1000.0,
                  id, remote);
      }
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
