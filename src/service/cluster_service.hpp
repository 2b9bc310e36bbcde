// GET /api/cluster/nodes (issue 21, part 2): the nodes sharing this server's
// database, whether each is live and the projects each runs. Root and user
// managers only. On SQLite the list is this one node.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "service/auth/principal.hpp"

namespace m3m::service {

struct ClusterNode {
  std::string id;
  std::string url;
  bool live = false;
  bool self = false;            // the node answering
  std::string heartbeatAt;      // ISO 8601 UTC
  std::string startedAt;
  std::vector<std::string> projects;  // ids of the projects it holds
};

class ClusterService {
 public:
  using Source = std::function<std::vector<ClusterNode>()>;
  explicit ClusterService(Source source) : source_(std::move(source)) {}
  std::vector<ClusterNode> nodes(const Principal& who) const;

 private:
  Source source_;
};

}  // namespace m3m::service
