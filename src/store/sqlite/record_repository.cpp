#include <m3m/error.hpp>

#include "store/sqlite/model_repository.hpp"
#include "store/sqlite/record_table.hpp"
#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

// " WHERE <filter>" (or nothing) and its parameters.
SqlFragment whereClause(const domain::Model& m, const query::Expr* filter, const std::string& nowIso) {
  if (!filter) return {};
  auto f = compileFilter(*filter, resolverFor(m), nowIso);
  f.sql = " WHERE " + f.sql;
  return f;
}


std::vector<std::string> readIds(SQLite::Statement& q) {
  std::vector<std::string> ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
  return ids;
}

}  // namespace

void SqliteRecordRepository::insert(const domain::Model& m, const nlohmann::json& record) {
  std::string sql = "INSERT INTO " + sqlName(tableName(m)) + " (" + selectColumns(m) + ") VALUES (?, ?, ?";
  std::vector<SqlValue> values{record.at("id").get<std::string>(), record.at("created").get<std::string>(),
                               record.at("updated").get<std::string>()};
  for (const auto& f : m.fields) {
    sql += ", ?";
    values.push_back(encodeValue(f, record.contains(f.key) ? record[f.key] : nlohmann::json()));
  }
  sql += ")";
  db_.write([&](SQLite::Database& db) {
    mapRecordConstraint(m, [&] {
      auto q = db_.prepare(db, sql);
      bindValues(*q, values);
      q->exec();
    });
  });
}

std::optional<nlohmann::json> SqliteRecordRepository::get(const domain::Model& m, const std::string& id) {
  std::optional<nlohmann::json> out;
  db_.read([&](SQLite::Database& db) {
    auto st = db_.prepare(db, "SELECT " + selectColumns(m) + " FROM " + sqlName(tableName(m)) + " WHERE id = ?");
    bindAll(*st, id);
    if (st->executeStep()) out = readRecord(m, *st);
  });
  return out;
}

std::vector<nlohmann::json> SqliteRecordRepository::getMany(const domain::Model& m, const std::vector<std::string>& ids) {
  std::vector<nlohmann::json> out;
  if (ids.empty()) return out;
  db_.read([&](SQLite::Database& db) {
    // json_each keeps it one bound parameter however many ids there are.
    SQLite::Statement q(db, "SELECT " + selectColumns(m) + " FROM " + sqlName(tableName(m)) +
                                " WHERE id IN (SELECT value FROM json_each(?))");
    bindAll(q, nlohmann::json(ids).dump());
    while (q.executeStep()) out.push_back(readRecord(m, q));
  });
  return out;
}

RecordPage SqliteRecordRepository::find(const domain::Model& m, const RecordQuery& rq, const std::string& nowIso) {
  RecordPage out;
  auto where = whereClause(m, rq.filter ? &*rq.filter : nullptr, nowIso);
  const auto from = " FROM " + sqlName(tableName(m)) + where.sql;
  const auto order = orderByClause(m, rq.sort);
  db_.read([&](SQLite::Database& db) {
    if (rq.countTotal) {
      auto c = db_.prepare(db, "SELECT COUNT(*)" + from);
      bindValues(*c, where.params);
      c->executeStep();
      out.totalItems = c->getColumn(0).getInt64();
    }
    auto q = db_.prepare(db, "SELECT " + selectColumns(m) + from + order + " LIMIT ? OFFSET ?");
    auto params = where.params;
    params.emplace_back(rq.limit);
    params.emplace_back(rq.offset);
    bindValues(*q, params);
    while (q->executeStep()) out.items.push_back(readRecord(m, *q));
  });
  return out;
}

std::int64_t SqliteRecordRepository::count(const domain::Model& m, const query::Expr* filter, const std::string& nowIso) {
  auto where = whereClause(m, filter, nowIso);
  std::int64_t n = 0;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement c(db, "SELECT COUNT(*) FROM " + sqlName(tableName(m)) + where.sql);
    bindValues(c, where.params);
    c.executeStep();
    n = c.getColumn(0).getInt64();
  });
  return n;
}

std::vector<std::string> SqliteRecordRepository::matchingIds(const domain::Model& m, const query::Expr* filter,
                                                             const std::string& nowIso) {
  auto where = whereClause(m, filter, nowIso);
  std::vector<std::string> ids;
  // The writer: callers change what they match, in the same transaction.
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT id FROM " + sqlName(tableName(m)) + where.sql + " ORDER BY created, id");
    bindValues(q, where.params);
    ids = readIds(q);
  });
  return ids;
}

std::vector<std::string> SqliteRecordRepository::referencing(const domain::Model& m, const std::string& key,
                                                             const std::string& targetId) {
  const auto* f = m.field(key);
  if (!f) return {};
  const auto col = sqlName(f->column);
  std::vector<std::string> ids;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT id FROM " + sqlName(tableName(m)) + " WHERE " +
                                (f->multiple ? "EXISTS (SELECT 1 FROM json_each(" + col + ") WHERE value = ?)"
                                             : col + " = ?"));
    bindAll(q, targetId);
    ids = readIds(q);
  });
  return ids;
}

bool SqliteRecordRepository::update(const domain::Model& m, const std::string& id, const nlohmann::json& patch) {
  std::string sets;
  std::vector<SqlValue> values;
  if (patch.contains("updated")) {
    sets = "updated = ?";
    values.push_back(patch["updated"].get<std::string>());
  }
  for (const auto& f : m.fields) {
    if (!patch.contains(f.key)) continue;
    sets += (sets.empty() ? "" : ", ") + sqlName(f.column) + " = ?";
    values.push_back(encodeValue(f, patch[f.key]));
  }
  if (sets.empty()) return get(m, id).has_value();
  values.push_back(id);
  bool changed = false;
  db_.write([&](SQLite::Database& db) {
    mapRecordConstraint(m, [&] {
      auto q = db_.prepare(db, "UPDATE " + sqlName(tableName(m)) + " SET " + sets + " WHERE id = ?");
      bindValues(*q, values);
      changed = q->exec() > 0;
    });
  });
  return changed;
}

bool SqliteRecordRepository::remove(const domain::Model& m, const std::string& id) {
  bool removed = false;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM " + sqlName(tableName(m)) + " WHERE id = ?");
    bindAll(q, id);
    removed = q.exec() > 0;
  });
  return removed;
}

std::vector<nlohmann::json> SqliteRecordRepository::scan(const domain::Model& m) {
  std::vector<nlohmann::json> out;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT " + selectColumns(m) + " FROM " + sqlName(tableName(m)) + " ORDER BY created, id");
    while (q.executeStep()) out.push_back(readRecord(m, q));
  });
  return out;
}

}  // namespace m3m::store::sqlite
