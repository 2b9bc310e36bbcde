#include "store/sqlite/record_table.hpp"

#include <sqlite3.h>

#include <m3m/error.hpp>

#include "lib/json.hpp"
#include <set>

namespace m3m::store::sqlite {
namespace {

bool isJsonStored(const domain::ModelField& f) { return f.type == "document" || f.multiple; }

std::string indexName(const domain::Model& m, const std::vector<std::string>& columns, bool unique) {
  std::string name = tableName(m) + "__i";
  for (const auto& c : columns) name += "_" + c;
  return unique ? name + "_u" : name;
}

}  // namespace

std::string tableName(const domain::Model& m) {
  std::string out = "m_";
  for (char c : m.id)
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
  return out;
}

std::string sqlName(const std::string& identifier) { return "\"" + identifier + "\""; }

SqlValue encodeValue(const domain::ModelField& f, const nlohmann::json& v) {
  if (v.is_null()) return nullptr;
  if (isJsonStored(f)) return v.dump();
  if (f.type == "bool") return std::int64_t{v.get<bool>() ? 1 : 0};
  if (f.type == "integer") return v.get<std::int64_t>();
  if (f.type == "float") return v.get<double>();
  return v.get<std::string>();
}

nlohmann::json decodeValue(const domain::ModelField& f, const SQLite::Column& c) {
  if (c.isNull()) return nullptr;
  if (isJsonStored(f)) {
    // Written through lib::parseJson's limits; text from elsewhere that breaks them reads as null.
    auto v = lib::parseJsonOrDiscarded(c.getString());
    return v.is_discarded() ? nlohmann::json(nullptr) : v;
  }
  if (f.type == "bool") return c.getInt64() != 0;
  if (f.type == "integer") return c.getInt64();
  if (f.type == "float") return c.getDouble();
  return c.getString();
}

ColumnResolver resolverFor(const domain::Model& m) {
  return [&m](const std::string& key) -> std::optional<ColumnInfo> {
    if (key == "id") return ColumnInfo{"id", "string", false};
    if (key == "created" || key == "updated") return ColumnInfo{key, "datetime", false};
    if (const auto* f = m.field(key)) return ColumnInfo{f->column, f->type, f->multiple};
    return std::nullopt;
  };
}

std::string selectColumns(const domain::Model& m) {
  std::string out = "id, created, updated";
  for (const auto& f : m.fields) out += ", " + sqlName(f.column);
  return out;
}

nlohmann::json readRecord(const domain::Model& m, SQLite::Statement& q) {
  nlohmann::json r = nlohmann::json::object();
  r["id"] = q.getColumn(0).getString();
  r["created"] = q.getColumn(1).getString();
  r["updated"] = q.getColumn(2).getString();
  int i = 3;
  for (const auto& f : m.fields) r[f.key] = decodeValue(f, q.getColumn(i++));
  return r;
}

std::string orderByClause(const domain::Model& m, const std::vector<query::SortKey>& sort) {
  if (sort.empty()) return " ORDER BY created, id";
  auto resolve = resolverFor(m);
  std::string out;
  for (const auto& k : sort) {
    auto col = resolve(k.key);
    if (!col) throw Error(ErrorCode::INVALID_ARGUMENT, "invalid sort", {{"sort", "unknown field \"" + k.key + "\""}});
    out += (out.empty() ? " ORDER BY " : ", ") + sqlName(col->column) + (k.descending ? " DESC" : "");
  }
  return out + (sort.back().descending ? ", rowid DESC" : ", rowid");
}

std::map<std::string, IndexSpec> wantedIndexes(const domain::Model& m) {
  std::map<std::string, IndexSpec> out;
  auto want = [&](std::vector<std::string> cols, bool unique) {
    auto name = indexName(m, cols, unique);
    out[name] = {std::move(cols), unique};
  };
  want({"created", "id"}, false);  // the default order
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

void syncIndexes(SQLite::Database& db, const domain::Model& m) {
  const auto table = tableName(m);
  auto wanted = wantedIndexes(m);
  std::set<std::string> existing;
  {
    SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL");
    q.bind(1, table);
    while (q.executeStep()) existing.insert(q.getColumn(0).getString());
  }
  for (const auto& name : existing)
    if (!wanted.count(name)) db.exec("DROP INDEX " + sqlName(name));
  for (const auto& [name, spec] : wanted) {
    if (existing.count(name)) continue;
    std::string cols;
    for (const auto& c : spec.columns) cols += (cols.empty() ? "" : ", ") + sqlName(c);
    db.exec(std::string(spec.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + sqlName(name) + " ON " +
            sqlName(table) + " (" + cols + ")");
  }
}

void createTable(SQLite::Database& db, const domain::Model& m) {
  std::string ddl = "CREATE TABLE " + sqlName(tableName(m)) +
                    " (id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL";
  for (const auto& f : m.fields) ddl += ", " + sqlName(f.column) + " ANY";
  db.exec(ddl + ") STRICT");
  syncIndexes(db, m);
}

void mapRecordConstraint(const domain::Model& m, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const SQLite::Exception& e) {
    if (e.getExtendedErrorCode() != SQLITE_CONSTRAINT_UNIQUE && e.getExtendedErrorCode() != SQLITE_CONSTRAINT_PRIMARYKEY)
      throw;
    // "UNIQUE constraint failed: m_x.c1, m_x.c2" → the fields of those columns.
    std::string what = e.what();
    ErrorFields fields;
    std::string keys;
    for (const auto& f : m.fields) {
      auto needle = "." + f.column;
      for (auto pos = what.find(needle); pos != std::string::npos; pos = what.find(needle, pos + 1)) {
        auto end = pos + needle.size();
        if (end == what.size() || what[end] == ',' || what[end] == ' ') {
          fields[f.key] = "must be unique";
          keys += (keys.empty() ? "" : ", ") + f.key;
          break;
        }
      }
    }
    if (fields.empty()) fields["id"] = "already exists";
    throw Error(ErrorCode::UNIQUE_VIOLATION, "a record with the same " + (keys.empty() ? "id" : keys) + " already exists",
                fields);
  }
}

}  // namespace m3m::store::sqlite
