#include "app/app.hpp"

#include <spdlog/spdlog.h>

#include <m3m/version.hpp>

#include "http/handlers/handlers.hpp"
#include "http/middleware/middleware.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "service/health_service.hpp"
#include "store/store.hpp"

namespace m3m::app {

struct App::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::HealthService> health;
  http::Router router;
  std::unique_ptr<http::Server> server;
};

App::App(config::Config cfg, std::shared_ptr<spdlog::logger> log)
    : cfg_(std::move(cfg)), log_(std::move(log)), parts_(std::make_unique<Parts>()) {}

App::~App() { shutdown(); }

void App::start() {
  auto& p = *parts_;
  ensureJwtSecret(cfg_, *log_);

  // drivers → repositories
  p.store = store::openStore(cfg_.database);
  log_->info("database: {} at {} (schema version {})", p.store->driver(), cfg_.database.path, p.store->schemaVersion());

  // services
  p.health = std::make_unique<service::HealthService>(*p.store);

  // transport
  http::handlers::registerHealth(p.router, *p.health);
  http::handlers::registerOpenApi(p.router);

  auto pipeline = http::compose(
      {
          http::middleware::requestId(),
          http::middleware::accessLog(log_),
          http::middleware::cors(cfg_.server.corsOrigins),
          http::middleware::errors(log_),
      },
      p.router.asHandler());

  http::ServerOptions opts;
  opts.host = cfg_.server.host;
  opts.port = static_cast<std::uint16_t>(cfg_.server.port);
  opts.threads = cfg_.server.threads;
  opts.maxBody = cfg_.server.maxBody;
  opts.maxHeader = static_cast<std::uint32_t>(cfg_.server.maxHeader);
  opts.readTimeout = cfg_.server.readTimeout;
  opts.idleTimeout = cfg_.server.idleTimeout;
  p.server = std::make_unique<http::Server>(opts, std::move(pipeline), log_);
  p.server->start();
  log_->info("m3m {} ({} mode) listening on http://{}:{}", VERSION, config::modeName(cfg_.mode), cfg_.server.host,
             p.server->port());
}

std::uint16_t App::port() const { return parts_->server ? parts_->server->port() : 0; }

void App::shutdown() {
  auto& p = *parts_;
  if (p.server) {
    log_->info("shutting down: draining HTTP requests (up to {}ms)", cfg_.server.shutdownTimeout.count());
    p.server->shutdown(cfg_.server.shutdownTimeout);
    p.server.reset();
  }
  p.health.reset();
  if (p.store) {
    p.store.reset();  // closes connections; WAL is checkpointed by the last close
    log_->info("database closed");
  }
  log_->flush();
}

}  // namespace m3m::app
