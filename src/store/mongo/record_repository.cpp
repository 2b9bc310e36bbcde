#include <m3m/error.hpp>

#include "store/mongo/model_repository.hpp"
#include "store/mongo/record_collection.hpp"

namespace m3m::store::mongo {
namespace {

using nlohmann::json;

// Every distinct element of an array field (the distinct command, in the
// thread's transaction if there is one).
DistinctElements distinctOf(Database& db, const domain::Model& m) {
  return [&db, name = recordCollection(m)](const std::string& column) {
    Collection c(db, name.c_str());
    Bson cmd;
    BSON_APPEND_UTF8(cmd.get(), "distinct", name.c_str());
    BSON_APPEND_UTF8(cmd.get(), "key", column.c_str());
    Bson opts = c.options();
    bson_t reply;
    bson_error_t err;
    const bool ok = mongoc_collection_read_command_with_opts(c.get(), cmd.get(), nullptr, opts.get(), &reply, &err);
    std::vector<json> out;
    bson_iter_t it, child;
    if (ok && bson_iter_init_find(&it, &reply, "values") && bson_iter_recurse(&it, &child))
      while (bson_iter_next(&child)) out.push_back(valueToJson(&child));
    bson_destroy(&reply);
    if (!ok) throwError(err, "distinct");
    return out;
  };
}

Bson filterOf(Database& db, const domain::Model& m, const query::Expr* filter, const std::string& nowIso) {
  if (!filter) return Bson();
  return compileFilterBson(*filter, resolverFor(m), nowIso, distinctOf(db, m));
}

// Runs a read with a compiled filter: an operator the server does not
// implement (FerretDB: $expr, which comparing two fields needs) is the
// filter's fault for this server, a 400.
template <class Fn>
auto withFilter(Fn&& fn) {
  try {
    return fn();
  } catch (const Error& e) {
    const std::string_view what = e.what();
    if (e.code() != ErrorCode::INTERNAL || what.find("not implemented") == std::string_view::npos) throw;
    const std::string msg = "this MongoDB server cannot run the filter (" + std::string(what) + ")";
    throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + msg, {{"filter", msg}});
  }
}

Bson defaultSort() {
  Bson s;
  BSON_APPEND_INT32(s.get(), "created", 1);
  BSON_APPEND_INT32(s.get(), "_id", 1);
  return s;
}

// The sort document: the keys, then _id in the direction of the last key
// (ids sort in creation order, so ties keep the order records were made in,
// as SQLite's rowid tie-break does).
Bson sortOf(const domain::Model& m, const std::vector<query::SortKey>& sort) {
  if (sort.empty()) return defaultSort();
  auto resolve = resolverFor(m);
  Bson s;
  std::set<std::string> seen;
  for (const auto& k : sort) {
    auto col = resolve(k.key);
    if (!col) throw Error(ErrorCode::INVALID_ARGUMENT, "invalid sort", {{"sort", "unknown field \"" + k.key + "\""}});
    if (!seen.insert(col->column).second) continue;
    BSON_APPEND_INT32(s.get(), col->column.c_str(), k.descending ? -1 : 1);
  }
  if (!seen.count("_id")) BSON_APPEND_INT32(s.get(), "_id", sort.back().descending ? -1 : 1);
  return s;
}

Bson byId(const std::string& id) {
  Bson f;
  BSON_APPEND_UTF8(f.get(), "_id", id.c_str());
  return f;
}

std::vector<std::string> idsOf(Collection& c, const Bson& filter, const Bson& sort) {
  Bson opts, projection;
  BSON_APPEND_INT32(projection.get(), "_id", 1);
  BSON_APPEND_DOCUMENT(opts.get(), "projection", projection.get());
  BSON_APPEND_DOCUMENT(opts.get(), "sort", sort.get());
  std::vector<std::string> ids;
  c.forEach(filter, opts.get(), [&](const bson_t* doc) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it)) ids.emplace_back(bson_iter_utf8(&it, nullptr));
  });
  return ids;
}

std::vector<json> recordsOf(const domain::Model& m, Collection& c, const Bson& filter, const bson_t* opts) {
  std::vector<json> out;
  c.forEach(filter, opts, [&](const bson_t* doc) { out.push_back(readRecord(m, toJson(doc))); });
  return out;
}

}  // namespace

void MongoRecordRepository::insert(const domain::Model& m, const json& record) {
  Bson doc;
  const auto id = record.at("id").get<std::string>();
  BSON_APPEND_UTF8(doc.get(), "_id", id.c_str());
  appendDatetime(doc.get(), "created", record.at("created").get<std::string>());
  appendDatetime(doc.get(), "updated", record.at("updated").get<std::string>());
  for (const auto& f : m.fields) appendFieldValue(doc.get(), f, record.contains(f.key) ? record[f.key] : json());
  Collection c(db_, recordCollection(m).c_str());
  try {
    c.insertOne(doc);
  } catch (const DuplicateKey&) {
    throwUniqueViolation(db_, m, doc.get(), true);
  }
}

std::optional<json> MongoRecordRepository::get(const domain::Model& m, const std::string& id) {
  Collection c(db_, recordCollection(m).c_str());
  auto doc = c.findOne(byId(id));
  if (!doc) return std::nullopt;
  return readRecord(m, *doc);
}

