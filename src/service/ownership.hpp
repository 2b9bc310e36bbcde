// Which node runs a project (issue 21, part 2). RuntimeService asks before a
// run starts and tells when one ends; the composition root picks the
// implementation: SingleNodeOwnership on SQLite (this process is the only
// node), cluster::Coordinator on MongoDB (a lease per project).
#pragma once

#include <optional>
#include <string>

namespace m3m::service {

// The live node (not this one) that runs a project, and where it is reached.
struct OwnerNode {
  std::string id;
  std::string url;  // its cluster.advertise_url
};

class ProjectOwnership {
 public:
  virtual ~ProjectOwnership() = default;
  // Takes (or keeps) the project for this node before its run starts here.
  // Throws CONFLICT naming the node when another node holds it.
  virtual void claim(const std::string& projectId) = 0;
  // The project's run ended on this node (stop, server stop, deletion): give it up.
  virtual void release(const std::string& projectId) = 0;
  // The project was deleted (through this node): whichever node runs it ends
  // its run (fenced); nobody may run it any more.
  virtual void deleted(const std::string& projectId) { release(projectId); }
  // Asked by the project's run before each timer or schedule tick: false
  // when this node can no longer be sure it holds the project (its lease is
  // within the margin of expiring, e.g. the process was stalled): the tick is
  // held back, and the run is ended by whoever noticed the loss (fencing).
  virtual bool holds(const std::string& projectId) = 0;
  // Which node runs the project when it is not this one ("node-id (url)"); nullopt otherwise.
  virtual std::optional<std::string> runsElsewhere(const std::string& projectId) = 0;
  // The live node other than this one that holds the project's lease (its
  // requests are forwarded there); nullopt when none does.
  virtual std::optional<OwnerNode> ownerElsewhere(const std::string&) { return std::nullopt; }
};

// One node: every project is this node's.
class SingleNodeOwnership final : public ProjectOwnership {
 public:
  void claim(const std::string&) override {}
  void release(const std::string&) override {}
  bool holds(const std::string&) override { return true; }
  std::optional<std::string> runsElsewhere(const std::string&) override { return std::nullopt; }
};

}  // namespace m3m::service
