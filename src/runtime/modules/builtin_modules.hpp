// The built-in runtime modules and the small backend each one needs: no
// static self-registration; App builds each backend, adds the modules to its
// ModuleRegistry (runtime/module_registry.hpp) and hands that to the runtime.
#pragma once

#include <m3m/module.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace m3m::image {
class Pool;
}

namespace m3m::runtime {

namespace http {
class Client;
class Stats;
}

// What the `database` module needs from the services (records of the
// calling project's models). Filters are a filter string, an object filter
// or null; `options` carries params, sort, limit, skip, expand.
class DatabaseBackend {
 public:
  virtual ~DatabaseBackend() = default;
  virtual Value insert(const std::string& projectId, const std::string& model, const Value& record) = 0;
  virtual Value find(const std::string& projectId, const std::string& model, const Value& filter,
                     const Value& options) = 0;
  virtual Value findOne(const std::string& projectId, const std::string& model, const Value& filter,
                        const Value& options) = 0;
  virtual std::int64_t count(const std::string& projectId, const std::string& model, const Value& filter,
                             const Value& options) = 0;
  virtual std::int64_t update(const std::string& projectId, const std::string& model, const Value& filter,
                              const Value& patch, const Value& options) = 0;
  virtual std::int64_t remove(const std::string& projectId, const std::string& model, const Value& filter,
                              const Value& options) = 0;
  virtual Value upsert(const std::string& projectId, const std::string& model, const Value& filter,
                       const Value& record, const Value& options) = 0;
  // fn runs inside one write transaction; an exception from fn rolls back.
  virtual void transaction(const std::function<void()>& fn) = 0;
};

// What the `storage` module needs: the calling project's files.
class StorageBackend {
 public:
  virtual ~StorageBackend() = default;
  virtual std::string read(const std::string& projectId, const std::string& path) = 0;
  virtual void write(const std::string& projectId, const std::string& path, const std::string& bytes) = 0;
  virtual bool exists(const std::string& projectId, const std::string& path) = 0;
  virtual void remove(const std::string& projectId, const std::string& path) = 0;
  virtual Value list(const std::string& projectId, const std::string& dir) = 0;
  virtual void mkdir(const std::string& projectId, const std::string& path) = 0;
  virtual Value stat(const std::string& projectId, const std::string& path) = 0;  // null when missing
};

// The server's SMTP relay for the `smtp` module (config smtp.*; empty host = none).
struct SmtpSettings {
  std::string host;
  int port = 0;  // 0 = by security
  std::string username, password, from;
  std::string security = "starttls";  // starttls | tls | none
  std::chrono::milliseconds timeout{30'000};
  std::string caFile;  // extra trusted CAs (PEM), besides the system store
};

// env: the project's typed environment values.
class EnvBackend {
 public:
  virtual ~EnvBackend() = default;
  // The value of `key` with its type (secrets included), or nullopt.
  virtual std::optional<Value> get(const std::string& projectId, const std::string& key) = 0;
};

// goals: analytics counters.
class GoalsBackend {
 public:
  virtual ~GoalsBackend() = default;
  // Throws m3m::Error when the goal is unknown or forbidden to the project.
  virtual void increment(const std::string& projectId, const std::string& slug, std::int64_t value) = 0;
};

// crypto.hashPassword / verifyPassword: the server's own Argon2id
// (service/auth/passwords); the runtime does not depend on the services.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual std::string hash(const std::string& password) = 0;
  virtual bool verify(const std::string& password, const std::string& hash) = 0;
};

// utils: its limits (runtime.*).
struct UtilsSettings {
  std::chrono::milliseconds maxWait{600'000};  // utils.sleep waits at most this long (runtime.max_wait)
};

// http / fetch: the engine (with the outbound policy) and its caps (runtime.http.*).
struct HttpSettings {
  std::shared_ptr<http::Client> client;
  std::chrono::milliseconds maxTimeout{300'000};
  std::size_t maxResponse = 10u << 20;
  std::shared_ptr<http::Stats> stats;  // per-project counters for the status
};

// image: the pool its work runs on (service::RuntimeImages) and its limits (runtime.image.*).
struct ImageSettings {
  std::shared_ptr<image::Pool> pool;
  std::uint64_t maxPixels = 40'000'000;  // width × height as the header declares, checked before decoding
};

// The built-in modules, one explicit list in the order App registers them
// (src/app/app.cpp; Node's NODE_BUILTIN_MODULES). Each takes only its own
// backend; a null backend makes its functions throw UNAVAILABLE.
ModuleSchema loggerModule();
ModuleSchema envModule(std::shared_ptr<EnvBackend> env);
ModuleSchema databaseModule(std::shared_ptr<DatabaseBackend> database);
ModuleSchema goalsModule(std::shared_ptr<GoalsBackend> goals);
ModuleSchema storageModule(std::shared_ptr<StorageBackend> storage);
ModuleSchema utilsModule(UtilsSettings settings);
ModuleSchema httpModule(HttpSettings settings, std::shared_ptr<StorageBackend> storage);  // storage: multipart files
ModuleSchema cryptoModule(std::shared_ptr<PasswordHasher> passwords);
ModuleSchema encodingModule();
ModuleSchema smtpModule(SmtpSettings settings, std::shared_ptr<StorageBackend> storage);  // storage: templates, files
ModuleSchema imageModule(ImageSettings settings, std::shared_ptr<StorageBackend> storage);  // storage: sources, {to}

// "a 1 {\"b\":2}": strings as they are, everything else as JSON (console/logger).
std::string joinLogArgs(const std::vector<Value>& args);

}  // namespace m3m::runtime
