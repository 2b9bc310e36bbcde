#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <m3m/version.hpp>
#include <ostream>

#include "cluster/coordinator.hpp"
#include "http/handlers/handlers.hpp"
#include "http/middleware/middleware.hpp"
#include "http/router.hpp"
#include "http/ui/static_ui.hpp"
#include "lib/random.hpp"
#include "http/proxy/forwarder.hpp"
#include "http/server.hpp"
#include "metrics/metrics.hpp"
#include "service/auth/auth_service.hpp"
#include "service/auth/passwords.hpp"
#include "service/env.hpp"
#include "service/goals/goal_service.hpp"
#include "runtime/modules/draw/module.hpp"
#include "service/storage/local_files.hpp"
#include "service/storage/runtime_storage.hpp"
#include "store/mongo/gridfs_files.hpp"
#include "service/storage/storage_service.hpp"
#include "service/models/model_service.hpp"
#include "service/models/record_service.hpp"
#include "service/models/runtime_database.hpp"
#include "service/health_service.hpp"
#include "service/images.hpp"
#include "service/runtime_images.hpp"
#include "runtime/engine.hpp"
#include "runtime/http/http_client.hpp"
#include "runtime/http/stats.hpp"
#include "runtime/module_registry.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "plugin/plugin_manager.hpp"
#include "service/cluster_service.hpp"
#include "service/plugin_service.hpp"
#include "service/pipeline.hpp"
#include "service/runtime_service.hpp"
#include "service/projects.hpp"
#include "service/users.hpp"
#include "store/mongo/bson_json.hpp"
#include "store/mongo/mongo_store.hpp"
#include "store/store.hpp"

namespace m3m::app {

std::filesystem::path avatarDir(const config::Config& cfg) {
  return std::filesystem::path(cfg.storage.path) / "_system" / "avatars";
}

std::vector<std::filesystem::path> perProjectRoots(const config::Config& cfg) {
  // {storage.path}/{project-id} and {logging.path}/projects/{project-id}
  return {std::filesystem::path(cfg.storage.path), std::filesystem::path(cfg.logging.path) / "projects"};
}

// storage.driver: the node's disk, or GridFS in the MongoDB database (the
// config loader refuses gridfs on SQLite). GridFS downloads are served from a
// per-node copy, bounded to 4 × storage.max_upload (at least 256 MB).
static std::shared_ptr<service::FileBackend> fileBackend(const config::Config& cfg, store::Store& store) {
  if (cfg.storage.driver != "gridfs") return std::make_shared<service::LocalFiles>(cfg.storage.path);
  auto* mongo = dynamic_cast<store::mongo::MongoStore*>(&store);
  if (!mongo) throw Error(ErrorCode::INVALID_ARGUMENT, "storage.driver: gridfs needs database.driver: mongodb");
  return std::make_shared<store::mongo::GridFsFiles>(mongo->database(),
                                                     std::filesystem::path(cfg.storage.path) / "_system" / "gridfs-cache",
                                                     std::max<std::uint64_t>(256ull << 20, 4 * cfg.storage.maxUpload));
}

int createRootAdmin(const config::Config& cfg, const std::string& email, const std::string& password,
                    std::ostream& out, std::ostream& err) {
  try {
    auto store = store::openStore(cfg.database, cfg.mongodb);
    service::UserService users(*store, avatarDir(cfg));
    auto root = users.createRoot(email, password);
    out << "root administrator " << root.email << " created (id " << root.id << ")\n";
    return 0;
  } catch (const Error& e) {
    err << "m3m new-admin: " << e.what();
    for (const auto& [field, msg] : e.fields()) err << "; " << field << " " << msg;
    err << "\n";
    return 1;
  }
}

namespace {

// Where the store lives, for the start line: never a MongoDB password.
std::string databaseLocation(const config::Config& cfg) {
  if (cfg.database.driver != "mongodb") return cfg.database.path;
  std::string uri = cfg.mongodb.uri;
  const auto scheme = uri.find("://");
  const auto at = uri.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  const auto slash = uri.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme != std::string::npos && at != std::string::npos && (slash == std::string::npos || at < slash))
    uri.replace(scheme + 3, at - scheme - 2, "***@");
  return uri + " database " + cfg.mongodb.database;
}


// The runtime modules' backends over the services (the runtime does not
// depend on the service layer; App connects them).
class RuntimeEnv final : public runtime::EnvBackend {
 public:
  explicit RuntimeEnv(service::EnvService& env) : env_(env) {}
  std::optional<Value> get(const std::string& projectId, const std::string& key) override {
    return env_.runtimeValue(projectId, key);
  }

