#include "cluster/coordinator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <m3m/error.hpp>
#include <set>

namespace m3m::cluster {
namespace {
constexpr std::chrono::milliseconds kMargin{1'000};  // a lease this close to its expiry is given up
constexpr std::chrono::milliseconds kForgetNodesAfter{24 * 3'600'000};  // a silent node stays listed (not live) this long
}

std::int64_t systemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> pickAdoptions(const std::vector<std::string>& candidates, std::size_t mine,
                                       const std::vector<std::size_t>& otherLiveLoads, std::size_t maxPerTick) {
  std::vector<std::string> out;
  const bool alone = otherLiveLoads.empty();
  const std::size_t least = alone ? 0 : *std::min_element(otherLiveLoads.begin(), otherLiveLoads.end());
  for (const auto& id : candidates) {
    if (out.size() >= maxPerTick) break;
    if (!alone && mine + out.size() >= least + 1) break;  // one more would exceed least + 1
    out.push_back(id);
  }
  return out;
}

Coordinator::Coordinator(store::mongo::Database& db, CoordinatorOptions opts, std::shared_ptr<spdlog::logger> log,
                         std::function<std::int64_t()> clock)
    : opts_(std::move(opts)),
      log_(std::move(log)),
      clock_(std::move(clock)),
      leases_(db, kMargin),
      nodes_(db, opts_.heartbeat) {
  ensureLeaseIndexes(db);
  startedAt_ = clock_();
}

Coordinator::~Coordinator() { stop(); }

void Coordinator::identify(std::string nodeId, std::string url) {
  std::lock_guard lock(mutex_);
  opts_.nodeId = std::move(nodeId);
  opts_.url = std::move(url);
}

void Coordinator::start() {
  heartbeatTick();
  heartbeatThread_ = std::thread([this] { loop([this] { heartbeatTick(); }, true, stopping_); });
  log_->info("cluster: node {} ({}) joined; heartbeat {}ms, lease {}ms", opts_.nodeId, opts_.url,
             opts_.heartbeat.count(), opts_.leaseTtl.count());
}

void Coordinator::startAdopting() {
  adoptThread_ = std::thread([this] { loop([this] { adoptTick(); }, false, adoptStopping_); });
}

void Coordinator::stopAdopting() {
  {
    std::lock_guard lock(stopMutex_);
    adoptStopping_ = true;
  }
  wake_.notify_all();
  if (adoptThread_.joinable()) adoptThread_.join();
}

void Coordinator::stop() {
  {
    std::lock_guard lock(stopMutex_);
    stopping_ = true;
    adoptStopping_ = true;
  }
  wake_.notify_all();
  if (heartbeatThread_.joinable()) heartbeatThread_.join();
  if (adoptThread_.joinable()) adoptThread_.join();
}

void Coordinator::leave() {
  std::lock_guard lock(mutex_);
  for (const auto& [id, lease] : held_) {
    try {
      leases_.release(lease);
    } catch (const std::exception& e) {
      log_->warn("cluster: releasing the lease of project {}: {}", id, e.what());
    }
  }
  held_.clear();
  noteSure(nullptr);
  try {
    nodes_.remove(opts_.nodeId);
  } catch (const std::exception& e) {
    log_->warn("cluster: leaving the node registry: {}", e.what());
  }
  log_->info("cluster: node {} left", opts_.nodeId);
}

void Coordinator::loop(const std::function<void()>& tick, bool waitFirst, const bool& stop) {
  std::unique_lock lock(stopMutex_);
  for (bool first = true; !stop; first = false) {
    if (!first || !waitFirst) {
      lock.unlock();
      try {
        tick();
      } catch (const std::exception& e) {
        log_->warn("cluster: {}", e.what());
      }
      lock.lock();
    }
    wake_.wait_for(lock, opts_.heartbeat, [&stop] { return stop; });
  }
}

std::optional<std::string> Coordinator::describeHolder(const Lease& lease, std::int64_t now) {
  if (lease.owner == opts_.nodeId || lease.expiresAt < now) return std::nullopt;
  auto node = nodes_.find(lease.owner);
  if (node && nodes_.isLive(*node, now)) return "node " + lease.owner + " (" + node->url + ")";
  return "node " + lease.owner + ", which stopped responding (its lease expires in " +
         std::to_string((lease.expiresAt - now + 999) / 1000) + " s, then another node takes the project over)";
}

void Coordinator::claim(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  if (opts_.nodeId.empty()) throw Error(ErrorCode::UNAVAILABLE, "this node is joining the cluster; retry shortly");
  const auto now = clock_();
  if (auto lease = leases_.acquire(projectId, opts_.nodeId, opts_.leaseTtl, now)) {
    held_[projectId] = *lease;
    noteSure(projectId, lease->expiresAt);
    return;
  }
  held_.erase(projectId);
  noteSure(projectId, std::nullopt);
  std::optional<std::string> where;
  if (auto cur = leases_.find(projectId)) where = describeHolder(*cur, now);
  throw Error(ErrorCode::CONFLICT, "the project runs on " + where.value_or("another node") + "; stop it there first");
}

void Coordinator::release(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  try {
    if (auto it = held_.find(projectId); it != held_.end()) {
      leases_.release(it->second);
      held_.erase(it);
      noteSure(projectId, std::nullopt);
    } else if (auto cur = leases_.find(projectId); cur && cur->owner == opts_.nodeId) {
      leases_.release(*cur);  // held by this node id before a restart
    }
  } catch (const std::exception& e) {
    log_->warn("cluster: releasing the lease of project {}: {} (it expires on its own)", projectId, e.what());
  }
}

void Coordinator::deleted(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  held_.erase(projectId);
  noteSure(projectId, std::nullopt);
  try {
    leases_.forget(projectId);
  } catch (const std::exception& e) {
    log_->warn("cluster: forgetting the leases of deleted project {}: {}", projectId, e.what());
  }
}

void Coordinator::noteSure(const std::string& projectId, std::optional<std::int64_t> expiresAt) {
  std::lock_guard lock(sureMutex_);
  if (expiresAt) sureUntil_[projectId] = *expiresAt - kMargin.count();
  else sureUntil_.erase(projectId);
}

void Coordinator::noteSure(std::nullptr_t) {
  std::lock_guard lock(sureMutex_);
  sureUntil_.clear();
}

bool Coordinator::holds(const std::string& projectId) {
  std::int64_t until = 0;
  {
    std::lock_guard lock(sureMutex_);
    auto it = sureUntil_.find(projectId);
    if (it == sureUntil_.end()) return false;
    until = it->second;
  }
  return clock_() < until;
}

std::optional<service::OwnerNode> Coordinator::ownerElsewhere(const std::string& projectId) {
  auto cur = leases_.find(projectId);
  const auto now = clock_();
  if (!cur || cur->owner == opts_.nodeId || cur->expiresAt < now) return std::nullopt;
  auto node = nodes_.find(cur->owner);
  if (!node || !nodes_.isLive(*node, now)) return std::nullopt;
  return service::OwnerNode{node->id, node->url};
}

std::optional<std::string> Coordinator::runsElsewhere(const std::string& projectId) {
  auto cur = leases_.find(projectId);
  if (!cur) return std::nullopt;
  return describeHolder(*cur, clock_());
}

std::vector<std::string> Coordinator::held() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, _] : held_) out.push_back(id);
  return out;
}

