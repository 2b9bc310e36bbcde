#include "store/mongo/project_repository.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <m3m/error.hpp>

#include "lib/random.hpp"
#include "store/mongo/indexes.hpp"
#include "store/mongo/model_repository.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;
using namespace util;

constexpr const char* kProjects = "projects";
constexpr const char* kMembers = "project_members";
constexpr const char* kEnv = "env_values";
constexpr const char* kUsers = "users";

domain::Project readProject(const json& d) {
  domain::Project p;
  p.id = str(d, "_id");
  p.name = str(d, "name");
  p.slug = str(d, "slug");
  p.color = optStr(d, "color");
  p.status = str(d, "status");
  p.activeRelease = optStr(d, "active_release");
  p.runningRelease = optStr(d, "running_release");
  p.autoStart = flag(d, "auto_start");
  p.ownerId = str(d, "owner_id");
  p.apiKeyHash = str(d, "api_key_hash");
  p.apiKeyHint = str(d, "api_key_hint");
  p.createdAt = str(d, "created_at");
  p.updatedAt = str(d, "updated_at");
  return p;
}

domain::EnvValue readEnv(const json& d) {
  domain::EnvValue v;
  v.projectId = str(d, "project_id");
  v.key = str(d, "key");
  v.type = str(d, "type");
  v.valueJson = str(d, "value");
  v.secret = flag(d, "secret");
  v.createdAt = str(d, "created_at");
  v.updatedAt = str(d, "updated_at");
  return v;
}

// A unique index refused the write: which one (FerretDB does not say).
[[noreturn]] void projectConflict(const DuplicateKey& e, Collection& c, const domain::Project& p) {
  const json notThis = {{"$ne", p.id}};
  if (violated(e, "projects_slug", c, {{"slug", p.slug}, {"_id", notThis}}))
    throw Error(ErrorCode::CONFLICT, "a project with this slug already exists", {{"slug", "already in use"}});
  if (violated(e, "projects_api_key_hash", c, {{"api_key_hash", p.apiKeyHash}, {"_id", notThis}}))
    throw Error(ErrorCode::CONFLICT, "a project with this API key already exists", {{"api_key", "already in use"}});
  throw Error(ErrorCode::CONFLICT, "a project with this id already exists", {{"id", "already in use"}});
}

std::optional<domain::Project> findProject(Database& db, const json& filter) {
  Collection c(db, kProjects);
  auto d = c.findOne(toBson(filter));
  if (!d) return std::nullopt;
  return readProject(*d);
}

}  // namespace

void ensureProjectIndexes(Database& db) {
  {
    Collection c(db, kProjects);
    c.createIndex(ordered({{"slug", 1}}), "projects_slug", true);
    c.createIndex(ordered({{"api_key_hash", 1}}), "projects_api_key_hash", true);
    c.createIndex(ordered({{"owner_id", 1}}), "projects_owner", false);
    c.createIndex(ordered({{"created_at", -1}, {"_id", 1}}), "projects_created", false);
  }
  {
    Collection c(db, kMembers);
    c.createIndex(ordered({{"project_id", 1}, {"user_id", 1}}), "project_members_pk", true);
    c.createIndex(ordered({{"user_id", 1}}), "project_members_user", false);
  }
  {
    Collection c(db, kEnv);
    c.createIndex(ordered({{"project_id", 1}, {"key", 1}}), "env_values_pk", true);
  }
}

// ---- projects --------------------------------------------------------------

void MongoProjectRepository::create(const domain::Project& p) {
  Collection c(db_, kProjects);
  try {
    c.insertOne(toBson({{"_id", p.id},
                        {"name", p.name},
                        {"slug", p.slug},
                        {"color", orNull(p.color)},
                        {"status", p.status},
                        {"active_release", orNull(p.activeRelease)},
                        {"running_release", nullptr},
                        {"auto_start", p.autoStart},
                        {"owner_id", nullIfEmpty(p.ownerId)},
                        {"api_key_hash", p.apiKeyHash},
                        {"api_key_hint", p.apiKeyHint},
                        {"created_at", p.createdAt},
                        {"updated_at", p.updatedAt},
                        {"last_release_major", 0},
                        {"last_release_minor", 0}}));
  } catch (const DuplicateKey& e) {
    projectConflict(e, c, p);
  }
}