 private:
  service::EnvService& env_;
};

class RuntimeGoals final : public runtime::GoalsBackend {
 public:
  explicit RuntimeGoals(service::GoalService& goals) : goals_(goals) {}
  void increment(const std::string& projectId, const std::string& slug, std::int64_t value) override {
    goals_.increment(projectId, slug, value);
  }

 private:
  service::GoalService& goals_;
};

class ServerPasswords final : public runtime::PasswordHasher {
 public:
  std::string hash(const std::string& password) override { return service::hashPassword(password); }
  bool verify(const std::string& password, const std::string& hash) override {
    return service::verifyPassword(hash, password);
  }
};

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0]) return "localhost";
  return name;
}

}  // namespace

std::string derivedUri(const std::string& host, std::uint16_t port) {
  std::string h = host;
  if (h == "0.0.0.0" || h == "::" || h == "[::]" || h.empty()) h = "127.0.0.1";
  else if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";  // an IPv6 address
  return "http://" + h + ":" + std::to_string(port);
}

struct App::Parts {
  std::unique_ptr<runtime::Engine> engine;  // the process-wide V8 platform
  std::unique_ptr<store::Store> store;
  runtime::ModuleRegistry modules;
  std::unique_ptr<service::ImageService> images;
  std::unique_ptr<service::HealthService> health;
  std::unique_ptr<service::AuthService> auth;
  std::unique_ptr<service::UserService> users;
  std::unique_ptr<service::ProjectService> projects;
  std::unique_ptr<service::EnvService> env;
  std::unique_ptr<service::PipelineService> pipeline;
  std::unique_ptr<service::ModelService> models;
  std::unique_ptr<service::RecordService> records;
  std::unique_ptr<service::GoalService> goals;
  std::unique_ptr<service::StorageService> storage;
  std::unique_ptr<plugin::PluginManager> plugins;  // before runtime: runs bind its modules
  std::unique_ptr<service::PluginService> pluginService;
  std::unique_ptr<cluster::Coordinator> coordinator;  // MongoDB only; outlives runtime (its ownership)
  std::unique_ptr<service::RuntimeService> runtime;
  std::unique_ptr<service::ClusterService> cluster;
  std::unique_ptr<metrics::Metrics> metrics;
  http::Router router;
  std::unique_ptr<http::proxy::Forwarder> forwarder;  // MongoDB only; outlives the server (answers on its threads)
  std::unique_ptr<http::Server> server;
};

App::App(config::Config cfg, std::shared_ptr<spdlog::logger> log)
    : cfg_(std::move(cfg)), log_(std::move(log)), parts_(std::make_unique<Parts>()) {}

App::~App() { shutdown(); }

