// Compiles a filter syntax tree (store/query) to a MongoDB query document —
// the MongoDB driver's counterpart of store/sqlite/filter_sql. Values are
// always BSON values of their own type (never text spliced into a query),
// compared through an operator ({"$eq": v}) so a value can never act as one;
// keys come only from the resolver (our own column names), never from the
// filter text. Restricted to what FerretDB 1.x answers too: no $elemMatch
// with $ne/$not, no $expr except for field-to-field comparisons (which
// FerretDB refuses: the repository reports that as a 400).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/mongo/bson_json.hpp"
#include "store/query/filter.hpp"

namespace m3m::store::mongo {

struct FieldInfo {
  std::string column;  // the document key holding the field: "_id", "created", "c3"
  std::string type;    // the field type (string text integer float bool document file ref date datetime email url select)
  bool multiple = false;
};
using FieldResolver = std::function<std::optional<FieldInfo>(const std::string& key)>;
// Every distinct element of a multi-value field (null included when some
// element is null). Used for "every element contains" / "some element does
// not contain", which FerretDB cannot express inside $elemMatch.
using DistinctElements = std::function<std::vector<nlohmann::json>(const std::string& column)>;

// The same semantics as sqlite::compileFilter (docs/models.md): `!=`, `!~` match null; `= null` /
// `!= null`; datetimes compare as BSON dates; multi-value fields: `?op` some element, `op` every
// element (positive operators also need one); `~` is an ASCII-case-insensitive "contains".
// INVALID_ARGUMENT (fields.filter) for unknown fields, type mismatches, unbound placeholders,
// and `~`/`!~` on date/datetime fields (stored as BSON dates, not text).
Bson compileFilterBson(const query::Expr& e, const FieldResolver& resolve, const std::string& nowIso,
                       const DistinctElements& distinct);

// A regular expression matching text that contains `text`, ASCII letters in
// either case (as SQLite's LIKE), every other character literal. Valid for
// PCRE (MongoDB) and Go's regexp (FerretDB).
std::string containsPattern(std::string_view text);
// The same test done here: `hay` contains `needle`, ASCII case-insensitively.
bool containsIgnoringAsciiCase(std::string_view hay, std::string_view needle);

}  // namespace m3m::store::mongo
