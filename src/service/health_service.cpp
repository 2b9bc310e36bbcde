#include "service/health_service.hpp"

#include <m3m/version.hpp>

namespace m3m::service {

HealthService::HealthService(store::Store& store) : store_(store), started_(std::chrono::steady_clock::now()) {}

HealthReport HealthService::check() const {
  bool dbOk = store_.healthy();
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  return HealthReport{dbOk, VERSION, uptime, std::string(store_.driver()), dbOk};
}

}  // namespace m3m::service
