// How a model's records live in SQLite: one STRICT table per model named
// from its id, one ANY column per field named from its column number (never
// from user input, so DDL — which cannot bind — only ever splices our own
// identifiers), values encoded per field type.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "store/sqlite/filter_sql.hpp"

namespace m3m::store::sqlite {

std::string tableName(const domain::Model& m);
std::string sqlName(const std::string& identifier);

// JSON value of a field → what SQLite stores, and back.
SqlValue encodeValue(const domain::ModelField& f, const nlohmann::json& v);
nlohmann::json decodeValue(const domain::ModelField& f, const SQLite::Column& c);

// Column resolver for the filter compiler (system fields included).
ColumnResolver resolverFor(const domain::Model& m);

// "id, created, updated, "c1", …" in model field order.
std::string selectColumns(const domain::Model& m);
nlohmann::json readRecord(const domain::Model& m, SQLite::Statement& q);

// " ORDER BY …" for a sort. Ties are broken by rowid in the direction of the
// last key: an index on the sort column holds (value, rowid), so the index
// alone gives the order (a tie-break on `id` would force a full sort).
std::string orderByClause(const domain::Model& m, const std::vector<query::SortKey>& sort);

// The indexes a model wants: name → (columns, unique).
struct IndexSpec {
  std::vector<std::string> columns;
  bool unique = false;
};
std::map<std::string, IndexSpec> wantedIndexes(const domain::Model& m);
// Creates missing wanted indexes and drops unwanted ones.
void syncIndexes(SQLite::Database& db, const domain::Model& m);
void createTable(SQLite::Database& db, const domain::Model& m);

// Runs fn; a UNIQUE violation on the model's table becomes UNIQUE_VIOLATION
// naming the fields of the index.
void mapRecordConstraint(const domain::Model& m, const std::function<void()>& fn);

}  // namespace m3m::store::sqlite
