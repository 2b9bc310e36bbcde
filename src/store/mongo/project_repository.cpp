#include "store/mongo/project_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensureProjectIndexes(Database&) {}

void MongoProjectRepository::create(const domain::Project&) { notBuilt("MongoProjectRepository::create"); }
std::optional<domain::Project> MongoProjectRepository::findById(const std::string&) { notBuilt("MongoProjectRepository::findById"); }
std::optional<domain::Project> MongoProjectRepository::findByApiKeyHash(const std::string&) { notBuilt("MongoProjectRepository::findByApiKeyHash"); }
std::optional<domain::Project> MongoProjectRepository::findBySlug(const std::string&) { notBuilt("MongoProjectRepository::findBySlug"); }
std::vector<domain::Project> MongoProjectRepository::listAutoStart() { notBuilt("MongoProjectRepository::listAutoStart"); }
void MongoProjectRepository::setRunState(const std::string&, const std::string&, const std::optional<std::string>&) { notBuilt("MongoProjectRepository::setRunState"); }
bool MongoProjectRepository::update(const domain::Project&) { notBuilt("MongoProjectRepository::update"); }
bool MongoProjectRepository::remove(const std::string&) { notBuilt("MongoProjectRepository::remove"); }
domain::Page<domain::Project> MongoProjectRepository::list(const domain::PageRequest&, const std::optional<std::string>&) { notBuilt("MongoProjectRepository::list"); }
bool MongoProjectRepository::isMember(const std::string&, const std::string&) { notBuilt("MongoProjectRepository::isMember"); }
void MongoProjectRepository::addMember(const std::string&, const std::string&) { notBuilt("MongoProjectRepository::addMember"); }
bool MongoProjectRepository::removeMember(const std::string&, const std::string&) { notBuilt("MongoProjectRepository::removeMember"); }
std::vector<MemberRow> MongoProjectRepository::members(const std::string&) { notBuilt("MongoProjectRepository::members"); }
std::vector<std::string> MongoProjectRepository::projectIdsOf(const std::string&) { notBuilt("MongoProjectRepository::projectIdsOf"); }
domain::Page<domain::EnvValue> MongoEnvRepository::list(const std::string&, const domain::PageRequest&) { notBuilt("MongoEnvRepository::list"); }
std::optional<domain::EnvValue> MongoEnvRepository::find(const std::string&, const std::string&) { notBuilt("MongoEnvRepository::find"); }
void MongoEnvRepository::create(const domain::EnvValue&) { notBuilt("MongoEnvRepository::create"); }
bool MongoEnvRepository::update(const domain::EnvValue&) { notBuilt("MongoEnvRepository::update"); }
bool MongoEnvRepository::remove(const std::string&, const std::string&) { notBuilt("MongoEnvRepository::remove"); }

}  // namespace m3m::store::mongo
