#include "cluster/lease_store.hpp"

#include <cstdio>
#include <map>

namespace m3m::cluster {
namespace {
using nlohmann::json;
using store::mongo::Bson;
using store::mongo::Collection;
using store::mongo::toBson;
constexpr const char* kLeases = "leases";

// Zero-padded, so the _ids of one project also sort by epoch.
std::string idOf(const std::string& projectId, std::int64_t epoch) {
  char n[24];
  std::snprintf(n, sizeof n, "%019lld", static_cast<long long>(epoch));
  return projectId + "#" + n;
}

Lease fromJson(const json& d) {
  return {d.value("project", ""), d.value("owner", ""), d.value("epoch", std::int64_t{0}),
          d.value("expires_at", std::int64_t{0})};
}

}  // namespace

void ensureLeaseIndexes(store::mongo::Database& db) {
  Collection c(db, kLeases);
  c.createIndex(toBson({{"project", 1}, {"epoch", -1}}), "project_epoch", false);
  c.createIndex(toBson({{"owner", 1}}), "owner", false);
}

LeaseStore::LeaseStore(store::mongo::Database& db, std::chrono::milliseconds margin) : db_(db), margin_(margin) {}

bool LeaseStore::insertEpoch(const Lease& l) {
  Collection c(db_, kLeases);
  try {
    c.insertOne(toBson({{"_id", idOf(l.projectId, l.epoch)},
                        {"project", l.projectId},
                        {"epoch", l.epoch},
                        {"owner", l.owner},
                        {"expires_at", l.expiresAt}}));
    return true;
  } catch (const store::mongo::DuplicateKey&) {
    return false;  // another node took this epoch first
  }
}

std::optional<Lease> LeaseStore::acquire(const std::string& projectId, const std::string& node,
                                         std::chrono::milliseconds ttl, std::int64_t nowMs) {
  auto cur = find(projectId);
  if (cur && cur->owner == node) {
    if (renew(*cur, ttl, nowMs)) return cur;
    if (auto again = find(projectId); again && again->epoch != cur->epoch) return std::nullopt;  // taken over
  } else if (cur && cur->expiresAt >= nowMs) {
    return std::nullopt;  // another node's, still valid
  }
  Lease next{projectId, node, cur ? cur->epoch + 1 : 1, nowMs + ttl.count()};
  if (!insertEpoch(next)) return std::nullopt;
  // Older epochs are history now; keep the collection small.
  Collection c(db_, kLeases);
  c.deleteMany(toBson({{"project", projectId}, {"epoch", {{"$lt", next.epoch}}}}));
  return next;
}

bool LeaseStore::renew(Lease& lease, std::chrono::milliseconds ttl, std::int64_t nowMs) {
  if (nowMs >= lease.expiresAt - margin_.count()) return false;  // too late to be sure
  const std::int64_t expires = nowMs + ttl.count();
  Collection c(db_, kLeases);
  if (c.updateOne(toBson({{"_id", idOf(lease.projectId, lease.epoch)}, {"owner", {{"$eq", lease.owner}}}}),
                  toBson({{"$set", {{"expires_at", expires}}}})) == 0)
    return false;
  // A newer epoch means another node took over (after reading an expiry this
  // renewal had not yet extended): the newer one wins.
  auto cur = find(lease.projectId);
  if (!cur || cur->epoch != lease.epoch) return false;
  lease.expiresAt = expires;
  return true;
}

void LeaseStore::release(const Lease& lease) {
  Collection c(db_, kLeases);
  c.updateOne(toBson({{"_id", idOf(lease.projectId, lease.epoch)}, {"owner", {{"$eq", lease.owner}}}}),
              toBson({{"$set", {{"expires_at", 0}}}}));
}

void LeaseStore::forget(const std::string& projectId) {
  Collection c(db_, kLeases);
  c.deleteMany(toBson({{"project", {{"$eq", projectId}}}}));
}

std::optional<Lease> LeaseStore::find(const std::string& projectId) {
  Collection c(db_, kLeases);
  const auto opts = toBson({{"sort", {{"epoch", -1}}}});
  auto d = c.findOne(toBson({{"project", {{"$eq", projectId}}}}), opts.get());
  if (!d) return std::nullopt;
  return fromJson(*d);
}

std::vector<Lease> LeaseStore::heldBy(const std::string& node) {
  Collection c(db_, kLeases);
  // The current epoch of each project this node appears in.
  std::map<std::string, Lease> latest;
  for (const auto& d : c.find(toBson({{"owner", {{"$eq", node}}}}))) {
    auto l = fromJson(d);
    auto& slot = latest[l.projectId];
    if (l.epoch > slot.epoch) slot = l;
  }
  std::vector<Lease> out;
  for (auto& [project, l] : latest)
    if (auto cur = find(project); cur && cur->epoch == l.epoch) out.push_back(l);
  return out;
}

}  // namespace m3m::cluster
