// Handlers and middleware. Every handler is asynchronous at heart: it gets a
// Respond callback that may be called later from any thread (the JS runtime
// answers from its own loop). Plain handlers use sync().
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "http/message.hpp"

namespace m3m::http {

// Must be called exactly once per request; thread-safe.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&, Respond)>;
// Runs around the rest of the chain; calls next(req, respond) to continue.
using Middleware = std::function<void(Request&, Respond, const Handler& next)>;

// Adapts a synchronous handler. Exceptions propagate to the error middleware.
inline Handler sync(std::function<Response(Request&)> fn) {
  return [fn = std::move(fn)](Request& req, Respond respond) { respond(fn(req)); };
}

// Builds one handler: middlewares[0] is outermost.
Handler compose(std::vector<Middleware> middlewares, Handler last);

}  // namespace m3m::http
