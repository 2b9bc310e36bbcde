#include "store/mongo/user_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"

namespace m3m::store::mongo {
namespace {
[[noreturn]] void notBuilt(const char* what) {
  throw Error(ErrorCode::UNAVAILABLE, std::string("the MongoDB driver does not implement ") + what + " yet");
}
}  // namespace

void ensureUserIndexes(Database&) {}

void MongoUserRepository::create(const domain::User&) { notBuilt("MongoUserRepository::create"); }
std::optional<domain::User> MongoUserRepository::findById(const std::string&) { notBuilt("MongoUserRepository::findById"); }
std::optional<domain::User> MongoUserRepository::findByEmail(const std::string&) { notBuilt("MongoUserRepository::findByEmail"); }
std::optional<domain::User> MongoUserRepository::findRoot() { notBuilt("MongoUserRepository::findRoot"); }
bool MongoUserRepository::update(const domain::User&) { notBuilt("MongoUserRepository::update"); }
bool MongoUserRepository::remove(const std::string&) { notBuilt("MongoUserRepository::remove"); }
domain::Page<domain::User> MongoUserRepository::list(const domain::PageRequest&) { notBuilt("MongoUserRepository::list"); }
void MongoSessionRepository::create(const domain::Session&) { notBuilt("MongoSessionRepository::create"); }
std::optional<domain::Session> MongoSessionRepository::findById(const std::string&) { notBuilt("MongoSessionRepository::findById"); }
std::optional<domain::Session> MongoSessionRepository::findByRefreshHash(const std::string&) { notBuilt("MongoSessionRepository::findByRefreshHash"); }
std::optional<domain::Session> MongoSessionRepository::findByUsedRefreshHash(const std::string&) { notBuilt("MongoSessionRepository::findByUsedRefreshHash"); }
bool MongoSessionRepository::rotate(const std::string&, const std::string&, const std::string&, const std::string&) { notBuilt("MongoSessionRepository::rotate"); }
void MongoSessionRepository::revoke(const std::string&) { notBuilt("MongoSessionRepository::revoke"); }
void MongoSessionRepository::revokeAllOf(const std::string&) { notBuilt("MongoSessionRepository::revokeAllOf"); }

}  // namespace m3m::store::mongo
