#include "store/mongo/storage_link_repository.hpp"

#include <m3m/error.hpp>

#include "store/mongo/indexes.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;
using namespace util;

constexpr const char* kLinks = "storage_links";

StorageLink readLink(const json& d) {
  return {str(d, "_id"), str(d, "project_id"), str(d, "path"), str(d, "token_hint"), str(d, "created_at")};
}

// "path" itself or anything below it ("path/…"), case-sensitively.
json under(const std::string& projectId, const std::string& path) {
  return {{"project_id", projectId},
          {"$or", json::array({json{{"path", path}}, json{{"path", {{"$regex", "^" + regexEscape(path) + "/"}}}}})}};
}

}  // namespace

void ensureStorageLinkIndexes(Database& db) {
  Collection c(db, kLinks);
  c.createIndex(ordered({{"project_id", 1}, {"path", 1}}), "storage_links_project_path", false);
  c.createIndex(ordered({{"project_id", 1}, {"created_at", 1}, {"_id", 1}}), "storage_links_project_created", false);
}

void MongoStorageLinkRepository::create(const StorageLink& l) {
  Collection(db_, kLinks)
      .insertOne(toBson({{"_id", l.tokenHash},
                         {"project_id", l.projectId},
                         {"path", l.path},
                         {"token_hint", l.tokenHint},
                         {"created_at", l.createdAt}}));
}

std::optional<StorageLink> MongoStorageLinkRepository::findByHash(const std::string& tokenHash) {
  auto d = Collection(db_, kLinks).findOne(toBson({{"_id", tokenHash}}));
  if (!d) return std::nullopt;
  return readLink(*d);
}

domain::Page<StorageLink> MongoStorageLinkRepository::list(const std::string& projectId,
                                                           const domain::PageRequest& page) {
  return pagedFind<StorageLink>(db_, kLinks, {{"project_id", projectId}}, ordered({{"created_at", 1}, {"_id", 1}}),
                                json::object(), page, readLink);
}

bool MongoStorageLinkRepository::remove(const std::string& projectId, const std::string& tokenHash) {
  return Collection(db_, kLinks).deleteOne(toBson({{"_id", tokenHash}, {"project_id", projectId}})) > 0;
}

bool MongoStorageLinkRepository::removeById(const std::string& projectId, const std::string& linkId) {
  // The id is exactly the hash's first kLinkIdLength characters (a shorter
  // text must not act as a prefix matching many links).
  if (linkId.size() != kLinkIdLength) return false;
  return Collection(db_, kLinks)
             .deleteMany(toBson({{"project_id", projectId}, {"_id", {{"$regex", "^" + regexEscape(linkId)}}}})) > 0;
}

void MongoStorageLinkRepository::move(const std::string& projectId, const std::string& from, const std::string& to) {
  // No update-with-pipeline on FerretDB: each link's new path is computed here.
  std::vector<json> links;
  {
    const Bson opts = toBson({{"projection", {{"path", 1}}}});
    links = Collection(db_, kLinks).find(toBson(under(projectId, from)), opts.get());
  }
  if (links.empty()) return;
  db_.transaction([&] {
    auto lock = updates_();  // inside: a standalone transaction's lock always comes first
    Collection c(db_, kLinks);
    for (const auto& l : links)
      c.updateOne(toBson({{"_id", l["_id"]}}), toBson({{"$set", {{"path", to + str(l, "path").substr(from.size())}}}}));
  });
}

void MongoStorageLinkRepository::removeUnder(const std::string& projectId, const std::string& path) {
  Collection(db_, kLinks).deleteMany(toBson(under(projectId, path)));
}

}  // namespace m3m::store::mongo
