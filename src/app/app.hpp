// The composition root (the C++ counterpart of uber.FX in the seeds): builds
// every component once, in dependency order, and passes dependencies
// explicitly. Nothing else in the program constructs services or drivers.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace m3m::store {
class SettingsRepository;
}

namespace m3m::app {

class App {
 public:
  App(config::Config cfg, std::shared_ptr<spdlog::logger> log);
  ~App();

  // Opens the store (migrations), wires services and HTTP, starts listening.
  // Throws m3m::Error with a user-facing message on failure.
  void start();
  std::uint16_t port() const;
  // Graceful: drains HTTP (server.shutdown_timeout), then closes the store.
  void shutdown();

  const config::Config& config() const { return cfg_; }

 private:
  struct Parts;
  config::Config cfg_;
  std::shared_ptr<spdlog::logger> log_;
  std::string nodeId_;  // cluster.node_id, or hostname:port once listening
  std::unique_ptr<Parts> parts_;
};

// In development mode, replaces a default/empty jwt.secret with a random one
// persisted (mode 0600) next to the database, so tokens survive restarts.
// Production configs never reach here with a default (config validation).
void ensureJwtSecret(config::Config& cfg, spdlog::logger& log);
// The same on MongoDB, where several nodes must sign with one secret: it is
// kept in the shared database's settings instead of a file of one node.
void ensureSharedJwtSecret(config::Config& cfg, store::SettingsRepository& settings, spdlog::logger& log);

// The base URL used when server.uri is not set: http://{host}:{port}, where a
// wildcard host (0.0.0.0, ::) becomes 127.0.0.1 and port is the bound one.
std::string derivedUri(const std::string& host, std::uint16_t port);

// `m3m new-admin`: creates the root administrator. Returns the exit code; the
// message (success or the reason for refusing) goes to out/err.
int createRootAdmin(const config::Config& cfg, const std::string& email, const std::string& password,
                    std::ostream& out, std::ostream& err);

}  // namespace m3m::app
