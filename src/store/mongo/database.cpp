#include "store/mongo/database.hpp"

#include <m3m/error.hpp>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "config/config.hpp"

namespace m3m::store::mongo {
namespace {

// The thread's open transaction: its client (taken from the pool for the
// whole transaction) and session; depth counts nested calls.
struct ThreadTransaction {
  Database* db = nullptr;
  mongoc_client_t* client = nullptr;
  mongoc_client_session_t* session = nullptr;
  int depth = 0;
};
thread_local ThreadTransaction tlsTx;

// libmongoc logs to stderr on its own; only its errors are worth a line (a
// warning such as FerretDB's missing endSessions at shutdown is not).
void logErrorsOnly(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  if (level <= MONGOC_LOG_LEVEL_ERROR) std::fprintf(stderr, "mongoc %s: %s\n", domain, message);
}

void initDriverOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    mongoc_init();
    mongoc_log_set_handler(logErrorsOnly, nullptr);
  });
}

bool unreachable(const bson_error_t& e) {
  return e.domain == MONGOC_ERROR_SERVER_SELECTION || e.domain == MONGOC_ERROR_STREAM ||
         e.domain == MONGOC_ERROR_CLIENT || e.domain == MONGOC_ERROR_PROTOCOL;
}

bool duplicateKey(const bson_error_t& e) {
  // FerretDB (v1.24) reports a unique index refusing an *update* as an
  // internal error carrying its SQLite backend's message, not as 11000.
  if (std::strstr(e.message, "UNIQUE constraint failed") != nullptr) return true;
  return (e.domain == MONGOC_ERROR_SERVER || e.domain == MONGOC_ERROR_WRITE_CONCERN ||
          e.domain == MONGOC_ERROR_COLLECTION || e.domain == MONGOC_ERROR_COMMAND) &&
         (e.code == 11000 || e.code == 11001 || e.code == 12582);
}

std::int64_t replyCount(const bson_t* reply, const char* key) {
  bson_iter_t it;
  if (bson_iter_init_find(&it, reply, key) && BSON_ITER_HOLDS_NUMBER(&it)) return bson_iter_as_int64(&it);
  return 0;
}

}  // namespace

void throwError(const bson_error_t& err, const std::string& what) {
  if (duplicateKey(err)) throw DuplicateKey(err.message);
  if (unreachable(err)) throw Error(ErrorCode::UNAVAILABLE, "MongoDB is unreachable (" + what + "): " + err.message);
  throw Error(ErrorCode::INTERNAL, "MongoDB " + what + " failed: " + std::string(err.message));
}

// ---- Database --------------------------------------------------------------

