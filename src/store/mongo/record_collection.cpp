#include "store/mongo/record_collection.hpp"

#include "lib/datetime.hpp"

namespace m3m::store::mongo {
namespace {

std::string indexName(const std::vector<std::string>& columns, bool unique) {
  std::string name = "i";
  for (const auto& c : columns) name += "_" + c;
  return unique ? name + "_u" : name;
}

bool isNotImplemented(const bson_error_t& e) { return e.code == 238; }

// A document field as MongoDB can store it. FerretDB 1.x stores no array
// directly inside an array, and libmongoc refuses empty, `$…` and dotted
// keys (the server would read them as operators or paths). So an array inside
// an array is kept as {"~a": [...]}, and a key that is empty, starts with "~"
// or "$", or holds a dot is stored as "~" + the key with %, . and $
// percent-encoded ("" → "~", "$x" → "~%24x", "~x" → "~~x"). No key of the
// user's is stored as "~a". Filter paths are identifiers: never escaped.
bool escapedKey(const std::string& k) {
  return k.empty() || k[0] == '~' || k[0] == '$' || k.find('.') != std::string::npos;
}

std::string storedKey(const std::string& k) {
  if (!escapedKey(k)) return k;
  std::string out = "~";
  for (char c : k) {
    if (c == '%') out += "%25";
    else if (c == '.') out += "%2E";
    else if (c == '$') out += "%24";
    else out += c;
  }
  return out;
}

std::string userKey(const std::string& k) {
  if (k.empty() || k[0] != '~') return k;
  std::string out;
  for (std::size_t i = 1; i < k.size(); ++i) {
    if (k.compare(i, 3, "%25") == 0) out += '%', i += 2;
    else if (k.compare(i, 3, "%2E") == 0) out += '.', i += 2;
    else if (k.compare(i, 3, "%24") == 0) out += '$', i += 2;
    else out += k[i];
  }
  return out;
}

nlohmann::json encodeDocument(const nlohmann::json& v, bool inArray) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(encodeDocument(e, true));
    if (inArray) return nlohmann::json{{"~a", std::move(out)}};
    return out;
  }
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, e] : v.items()) out[storedKey(k)] = encodeDocument(e, false);
    return out;
  }
  return v;
}

nlohmann::json decodeDocument(const nlohmann::json& v) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(decodeDocument(e));
    return out;
  }
  if (v.is_object()) {
    if (v.size() == 1 && v.contains("~a") && v["~a"].is_array()) return decodeDocument(v["~a"]);
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, e] : v.items()) out[userKey(k)] = decodeDocument(e);
    return out;
  }
  return v;
}

std::int64_t millisOf(const domain::ModelField& f, const std::string& s) {
  if (f.type == "date") return isoToMillis(s.substr(0, 10) + "T00:00:00.000Z");
  auto norm = lib::normalizeDatetime(s);
  return isoToMillis(norm ? *norm : s);
}

void runDdl(Database& db, const std::string& collection, const bson_t* cmd, const char* what) {
  Collection c(db, collection.c_str());
  bson_error_t err;
  // No session: MongoDB runs index builds and drops outside transactions only.
  if (!mongoc_collection_write_command_with_opts(c.get(), cmd, nullptr, nullptr, &err)) throwError(err, what);
}

}  // namespace

std::string recordCollection(const domain::Model& m) { return "records_" + m.id; }

void appendFieldValue(bson_t* doc, const domain::ModelField& f, const nlohmann::json& v) {
  if (v.is_null()) return;
  const auto& key = f.column;
  if (f.type == "document") {
    appendJson(doc, key, encodeDocument(v, false));
  } else if (f.multiple) {
    appendJson(doc, key, v);
  } else if (f.type == "bool") {
    BSON_APPEND_BOOL(doc, key.c_str(), v.get<bool>());
  } else if (f.type == "integer") {
    BSON_APPEND_INT64(doc, key.c_str(), v.get<std::int64_t>());
  } else if (f.type == "float") {
    BSON_APPEND_DOUBLE(doc, key.c_str(), v.get<double>());
  } else if (f.type == "date" || f.type == "datetime") {
    BSON_APPEND_DATE_TIME(doc, key.c_str(), millisOf(f, v.get<std::string>()));
  } else {
    appendJson(doc, key, v.get<std::string>());
  }
}

