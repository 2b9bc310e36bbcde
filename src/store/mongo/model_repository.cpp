#include "store/mongo/model_repository.hpp"

#include <m3m/error.hpp>
#include <set>

#include "domain/model_json.hpp"
#include "lib/json.hpp"
#include "store/mongo/indexes.hpp"
#include "store/mongo/record_collection.hpp"

namespace m3m::store::mongo {
namespace {

constexpr const char* kModels = "models";
using nlohmann::json;

// The definition (fields, indexes, configs) is kept as JSON text, as with
// SQLite: its configs are free-form JSON whose keys MongoDB might refuse.
domain::Model readModel(const json& d) {
  domain::Model m;
  m.id = d.value("_id", "");
  m.projectId = d.value("project_id", "");
  m.name = d.value("name", "");
  domain::applyDefinition(m, lib::parseJson(d.value("definition", "{}"), "the stored model definition"));
  m.createdAt = d.value("created_at", "");
  m.updatedAt = d.value("updated_at", "");
  return m;
}

Error nameTaken(const std::string& name) {
  return Error(ErrorCode::CONFLICT, "a model named \"" + name + "\" already exists in this project",
               {{"name", "already in use"}});
}

// The UNIQUE_VIOLATION when the records break a unique index `spec` would
// add: two records with the same values in all of its columns.
void checkUniqueHolds(Database& db, const domain::Model& m, const IndexSpec& spec) {
  json exists = json::object(), group = json::object();
  for (const auto& c : spec.columns) {
    exists[c] = {{"$exists", true}};
    group[c] = "$" + c;
  }
  json pipeline = json::array({{{"$match", exists}},
                               {{"$group", {{"_id", group}, {"n", {{"$sum", 1}}}}}},
                               {{"$match", {{"n", {{"$gt", 1}}}}}},
                               {{"$limit", 1}}});
  Collection c(db, recordCollection(m).c_str());
  if (!c.aggregate(toBson({{"pipeline", pipeline}})).empty()) throw uniqueError(keysOf(m, spec.columns));
}

}  // namespace

void ensureModelIndexes(Database& db) {
  Collection c(db, kModels);
  c.createIndex(toBson({{"project_id", 1}, {"name", 1}}), "project_name_u", true);
}

domain::Page<domain::Model> MongoModelRepository::list(const std::string& projectId, const domain::PageRequest& page) {
  json filter = {{"project_id", projectId}};
  Bson f = toBson(filter);
  if (!page.search.empty()) {
    bson_t re;
    BSON_APPEND_DOCUMENT_BEGIN(f.get(), "name", &re);
    BSON_APPEND_REGEX(&re, "$regex", containsPattern(page.search).c_str(), "");
    bson_append_document_end(f.get(), &re);
  }
  domain::Page<domain::Model> out;
  out.page = page.page;
  out.perPage = page.perPage;
  // No name holds text that is not UTF-8 (and a regex could not be made of it).
  if (!bson_utf8_validate(page.search.data(), page.search.size(), false)) return out;
  Collection c(db_, kModels);
  out.totalItems = c.count(f);
  const auto opts = toBson({{"sort", {{"name", 1}}}, {"skip", page.offset()}, {"limit", page.perPage}});
  for (const auto& d : c.find(f, opts.get())) out.items.push_back(readModel(d));
  return out;
}

std::vector<domain::Model> MongoModelRepository::all(const std::string& projectId) {
  Collection c(db_, kModels);
  const auto opts = toBson({{"sort", {{"name", 1}}}});
  std::vector<domain::Model> out;
  for (const auto& d : c.find(toBson({{"project_id", projectId}}), opts.get())) out.push_back(readModel(d));
  return out;
}

std::optional<domain::Model> MongoModelRepository::find(const std::string& projectId, const std::string& idOrName) {
  Collection c(db_, kModels);
  // By id first, as SQLite's ORDER BY id = ?2 DESC.
  if (auto d = c.findOne(toBson({{"project_id", projectId}, {"_id", {{"$eq", idOrName}}}}))) return readModel(*d);
  if (auto d = c.findOne(toBson({{"project_id", projectId}, {"name", {{"$eq", idOrName}}}}))) return readModel(*d);
  return std::nullopt;
}

void MongoModelRepository::create(const domain::Model& m) {
  {
    Collection c(db_, kModels);
    try {
      c.insertOne(toBson({{"_id", m.id},
                          {"project_id", m.projectId},
                          {"name", m.name},
                          {"definition", domain::modelDefinition(m).dump()},
                          {"created_at", m.createdAt},
                          {"updated_at", m.updatedAt}}));
    } catch (const DuplicateKey&) {
      throw nameTaken(m.name);
    }
  }
  try {
    syncIndexes(db_, m);  // creates the record collection
  } catch (...) {
    Collection c(db_, kModels);
    c.deleteOne(toBson({{"_id", m.id}}));
    throw;
  }
}

// Without a transaction to undo it (index builds never run in one, and the
// fill and unset stay out of it too so that no index build waits for the
// transaction's locks), the change goes in an order that leaves nothing
// behind when it is refused: fill the new columns, check and create the new
// indexes (undoing the fill when the data breaks one), then unset removed
// columns, drop old indexes, store the model (in the transaction, if any).
void MongoModelRepository::update(const domain::Model& before, const domain::Model& after, const json& fillNew) {
  Collection models(db_, kModels);
  if (before.name != after.name &&
      models.count(toBson({{"project_id", after.projectId}, {"name", after.name}, {"_id", {{"$ne", after.id}}}})) > 0)
    throw nameTaken(after.name);
  const auto name = recordCollection(after);
  std::set<std::string> keep, had;
  for (const auto& f : after.fields) keep.insert(f.column);
  for (const auto& f : before.fields) had.insert(f.column);

  Bson fill, unsetNew;
  for (const auto& f : after.fields) {
    if (had.count(f.column)) continue;
    BSON_APPEND_UTF8(unsetNew.get(), f.column.c_str(), "");
    if (fillNew.contains(f.key) && !fillNew[f.key].is_null()) appendFieldValue(fill.get(), f, fillNew[f.key]);
  }
  auto undoFill = [&] {
    if (fill.empty()) return;
    Bson u;
    BSON_APPEND_DOCUMENT(u.get(), "$unset", unsetNew.get());
    updateAllRecords(db_, name, u);
  };
  if (!fill.empty()) {
    Bson u;
    BSON_APPEND_DOCUMENT(u.get(), "$set", fill.get());
    updateAllRecords(db_, name, u);
  }

  const auto wanted = wantedIndexes(after);
  const auto existing = indexNames(db_, name);
  std::vector<std::string> created;
  try {
    for (const auto& [ix, spec] : wanted) {
      if (existing.count(ix)) continue;
      if (spec.unique) checkUniqueHolds(db_, after, spec);
      try {
        createIndex(db_, name, ix, spec);
      } catch (const DuplicateKey&) {
        throw uniqueError(keysOf(after, spec.columns));
      }
      created.push_back(ix);
    }
  } catch (...) {
    for (const auto& ix : created) dropIndex(db_, name, ix);
    undoFill();
    throw;
  }

  for (const auto& ix : existing)
    if (ix != "_id_" && !wanted.count(ix)) dropIndex(db_, name, ix);
  Bson unsetOld;
  for (const auto& f : before.fields)
    if (!keep.count(f.column)) BSON_APPEND_UTF8(unsetOld.get(), f.column.c_str(), "");
  if (!unsetOld.empty()) {
    Bson u;
    BSON_APPEND_DOCUMENT(u.get(), "$unset", unsetOld.get());
    updateAllRecords(db_, name, u);
  }
  try {
    models.updateOne(toBson({{"_id", after.id}}),
                     toBson({{"$set",
                              {{"name", after.name},
                               {"definition", domain::modelDefinition(after).dump()},
                               {"updated_at", after.updatedAt}}}}));
  } catch (const DuplicateKey&) {
    throw nameTaken(after.name);
  }
}

bool MongoModelRepository::remove(const domain::Model& m) {
  bool removed = false;
  {
    Collection c(db_, kModels);
    removed = c.deleteOne(toBson({{"_id", m.id}})) > 0;
  }
  dropCollection(db_, recordCollection(m));
  return removed;
}

void dropProjectModels(Database& db, const std::string& projectId) {
  std::vector<std::string> ids;
  {
    Collection c(db, kModels);
    const auto opts = toBson({{"projection", {{"_id", 1}}}});
    for (const auto& d : c.find(toBson({{"project_id", projectId}}), opts.get())) ids.push_back(d.value("_id", ""));
  }
  for (const auto& id : ids) {
    domain::Model m;
    m.id = id;
    dropCollection(db, recordCollection(m));
  }
  Collection c(db, kModels);
  c.deleteMany(toBson({{"project_id", projectId}}));
}

}  // namespace m3m::store::mongo
