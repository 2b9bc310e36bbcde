#include "cluster/node_registry.hpp"

#include "store/mongo/bson_json.hpp"

namespace m3m::cluster {
namespace {
using nlohmann::json;
using store::mongo::Collection;
using store::mongo::toBson;
constexpr const char* kNodes = "nodes";

NodeInfo fromJson(const json& d) {
  NodeInfo n;
  n.id = d.value("_id", "");
  n.url = d.value("url", "");
  n.heartbeatAt = d.value("heartbeat_at", std::int64_t{0});
  n.startedAt = d.value("started_at", std::int64_t{0});
  if (auto p = d.find("projects"); p != d.end() && p->is_array())
    for (const auto& id : *p)
      if (id.is_string()) n.projects.push_back(id.get<std::string>());
  return n;
}
}  // namespace

void NodeRegistry::beat(const NodeInfo& self) {
  Collection c(db_, kNodes);
  c.updateOne(toBson({{"_id", self.id}}),
              toBson({{"$set",
                       {{"url", self.url},
                        {"heartbeat_at", self.heartbeatAt},
                        {"started_at", self.startedAt},
                        {"projects", self.projects}}}}),
              true);
}

void NodeRegistry::remove(const std::string& nodeId) {
  Collection c(db_, kNodes);
  c.deleteOne(toBson({{"_id", {{"$eq", nodeId}}}}));
}

void NodeRegistry::prune(std::int64_t beforeMs) {
  Collection c(db_, kNodes);
  c.deleteMany(toBson({{"heartbeat_at", {{"$lt", beforeMs}}}}));
}

std::vector<NodeInfo> NodeRegistry::list() {
  Collection c(db_, kNodes);
  const auto opts = toBson({{"sort", {{"_id", 1}}}});
  std::vector<NodeInfo> out;
  for (const auto& d : c.find(toBson(json::object()), opts.get())) out.push_back(fromJson(d));
  return out;
}

std::optional<NodeInfo> NodeRegistry::find(const std::string& nodeId) {
  Collection c(db_, kNodes);
  auto d = c.findOne(toBson({{"_id", {{"$eq", nodeId}}}}));
  if (!d) return std::nullopt;
  return fromJson(*d);
}

}  // namespace m3m::cluster
