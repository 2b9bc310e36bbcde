#include "store/mongo/user_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;
using namespace util;

constexpr const char* kUsers = "users";
constexpr const char* kSessions = "sessions";
constexpr const char* kMembers = "project_members";
constexpr const char* kProjects = "projects";

// The single root: SQLite's partial unique index users_single_root, done with
// a plain unique index on `root_key` — "root" for the root user, the user's
// own id for everybody else (no partial or sparse index needed, so it holds on
// FerretDB and MongoDB alike). is_root never changes after creation.
std::string rootKey(const domain::User& u) { return u.isRoot ? std::string("root") : "user:" + u.id; }

domain::User readUser(const json& d) {
  domain::User u;
  u.id = str(d, "_id");
  u.email = str(d, "email");
  u.name = str(d, "name");
  u.passwordHash = str(d, "password_hash");
  u.isRoot = flag(d, "is_root");
  u.isBlocked = flag(d, "is_blocked");
  u.canCreateProjects = flag(d, "can_create_projects");
  u.canManageUsers = flag(d, "can_manage_users");
  u.tokenVersion = static_cast<int>(num(d, "token_version"));
  u.avatarVersion = static_cast<int>(num(d, "avatar_version"));
  u.createdAt = str(d, "created_at");
  u.updatedAt = str(d, "updated_at");
  u.language = str(d, "language");
  return u;
}

domain::Session readSession(const json& d) {
  domain::Session s;
  s.id = str(d, "_id");
  s.userId = str(d, "user_id");
  s.refreshHash = str(d, "refresh_hash");
  s.expiresAt = str(d, "expires_at");
  s.revoked = flag(d, "revoked");
  s.createdAt = str(d, "created_at");
  return s;
}

const json kSessionProjection = {{"used_refresh", 0}};

[[noreturn]] void emailTaken() {
  throw Error(ErrorCode::CONFLICT, "a user with this email already exists", {{"email", "already in use"}});
}

}  // namespace

void ensureUserIndexes(Database& db) {
  {
    Collection c(db, kUsers);
    c.createIndex(ordered({{"email", 1}}), "users_email", true);
    c.createIndex(ordered({{"root_key", 1}}), "users_single_root", true);
    c.createIndex(ordered({{"created_at", 1}, {"_id", 1}}), "users_created", false);
  }
  {
    Collection c(db, kSessions);
    c.createIndex(ordered({{"refresh_hash", 1}}), "sessions_refresh_hash", true);
    c.createIndex(ordered({{"user_id", 1}}), "sessions_user", false);
    c.createIndex(ordered({{"used_refresh", 1}}), "sessions_used_refresh", false);
  }
}

// ---- users -----------------------------------------------------------------

void MongoUserRepository::create(const domain::User& u) {
  Collection c(db_, kUsers);
  try {
    c.insertOne(toBson({{"_id", u.id},
                        {"email", u.email},
                        {"name", u.name},
                        {"password_hash", u.passwordHash},
                        {"is_root", u.isRoot},
                        {"root_key", rootKey(u)},
                        {"is_blocked", u.isBlocked},
                        {"can_create_projects", u.canCreateProjects},
                        {"can_manage_users", u.canManageUsers},
                        {"token_version", u.tokenVersion},
                        {"avatar_version", u.avatarVersion},
                        {"created_at", u.createdAt},
                        {"updated_at", u.updatedAt},
                        {"language", u.language}}));
  } catch (const DuplicateKey& e) {
    if (violated(e, "users_email", c, {{"email", u.email}})) emailTaken();
    if (u.isRoot && violated(e, "users_single_root", c, {{"root_key", "root"}}))
      throw Error(ErrorCode::CONFLICT, "the root administrator already exists");
    throw Error(ErrorCode::CONFLICT, "a user with this id already exists", {{"id", "already in use"}});
  }
}

std::optional<domain::User> MongoUserRepository::findById(const std::string& id) {
  Collection c(db_, kUsers);
  auto d = c.findOne(toBson({{"_id", id}}));
  if (!d) return std::nullopt;
  return readUser(*d);
}

std::optional<domain::User> MongoUserRepository::findByEmail(const std::string& email) {
  Collection c(db_, kUsers);
  auto d = c.findOne(toBson({{"email", email}}));
  if (!d) return std::nullopt;
  return readUser(*d);
}

std::optional<domain::User> MongoUserRepository::findRoot() {
  Collection c(db_, kUsers);
  auto d = c.findOne(toBson({{"root_key", "root"}}));
  if (!d) return std::nullopt;
  return readUser(*d);
}

