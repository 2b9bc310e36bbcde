// Forwarding to the owner node (issue 21, part 2): a request for a project
// that another live node runs goes to that node (its advertise URL from the
// node registry) with the same method, target, headers (minus hop-by-hop
// ones) and body, plus X-Forwarded-For/-Host/-Proto and the hop marker
// (Forwarding::kMarker); the owner's answer comes back unchanged. Owner
// lookups (two database reads) are cached per project for `cacheTtl`; a
// failed exchange drops the cached owner. An owner that cannot be reached
// gives 503 UNAVAILABLE with Retry-After.
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/forwarding.hpp"
#include "http/proxy/client.hpp"
#include "service/ownership.hpp"

namespace m3m::http::proxy {

using OwnerNode = service::OwnerNode;

struct ForwarderOptions {
  ClientOptions client;
  std::chrono::milliseconds cacheTtl{1'000};
};

class Forwarder final : public Forwarding {
 public:
  // The live node other than this one that runs the project, if any.
  using OwnerOf = std::function<std::optional<OwnerNode>(const std::string& projectId)>;
  // The id of the project with this slug, if any.
  using ProjectOfSlug = std::function<std::optional<std::string>(const std::string& slug)>;

  Forwarder(ForwarderOptions opts, OwnerOf ownerOf, ProjectOfSlug projectOfSlug, std::shared_ptr<spdlog::logger> log);

  // The server's io_context (before it starts) and, once known, this node's id.
  void attach(boost::asio::io_context& ioc);
  void identify(std::string nodeId);
  // Closes the pooled connections: after the server stopped, before it is destroyed.
  void close();

  bool route(const std::string& slug, Request& req, Respond& respond) override;
  bool admin(const std::string& projectId, Request& req, Respond& respond, bool stream) override;

 private:
  struct Cached {
    std::optional<std::string> projectId;
    std::optional<OwnerNode> owner;
    std::chrono::steady_clock::time_point until;
  };
  std::optional<OwnerNode> ownerOf(const std::string& cacheKey, const std::function<std::optional<std::string>()>& projectId);
  void forget(const std::string& cacheKey);
  void send(const std::string& cacheKey, const OwnerNode& owner, Request& req, Respond& respond, bool stream);

  ForwarderOptions opts_;
  OwnerOf ownerOf_;
  ProjectOfSlug projectOfSlug_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<Client> client_;

  std::mutex mutex_;
  std::string nodeId_;
  std::map<std::string, Cached> cache_;  // "s:" + slug, "p:" + project id
};

}  // namespace m3m::http::proxy