void App::start() {
  auto& p = *parts_;
  const bool sharedDatabase = cfg_.database.driver == "mongodb";
  if (!sharedDatabase) ensureJwtSecret(cfg_, *log_);

  // drivers → repositories
  p.store = store::openStore(cfg_.database, cfg_.mongodb);
  if (sharedDatabase) ensureSharedJwtSecret(cfg_, p.store->repos().settings(), *log_);
  log_->info("database: {} at {} (schema version {})", p.store->driver(), databaseLocation(cfg_),
             p.store->schemaVersion());

  // services
  service::initImages("m3m", log_);
  p.images = std::make_unique<service::ImageService>(
      service::ImageOptions{static_cast<std::uint64_t>(cfg_.storage.maxImagePixels), cfg_.storage.imageTimeout,
                            cfg_.storage.imageWorkers},
      log_);
  p.health = std::make_unique<service::HealthService>(*p.store);
  p.auth = std::make_unique<service::AuthService>(*p.store, cfg_.jwt, cfg_.auth);
  p.users = std::make_unique<service::UserService>(*p.store, avatarDir(cfg_), p.images.get());
  p.projects = std::make_unique<service::ProjectService>(*p.store, perProjectRoots(cfg_));
  p.env = std::make_unique<service::EnvService>(*p.store, *p.projects);
  p.pipeline = std::make_unique<service::PipelineService>(*p.store, *p.projects, cfg_.pipeline.maxCodeSize);
  p.models = std::make_unique<service::ModelService>(*p.store, *p.projects);
  p.records = std::make_unique<service::RecordService>(*p.store, *p.projects, *p.models);
  p.storage = std::make_unique<service::StorageService>(*p.store, *p.projects, cfg_.storage.path, cfg_.storage.maxUpload,
                                                          *p.images, fileBackend(cfg_, *p.store));
  log_->info("project files: {}", cfg_.storage.driver == "gridfs"
                                      ? "GridFS (bucket \"storage\" in the MongoDB database; copies and thumbnails per node in " +
                                            cfg_.storage.path + ")"
                                      : "on this node's disk in " + cfg_.storage.path);
  p.goals = std::make_unique<service::GoalService>(*p.store, *p.projects, cfg_.runtime.goalsFlushInterval);

  // runtime: V8 once per process, the built-in modules, run control
  // One WebAssembly memory never exceeds a project's memory budget (64 KiB
  // pages; V8's own ceiling is 65536). Process-wide, set before V8 starts.
  runtime::EngineOptions engineOptions;
  engineOptions.wasmMaxMemPages = std::min<std::size_t>(static_cast<std::size_t>(cfg_.runtime.memoryLimitMb) * 16, 65536);
  p.engine = std::make_unique<runtime::Engine>(engineOptions);
  // The built-in modules, each with its own backend: one explicit list, in
  // the order their globals are defined (plugins' modules are added after).
  auto storageBackend = std::make_shared<service::RuntimeStorage>(*p.storage);
  auto httpStats = std::make_shared<runtime::http::Stats>();
  p.modules.add(runtime::loggerModule());
  p.modules.add(runtime::envModule(std::make_shared<RuntimeEnv>(*p.env)));
  p.modules.add(runtime::databaseModule(std::make_shared<service::RuntimeDatabase>(*p.records)));
  p.modules.add(runtime::goalsModule(std::make_shared<RuntimeGoals>(*p.goals)));
  p.modules.add(runtime::storageModule(storageBackend));
  p.modules.add(runtime::utilsModule({cfg_.runtime.maxWait}));
  p.modules.add(runtime::httpModule(
      {std::make_shared<runtime::http::Client>(
           runtime::http::OutboundPolicy(cfg_.runtime.http.allow, cfg_.runtime.http.deny, cfg_.runtime.http.allowPrivate),
           runtime::http::ClientOptions{cfg_.runtime.http.caFile}),
       cfg_.runtime.http.maxTimeout, static_cast<std::size_t>(cfg_.runtime.http.maxResponse), httpStats},
      storageBackend));
  p.modules.add(runtime::cryptoModule(std::make_shared<ServerPasswords>()));
  p.modules.add(runtime::encodingModule());
  p.modules.add(runtime::smtpModule({cfg_.smtp.host, cfg_.smtp.port, cfg_.smtp.username, cfg_.smtp.password,
                                     cfg_.smtp.from, cfg_.smtp.security, cfg_.smtp.timeout, cfg_.smtp.caFile},
                                    storageBackend));
  p.modules.add(runtime::imageModule({std::make_shared<service::RuntimeImages>(cfg_.runtime.image.workers, cfg_.runtime.image.timeout),
                                      static_cast<std::uint64_t>(cfg_.runtime.image.maxPixels)},
                                     storageBackend));
  p.modules.add(runtime::drawModule({static_cast<std::uint64_t>(cfg_.runtime.draw.maxPixels),
                                     static_cast<std::uint64_t>(cfg_.runtime.memoryLimitMb) << 20,
                                     std::filesystem::path(cfg_.storage.path) / "_system" / "draw-fonts",
                                     cfg_.runtime.timeout},
                                    storageBackend));
  // plugins.path: each *.so adds its modules beside the built-ins (docs/plugins.md).
  p.plugins = std::make_unique<plugin::PluginManager>(
      cfg_.plugins.path, cfg_.plugins.config, [registry = &p.modules] { return registry->snapshot(); }, storageBackend, log_);
  p.plugins->startAll();
  p.pluginService = std::make_unique<service::PluginService>(*p.plugins);
  runtime::ModuleSource modules = [plugins = p.plugins.get()] { return plugins->modules(); };
  p.runtime = std::make_unique<service::RuntimeService>(*p.store, *p.projects, cfg_, modules, log_);
  p.runtime->setHttpStats(httpStats);
  // Several nodes on one MongoDB: a project runs where its lease is (src/cluster,
  // docs/cluster.md); the node's id and URL are known once the server listens.
  if (auto* mongo = dynamic_cast<store::mongo::MongoStore*>(p.store.get())) {
    cluster::CoordinatorOptions o;
    o.heartbeat = cfg_.cluster.heartbeat;
    o.leaseTtl = cfg_.cluster.leaseTtl;
    p.coordinator = std::make_unique<cluster::Coordinator>(mongo->database(), o, log_);
    p.coordinator->setHooks(
        {[store = p.store.get()] {
           std::vector<std::string> ids;
           for (const auto& pr : store->repos().projects().listAutoStart()) ids.push_back(pr.id);
           return ids;
         },
         [rt = p.runtime.get()](const std::string& id) { return rt->adopt(id); },
         [rt = p.runtime.get()](const std::string& id) { rt->lost(id); }});
    p.runtime->setOwnership(*p.coordinator);
  }
  const auto startedAt = lib::nowIso();
  p.cluster = std::make_unique<service::ClusterService>(
      [this, startedAt, coord = p.coordinator.get(), rt = p.runtime.get()] {
        std::vector<service::ClusterNode> out;
        if (!coord) {  // one node
          service::ClusterNode self{nodeId_, cfg_.server.uri, true, true, lib::nowIso(), startedAt, {}};
          for (const auto& [slug, s] : rt->overview()) self.projects.push_back(s.projectId);
          out.push_back(std::move(self));
          return out;
        }
        const auto now = cluster::systemMillis();
        for (auto& n : coord->nodes().list())
          out.push_back({n.id, n.url, coord->nodes().isLive(n, now), n.id == coord->options().nodeId,
                         store::mongo::millisToIso(n.heartbeatAt), store::mongo::millisToIso(n.startedAt),
                         std::move(n.projects)});
        return out;
      });
  p.projects->onDelete([rt = p.runtime.get()](const domain::Project& gone) { rt->forget(gone.id); });
  p.projects->onApiKeyChange([auth = p.auth.get()] { auth->apiKeysChanged(); });
  p.projects->onSlugChange([rt = p.runtime.get()](const domain::Project& updated, const std::string& oldSlug) {
    rt->rerouted(updated.id, oldSlug, updated.slug);
  });

  // metrics: per-project figures are read from the run control at scrape time
  p.metrics = std::make_unique<metrics::Metrics>(VERSION);
  p.metrics->setProjectSource([rt = p.runtime.get(), goals = p.goals.get()] {
    std::vector<metrics::ProjectSample> out;
    for (auto& [slug, s] : rt->overview()) {
      metrics::ProjectSample m;
      m.slug = slug;
      m.state = s.state;
      m.heapUsed = s.heapUsed;
      m.calls = s.calls;
      m.errors = s.errors;
      m.tasksRunning = s.tasks.running;
      m.tasksQueued = s.tasks.queued;
      m.tasksFailed = s.tasks.failed;
      m.threads = s.threads;
      m.waiting = s.waiting;
      m.httpRequests = s.http.requests;
      m.httpErrors = s.http.errors;
      m.jsCpuSeconds = s.jsSeconds;
      m.waits = s.waits;
      m.waitSeconds = s.waitSeconds;
      m.heapLimit = s.heapLimit;
      m.queuedRequests = s.queuedRequests;
      m.goalIncrements = goals->incrementsOf(s.projectId);
      m.restarts = s.restarts;
      for (const auto& job : s.schedules) {
        m.scheduleRuns += job.runs;
        m.scheduleSkipped += job.skipped;
        m.scheduleErrors += job.errors;
      }
      out.push_back(std::move(m));
    }
    return out;
  });
  // store: the driver's counters (the metrics module knows no database)
  p.metrics->setStoreSource([store = p.store.get()] {
    const auto st = store->stats();
    metrics::StoreSample m;
    m.reads = st.reads;
    m.writes = st.writes;
    m.batchSizes = st.batchSizes;
    m.commitSeconds = st.commitSeconds;
    m.walBytes = st.walBytes;
    m.checkpoints = st.checkpoints;
    m.checkpointSeconds = st.checkpointSeconds;
    m.checkpointLockedSeconds = st.checkpointLockedSeconds;
    return m;
  });

  // transport
  if (p.coordinator) {
    // Requests for a project another node runs go to that node (docs/cluster.md).
    http::proxy::ForwarderOptions fo;
    fo.client.timeout = cfg_.cluster.forwardTimeout.count() > 0 ? cfg_.cluster.forwardTimeout
                                                               : cfg_.runtime.requestTimeout + std::chrono::seconds(5);
    fo.client.maxBody = std::max<std::uint64_t>(64ull << 20, static_cast<std::uint64_t>(cfg_.runtime.maxResponse) + (1u << 20));
    p.forwarder = std::make_unique<http::proxy::Forwarder>(
        fo, [coord = p.coordinator.get()](const std::string& id) { return coord->ownerElsewhere(id); },
        [store = p.store.get()](const std::string& slug) -> std::optional<std::string> {
          auto project = store->repos().projects().findBySlug(slug);
          if (!project) return std::nullopt;
          return project->id;
        },
        log_);
  }
  http::handlers::registerHealth(p.router, *p.health);
  http::handlers::registerMetrics(p.router, *p.metrics, metrics::AccessPolicy({cfg_.metrics.token, cfg_.metrics.allow}));
  http::handlers::registerOpenApi(p.router);
  http::handlers::registerAuth(p.router, *p.auth);
  http::handlers::registerUsers(p.router, *p.auth, *p.users, cfg_.auth.avatarMaxSize, *log_);
  http::handlers::registerProjects(p.router, *p.auth, *p.projects);
  http::handlers::registerEnv(p.router, *p.auth, *p.env);
  http::handlers::registerPipeline(p.router, *p.auth, *p.pipeline);
  http::handlers::registerRuntime(p.router, *p.auth, *p.runtime, *p.models, modules, p.forwarder.get());
  http::handlers::registerPlugins(p.router, *p.auth, *p.pluginService);
  http::handlers::registerCluster(p.router, *p.auth, *p.cluster);
  http::handlers::registerModels(p.router, *p.auth, *p.models, *p.records, *log_);
  http::handlers::registerGoals(p.router, *p.auth, *p.goals);
  http::handlers::registerStorage(p.router, *p.auth, *p.storage, *log_);

  auto pipeline = http::compose(
      {
          http::middleware::requestId(),
          http::middleware::observe({http::middleware::metrics(p.metrics->http()),
                                     http::middleware::accessLog(log_, cfg_.logging.format == "json")}),
          http::middleware::cors(cfg_.server.corsOrigins),
          http::middleware::errors(log_),
      },
      // The admin UI at "/" (apiURL "": the UI calls the API on its own origin).
      http::ui::withUi(std::make_shared<const http::ui::StaticUi>(http::ui::embeddedAssets(),
                                                                  http::ui::UiConfig{"", VERSION}),
                       p.router.asHandler()));

  http::ServerOptions opts;
  opts.host = cfg_.server.host;
  opts.port = static_cast<std::uint16_t>(cfg_.server.port);
  opts.threads = cfg_.server.threads;
  opts.maxBody = cfg_.server.maxBody;
  // File uploads are bounded by storage.max_upload, not by server.max_body.
  const auto uploadLimit = std::max(cfg_.server.maxBody, cfg_.storage.maxUpload + (std::uint64_t{1} << 20));
  opts.bodyLimitFor = [uploadLimit](std::string_view target) -> std::optional<std::uint64_t> {
    const auto path = target.substr(0, target.find('?'));
    constexpr std::string_view kUpload = "/storage/upload";
    if (path.rfind("/api/projects/", 0) == 0 && path.size() > kUpload.size() &&
        path.substr(path.size() - kUpload.size()) == kUpload)
      return uploadLimit;
    return std::nullopt;
  };
  opts.maxHeader = static_cast<std::uint32_t>(cfg_.server.maxHeader);
  opts.readTimeout = cfg_.server.readTimeout;
  opts.idleTimeout = cfg_.server.idleTimeout;
  opts.onRefused = [http = p.metrics->http()](int status) { http->rejected(status); };
  // SCHED_BATCH helps the SQLite writer share a core with the IO threads; a cluster node
  // has no writer here, and its forwarded requests chain wake-ups across two nodes, each
  // delayed a time slice under SCHED_BATCH when the core is busy (bench/cluster_forward.mjs:
  // through node-b 15–40k req/s with it, 49k without, under the same outside load).
  opts.batchIoThreads = !p.coordinator;
  p.server = std::make_unique<http::Server>(opts, std::move(pipeline), log_);
  if (p.forwarder) p.forwarder->attach(p.server->ioContext());
  p.server->start();
  // Links the server makes (service.project.url) need a reachable base URL:
  // unless server.uri is set, it is this server's own address and bound port.
  if (cfg_.server.uri.empty()) cfg_.server.uri = derivedUri(cfg_.server.host, p.server->port());
  nodeId_ = cfg_.cluster.nodeId.empty() ? hostName() + ":" + std::to_string(p.server->port()) : cfg_.cluster.nodeId;
  if (p.forwarder) p.forwarder->identify(nodeId_);
  if (p.coordinator) {
    p.coordinator->identify(nodeId_, cfg_.cluster.advertiseUrl.empty() ? cfg_.server.uri : cfg_.cluster.advertiseUrl);
    p.coordinator->start();  // registered and renewing before the auto-start claims projects
  }
  p.runtime->autoStart();
  if (p.coordinator) p.coordinator->startAdopting();
  log_->info("m3m {} ({} mode) listening on http://{}:{}", VERSION, config::modeName(cfg_.mode), cfg_.server.host,
             p.server->port());
}

