// Registration of every endpoint group on the router. One function per feature
// (handlers/<feature>.cpp); handlers only translate HTTP ↔ service calls.
#pragma once

#include "http/router.hpp"

namespace m3m::service {
class HealthService;
}

namespace m3m::http::handlers {

void registerHealth(Router& router, const service::HealthService& health);
void registerOpenApi(Router& router);

}  // namespace m3m::http::handlers
