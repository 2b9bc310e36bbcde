#include "store/sqlite/filter_sql.hpp"

#include <m3m/error.hpp>

#include "lib/datetime.hpp"

namespace m3m::store::sqlite {
namespace {

using query::CompareOp;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + what, {{"filter", what}});
}

bool isTextStored(const std::string& t) {
  return t == "string" || t == "text" || t == "email" || t == "url" || t == "file" || t == "ref" || t == "select" ||
         t == "date" || t == "datetime";
}

// What a side of a comparison is in SQL.
struct Side {
  std::string sql;
  std::vector<SqlValue> params;
  std::string kind;  // field type, or "json" for a value inside a document
  bool multiple = false;
  std::string name;  // for messages
};

Side fieldSide(const query::FieldRef& f, const ColumnResolver& resolve) {
  auto col = resolve(f.key);
  if (!col) fail("unknown field \"" + f.key + "\"");
  Side s;
  s.name = f.key;
  if (!f.path.empty()) {
    if (col->type != "document") fail("\"" + f.key + "\" is not a document field (no path inside it)");
    std::string path = "$";
    for (const auto& p : f.path) {
      path += "." + p;
      s.name += "." + p;
    }
    s.sql = "json_extract(\"" + col->column + "\", ?)";
    s.params.push_back(path);
    s.kind = "json";
    return s;
  }
  s.sql = "\"" + col->column + "\"";
  s.kind = col->type;
  s.multiple = col->multiple;
  return s;
}

std::string likePattern(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

// The bound value of `lit` for a field of `kind`, checked.
SqlValue valueFor(const Side& field, const query::Literal& lit, CompareOp op, const std::string& nowIso) {
  const auto& v = lit.value;
  const auto& k = field.kind;
  const bool like = op == CompareOp::Like || op == CompareOp::NotLike;
  if (lit.now) {
    if (k != "datetime") fail("@now compares only with datetime fields (\"" + field.name + "\" is " + k + ")");
    return nowIso;
  }
  if (like) {
    if (!(isTextStored(k) || k == "json")) fail("~ and !~ need a text field (\"" + field.name + "\" is " + k + ")");
    if (!v.is_string()) fail("~ and !~ take a string (field \"" + field.name + "\")");
    return likePattern(v.get<std::string>());
  }
  if (k == "json") {
    if (v.is_boolean()) return std::int64_t{v.get<bool>() ? 1 : 0};
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number()) return v.get<double>();
    return v.get<std::string>();
  }
  if (k == "integer" || k == "float") {
    if (!v.is_number()) fail("\"" + field.name + "\" is a number field: compare it with a number");
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return v.get<double>();
  }
  if (k == "bool") {
    if (!v.is_boolean()) fail("\"" + field.name + "\" is a bool field: compare it with true or false");
    if (op != CompareOp::Eq && op != CompareOp::Ne) fail("bool fields take only = and !=");
    return std::int64_t{v.get<bool>() ? 1 : 0};
  }
  if (k == "document") fail("\"" + field.name + "\" is a document: compare it with null, or a path inside it");
  if (!v.is_string()) fail("\"" + field.name + "\" is a " + k + " field: compare it with a string");
  const auto& s = v.get_ref<const std::string&>();
  if (k == "datetime") {
    auto norm = lib::normalizeDatetime(s);
    if (!norm) fail("\"" + s + "\" is not a date/time (field \"" + field.name + "\")");
    return *norm;
  }
  if (k == "date" && !lib::isValidDate(s)) fail("\"" + s + "\" is not a date YYYY-MM-DD (field \"" + field.name + "\")");
  return s;
}

std::string sqlOp(CompareOp op) {
  switch (op) {
    case CompareOp::Eq: return "=";
    case CompareOp::Ne: return "IS NOT";  // null-safe: != matches null values too
    case CompareOp::Gt: return ">";
    case CompareOp::Ge: return ">=";
    case CompareOp::Lt: return "<";
    case CompareOp::Le: return "<=";
    case CompareOp::Like: return "LIKE";
    case CompareOp::NotLike: return "NOT LIKE";
  }
  return "=";
}

// `expr op ?` with LIKE's escape and !~'s null handling.
std::string condition(const std::string& expr, CompareOp op) {
  if (op == CompareOp::Like) return expr + " LIKE ? ESCAPE '\\'";
  if (op == CompareOp::NotLike) return "(" + expr + " IS NULL OR " + expr + " NOT LIKE ? ESCAPE '\\')";
  return expr + " " + sqlOp(op) + " ?";
}

CompareOp flipped(CompareOp op) {
  switch (op) {
    case CompareOp::Gt: return CompareOp::Lt;
    case CompareOp::Ge: return CompareOp::Le;
    case CompareOp::Lt: return CompareOp::Gt;
    case CompareOp::Le: return CompareOp::Ge;
    default: return op;
  }
}

std::string kindClass(const std::string& k) {
  if (k == "integer" || k == "float") return "number";
  if (k == "bool") return "bool";
  if (k == "json") return "json";
  if (k == "document") return "document";
  return "text";
}

