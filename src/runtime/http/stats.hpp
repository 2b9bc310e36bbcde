// Per-project counters of outbound HTTP (http.*, fetch) since the server
// started, shown in the project's status. Updated after each transfer.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace m3m::runtime::http {

struct Counts {
  std::uint64_t requests = 0, errors = 0, bytesIn = 0, bytesOut = 0;
};

class Stats {
 public:
  void record(const std::string& projectId, bool failed, std::uint64_t bytesIn, std::uint64_t bytesOut) {
    std::lock_guard lock(mutex_);
    auto& c = byProject_[projectId];
    ++c.requests;
    if (failed) ++c.errors;
    c.bytesIn += bytesIn;
    c.bytesOut += bytesOut;
  }
  Counts of(const std::string& projectId) const {
    std::lock_guard lock(mutex_);
    auto it = byProject_.find(projectId);
    return it == byProject_.end() ? Counts{} : it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Counts> byProject_;
};

}  // namespace m3m::runtime::http
