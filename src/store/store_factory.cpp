#include <m3m/error.hpp>

#include "config/config.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace m3m::store {

std::unique_ptr<Store> openStore(const config::DatabaseConfig& cfg) {
  if (cfg.driver == "sqlite") return sqlite::SqliteStore::open(cfg);
  if (cfg.driver == "mongodb")
    throw Error(ErrorCode::UNAVAILABLE,
                "database.driver \"mongodb\" is not built yet in this version of m3m; "
                "use the embedded default \"sqlite\"");
  throw Error(ErrorCode::INVALID_ARGUMENT, "database.driver: unknown driver \"" + cfg.driver + "\"");
}

}  // namespace m3m::store