std::uint16_t App::port() const { return parts_->server ? parts_->server->port() : 0; }

void App::shutdown() {
  auto& p = *parts_;
  // Image jobs first: their requests are answered 503 now, so draining HTTP
  // does not wait on a decoder (one may take seconds to notice its kill).
  if (p.images) p.images->stop();
  if (p.server) {
    log_->info("shutting down: draining HTTP requests (up to {}ms)", cfg_.server.shutdownTimeout.count());
    p.server->shutdown(cfg_.server.shutdownTimeout);
    if (p.forwarder) p.forwarder->close();  // its pooled connections, while their io_context exists
    p.server.reset();
  }
  if (p.coordinator) p.coordinator->stopAdopting();  // leases are still renewed while the runs end
  if (p.runtime) {
    p.runtime->stopAll();  // keeps each project's desired state for the next start; releases the leases
  }
  if (p.coordinator) {
    p.coordinator->stop();
    p.coordinator->leave();
  }
  p.forwarder.reset();
  p.cluster.reset();
  p.runtime.reset();
  p.coordinator.reset();
  if (p.plugins) {
    p.plugins->stopAll();  // no project runs any more: shutdown in reverse name order
    p.pluginService.reset();
    p.plugins.reset();
  }
  if (p.goals) {
    p.goals->stop();  // no script runs any more: the last increments are written now
    p.goals.reset();
  }
  p.records.reset();
  p.storage.reset();
  p.models.reset();
  p.pipeline.reset();
  p.env.reset();
  p.projects.reset();
  p.users.reset();
  p.images.reset();
  p.auth.reset();
  p.health.reset();
  p.engine.reset();
  if (p.store) {
    p.store.reset();  // closes connections; WAL is checkpointed by the last close
    log_->info("database closed");
  }
  log_->flush();
}

}  // namespace m3m::app
