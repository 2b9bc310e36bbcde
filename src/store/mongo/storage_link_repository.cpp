#include "store/mongo/storage_link_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensureStorageLinkIndexes(Database&) {}

void MongoStorageLinkRepository::create(const StorageLink&) { notBuilt("MongoStorageLinkRepository::create"); }
std::optional<StorageLink> MongoStorageLinkRepository::findByHash(const std::string&) { notBuilt("MongoStorageLinkRepository::findByHash"); }
domain::Page<StorageLink> MongoStorageLinkRepository::list(const std::string&, const domain::PageRequest&) { notBuilt("MongoStorageLinkRepository::list"); }
bool MongoStorageLinkRepository::remove(const std::string&, const std::string&) { notBuilt("MongoStorageLinkRepository::remove"); }
bool MongoStorageLinkRepository::removeById(const std::string&, const std::string&) { notBuilt("MongoStorageLinkRepository::removeById"); }
void MongoStorageLinkRepository::move(const std::string&, const std::string&, const std::string&) { notBuilt("MongoStorageLinkRepository::move"); }
void MongoStorageLinkRepository::removeUnder(const std::string&, const std::string&) { notBuilt("MongoStorageLinkRepository::removeUnder"); }

}  // namespace m3m::store::mongo
