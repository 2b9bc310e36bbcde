#include "store/mongo/pipeline_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;
using namespace util;

constexpr const char* kBranches = "branches";
constexpr const char* kReleases = "releases";
constexpr const char* kProjects = "projects";

const json kWithoutCode = {{"code", 0}};

domain::Branch readBranch(const json& d) {
  domain::Branch b;
  b.projectId = str(d, "project_id");
  b.name = str(d, "name");
  b.code = str(d, "code");
  b.revision = static_cast<int>(num(d, "revision"));
  b.createdFromRelease = optStr(d, "created_from_release");
  b.parentBranch = optStr(d, "parent_branch");
  b.createdAt = str(d, "created_at");
  b.updatedAt = str(d, "updated_at");
  return b;
}

domain::Release readRelease(const json& d) {
  domain::Release r;
  r.projectId = str(d, "project_id");
  r.version = {static_cast<int>(num(d, "major")), static_cast<int>(num(d, "minor"))};
  r.code = str(d, "code");
  r.comment = str(d, "comment");
  r.tag = str(d, "tag");
  r.branch = str(d, "branch");
  r.createdBy = str(d, "created_by");
  r.createdAt = str(d, "created_at");
  r.codeSize = num(d, "code_size");
  return r;
}

json branchKey(const std::string& projectId, const std::string& name) {
  return {{"project_id", projectId}, {"name", name}};
}
json releaseKey(const std::string& projectId, const domain::Version& v) {
  return {{"project_id", projectId}, {"major", v.major}, {"minor", v.minor}};
}

}  // namespace

void ensurePipelineIndexes(Database& db) {
  Collection(db, kBranches).createIndex(ordered({{"project_id", 1}, {"name", 1}}), "branches_pk", true);
  Collection(db, kReleases)
      .createIndex(ordered({{"project_id", 1}, {"major", 1}, {"minor", 1}}), "releases_pk", true);
}

// ---- branches --------------------------------------------------------------

domain::Page<domain::Branch> MongoPipelineRepository::listBranches(const std::string& projectId,
                                                                  const domain::PageRequest& page) {
  return pagedFind<domain::Branch>(db_, kBranches, {{"project_id", projectId}}, ordered({{"name", 1}}), kWithoutCode,
                                   page, readBranch);
}

std::int64_t MongoPipelineRepository::countBranches(const std::string& projectId) {
  return Collection(db_, kBranches).count(toBson({{"project_id", projectId}}));
}

std::optional<domain::Branch> MongoPipelineRepository::findBranch(const std::string& projectId,
                                                                 const std::string& name) {
  auto d = Collection(db_, kBranches).findOne(toBson(branchKey(projectId, name)));
  if (!d) return std::nullopt;
  return readBranch(*d);
}

void MongoPipelineRepository::createBranch(const domain::Branch& b) {
  try {
    Collection(db_, kBranches)
        .insertOne(toBson({{"project_id", b.projectId},
                           {"name", b.name},
                           {"code", b.code},
                           {"revision", b.revision},
                           {"created_from_release", orNull(b.createdFromRelease)},
                           {"parent_branch", orNull(b.parentBranch)},
                           {"created_at", b.createdAt},
                           {"updated_at", b.updatedAt}}));
  } catch (const DuplicateKey&) {
    throw Error(ErrorCode::CONFLICT, "a branch with this name already exists", {{"name", "already in use"}});
  }
}

bool MongoPipelineRepository::updateBranchCode(const std::string& projectId, const std::string& name,
                                               const std::string& code, int expectedRevision,
                                               const std::string& updatedAt) {
  auto lock = updates_();
  json filter = branchKey(projectId, name);
  filter["revision"] = expectedRevision;
  return Collection(db_, kBranches)
             .updateOne(toBson(filter),
                        toBson({{"$set", {{"code", code}, {"updated_at", updatedAt}}}, {"$inc", {{"revision", 1}}}})) > 0;
}