nlohmann::json readRecord(const domain::Model& m, const nlohmann::json& doc) {
  nlohmann::json r = nlohmann::json::object();
  r["id"] = doc.value("_id", "");
  r["created"] = doc.value("created", "");
  r["updated"] = doc.value("updated", "");
  for (const auto& f : m.fields) {
    auto it = doc.find(f.column);
    if (it == doc.end() || it->is_null()) {
      r[f.key] = nullptr;
      continue;
    }
    nlohmann::json v = *it;
    if (f.type == "document") v = decodeDocument(v);
    else if (f.type == "date" && v.is_string()) v = v.get<std::string>().substr(0, 10);
    else if (f.type == "float" && v.is_number_integer()) v = v.get<double>();
    r[f.key] = std::move(v);
  }
  return r;
}

FieldResolver resolverFor(const domain::Model& m) {
  return [&m](const std::string& key) -> std::optional<FieldInfo> {
    if (key == "id") return FieldInfo{"_id", "string", false};
    if (key == "created" || key == "updated") return FieldInfo{key, "datetime", false};
    if (const auto* f = m.field(key)) return FieldInfo{f->column, f->type, f->multiple};
    return std::nullopt;
  };
}

std::map<std::string, IndexSpec> wantedIndexes(const domain::Model& m) {
  std::map<std::string, IndexSpec> out;
  auto want = [&](std::vector<std::string> cols, bool unique) {
    auto name = indexName(cols, unique);
    out[name] = {std::move(cols), unique};
  };
  want({"created"}, false);  // the default order (created, then _id)
  for (const auto& f : m.fields) {
    if (f.unique) want({f.column}, true);
    // Plain refs are indexed too: deleting a target looks its referrers up.
    else if (f.indexed || (f.type == "ref" && !f.multiple)) want({f.column}, false);
  }
  for (const auto& ix : m.indexes) {
    std::vector<std::string> cols;
    for (const auto& key : ix.fields)
      if (const auto* f = m.field(key)) cols.push_back(f->column);
    if (!cols.empty()) want(std::move(cols), ix.unique);
  }
  return out;
}

std::vector<std::string> keysOf(const domain::Model& m, const std::vector<std::string>& columns) {
  std::vector<std::string> keys;
  for (const auto& c : columns) {
    if (c == "_id") keys.push_back("id");
    for (const auto& f : m.fields)
      if (f.column == c) keys.push_back(f.key);
  }
  return keys;
}

std::set<std::string> indexNames(Database& db, const std::string& collection) {
  std::set<std::string> out;
  Collection c(db, collection.c_str());
  mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(c.get(), nullptr);
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor, &doc)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it)) out.insert(bson_iter_utf8(&it, nullptr));
  }
  bson_error_t err;
  const bool failed = mongoc_cursor_error(cursor, &err);
  mongoc_cursor_destroy(cursor);
  // A collection that does not exist yet has no indexes.
  if (failed && err.code != 26) throwError(err, "listIndexes");
  return out;
}

void createIndex(Database& db, const std::string& collection, const std::string& name, const IndexSpec& spec) {
  auto build = [&](bool partial) {
    Bson keys, model, cmd, filter;
    for (const auto& c : spec.columns) BSON_APPEND_INT32(keys.get(), c.c_str(), 1);
    // Non-unique indexes end with _id: the tie-break of every sort on them.
    if (!spec.unique && spec.columns.back() != "_id") BSON_APPEND_INT32(keys.get(), "_id", 1);
    BSON_APPEND_DOCUMENT(model.get(), "key", keys.get());
    BSON_APPEND_UTF8(model.get(), "name", name.c_str());
    if (spec.unique) {
      BSON_APPEND_BOOL(model.get(), "unique", true);
      if (partial) {
        for (const auto& c : spec.columns) {
          bson_t exists;
          BSON_APPEND_DOCUMENT_BEGIN(filter.get(), c.c_str(), &exists);
          BSON_APPEND_BOOL(&exists, "$exists", true);
          bson_append_document_end(filter.get(), &exists);
        }
        BSON_APPEND_DOCUMENT(model.get(), "partialFilterExpression", filter.get());
      }
    }
    BSON_APPEND_UTF8(cmd.get(), "createIndexes", collection.c_str());
    bson_t indexes;
    BSON_APPEND_ARRAY_BEGIN(cmd.get(), "indexes", &indexes);
    BSON_APPEND_DOCUMENT(&indexes, "0", model.get());
    bson_append_array_end(cmd.get(), &indexes);
    return cmd;
  };
  Collection c(db, collection.c_str());
  bson_error_t err;
  if (mongoc_collection_write_command_with_opts(c.get(), build(spec.unique).get(), nullptr, nullptr, &err)) return;
  if (spec.unique && isNotImplemented(err)) {
    // FerretDB 1.x: no partial indexes; its unique indexes skip missing keys already.
    if (mongoc_collection_write_command_with_opts(c.get(), build(false).get(), nullptr, nullptr, &err)) return;
  }
  throwError(err, "createIndexes");
}