std::optional<domain::Project> MongoProjectRepository::findById(const std::string& id) {
  return findProject(db_, {{"_id", id}});
}
std::optional<domain::Project> MongoProjectRepository::findBySlug(const std::string& slug) {
  return findProject(db_, {{"slug", slug}});
}
std::optional<domain::Project> MongoProjectRepository::findByApiKeyHash(const std::string& h) {
  return findProject(db_, {{"api_key_hash", h}});
}

std::vector<domain::Project> MongoProjectRepository::listAutoStart() {
  Collection c(db_, kProjects);
  const Bson opts = sortOptions(ordered({{"created_at", 1}, {"_id", 1}}));
  std::vector<domain::Project> out;
  for (auto& d : c.find(toBson({{"status", "running"}, {"auto_start", true}}), opts.get()))
    out.push_back(readProject(d));
  return out;
}

void MongoProjectRepository::setRunState(const std::string& id, const std::string& status,
                                         const std::optional<std::string>& runningRelease) {
  auto lock = updates_();
  Collection c(db_, kProjects);
  c.updateOne(toBson({{"_id", id}}),
              toBson({{"$set", {{"status", status}, {"running_release", orNull(runningRelease)}}}}));
}

bool MongoProjectRepository::update(const domain::Project& p) {
  auto lock = updates_();
  Collection c(db_, kProjects);
  try {
    return c.updateOne(toBson({{"_id", p.id}}), toBson({{"$set",
                                                         {{"name", p.name},
                                                          {"slug", p.slug},
                                                          {"color", orNull(p.color)},
                                                          {"status", p.status},
                                                          {"active_release", orNull(p.activeRelease)},
                                                          {"auto_start", p.autoStart},
                                                          {"api_key_hash", p.apiKeyHash},
                                                          {"api_key_hint", p.apiKeyHint},
                                                          {"updated_at", p.updatedAt}}}})) > 0;
  } catch (const DuplicateKey& e) {
    projectConflict(e, c, p);
  }
}

bool MongoProjectRepository::remove(const std::string& id) {
  // MongoDB has no cascades: everything SQLite's ON DELETE CASCADE removes
  // goes first, the project last — an interrupted delete (no transactions on
  // a standalone server) leaves the project in place and a retry finishes it.
  // Models first and on their own: a collection drop cannot run inside a
  // MongoDB transaction.
  dropProjectModels(db_, id);
  bool removed = false;
  db_.transaction([&] {
    auto lock = updates_();  // inside: a standalone transaction's lock always comes first
    const Bson byProject = toBson({{"project_id", id}});
    Collection(db_, kMembers).deleteMany(byProject);
    Collection(db_, kEnv).deleteMany(byProject);
    Collection(db_, "branches").deleteMany(byProject);
    Collection(db_, "releases").deleteMany(byProject);
    Collection(db_, "storage_links").deleteMany(byProject);
    {
      // The project's goals with their statistics; global goals forget it.
      Collection goals(db_, "goals");
      const Bson idsOnly = toBson({{"projection", {{"_id", 1}}}});
      json goalIds = json::array();
      for (auto& g : goals.find(byProject, idsOnly.get())) goalIds.push_back(g["_id"]);
      if (!goalIds.empty()) Collection(db_, "goal_stats").deleteMany(toBson({{"goal_id", {{"$in", goalIds}}}}));
      goals.deleteMany(byProject);
      goals.updateMany(toBson({{"allowed_projects", id}}), toBson({{"$pull", {{"allowed_projects", id}}}}));
    }
    removed = Collection(db_, kProjects).deleteOne(toBson({{"_id", id}})) > 0;
  });
  return removed;
}

domain::Page<domain::Project> MongoProjectRepository::list(const domain::PageRequest& page,
                                                           const std::optional<std::string>& memberOf) {
  json member;
  if (memberOf) member = {{"_id", {{"$in", projectIdsOf(*memberOf)}}}};
  const json search = page.search.empty() ? json() : containsAny({"name", "slug"}, page.search);
  return pagedFind<domain::Project>(db_, kProjects, allOf({search, member}), ordered({{"created_at", -1}, {"_id", 1}}),
                                    json::object(), page, readProject);
}

bool MongoProjectRepository::isMember(const std::string& projectId, const std::string& userId) {
  Collection c(db_, kMembers);
  return c.count(toBson({{"project_id", projectId}, {"user_id", userId}})) > 0;
}