bool MongoPipelineRepository::renameBranch(const std::string& projectId, const std::string& name,
                                           const std::string& newName, const std::string& updatedAt) {
  auto lock = updates_();
  try {
    return Collection(db_, kBranches)
               .updateOne(toBson(branchKey(projectId, name)),
                          toBson({{"$set", {{"name", newName}, {"updated_at", updatedAt}}},
                                  {"$inc", {{"revision", 1}}}})) > 0;
  } catch (const DuplicateKey&) {
    throw Error(ErrorCode::CONFLICT, "a branch with this name already exists", {{"new_name", "already in use"}});
  }
}

bool MongoPipelineRepository::deleteBranch(const std::string& projectId, const std::string& name) {
  return Collection(db_, kBranches).deleteOne(toBson(branchKey(projectId, name))) > 0;
}

// ---- releases --------------------------------------------------------------

domain::Page<domain::Release> MongoPipelineRepository::listReleases(const std::string& projectId,
                                                                   const domain::PageRequest& page) {
  return pagedFind<domain::Release>(db_, kReleases, {{"project_id", projectId}},
                                    ordered({{"major", -1}, {"minor", -1}}), kWithoutCode, page, readRelease);
}

std::optional<domain::Release> MongoPipelineRepository::findRelease(const std::string& projectId,
                                                                   const domain::Version& v) {
  auto d = Collection(db_, kReleases).findOne(toBson(releaseKey(projectId, v)));
  if (!d) return std::nullopt;
  return readRelease(*d);
}

std::optional<domain::Version> MongoPipelineRepository::latestVersion(const std::string& projectId) {
  auto d = Collection(db_, kProjects).findOne(toBson({{"_id", projectId}}));
  if (!d || num(*d, "last_release_major") <= 0) return std::nullopt;
  return domain::Version{static_cast<int>(num(*d, "last_release_major")),
                         static_cast<int>(num(*d, "last_release_minor"))};
}

void MongoPipelineRepository::createRelease(const domain::Release& r) {
  // A release's code is frozen: nothing in this repository ever updates it
  // (SQLite's releases_code_frozen trigger).
  db_.transaction([&] {
    auto lock = updates_();  // inside: a standalone transaction's lock always comes first
    try {
      Collection(db_, kReleases)
          .insertOne(toBson({{"project_id", r.projectId},
                             {"major", r.version.major},
                             {"minor", r.version.minor},
                             {"code", r.code},
                             {"code_size", static_cast<std::int64_t>(r.code.size())},
                             {"comment", r.comment},
                             {"tag", r.tag},
                             {"branch", r.branch},
                             {"created_by", nullIfEmpty(r.createdBy)},
                             {"created_at", r.createdAt}}));
    } catch (const DuplicateKey&) {
      throw Error(ErrorCode::CONFLICT, "release " + r.version.toString() + " already exists",
                  {{"version", "already in use"}});
    }
    // The highest version ever issued only grows (numbers are never reused).
    const json lower = {{"$or", json::array({json{{"last_release_major", {{"$lt", r.version.major}}}},
                                             json{{"last_release_major", r.version.major},
                                                  {"last_release_minor", {{"$lt", r.version.minor}}}}})}};
    Collection(db_, kProjects)
        .updateOne(toBson(allOf({json{{"_id", r.projectId}}, lower})),
                   toBson({{"$set", {{"last_release_major", r.version.major}, {"last_release_minor", r.version.minor}}}}));
  });
}

bool MongoPipelineRepository::deleteRelease(const std::string& projectId, const domain::Version& v) {
  return Collection(db_, kReleases).deleteOne(toBson(releaseKey(projectId, v))) > 0;
}

void MongoPipelineRepository::setActiveRelease(const std::string& projectId,
                                               const std::optional<std::string>& version) {
  auto lock = updates_();
  Collection(db_, kProjects)
      .updateOne(toBson({{"_id", projectId}}), toBson({{"$set", {{"active_release", orNull(version)}}}}));
}

std::optional<std::string> MongoPipelineRepository::runningRelease(const std::string& projectId) {
  auto d = Collection(db_, kProjects).findOne(toBson({{"_id", projectId}}));
  if (!d) return std::nullopt;
  return optStr(*d, "running_release");
}

}  // namespace m3m::store::mongo
