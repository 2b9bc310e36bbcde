// The filter language of records (docs/models.md), engine-neutral: parsed
// once to this syntax tree, then compiled by each storage driver (SQLite:
// SQL with bound parameters; MongoDB: a BSON query). Object filters from the
// runtime ({status: 'new', total: {$gt: 10}}) produce the same tree.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace m3m::store::query {

enum class CompareOp { Eq, Ne, Gt, Ge, Lt, Le, Like, NotLike };

struct FieldRef {
  std::string key;                // the field
  std::vector<std::string> path;  // inside a document field: meta.a.b → {"a", "b"}
};
struct Literal {
  nlohmann::json value;  // null, bool, number, string
  bool now = false;      // @now
};
struct Placeholder {
  std::string name;  // {:name}
};
using Operand = std::variant<FieldRef, Literal, Placeholder>;

struct Expr;
struct Comparison {
  Operand left;
  CompareOp op = CompareOp::Eq;
  bool any = false;  // ?= … : any element of a multi-value field
  Operand right;
  size_t position = 0;  // of the operator in the filter text (for errors)
};
// isAnd with no children matches everything; !isAnd with none matches nothing.
struct Logical {
  bool isAnd = true;
  std::vector<Expr> children;
};
struct Expr {
  std::variant<Comparison, Logical> node;
};

// INVALID_ARGUMENT with fields.filter = "position N: …" (a byte offset) on a syntax error;
// empty or blank text is one too ("empty filter"): callers skip empty filters themselves.
// At most 8 KB and 64 nested parentheses. In strings a backslash escapes the quote or a
// backslash and is kept before anything else.
Expr parseFilter(std::string_view text);
// INVALID_ARGUMENT with fields.filter = "<key>: …".
Expr objectFilter(const nlohmann::json& obj);
// Replaces every {:name} by params[name]; a missing one is INVALID_ARGUMENT.
void bindPlaceholders(Expr& e, const nlohmann::json& params);

struct SortKey {
  std::string key;
  bool descending = false;
};
// More would only make the database compare past the point any order is decided.
inline constexpr std::size_t MAX_SORT_KEYS = 16;
// "-created, title" (empty → none). INVALID_ARGUMENT with fields.sort (also past MAX_SORT_KEYS keys).
std::vector<SortKey> parseSort(std::string_view text);

const char* opText(CompareOp op);

}  // namespace m3m::store::query
