// What /api/health reports: the server's version, uptime and whether the store answers.
#pragma once

#include <chrono>
#include <string>

#include "store/store.hpp"

namespace m3m::service {

struct HealthReport {
  bool ok;
  std::string version;
  std::int64_t uptimeSeconds;
  std::string databaseDriver;
  bool databaseOk;
};

class HealthService {
 public:
  explicit HealthService(store::Store& store);
  HealthReport check() const;

 private:
  store::Store& store_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace m3m::service
