// The MongoDB connection as the repositories use it: one client pool, a
// client per operation, and the thread's open transaction (when there is one)
// joined automatically — the same contract as the SQLite driver's
// ConnectionSource. Errors leave as m3m::Error (UNAVAILABLE when the server
// cannot be reached) or DuplicateKey (the caller names the fields).
#pragma once

#include <mongoc/mongoc.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/mongo/bson_json.hpp"

namespace m3m::config {
struct MongoConfig;
}

namespace m3m::store::mongo {

// A write refused by a unique index (server error 11000). FerretDB does not
// name the index, so repositories find the violated one themselves.
class DuplicateKey : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws DuplicateKey, or m3m::Error (UNAVAILABLE / INTERNAL) with `what`.
[[noreturn]] void throwError(const bson_error_t& err, const std::string& what);

class Database;

// One collection for one operation: a pooled client (or the thread's
// transaction client) and the options every call takes (the session).
class Collection {
 public:
  Collection(Database& db, const char* name);
  ~Collection();
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;

  mongoc_collection_t* get() { return col_; }
  // Options for one call: `extra` plus the transaction's session, if any.
  Bson options(const bson_t* extra = nullptr) const;

  // `opts` (sort, projection, limit…) never hold the session: each call adds it.
  std::optional<nlohmann::json> findOne(const Bson& filter, const bson_t* opts = nullptr);
  std::vector<nlohmann::json> find(const Bson& filter, const bson_t* opts = nullptr);
  // Calls `each` per document (raw BSON: for repositories that convert typed fields).
  void forEach(const Bson& filter, const bson_t* opts, const std::function<void(const bson_t*)>& each);
  std::int64_t count(const Bson& filter, const bson_t* opts = nullptr);
  void insertOne(const Bson& doc);
  void insertMany(const std::vector<Bson>& docs);
  // Matched documents (not modified: an update to equal values still counts).
  std::int64_t updateOne(const Bson& filter, const Bson& update, bool upsert = false);
  std::int64_t updateMany(const Bson& filter, const Bson& update);
  std::int64_t deleteOne(const Bson& filter);
  std::int64_t deleteMany(const Bson& filter);
  // `keys`: the index's key document, e.g. {"email": 1}.
  void createIndex(const Bson& keys, const std::string& name, bool unique);
  void dropIndex(const std::string& name);
  void drop();
  // Runs an aggregation pipeline (an array of stages as a document {"pipeline": [...]}).
  std::vector<nlohmann::json> aggregate(const Bson& pipeline);

 private:
  Database& db_;
  mongoc_client_t* client_;
  bool pooled_;
  mongoc_collection_t* col_;
};

class Database {
 public:
  // Connects (retrying with back-off until connectTimeout) and pings:
  // UNAVAILABLE with the server's answer when it cannot.
  explicit Database(const config::MongoConfig& cfg);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& name() const { return name_; }
  // The server accepts multi-document transactions (a replica set or sharded cluster).
  bool transactions() const { return transactions_; }
  bool ping() noexcept;
  void dropDatabase();

  // Runs fn in a transaction on this thread (nested calls join the outer one).
  // Without server transactions fn runs as it is: each write is atomic alone.
  void transaction(const std::function<void()>& fn);
  bool inTransaction() const;

  // Counted per operation, for the store metrics.
  std::atomic<std::uint64_t> reads{0}, writes{0};

  // A pooled client for calls the Collection wrapper does not cover (GridFS
  // streams): never the thread's transaction client.
  void withClient(const std::function<void(mongoc_client_t*)>& fn);
  // Runs fn as if the thread had no open transaction (its calls neither join
  // nor see it), e.g. for writes whose other half (GridFS) cannot roll back.
  void outsideTransaction(const std::function<void()>& fn);

 private:
  friend class Collection;
  mongoc_client_t* pop();
  void push(mongoc_client_t* c);

  std::string name_;
  mongoc_uri_t* uri_ = nullptr;
  mongoc_client_pool_t* pool_ = nullptr;
  bool transactions_ = false;
  std::mutex standaloneWrites_;  // transaction() without server transactions
};

}  // namespace m3m::store::mongo
