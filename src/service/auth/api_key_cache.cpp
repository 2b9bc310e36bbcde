#include "service/auth/api_key_cache.hpp"

namespace m3m::service {

std::optional<std::string> ApiKeyCache::find(const std::string& keyHash, const Loader& load) {
  std::uint64_t generation;
  {
    std::lock_guard lock(mutex_);
    if (auto it = projectIds_.find(keyHash); it != projectIds_.end()) return it->second;
    generation = generation_;
  }
  auto id = load();
  if (id) {
    std::lock_guard lock(mutex_);
    if (generation == generation_) projectIds_.emplace(keyHash, *id);
  }
  return id;
}

void ApiKeyCache::invalidate() {
  std::lock_guard lock(mutex_);
  ++generation_;
  projectIds_.clear();
}

}  // namespace m3m::service