SqlFragment compileComparison(query::Comparison c, const ColumnResolver& resolve, const std::string& nowIso) {
  if (std::holds_alternative<query::Placeholder>(c.left) || std::holds_alternative<query::Placeholder>(c.right)) {
    const auto& p = std::holds_alternative<query::Placeholder>(c.left) ? std::get<query::Placeholder>(c.left)
                                                                        : std::get<query::Placeholder>(c.right);
    fail("placeholder {:" + p.name + "} has no value (placeholders take values from params)");
  }
  const bool leftField = std::holds_alternative<query::FieldRef>(c.left);
  const bool rightField = std::holds_alternative<query::FieldRef>(c.right);
  if (!leftField && !rightField) fail("position " + std::to_string(c.position) + ": compare a field with a value");
  if (!leftField) {
    if (c.op == CompareOp::Like || c.op == CompareOp::NotLike)
      fail("position " + std::to_string(c.position) + ": put the field on the left of ~ and !~");
    std::swap(c.left, c.right);
    c.op = flipped(c.op);
  }
  Side field = fieldSide(std::get<query::FieldRef>(c.left), resolve);
  SqlFragment out;
  out.params = field.params;

  if (std::holds_alternative<query::FieldRef>(c.right)) {
    Side other = fieldSide(std::get<query::FieldRef>(c.right), resolve);
    if (field.multiple || other.multiple) fail("multi-value fields compare only with values");
    if (c.op == CompareOp::Like || c.op == CompareOp::NotLike) fail("~ and !~ compare a field with a value");
    auto a = kindClass(field.kind), b = kindClass(other.kind);
    if (a == "document" || b == "document" || (a != b && a != "json" && b != "json"))
      fail("\"" + field.name + "\" (" + field.kind + ") and \"" + other.name + "\" (" + other.kind +
           ") cannot be compared");
    out.sql = field.sql + " " + sqlOp(c.op) + " " + other.sql;
    out.params.insert(out.params.end(), other.params.begin(), other.params.end());
    return out;
  }

  const auto& lit = std::get<query::Literal>(c.right);
  if (!lit.now && lit.value.is_null()) {
    if (c.op != CompareOp::Eq && c.op != CompareOp::Ne) fail("null compares only with = and !=");
    out.sql = field.sql + (c.op == CompareOp::Eq ? " IS NULL" : " IS NOT NULL");
    return out;
  }
  if (field.multiple) {
    // Elements are strings (select values, record ids).
    Side element{"value", {}, field.kind == "select" || field.kind == "ref" ? field.kind : "string", false, field.name};
    auto v = valueFor(element, lit, c.op, nowIso);
    if (c.any) {
      out.sql = "EXISTS (SELECT 1 FROM json_each(" + field.sql + ") WHERE " + condition("value", c.op) + ")";
    } else {
      // Every element matches; negative operators also match a null value
      // (as != does on single fields), positive ones need a value.
      const bool negative = c.op == CompareOp::Ne || c.op == CompareOp::NotLike;
      out.sql = std::string("(") + (negative ? "" : field.sql + " IS NOT NULL AND ") +
                "NOT EXISTS (SELECT 1 FROM json_each(" + field.sql + ") WHERE NOT (" + condition("value", c.op) + ")))";
    }
    out.params.push_back(std::move(v));
    return out;
  }
  auto v = valueFor(field, lit, c.op, nowIso);
  out.sql = condition(field.sql, c.op);
  // !~ mentions the expression twice: its parameters (a document path) too.
  if (c.op == CompareOp::NotLike) out.params.insert(out.params.end(), field.params.begin(), field.params.end());
  out.params.push_back(std::move(v));
  return out;
}

SqlFragment compile(const query::Expr& e, const ColumnResolver& resolve, const std::string& nowIso) {
  if (const auto* c = std::get_if<query::Comparison>(&e.node)) return compileComparison(*c, resolve, nowIso);
  const auto& l = std::get<query::Logical>(e.node);
  if (l.children.empty()) return {l.isAnd ? "1" : "0", {}};
  SqlFragment out;
  out.sql = "(";
  for (size_t i = 0; i < l.children.size(); ++i) {
    auto part = compile(l.children[i], resolve, nowIso);
    if (i) out.sql += l.isAnd ? " AND " : " OR ";
    out.sql += part.sql;
    out.params.insert(out.params.end(), std::make_move_iterator(part.params.begin()),
                      std::make_move_iterator(part.params.end()));
  }
  out.sql += ")";
  return out;
}

}  // namespace

SqlFragment compileFilter(const query::Expr& e, const ColumnResolver& resolve, const std::string& nowIso) {
  return compile(e, resolve, nowIso);
}

void bindValues(SQLite::Statement& q, const std::vector<SqlValue>& params, int firstIndex) {
  int i = firstIndex;
  for (const auto& p : params) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) q.bind(i);
          else if constexpr (std::is_same_v<T, std::int64_t>) q.bind(i, static_cast<int64_t>(v));
          else q.bind(i, v);
        },
        p);
    ++i;
  }
}

}  // namespace m3m::store::sqlite