std::vector<json> MongoRecordRepository::getMany(const domain::Model& m, const std::vector<std::string>& ids) {
  if (ids.empty()) return {};
  Bson filter;
  bson_t in, arr;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &in);
  BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
  for (std::size_t i = 0; i < ids.size(); ++i)
    BSON_APPEND_UTF8(&arr, std::to_string(i).c_str(), ids[i].c_str());
  bson_append_array_end(&in, &arr);
  bson_append_document_end(filter.get(), &in);
  Collection c(db_, recordCollection(m).c_str());
  return recordsOf(m, c, filter, nullptr);
}

RecordPage MongoRecordRepository::find(const domain::Model& m, const RecordQuery& q, const std::string& nowIso) {
  return withFilter([&] {
    RecordPage out;
    const Bson filter = filterOf(db_, m, q.filter ? &*q.filter : nullptr, nowIso);
    const Bson sort = sortOf(m, q.sort);
    Collection c(db_, recordCollection(m).c_str());
    if (q.countTotal) out.totalItems = c.count(filter);
    if (q.limit == 0) return out;
    Bson opts;
    BSON_APPEND_DOCUMENT(opts.get(), "sort", sort.get());
    if (q.offset > 0) BSON_APPEND_INT64(opts.get(), "skip", q.offset);
    if (q.limit > 0) BSON_APPEND_INT64(opts.get(), "limit", q.limit);
    out.items = recordsOf(m, c, filter, opts.get());
    return out;
  });
}

std::int64_t MongoRecordRepository::count(const domain::Model& m, const query::Expr* filter, const std::string& nowIso) {
  return withFilter([&] {
    const Bson f = filterOf(db_, m, filter, nowIso);
    Collection c(db_, recordCollection(m).c_str());
    return c.count(f);
  });
}

std::vector<std::string> MongoRecordRepository::matchingIds(const domain::Model& m, const query::Expr* filter,
                                                            const std::string& nowIso) {
  return withFilter([&] {
    const Bson f = filterOf(db_, m, filter, nowIso);
    Collection c(db_, recordCollection(m).c_str());
    return idsOf(c, f, defaultSort());
  });
}

std::vector<std::string> MongoRecordRepository::referencing(const domain::Model& m, const std::string& key,
                                                            const std::string& targetId) {
  const auto* f = m.field(key);
  if (!f) return {};
  // {$eq: id} matches a single ref holding it, or an array with an element holding it.
  Bson filter, eq;
  BSON_APPEND_UTF8(eq.get(), "$eq", targetId.c_str());
  BSON_APPEND_DOCUMENT(filter.get(), f->column.c_str(), eq.get());
  Collection c(db_, recordCollection(m).c_str());
  return idsOf(c, filter, defaultSort());
}

bool MongoRecordRepository::update(const domain::Model& m, const std::string& id, const json& patch) {
  Bson set, unset;
  if (patch.contains("updated")) appendDatetime(set.get(), "updated", patch["updated"].get<std::string>());
  for (const auto& f : m.fields) {
    if (!patch.contains(f.key)) continue;
    if (patch[f.key].is_null()) BSON_APPEND_UTF8(unset.get(), f.column.c_str(), "");
    else appendFieldValue(set.get(), f, patch[f.key]);
  }
  if (set.empty() && unset.empty()) return get(m, id).has_value();
  Bson change;
  if (!set.empty()) BSON_APPEND_DOCUMENT(change.get(), "$set", set.get());
  if (!unset.empty()) BSON_APPEND_DOCUMENT(change.get(), "$unset", unset.get());
  Collection c(db_, recordCollection(m).c_str());
  try {
    return c.updateOne(byId(id), change) > 0;
  } catch (const DuplicateKey&) {
    // The record as the update would have left it, to find the index that refused it.
    std::optional<Bson> current;
    c.forEach(byId(id), nullptr, [&](const bson_t* doc) { current.emplace(doc); });
    if (!current) throw uniqueError({});
    Bson merged;
    bson_iter_t it;
    bson_iter_init(&it, current->get());
    while (bson_iter_next(&it)) {
      const std::string k = bson_iter_key(&it);
      bool patched = k == "updated" && patch.contains("updated");
      for (const auto& f : m.fields)
        if (f.column == k && patch.contains(f.key)) patched = true;
      if (!patched) bson_append_iter(merged.get(), k.c_str(), -1, &it);
    }
    bson_concat(merged.get(), set.get());
    throwUniqueViolation(db_, m, merged.get(), false);
  }
}

bool MongoRecordRepository::remove(const domain::Model& m, const std::string& id) {
  Collection c(db_, recordCollection(m).c_str());
  return c.deleteOne(byId(id)) > 0;
}

std::vector<json> MongoRecordRepository::scan(const domain::Model& m) {
  Collection c(db_, recordCollection(m).c_str());
  Bson opts;
  const Bson sort = defaultSort();
  BSON_APPEND_DOCUMENT(opts.get(), "sort", sort.get());
  return recordsOf(m, c, Bson(), opts.get());
}

}  // namespace m3m::store::mongo