bool MongoUserRepository::update(const domain::User& u) {
  auto lock = updates_();
  Collection c(db_, kUsers);
  try {
    return c.updateOne(toBson({{"_id", u.id}}),
                       toBson({{"$set",
                                {{"email", u.email},
                                 {"name", u.name},
                                 {"password_hash", u.passwordHash},
                                 {"is_blocked", u.isBlocked},
                                 {"can_create_projects", u.canCreateProjects},
                                 {"can_manage_users", u.canManageUsers},
                                 {"token_version", u.tokenVersion},
                                 {"avatar_version", u.avatarVersion},
                                 {"updated_at", u.updatedAt},
                                 {"language", u.language}}}})) > 0;
  } catch (const DuplicateKey&) {
    emailTaken();  // email is the only unique field an update changes
  }
}

bool MongoUserRepository::remove(const std::string& id) {
  // SQLite's ON DELETE CASCADE (sessions, memberships) and SET NULL (owner).
  bool removed = false;
  db_.transaction([&] {
    auto lock = updates_();  // inside: a standalone transaction's lock always comes first
    removed = Collection(db_, kUsers).deleteOne(toBson({{"_id", id}})) > 0;
    Collection(db_, kSessions).deleteMany(toBson({{"user_id", id}}));
    Collection(db_, kMembers).deleteMany(toBson({{"user_id", id}}));
    Collection(db_, kProjects).updateMany(toBson({{"owner_id", id}}), toBson({{"$set", {{"owner_id", nullptr}}}}));
  });
  return removed;
}

domain::Page<domain::User> MongoUserRepository::list(const domain::PageRequest& page) {
  const json filter = page.search.empty() ? json::object() : containsAny({"email", "name"}, page.search);
  return pagedFind<domain::User>(db_, kUsers, filter, ordered({{"created_at", 1}, {"_id", 1}}), json::object(), page,
                                 readUser);
}

// ---- sessions --------------------------------------------------------------
// A session document keeps every refresh hash it rotated away in
// `used_refresh` (SQLite's session_used_refresh): rotating and remembering
// is then one conditional update of one document, atomic on any server.

void MongoSessionRepository::create(const domain::Session& s) {
  Collection c(db_, kSessions);
  c.insertOne(toBson({{"_id", s.id},
                      {"user_id", s.userId},
                      {"refresh_hash", s.refreshHash},
                      {"expires_at", s.expiresAt},
                      {"revoked", false},
                      {"created_at", s.createdAt},
                      {"used_refresh", json::array()}}));
}

namespace {
std::optional<domain::Session> findSession(Database& db, const json& filter) {
  Collection c(db, kSessions);
  const Bson opts = toBson({{"projection", kSessionProjection}});
  auto d = c.findOne(toBson(filter), opts.get());
  if (!d) return std::nullopt;
  return readSession(*d);
}
}  // namespace

std::optional<domain::Session> MongoSessionRepository::findById(const std::string& id) {
  return findSession(db_, {{"_id", id}});
}
std::optional<domain::Session> MongoSessionRepository::findByRefreshHash(const std::string& h) {
  return findSession(db_, {{"refresh_hash", h}});
}
std::optional<domain::Session> MongoSessionRepository::findByUsedRefreshHash(const std::string& h) {
  return findSession(db_, {{"used_refresh", h}});
}

bool MongoSessionRepository::rotate(const std::string& id, const std::string& expected, const std::string& next,
                                    const std::string& expiresAt) {
  auto lock = updates_();
  Collection c(db_, kSessions);
  return c.updateOne(toBson({{"_id", id}, {"refresh_hash", expected}, {"revoked", false}}),
                     toBson({{"$set", {{"refresh_hash", next}, {"expires_at", expiresAt}}},
                             {"$addToSet", {{"used_refresh", expected}}}})) > 0;
}

void MongoSessionRepository::revoke(const std::string& id) {
  auto lock = updates_();
  Collection c(db_, kSessions);
  c.updateOne(toBson({{"_id", id}}), toBson({{"$set", {{"revoked", true}}}}));
}

void MongoSessionRepository::revokeAllOf(const std::string& userId) {
  auto lock = updates_();
  Collection c(db_, kSessions);
  c.updateMany(toBson({{"user_id", userId}}), toBson({{"$set", {{"revoked", true}}}}));
}

}  // namespace m3m::store::mongo
