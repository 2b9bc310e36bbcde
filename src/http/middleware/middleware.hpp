// The standard middleware chain, outermost first: requestId →
// observe(metrics, accessLog) → cors → errors → router.
#pragma once

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/pipeline.hpp"

namespace m3m::metrics {
class HttpMetrics;
}

namespace m3m::http::middleware {

// Takes X-Request-Id when it is a sane token, otherwise generates one; echoes
// it in the response.
Middleware requestId();

// A middleware that only watches requests: `started` as a request comes in
// (may be empty), `finished` with its response just before it is sent (on
// the thread that answers; `req` is still alive).
struct Observer {
  std::function<void(const Request&)> started;
  std::function<void(const Request&, const Response&)> finished;
};

// Every observer, in order, through one respond wrapper: a wrapper per
// middleware costs an allocation and a call per request.
Middleware observe(std::vector<Observer> observers);

// One line per request: method, path, status, bytes, duration, request id.
// The query string is never logged, and secrets in the path are shortened (redactedPath).
// One line per request at info. `json`: the line's fields as JSON
// (logging.format json): id, method, path, project (of /r/<slug>/…), status,
// bytes, duration_ms, remote.
Observer accessLog(std::shared_ptr<spdlog::logger> log, bool json = false);

// `path` fit for a log: a public link's token (/api/storage/public/<token>/…)
// becomes "…" + its last 6 characters (the links list's token_hint), so a log
// reader can tell links apart but never use one.
std::string redactedPath(std::string_view path);

// Counts every request in `http` (route template, method, status class,
// latency, bytes, in flight). Place it outside errors() so it sees their answers.
Observer metrics(std::shared_ptr<m3m::metrics::HttpMetrics> http);

// Turns m3m::Error into its status + JSON body; anything else into a generic
// 500 INTERNAL whose details go only to the server log (never to the client).
Middleware errors(std::shared_ptr<spdlog::logger> log);

// CORS for the listed origins (the UI dev server); answers preflights.
Middleware cors(std::vector<std::string> allowedOrigins);

// The response for an exception caught at a boundary (also used by async handlers).
Response errorResponse(std::exception_ptr e, const Request& req, spdlog::logger& log);

}  // namespace m3m::http::middleware