void dropIndex(Database& db, const std::string& collection, const std::string& name) {
  Bson cmd;
  BSON_APPEND_UTF8(cmd.get(), "dropIndexes", collection.c_str());
  BSON_APPEND_UTF8(cmd.get(), "index", name.c_str());
  try {
    runDdl(db, collection, cmd.get(), "dropIndexes");
  } catch (const Error& e) {
    if (std::string_view(e.what()).find("not found") == std::string_view::npos) throw;
  }
}

void dropCollection(Database& db, const std::string& collection) {
  Collection c(db, collection.c_str());
  bson_error_t err;
  if (!mongoc_collection_drop_with_opts(c.get(), nullptr, &err) && err.code != 26 /* NamespaceNotFound */ &&
      std::string_view(err.message).find("not found") == std::string_view::npos)
    throwError(err, "drop");
}

void updateAllRecords(Database& db, const std::string& collection, const Bson& update) {
  Collection c(db, collection.c_str());
  db.writes.fetch_add(1, std::memory_order_relaxed);
  Bson all;
  bson_error_t err;
  if (!mongoc_collection_update_many(c.get(), all.get(), update.get(), nullptr, nullptr, &err)) throwError(err, "update");
}

void syncIndexes(Database& db, const domain::Model& m) {
  const auto col = recordCollection(m);
  const auto wanted = wantedIndexes(m);
  const auto existing = indexNames(db, col);
  for (const auto& name : existing)
    if (name != "_id_" && !wanted.count(name)) dropIndex(db, col, name);
  for (const auto& [name, spec] : wanted)
    if (!existing.count(name)) createIndex(db, col, name, spec);
}

Error uniqueError(const std::vector<std::string>& keys) {
  ErrorFields fields;
  std::string list;
  for (const auto& k : keys) {
    fields[k] = k == "id" ? "already exists" : "must be unique";
    list += (list.empty() ? "" : ", ") + k;
  }
  if (fields.empty()) fields["id"] = "already exists";
  return Error(ErrorCode::UNIQUE_VIOLATION, "a record with the same " + (list.empty() ? "id" : list) + " already exists",
               fields);
}

void throwUniqueViolation(Database& db, const domain::Model& m, const bson_t* doc, bool isInsert) {
  bson_iter_t idIt;
  if (!bson_iter_init_find(&idIt, doc, "_id")) throw uniqueError({"id"});
  Collection c(db, recordCollection(m).c_str());
  if (isInsert) {
    Bson byId;
    bson_append_iter(byId.get(), "_id", -1, &idIt);
    if (c.count(byId) > 0) throw uniqueError({"id"});
  }
  for (const auto& [name, spec] : wantedIndexes(m)) {
    if (!spec.unique) continue;
    Bson filter;
    bson_t ne;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &ne);
    bson_append_iter(&ne, "$ne", -1, &idIt);
    bson_append_document_end(filter.get(), &ne);
    bool complete = true;
    for (const auto& col : spec.columns) {
      bson_iter_t it;
      if (!bson_iter_init_find(&it, doc, col.c_str())) {
        complete = false;  // a missing (null) value collides with nothing
        break;
      }
      bson_t eq;
      BSON_APPEND_DOCUMENT_BEGIN(filter.get(), col.c_str(), &eq);
      bson_append_iter(&eq, "$eq", -1, &it);
      bson_append_document_end(filter.get(), &eq);
    }
    if (complete && c.count(filter) > 0) throw uniqueError(keysOf(m, spec.columns));
  }
  // Gone meanwhile: name every unique field.
  std::vector<std::string> keys;
  for (const auto& [name, spec] : wantedIndexes(m))
    if (spec.unique)
      for (const auto& k : keysOf(m, spec.columns)) keys.push_back(k);
  throw uniqueError(keys);
}

}  // namespace m3m::store::mongo
