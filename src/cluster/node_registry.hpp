// The nodes sharing one MongoDB (issue 21, part 2): one document per node,
// { _id: node id, url, heartbeat_at, started_at (ms since the epoch),
// projects: [the project ids whose lease it holds] }, written only by that
// node (an upsert at each heartbeat). A node is live while its last
// heartbeat is younger than three heartbeat intervals.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/mongo/database.hpp"

namespace m3m::cluster {

struct NodeInfo {
  std::string id;
  std::string url;
  std::int64_t heartbeatAt = 0;  // ms since the epoch
  std::int64_t startedAt = 0;
  std::vector<std::string> projects;
};

class NodeRegistry {
 public:
  NodeRegistry(store::mongo::Database& db, std::chrono::milliseconds heartbeat) : db_(db), heartbeat_(heartbeat) {}

  // Writes this node's document (its whole state: a restarted node replaces it).
  void beat(const NodeInfo& self);
  // The node left the cluster (graceful stop).
  void remove(const std::string& nodeId);
  // Forgets nodes silent since before `beforeMs` (a killed node is listed, not
  // live, for a day: long enough to notice; then it goes).
  void prune(std::int64_t beforeMs);
  std::vector<NodeInfo> list();  // by id
  std::optional<NodeInfo> find(const std::string& nodeId);
  bool isLive(const NodeInfo& node, std::int64_t nowMs) const {
    return nowMs - node.heartbeatAt < 3 * heartbeat_.count();
  }

 private:
  store::mongo::Database& db_;
  std::chrono::milliseconds heartbeat_;
};

}  // namespace m3m::cluster