void Coordinator::heartbeatTick() {
  std::vector<std::string> lost;
  NodeInfo self{opts_.nodeId, opts_.url, 0, startedAt_, {}};
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_();
    for (auto it = held_.begin(); it != held_.end();) {
      bool ok = false;
      try {
        ok = leases_.renew(it->second, opts_.leaseTtl, now);
      } catch (const std::exception& e) {
        // The database did not answer: still ours until too close to the expiry.
        ok = now < it->second.expiresAt - kMargin.count();
        log_->warn("cluster: renewing the lease of project {}: {}", it->first, e.what());
      }
      if (ok) {
        self.projects.push_back(it->first);
        noteSure(it->first, it->second.expiresAt);
        ++it;
      } else {
        lost.push_back(it->first);
        noteSure(it->first, std::nullopt);
        it = held_.erase(it);
      }
    }
    self.heartbeatAt = now;
  }
  try {
    nodes_.beat(self);
    nodes_.prune(self.heartbeatAt - kForgetNodesAfter.count());
  } catch (const std::exception& e) {
    log_->warn("cluster: heartbeat: {}", e.what());
  }
  for (const auto& id : lost) {
    log_->warn("cluster: lost the lease of project {}: its run ends on this node", id);
    if (hooks_.lost) hooks_.lost(id);
  }
}

void Coordinator::adoptTick() {
  if (!hooks_.desired || !hooks_.adopt) return;
  const auto now = clock_();
  std::set<std::string> mine;
  for (auto& id : held()) mine.insert(id);
  std::vector<std::string> candidates;
  for (const auto& id : hooks_.desired()) {
    if (mine.count(id)) continue;
    if (auto s = skipUntil_.find(id); s != skipUntil_.end()) {
      if (s->second > now) continue;
      skipUntil_.erase(s);
    }
    auto cur = leases_.find(id);
    if (!cur || cur->expiresAt < now || cur->owner == opts_.nodeId) candidates.push_back(id);
  }
  if (candidates.empty()) return;
  std::vector<std::size_t> loads;
  for (const auto& n : nodes_.list())
    if (n.id != opts_.nodeId && nodes_.isLive(n, now)) loads.push_back(n.projects.size());
  for (const auto& id : pickAdoptions(candidates, mine.size(), loads, opts_.adoptPerTick)) {
    {
      std::lock_guard lock(stopMutex_);
      if (adoptStopping_) return;
    }
    bool ok = false;
    try {
      ok = hooks_.adopt(id);
    } catch (const std::exception& e) {
      log_->warn("cluster: taking project {} over: {}", id, e.what());
    }
    if (ok) log_->info("cluster: node {} took project {} over", opts_.nodeId, id);
    else skipUntil_[id] = now + 10 * opts_.heartbeat.count();
  }
}

}  // namespace m3m::cluster
