// The built-in runtime modules, one explicit list (as Node's NODE_BUILTIN_MODULES):
// no static self-registration; App builds the list and hands it to the runtime.
#pragma once

#include <m3m/module.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

struct BuiltinDeps {
  // env.get(key): the project's typed environment value, or nullopt.
  std::function<std::optional<Value>(const std::string& projectId, const std::string& key)> envLookup;
  std::shared_ptr<DatabaseBackend> database;
  std::shared_ptr<StorageBackend> storage;
  // goals.increment(slug, value): throws m3m::Error when the goal is unknown or forbidden.
  std::function<void(const std::string& projectId, const std::string& slug, std::int64_t value)> goalIncrement;
  // crypto.hashPassword / verifyPassword: the server's own Argon2id (service/auth/passwords).
  std::function<std::string(const std::string& password)> hashPassword;
  std::function<bool(const std::string& password, const std::string& hash)> verifyPassword;
  // utils.sleep waits at most this long (runtime.max_wait).
  std::chrono::milliseconds maxWait{600'000};
  // http.*: the engine (with the outbound policy) and its caps (runtime.http.*).
  std::shared_ptr<http::Client> httpClient;
  std::chrono::milliseconds httpMaxTimeout{300'000};
  std::size_t httpMaxResponse = 10u << 20;
  std::shared_ptr<http::Stats> httpStats;  // per-project counters for the status
  SmtpSettings smtp;
};

#define M3M_BUILTIN_MODULES(V) \
  V(logger)                    \
  V(env)                       \
  V(database)                  \
  V(goals)                     \
  V(storage)                   \
  V(utils)                     \
  V(http)                      \
  V(crypto)                    \
  V(encoding)                  \
  V(smtp)

#define M3M_DECLARE_MODULE(name) ModuleSchema name##Module(const BuiltinDeps& deps);
M3M_BUILTIN_MODULES(M3M_DECLARE_MODULE)
#undef M3M_DECLARE_MODULE

std::vector<ModuleSchema> builtinModules(const BuiltinDeps& deps);

// "a 1 {\"b\":2}": strings as they are, everything else as JSON (console/logger).
std::string joinLogArgs(const std::vector<Value>& args);

}  // namespace m3m::runtime
