#include "store/mongo/model_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensureModelIndexes(Database&) {}

domain::Page<domain::Model> MongoModelRepository::list(const std::string&, const domain::PageRequest&) { notBuilt("MongoModelRepository::list"); }
std::vector<domain::Model> MongoModelRepository::all(const std::string&) { notBuilt("MongoModelRepository::all"); }
std::optional<domain::Model> MongoModelRepository::find(const std::string&, const std::string&) { notBuilt("MongoModelRepository::find"); }
void MongoModelRepository::create(const domain::Model&) { notBuilt("MongoModelRepository::create"); }
void MongoModelRepository::update(const domain::Model&, const domain::Model&, const nlohmann::json&) { notBuilt("MongoModelRepository::update"); }
bool MongoModelRepository::remove(const domain::Model&) { notBuilt("MongoModelRepository::remove"); }
void MongoRecordRepository::insert(const domain::Model&, const nlohmann::json&) { notBuilt("MongoRecordRepository::insert"); }
std::optional<nlohmann::json> MongoRecordRepository::get(const domain::Model&, const std::string&) { notBuilt("MongoRecordRepository::get"); }
std::vector<nlohmann::json> MongoRecordRepository::getMany(const domain::Model&, const std::vector<std::string>&) { notBuilt("MongoRecordRepository::getMany"); }
RecordPage MongoRecordRepository::find(const domain::Model&, const RecordQuery&, const std::string&) { notBuilt("MongoRecordRepository::find"); }
std::int64_t MongoRecordRepository::count(const domain::Model&, const query::Expr*, const std::string&) { notBuilt("MongoRecordRepository::count"); }
std::vector<std::string> MongoRecordRepository::matchingIds(const domain::Model&, const query::Expr*, const std::string&) { notBuilt("MongoRecordRepository::matchingIds"); }
std::vector<std::string> MongoRecordRepository::referencing(const domain::Model&, const std::string&, const std::string&) { notBuilt("MongoRecordRepository::referencing"); }
bool MongoRecordRepository::update(const domain::Model&, const std::string&, const nlohmann::json&) { notBuilt("MongoRecordRepository::update"); }
bool MongoRecordRepository::remove(const domain::Model&, const std::string&) { notBuilt("MongoRecordRepository::remove"); }
std::vector<nlohmann::json> MongoRecordRepository::scan(const domain::Model&) { notBuilt("MongoRecordRepository::scan"); }
void dropProjectModels(Database&, const std::string&) { notBuilt("dropProjectModels"); }

}  // namespace m3m::store::mongo
