// Compiles a filter syntax tree to an SQLite WHERE expression. Values are
// always bound parameters; identifiers come only from the resolver (our own
// column names), never from the filter text.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "store/query/filter.hpp"

namespace m3m::store::sqlite {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

struct SqlFragment {
  std::string sql;
  std::vector<SqlValue> params;
};

struct ColumnInfo {
  std::string column;  // SQL column name (quoted by the compiler)
  std::string type;    // the field type: string text integer float bool document file ref date datetime email url select
  bool multiple = false;
};
using ColumnResolver = std::function<std::optional<ColumnInfo>(const std::string& key)>;

// A WHERE expression (no "WHERE") whose ?s take `params` in order. Semantics (docs/models.md):
// `!=`, `!~` match null; `= null` / `!= null` are IS NULL / IS NOT NULL; datetimes compare as
// normalized UTC text; multi-value fields: `?op` = some element, `op` = every element (positive
// operators also need one element); document paths compare only within the same JSON type.
// INVALID_ARGUMENT (fields.filter) for unknown fields and type mismatches; placeholders must be bound.
SqlFragment compileFilter(const query::Expr& e, const ColumnResolver& resolve, const std::string& nowIso);

void bindValues(SQLite::Statement& q, const std::vector<SqlValue>& params, int firstIndex = 1);

}  // namespace m3m::store::sqlite
