// Project ownership between m3m nodes sharing one MongoDB (issue 21, part 2).
// A lease is one document per (project, epoch): { project, epoch, owner,
// expires_at (ms since the epoch) }, _id "<project>#<epoch>". The current
// lease is the highest epoch. A node takes a project over only by INSERTING
// the next epoch's document, and an insert on a unique _id is atomic on every
// server (FerretDB's conditional updates are not: they read, then write), so
// two nodes never both win an epoch. Only the owner writes its own document
// (renewals). A renewal fails — and the node must stop the project at once —
// when it comes too late (within `margin` of the expiry by the node's own
// clock) or a newer epoch exists. Node clocks are assumed in sync (NTP) to
// well under `margin`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/mongo/database.hpp"

namespace m3m::cluster {

struct Lease {
  std::string projectId;
  std::string owner;           // node id
  std::int64_t epoch = 0;      // +1 at each change of owner
  std::int64_t expiresAt = 0;  // ms since the epoch
};

class LeaseStore {
 public:
  explicit LeaseStore(store::mongo::Database& db, std::chrono::milliseconds margin = std::chrono::milliseconds(1000));

  // Takes the project for `node` when nobody holds it or its holder let the
  // lease expire (a new epoch), or renews it when `node` holds it; nullopt
  // when another node's lease is still valid at `nowMs` or another node won
  // the race for the next epoch.
  std::optional<Lease> acquire(const std::string& projectId, const std::string& node, std::chrono::milliseconds ttl,
                               std::int64_t nowMs);
  // Extends a lease still held; false when it was lost (or is too close to
  // its expiry to be sure nobody took it over).
  bool renew(Lease& lease, std::chrono::milliseconds ttl, std::int64_t nowMs);
  // Gives the lease up: it expires now, so any node may take the next epoch.
  void release(const Lease& lease);
  // The project is gone: every epoch's document goes, so its holder's next
  // renewal fails (the run ends there within a heartbeat).
  void forget(const std::string& projectId);
  // The current (highest-epoch) lease of a project, valid or not.
  std::optional<Lease> find(const std::string& projectId);
  // Every current lease held by `node` (valid or not).
  std::vector<Lease> heldBy(const std::string& node);

 private:
  bool insertEpoch(const Lease& lease);
  store::mongo::Database& db_;
  std::chrono::milliseconds margin_;
};

// Creates the leases collection's index (project, epoch).
void ensureLeaseIndexes(store::mongo::Database& db);

}  // namespace m3m::cluster
