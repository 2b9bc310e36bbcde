// Project API key (its SHA-256) → project id, so a request carrying X-API-Key
// does not cost a database lookup. Only keys that exist are cached (at most one
// entry per project); every change of a key or deletion of a project drops
// the whole cache (ProjectService's key hooks), so a revoked key stops working
// at once.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace m3m::service {

class ApiKeyCache {
 public:
  using Loader = std::function<std::optional<std::string>()>;

  // The project id of `keyHash`; on a miss `load` asks the store. A result
  // loaded while an invalidation happened is returned but not kept: it may
  // predate that change.
  std::optional<std::string> find(const std::string& keyHash, const Loader& load);
  // Call after the change is committed.
  void invalidate();

 private:
  std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, std::string> projectIds_;
};

}  // namespace m3m::service
