// The server's configuration: every key of SPEC F-CONF with a default, so that
// `m3m serve` works with no file at all. Loaded by config/loader.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace m3m::config {

using std::chrono::milliseconds;

enum class Mode { Development, Production };

struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 3000;  // 0 = any free port (the bound port is logged)
  // Public base URL. Empty = not set: App derives it from host and the bound
  // port once listening (0.0.0.0/:: become 127.0.0.1).
  std::string uri;
  int threads = 0;  // 0 = number of cores
  std::uint64_t maxBody = 10ull << 20;
  std::uint64_t maxHeader = 16ull << 10;
  milliseconds readTimeout{30'000};     // whole request (headers + body) must arrive within it
  milliseconds idleTimeout{60'000};     // keep-alive connection with no request
  milliseconds shutdownTimeout{10'000}; // in-flight requests get this long on SIGTERM
  std::vector<std::string> corsOrigins; // empty in production; the Vite dev server in development
};

// WAL pages that start a checkpoint (src/store/sqlite/wal_tuning.hpp explains the value).
inline constexpr int DEFAULT_CHECKPOINT_PAGES = 20'000;

struct DatabaseConfig {
  std::string driver = "sqlite";
  std::string path = "./data/m3m.db";
  milliseconds busyTimeout{5'000};
  int readers = 4;
  int checkpointPages = DEFAULT_CHECKPOINT_PAGES;
};

struct MongoConfig {
  std::string uri = "mongodb://localhost:27017";
  std::string database = "m3m";
  milliseconds connectTimeout{10'000};  // retrying with back-off at start
};

inline constexpr const char* DEFAULT_JWT_SECRET = "change-me";

struct JwtConfig {
  std::string secret = DEFAULT_JWT_SECRET;
  milliseconds expiration{168ll * 3'600'000};
  milliseconds refreshExpiration{720ll * 3'600'000};
};

struct AuthConfig {
  int loginMaxAttempts = 5;             // failed logins per email+IP within the window → 429
  milliseconds loginWindow{15 * 60'000};
  std::uint64_t avatarMaxSize = 5ull << 20;
};

struct PipelineConfig {
  std::uint64_t maxCodeSize = 1ull << 20;  // one draft or release
};

struct StorageConfig {
  std::string driver = "local";  // local (storage.path) | gridfs (MongoDB: files follow a project to any node)
  std::string path = "./storage";
  std::uint64_t maxUpload = 50ull << 20;  // one uploaded or written file
  // Images (thumbnails, avatars): the declared size is checked before decoding.
  int maxImagePixels = 40'000'000;
  milliseconds imageTimeout{10'000};  // wall clock of one image job
  int imageWorkers = 2;               // image jobs at once (never on HTTP threads)
};

// runtime.http: the projects' outbound HTTP (http.*).
struct HttpClientConfig {
  milliseconds maxTimeout{300'000};          // the longest timeout a call may ask for
  std::uint64_t maxResponse = 10ull << 20;   // the largest response body (maxBytes ceiling)
  std::vector<std::string> allow;            // when set: only these hosts / CIDRs
  std::vector<std::string> deny;             // never these hosts / CIDRs (wins over allow)
  bool allowPrivate = true;                  // false: loopback, RFC 1918, link-local… refused
  std::string caFile;                        // extra trusted CAs (PEM), besides the system store
};

// runtime.image: the projects' `image` module.
struct RuntimeImageConfig {
  int maxPixels = 40'000'000;            // width × height a source (or a step's result) may have
  int workers = 2;                       // image operations at once, shared by every project
  milliseconds timeout{30'000};          // wall clock of one operation, from when a worker starts it
};

// runtime.draw: the `draw` module's canvases.
struct DrawConfig {
  int maxPixels = 40'000'000;  // one canvas or one decoded image (width × height)
};

struct RuntimeConfig {
  int workerPoolSize = 8;                   // threads per project that run its JS, one at a time
  milliseconds timeout{30'000};            // JS time of one task (route call, timer, phase step)
  int memoryLimitMb = 128;                  // heap + ArrayBuffers per project
  int maxQueue = 1000;                      // requests waiting for one project
  milliseconds shutdownTimeout{5'000};      // the service's shutdown callbacks
  milliseconds goalsFlushInterval{200};     // goals.increment batches are written this often
  milliseconds startTimeout{60'000};        // boot or start, awaits included
  milliseconds requestTimeout{60'000};      // one project request, awaits included
  std::uint64_t logMaxSize = 5ull << 20;    // run log size before it rotates
  std::uint64_t maxResponse = 10ull << 20;  // one project route's response body
  bool wasm = false;                        // WebAssembly in project code (off: not counted exactly)
  milliseconds maxWait{600'000};            // one waiting call (utils.sleep)
  std::string timezone = "UTC";             // schedule.* cron times (IANA name)
  HttpClientConfig http;
  RuntimeImageConfig image;
  DrawConfig draw;
};

// The runtime's `smtp` module (docs/runtime.md, "smtp"). Empty host = not configured.
struct SmtpConfig {
  std::string host;
  int port = 0;                      // 0 = by security: 587 starttls, 465 tls, 25 none
  std::string username;
  std::string password;              // never logged; in production from the environment or password_file
  std::string passwordFile;          // first line = the password
  std::string from;                  // default sender, "Name <a@b.c>"
  std::string security = "starttls"; // starttls | tls | none
  milliseconds timeout{30'000};      // one whole send
  std::string caFile;                // extra trusted CAs (PEM), besides the system store
};

struct PluginsConfig {
  std::string path = "./plugins";
  nlohmann::json config = nlohmann::json::object();  // plugins.config.<name> → that plugin
};

struct LoggingConfig {
  std::string level = "info";
  std::string format = "text";  // text | json (JSON lines for log shippers)
  // What the console gets: all (the access lines too) | server (the
  // server's own lines; access lines only in the file) | off.
  std::string console = "server";
  std::string path = "./logs";
  std::uint64_t maxSize = 100ull << 20;  // 10 MB rotated every second at 100k req/s (docs)
  int maxFiles = 5;
};

// GET /metrics: off unless a token or an allow list is set (docs/configuration.md).
struct MetricsConfig {
  std::string token;               // bearer token the scraper sends
  std::vector<std::string> allow;  // addresses / CIDRs the scraper connects from
};

// Several nodes on one MongoDB (docs/cluster.md); only with database.driver: mongodb.
struct ClusterConfig {
  std::string nodeId;        // empty = hostname:port (the bound port)
  std::string advertiseUrl;  // empty = server.uri (itself derived from host and port when unset)
  milliseconds leaseTtl{15'000};
  milliseconds heartbeat{3'000};
  // How long a request forwarded to the node that runs its project may take;
  // 0 = runtime.request_timeout + 5s (the owner answers 504 first).
  milliseconds forwardTimeout{0};
};

struct Config {
  Mode mode = Mode::Development;
  ServerConfig server;
  DatabaseConfig database;
  MongoConfig mongodb;
  ClusterConfig cluster;
  JwtConfig jwt;
  AuthConfig auth;
  PipelineConfig pipeline;
  StorageConfig storage;
  RuntimeConfig runtime;
  SmtpConfig smtp;
  PluginsConfig plugins;
  LoggingConfig logging;
  MetricsConfig metrics;

  std::string sourceFile;  // empty when running on defaults

  bool isProduction() const { return mode == Mode::Production; }
};

std::string_view modeName(Mode m);

}  // namespace m3m::config
