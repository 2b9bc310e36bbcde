#include <m3m/error.hpp>

#include "config/config.hpp"
#include "store/mongo/mongo_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace m3m::store {

std::unique_ptr<Store> openStore(const config::DatabaseConfig& cfg, const config::MongoConfig& mongo) {
  if (cfg.driver == "sqlite") return sqlite::SqliteStore::open(cfg);
  if (cfg.driver == "mongodb") return mongo::MongoStore::open(mongo);
  throw Error(ErrorCode::INVALID_ARGUMENT, "database.driver: unknown driver \"" + cfg.driver + "\"");
}

std::unique_ptr<Store> openStore(const config::DatabaseConfig& cfg) { return openStore(cfg, config::MongoConfig{}); }

}  // namespace m3m::store