Database::Database(const config::MongoConfig& cfg) : name_(cfg.database) {
  initDriverOnce();
  bson_error_t err;
  uri_ = mongoc_uri_new_with_error(cfg.uri.c_str(), &err);
  if (!uri_) throw Error(ErrorCode::INVALID_ARGUMENT, "mongodb.uri: " + std::string(err.message));
  // Each attempt waits at most this long for a server; the loop below retries
  // until connect_timeout.
  if (!mongoc_uri_has_option(uri_, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
    mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2000);
  if (!mongoc_uri_has_option(uri_, MONGOC_URI_CONNECTTIMEOUTMS))
    mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
  pool_ = mongoc_client_pool_new_with_error(uri_, &err);
  if (!pool_) {
    mongoc_uri_destroy(uri_);
    throw Error(ErrorCode::INVALID_ARGUMENT, "mongodb.uri: " + std::string(err.message));
  }
  mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_set_appname(pool_, "m3m");

  const auto deadline = std::chrono::steady_clock::now() + cfg.connectTimeout;
  auto pause = std::chrono::milliseconds(100);
  std::string last;
  for (;;) {
    mongoc_client_t* c = pop();
    Bson cmd;
    BSON_APPEND_INT32(cmd.get(), "hello", 1);
    bson_t reply;
    const bool ok = mongoc_client_command_simple(c, "admin", cmd.get(), nullptr, &reply, &err);
    if (ok) {
      bson_iter_t it;
      transactions_ = bson_iter_init_find(&it, &reply, "setName") ||
                      (bson_iter_init_find(&it, &reply, "msg") && BSON_ITER_HOLDS_UTF8(&it) &&
                       std::string_view(bson_iter_utf8(&it, nullptr)) == "isdbgrid");
    }
    bson_destroy(&reply);
    push(c);
    if (ok) break;
    last = err.message;
    if (!unreachable(err)) {
      mongoc_client_pool_destroy(pool_);
      mongoc_uri_destroy(uri_);
      throw Error(ErrorCode::UNAVAILABLE, "MongoDB at mongodb.uri refused m3m: " + last);
    }
    if (std::chrono::steady_clock::now() + pause > deadline) {
      mongoc_client_pool_destroy(pool_);
      mongoc_uri_destroy(uri_);
      throw Error(ErrorCode::UNAVAILABLE, "MongoDB at mongodb.uri is unreachable (gave up after mongodb.connect_timeout): " +
                                              last);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

Database::~Database() {
  mongoc_client_pool_destroy(pool_);
  mongoc_uri_destroy(uri_);
}

mongoc_client_t* Database::pop() { return mongoc_client_pool_pop(pool_); }
void Database::push(mongoc_client_t* c) { mongoc_client_pool_push(pool_, c); }

bool Database::ping() noexcept {
  mongoc_client_t* c = pop();
  Bson cmd;
  BSON_APPEND_INT32(cmd.get(), "ping", 1);
  bson_error_t err;
  const bool ok = mongoc_client_command_simple(c, "admin", cmd.get(), nullptr, nullptr, &err);
  push(c);
  return ok;
}

void Database::dropDatabase() {
  mongoc_client_t* c = pop();
  mongoc_database_t* db = mongoc_client_get_database(c, name_.c_str());
  bson_error_t err;
  const bool ok = mongoc_database_drop_with_opts(db, nullptr, &err);
  mongoc_database_destroy(db);
  push(c);
  if (!ok && err.code != 26 /* NamespaceNotFound */) throwError(err, "dropDatabase");
}

bool Database::inTransaction() const { return tlsTx.db == this && tlsTx.depth > 0; }

void Database::transaction(const std::function<void()>& fn) {
  if (inTransaction()) {
    ++tlsTx.depth;
    try {
      fn();
    } catch (...) {
      --tlsTx.depth;
      throw;
    }
    --tlsTx.depth;
    return;
  }
  if (!transactions_) {
    // A standalone server: no rollback (docs/cluster.md). Transactions of
    // this process still run one at a time, so a compare-and-set (match, then
    // write) cannot interleave with another one of this node.
    std::lock_guard serial(standaloneWrites_);
    tlsTx = {this, nullptr, nullptr, 1};
    try {
      fn();
    } catch (...) {
      tlsTx = {};
      throw;
    }
    tlsTx = {};
    return;
  }
  mongoc_client_t* client = pop();
  bson_error_t err;
  mongoc_client_session_t* session = mongoc_client_start_session(client, nullptr, &err);
  if (!session) {
    push(client);
    throwError(err, "start session");
  }
  auto end = [&] {
    mongoc_client_session_destroy(session);
    push(client);
    tlsTx = {};
  };
  if (!mongoc_client_session_start_transaction(session, nullptr, &err)) {
    end();
    throwError(err, "start transaction");
  }
  tlsTx = {this, client, session, 1};
  try {
    fn();
  } catch (...) {
    mongoc_client_session_abort_transaction(session, nullptr);
    end();
    throw;
  }
  bson_t reply;
  const bool ok = mongoc_client_session_commit_transaction(session, &reply, &err);
  bson_destroy(&reply);
  end();
  if (!ok) throwError(err, "commit");
}

// ---- Collection ------------------------------------------------------------

Collection::Collection(Database& db, const char* name)
    : db_(db),
      client_(tlsTx.db == &db && tlsTx.client ? tlsTx.client : db.pop()),
      pooled_(!(tlsTx.db == &db && tlsTx.client)),
      col_(mongoc_client_get_collection(client_, db.name().c_str(), name)) {}

Collection::~Collection() {
  mongoc_collection_destroy(col_);
  if (pooled_) db_.push(client_);
}

Bson Collection::options(const bson_t* extra) const {
  Bson opts = extra ? Bson(extra) : Bson();
  if (tlsTx.db == &db_ && tlsTx.session) {
    bson_error_t err;
    if (!mongoc_client_session_append(tlsTx.session, opts.get(), &err)) throwError(err, "session");
  }
  return opts;
}

std::optional<nlohmann::json> Collection::findOne(const Bson& filter, const bson_t* opts) {
  Bson o = opts ? Bson(opts) : Bson();
  BSON_APPEND_INT64(o.get(), "limit", 1);
  std::optional<nlohmann::json> out;
  forEach(filter, o.get(), [&](const bson_t* doc) { out = toJson(doc); });
  return out;
}

std::vector<nlohmann::json> Collection::find(const Bson& filter, const bson_t* opts) {
  std::vector<nlohmann::json> out;
  forEach(filter, opts, [&](const bson_t* doc) { out.push_back(toJson(doc)); });
  return out;
}

void Collection::forEach(const Bson& filter, const bson_t* opts, const std::function<void(const bson_t*)>& each) {
  db_.reads.fetch_add(1, std::memory_order_relaxed);
  Bson o = options(opts);
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(col_, filter.get(), o.get(), nullptr);
  const bson_t* doc = nullptr;
  try {
    while (mongoc_cursor_next(cursor, &doc)) each(doc);
  } catch (...) {
    mongoc_cursor_destroy(cursor);
    throw;
  }
  bson_error_t err;
  const bool failed = mongoc_cursor_error(cursor, &err);
  mongoc_cursor_destroy(cursor);
  if (failed) throwError(err, "find");
}

std::int64_t Collection::count(const Bson& filter, const bson_t* opts) {
  db_.reads.fetch_add(1, std::memory_order_relaxed);
  Bson o = options(opts);
  bson_error_t err;
  const std::int64_t n = mongoc_collection_count_documents(col_, filter.get(), o.get(), nullptr, nullptr, &err);
  if (n < 0) throwError(err, "count");
  return n;
}

void Collection::insertOne(const Bson& doc) {
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  bson_error_t err;
  if (!mongoc_collection_insert_one(col_, doc.get(), o.get(), nullptr, &err)) throwError(err, "insert");
}

void Collection::insertMany(const std::vector<Bson>& docs) {
  if (docs.empty()) return;
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  std::vector<const bson_t*> ptrs;
  ptrs.reserve(docs.size());
  for (const auto& d : docs) ptrs.push_back(d.get());
  Bson o = options();
  bson_error_t err;
  if (!mongoc_collection_insert_many(col_, ptrs.data(), ptrs.size(), o.get(), nullptr, &err))
    throwError(err, "insert");
}

std::int64_t Collection::updateOne(const Bson& filter, const Bson& update, bool upsert) {
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  if (upsert) BSON_APPEND_BOOL(o.get(), "upsert", true);
  bson_t reply;
  bson_error_t err;
  const bool ok = mongoc_collection_update_one(col_, filter.get(), update.get(), o.get(), &reply, &err);
  const std::int64_t n = replyCount(&reply, "matchedCount") + replyCount(&reply, "upsertedCount");
  bson_destroy(&reply);
  if (!ok) throwError(err, "update");
  return n;
}

std::int64_t Collection::updateMany(const Bson& filter, const Bson& update) {
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  bson_t reply;
  bson_error_t err;
  const bool ok = mongoc_collection_update_many(col_, filter.get(), update.get(), o.get(), &reply, &err);
  const std::int64_t n = replyCount(&reply, "matchedCount");
  bson_destroy(&reply);
  if (!ok) throwError(err, "update");
  return n;
}

std::int64_t Collection::deleteOne(const Bson& filter) {
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  bson_t reply;
  bson_error_t err;
  const bool ok = mongoc_collection_delete_one(col_, filter.get(), o.get(), &reply, &err);
  const std::int64_t n = replyCount(&reply, "deletedCount");
  bson_destroy(&reply);
  if (!ok) throwError(err, "delete");
  return n;
}

std::int64_t Collection::deleteMany(const Bson& filter) {
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  bson_t reply;
  bson_error_t err;
  const bool ok = mongoc_collection_delete_many(col_, filter.get(), o.get(), &reply, &err);
  const std::int64_t n = replyCount(&reply, "deletedCount");
  bson_destroy(&reply);
  if (!ok) throwError(err, "delete");
  return n;
}

void Collection::createIndex(const Bson& keys, const std::string& name, bool unique) {
  Bson model;
  BSON_APPEND_DOCUMENT(model.get(), "key", keys.get());
  BSON_APPEND_UTF8(model.get(), "name", name.c_str());
  if (unique) BSON_APPEND_BOOL(model.get(), "unique", true);
  Bson cmd;
  BSON_APPEND_UTF8(cmd.get(), "createIndexes", mongoc_collection_get_name(col_));
  bson_t indexes;
  BSON_APPEND_ARRAY_BEGIN(cmd.get(), "indexes", &indexes);
  BSON_APPEND_DOCUMENT(&indexes, "0", model.get());
  bson_append_array_end(cmd.get(), &indexes);
  Bson o = options();
  bson_error_t err;
  if (!mongoc_collection_write_command_with_opts(col_, cmd.get(), o.get(), nullptr, &err))
    throwError(err, "createIndexes");
}

void Collection::dropIndex(const std::string& name) {
  Bson o = options();
  bson_error_t err;
  if (!mongoc_collection_drop_index_with_opts(col_, name.c_str(), o.get(), &err) && err.code != 27 /* IndexNotFound */)
    throwError(err, "dropIndex");
}

void Collection::drop() {
  Bson o = options();
  bson_error_t err;
  if (!mongoc_collection_drop_with_opts(col_, o.get(), &err) && err.code != 26 /* NamespaceNotFound */)
    throwError(err, "drop");
}

std::vector<nlohmann::json> Collection::aggregate(const Bson& pipeline) {
  db_.reads.fetch_add(1, std::memory_order_relaxed);
  Bson o = options();
  mongoc_cursor_t* cursor = mongoc_collection_aggregate(col_, MONGOC_QUERY_NONE, pipeline.get(), o.get(), nullptr);
  std::vector<nlohmann::json> out;
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor, &doc)) out.push_back(toJson(doc));
  bson_error_t err;
  const bool failed = mongoc_cursor_error(cursor, &err);
  mongoc_cursor_destroy(cursor);
  if (failed) throwError(err, "aggregate");
  return out;
}

void Database::withClient(const std::function<void(mongoc_client_t*)>& fn) {
  mongoc_client_t* c = pop();
  try {
    fn(c);
  } catch (...) {
    push(c);
    throw;
  }
  push(c);
}

void Database::outsideTransaction(const std::function<void()>& fn) {
  const ThreadTransaction saved = tlsTx;
  if (saved.db == this) tlsTx = {};
  try {
    fn();
  } catch (...) {
    if (saved.db == this) tlsTx = saved;
    throw;
  }
  if (saved.db == this) tlsTx = saved;
}

}  // namespace m3m::store::mongo
