#include "http/pipeline.hpp"

namespace m3m::http {

Handler compose(std::vector<Middleware> middlewares, Handler last) {
  Handler next = std::move(last);
  for (auto it = middlewares.rbegin(); it != middlewares.rend(); ++it) {
    next = [mw = std::move(*it), inner = std::move(next)](Request& req, Respond respond) {
      mw(req, std::move(respond), inner);
    };
  }
  return next;
}

}  // namespace m3m::http