void MongoProjectRepository::addMember(const std::string& projectId, const std::string& userId) {
  auto lock = updates_();
  Collection c(db_, kMembers);
  try {
    c.updateOne(toBson({{"project_id", projectId}, {"user_id", userId}}),
                toBson({{"$setOnInsert", {{"created_at", lib::nowIso()}}}}), true);
  } catch (const DuplicateKey&) {
    // A concurrent addMember inserted it first: already a member.
  }
}

bool MongoProjectRepository::removeMember(const std::string& projectId, const std::string& userId) {
  Collection c(db_, kMembers);
  return c.deleteOne(toBson({{"project_id", projectId}, {"user_id", userId}})) > 0;
}

std::vector<MemberRow> MongoProjectRepository::members(const std::string& projectId) {
  std::vector<json> rows;
  {
    Collection c(db_, kMembers);
    rows = c.find(toBson({{"project_id", projectId}}));
  }
  json ids = json::array();
  for (const auto& r : rows) ids.push_back(r["user_id"]);
  std::unordered_map<std::string, json> users;
  if (!ids.empty()) {
    Collection c(db_, kUsers);
    const Bson opts = toBson({{"projection", {{"email", 1}, {"name", 1}}}});
    for (auto& u : c.find(toBson({{"_id", {{"$in", ids}}}}), opts.get())) users[str(u, "_id")] = u;
  }
  std::vector<MemberRow> out;
  for (const auto& r : rows) {
    auto it = users.find(str(r, "user_id"));
    if (it == users.end()) continue;  // the inner join: a member whose user is gone
    out.push_back({it->first, str(it->second, "email"), str(it->second, "name"), str(r, "created_at")});
  }
  std::sort(out.begin(), out.end(), [](const MemberRow& a, const MemberRow& b) {
    return std::tie(a.since, a.email) < std::tie(b.since, b.email);
  });
  return out;
}

std::vector<std::string> MongoProjectRepository::projectIdsOf(const std::string& userId) {
  Collection c(db_, kMembers);
  const Bson opts = sortOptions(ordered({{"created_at", 1}, {"project_id", 1}}), {{"project_id", 1}});
  std::vector<std::string> out;
  for (auto& d : c.find(toBson({{"user_id", userId}}), opts.get())) out.push_back(str(d, "project_id"));
  return out;
}

// ---- environment values ----------------------------------------------------

domain::Page<domain::EnvValue> MongoEnvRepository::list(const std::string& projectId, const domain::PageRequest& page) {
  const json search = page.search.empty() ? json() : containsAny({"key"}, page.search);
  return pagedFind<domain::EnvValue>(db_, kEnv, allOf({json{{"project_id", projectId}}, search}),
                                     ordered({{"key", 1}}), json::object(), page, readEnv);
}

std::optional<domain::EnvValue> MongoEnvRepository::find(const std::string& projectId, const std::string& key) {
  Collection c(db_, kEnv);
  auto d = c.findOne(toBson({{"project_id", projectId}, {"key", key}}));
  if (!d) return std::nullopt;
  return readEnv(*d);
}

void MongoEnvRepository::create(const domain::EnvValue& v) {
  Collection c(db_, kEnv);
  try {
    c.insertOne(toBson({{"project_id", v.projectId},
                        {"key", v.key},
                        {"type", v.type},
                        {"value", v.valueJson},
                        {"secret", v.secret},
                        {"created_at", v.createdAt},
                        {"updated_at", v.updatedAt}}));
  } catch (const DuplicateKey&) {
    throw Error(ErrorCode::CONFLICT, "an environment value with this key already exists", {{"key", "already in use"}});
  }
}

bool MongoEnvRepository::update(const domain::EnvValue& v) {
  auto lock = updates_();
  Collection c(db_, kEnv);
  return c.updateOne(toBson({{"project_id", v.projectId}, {"key", v.key}}),
                     toBson({{"$set",
                              {{"type", v.type},
                               {"value", v.valueJson},
                               {"secret", v.secret},
                               {"updated_at", v.updatedAt}}}})) > 0;
}

bool MongoEnvRepository::remove(const std::string& projectId, const std::string& key) {
  Collection c(db_, kEnv);
  return c.deleteOne(toBson({{"project_id", projectId}, {"key", key}})) > 0;
}

}  // namespace m3m::store::mongo
