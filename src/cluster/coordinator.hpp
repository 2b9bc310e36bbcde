// A node of a cluster (issue 21, part 2): this node's project leases and
// its place in the node registry. It is the MongoDB ProjectOwnership of
// RuntimeService: a run starts only after its lease is taken (claim), and
// a stop gives it up (release). Two threads, one tick per `heartbeat`:
// - heartbeat: renews every lease held, then writes the node's document
//   (with the projects it holds); a lease it fails to renew is lost at once:
//   the `lost` hook ends that project's run here (desired state unchanged);
// - adoption: projects whose desired state is running but whose lease is
//   expired or absent (their node died or left) are taken over here, a few a
//   tick, and only while this node then runs no more projects than the
//   least-loaded other live node + 1 (pickAdoptions).
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/lease_store.hpp"
#include "cluster/node_registry.hpp"
#include "service/ownership.hpp"

namespace m3m::cluster {

struct CoordinatorOptions {
  std::string nodeId;
  std::string url;  // where the other nodes reach this one
  std::chrono::milliseconds heartbeat{3'000};
  std::chrono::milliseconds leaseTtl{15'000};
  std::size_t adoptPerTick = 3;
};

// Which of `candidates` (projects nobody holds) this node takes now: at most
// maxPerTick, and only as many as keep its count within the least-loaded
// other live node's + 1 (no such bound when no other node is live).
std::vector<std::string> pickAdoptions(const std::vector<std::string>& candidates, std::size_t mine,
                                       const std::vector<std::size_t>& otherLiveLoads, std::size_t maxPerTick);

std::int64_t systemMillis();

class Coordinator final : public service::ProjectOwnership {
 public:
  struct Hooks {
    std::function<std::vector<std::string>()> desired;  // projects whose desired state is running
    std::function<bool(const std::string&)> adopt;      // start it here; false when it could not
    std::function<void(const std::string&)> lost;       // end its run here at once
  };

  Coordinator(store::mongo::Database& db, CoordinatorOptions opts, std::shared_ptr<spdlog::logger> log,
              std::function<std::int64_t()> clock = systemMillis);
  ~Coordinator() override;
  void setHooks(Hooks hooks) { hooks_ = std::move(hooks); }

  // The node's id and URL, once the server listens (claims are refused before).
  void identify(std::string nodeId, std::string url);
  // Registers the node (a first heartbeat) and starts renewing leases.
  void start();
  // Starts taking over projects nobody runs (after the server's auto-start).
  void startAdopting();
  // No adoption any more (server stop: before the runs end; renewals go on).
  void stopAdopting();
  // Both threads end: no renewal, no adoption any more.
  void stop();
  // After the runs ended: gives up every lease still held and leaves the registry.
  void leave();

  void claim(const std::string& projectId) override;
  void release(const std::string& projectId) override;
  void deleted(const std::string& projectId) override;
  bool holds(const std::string& projectId) override;
  std::optional<std::string> runsElsewhere(const std::string& projectId) override;
  std::optional<service::OwnerNode> ownerElsewhere(const std::string& projectId) override;

  // One round of each thread (public for the tests).
  void heartbeatTick();
  void adoptTick();

  std::vector<std::string> held();
  NodeRegistry& nodes() { return nodes_; }
  const CoordinatorOptions& options() const { return opts_; }

 private:
  std::optional<std::string> describeHolder(const Lease& lease, std::int64_t now);
  void loop(const std::function<void()>& tick, bool waitFirst, const bool& stop);

  CoordinatorOptions opts_;
  std::shared_ptr<spdlog::logger> log_;
  std::function<std::int64_t()> clock_;
  LeaseStore leases_;
  NodeRegistry nodes_;
  Hooks hooks_;
  std::int64_t startedAt_ = 0;

  std::mutex mutex_;                    // held_ and the lease writes
  std::map<std::string, Lease> held_;   // by project id
  std::map<std::string, std::int64_t> skipUntil_;  // adoption that failed: not retried before

  // What holds() reads, on the projects' JS threads: a lock of its own, never
  // held across a database call (mutex_ is, for renewals).
  void noteSure(const std::string& projectId, std::optional<std::int64_t> expiresAt);
  void noteSure(std::nullptr_t);  // none any more
  std::mutex sureMutex_;
  std::map<std::string, std::int64_t> sureUntil_;  // by project id: expiry − margin

  std::mutex stopMutex_;
  std::condition_variable wake_;
  bool stopping_ = false, adoptStopping_ = false;
  std::thread heartbeatThread_, adoptThread_;
};

}  // namespace m3m::cluster
