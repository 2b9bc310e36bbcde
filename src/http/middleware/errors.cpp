#include <spdlog/spdlog.h>

#include "http/middleware/middleware.hpp"

namespace m3m::http::middleware {

Response errorResponse(std::exception_ptr e, const Request& req, spdlog::logger& log) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    if (err.code() == ErrorCode::INTERNAL)
      log.error("internal error id={} {} {}: {}", req.requestId, req.method, req.path, err.what());
    return Response::error(err);
  } catch (const std::exception& ex) {
    log.error("unhandled exception id={} {} {}: {}", req.requestId, req.method, req.path, ex.what());
  } catch (...) {
    log.error("unhandled non-standard exception id={} {} {}", req.requestId, req.method, req.path);
  }
  return Response::error(
      Error(ErrorCode::INTERNAL, "internal server error (request id " + req.requestId + "; details in the server log)"));
}

Middleware errors(std::shared_ptr<spdlog::logger> log) {
  return [log = std::move(log)](Request& req, Respond respond, const Handler& next) {
    // The handler may have responded before throwing; never answer twice.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Respond once = [answered, respond](Response res) {
      if (!answered->exchange(true)) respond(std::move(res));
    };
    try {
      next(req, once);
    } catch (...) {
      if (!answered->load()) once(errorResponse(std::current_exception(), req, *log));
      else log->error("exception after the response was sent id={}", req.requestId);
    }
  };
}

}  // namespace m3m::http::middleware
