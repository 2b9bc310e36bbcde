#include <spdlog/spdlog.h>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

Response errorResponse(std::exception_ptr e, const Request& req, spdlog::logger& log) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    if (err.code() == ErrorCode::INTERNAL)
      log.error("internal error id={} {} {}: {}", req.requestId, req.method, redactedPath(req.path), err.what());
    return Response::error(err);
  } catch (const std::exception& ex) {
    log.error("unhandled exception id={} {} {}: {}", req.requestId, req.method, redactedPath(req.path), ex.what());
  } catch (...) {
    log.error("unhandled non-standard exception id={} {} {}", req.requestId, req.method, redactedPath(req.path));
  }
  return Response::error(
      Error(ErrorCode::INTERNAL, "internal server error (request id " + req.requestId + "; details in the server log)"));
}

Middleware errors(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](Request& req, Respond respond, const Handler& next) {
    // Respond is exactly-once (the server ignores a second call), so a handler
    // that answered and then threw cannot produce two answers.
    try {
      next(req, respond);
    } catch (...) {
      respond(errorResponse(std::current_exception(), req, *log));
    }
  };
}

}  // namespace m3m::http::middleware
