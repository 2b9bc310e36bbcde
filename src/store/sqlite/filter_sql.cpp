#include "store/sqlite/filter_sql.hpp"

#include <m3m/error.hpp>

#include "lib/datetime.hpp"

namespace m3m::store::sqlite {
namespace {

using query::CompareOp;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + what, {{"filter", what}});
}

// Appends SQL text and bound values together, so the values stay in the order of their ?s.
class Builder {
 public:
  Builder& operator<<(std::string_view text) {
    out_.sql += text;
    return *this;
  }
  Builder& operator<<(const SqlFragment& f) {
    out_.sql += f.sql;
    out_.params.insert(out_.params.end(), f.params.begin(), f.params.end());
    return *this;
  }
  Builder& value(SqlValue v) {
    out_.sql += '?';
    out_.params.push_back(std::move(v));
    return *this;
  }
  SqlFragment done() { return std::move(out_); }

 private:
  SqlFragment out_;
};

bool isTextStored(const std::string& t) {
  return t == "string" || t == "text" || t == "email" || t == "url" || t == "file" || t == "ref" || t == "select" ||
         t == "date" || t == "datetime";
}

bool isNegative(CompareOp op) { return op == CompareOp::Ne || op == CompareOp::NotLike; }
bool isLike(CompareOp op) { return op == CompareOp::Like || op == CompareOp::NotLike; }
bool isOrdering(CompareOp op) {
  return op == CompareOp::Gt || op == CompareOp::Ge || op == CompareOp::Lt || op == CompareOp::Le;
}

// One side of a comparison that names a field.
struct Side {
  std::string name;    // as written, for messages
  std::string column;  // quoted
  std::string type;    // the field type
  bool multiple = false;
  std::string path;  // "$.a.b" inside a document; empty for the column itself

  bool isPath() const { return !path.empty(); }
  SqlFragment expr() const {
    if (!isPath()) return {column, {}};
    return {"json_extract(" + column + ", ?)", {path}};
  }
  SqlFragment jsonType() const { return {"json_type(" + column + ", ?)", {path}}; }
};

Side resolveField(const query::FieldRef& f, const ColumnResolver& resolve) {
  auto col = resolve(f.key);
  if (!col) fail("unknown field \"" + f.key + "\"");
  Side s{f.key, "\"" + col->column + "\"", col->type, col->multiple, {}};
  if (f.path.empty()) return s;
  if (col->type != "document") fail("\"" + f.key + "\" is not a document field (no path inside it)");
  // Path segments are identifiers ([A-Za-z_][A-Za-z0-9_]*, checked by both parsers), so they need no quoting.
  s.path = "$";
  for (const auto& p : f.path) {
    s.path += "." + p;
    s.name += "." + p;
  }
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

CompareOp flipped(CompareOp op) {
  switch (op) {
    case CompareOp::Gt: return CompareOp::Lt;
    case CompareOp::Ge: return CompareOp::Le;
    case CompareOp::Lt: return CompareOp::Gt;
    case CompareOp::Le: return CompareOp::Ge;
    default: return op;
  }
}

// `expr op ?`. LIKE is ASCII-case-insensitive in SQLite, which is what ~ promises;
// !~ also matches null, like !=.
SqlFragment condition(const SqlFragment& expr, CompareOp op, SqlValue v) {
  Builder b;
  switch (op) {
    case CompareOp::Like:
      b << expr << " LIKE ";
      b.value(std::move(v)) << " ESCAPE '\\'";
      break;
    case CompareOp::NotLike:
      b << "(" << expr << " IS NULL OR " << expr << " NOT LIKE ";
      b.value(std::move(v)) << " ESCAPE '\\')";
      break;
    default:
      b << expr << " " << sqlOp(op) << " ";
      b.value(std::move(v));
  }
  return b.done();
}

std::string likePattern(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

SqlValue likeValue(const std::string& name, const std::string& type, const query::Literal& lit) {
  if (!isTextStored(type) && type != "json") fail("~ and !~ need a text field (\"" + name + "\" is " + type + ")");
  if (lit.now || !lit.value.is_string()) fail("~ and !~ take a string (field \"" + name + "\")");
  return likePattern(lit.value.get<std::string>());
}

SqlValue textValue(const std::string& name, const std::string& type, const std::string& s) {
  if (type == "datetime") {
    auto norm = lib::normalizeDatetime(s);
    if (!norm) fail("\"" + s + "\" is not a date/time (field \"" + name + "\")");
    return *norm;  // stored normalized: text order is time order
  }
  if (type == "date" && !lib::isValidDate(s)) fail("\"" + s + "\" is not a date YYYY-MM-DD (field \"" + name + "\")");
  return s;
}

// The bound value for comparing a (non-document) field of `type` with `lit`, checked against the type.
SqlValue valueFor(const std::string& name, const std::string& type, const query::Literal& lit, CompareOp op,
                  const std::string& nowIso) {
  if (isLike(op)) return likeValue(name, type, lit);
  if (lit.now) {
    if (type != "datetime") fail("@now compares only with datetime fields (\"" + name + "\" is " + type + ")");
    return nowIso;
  }
  const auto& v = lit.value;
  if (type == "integer" || type == "float") {
    if (!v.is_number()) fail("\"" + name + "\" is a number field: compare it with a number");
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return v.get<double>();
  }
  if (type == "bool") {
    if (!v.is_boolean()) fail("\"" + name + "\" is a bool field: compare it with true or false");
    if (isOrdering(op)) fail("bool fields take only = and !=");
    return std::int64_t{v.get<bool>() ? 1 : 0};
  }
  if (type == "document") fail("\"" + name + "\" is a document: compare it with null, or a path inside it");
  if (!v.is_string()) fail("\"" + name + "\" is a " + type + " field: compare it with a string");
  return textValue(name, type, v.get<std::string>());
}

SqlFragment nullTest(const Side& field, CompareOp op) {
  if (op != CompareOp::Eq && op != CompareOp::Ne) fail("null compares only with = and !=");
  Builder b;
  b << field.expr() << (op == CompareOp::Eq ? " IS NULL" : " IS NOT NULL");
  return b.done();
}

// Multi-value select/ref fields hold a JSON array of strings.
//  - any (?op): some element matches; a null or empty array has none, so it never matches (?!= included).
//  - every (op): no element fails. A failing element is one whose test is not TRUE, so a null element
//    fails a positive test instead of slipping through as SQL NULL. Positive operators also need at
//    least one element (`tags = 'vip'` should not match []), negative ones (!=, !~: "no element is /
//    contains") match null and [] like != matches null on single fields.
SqlFragment multiCondition(const Side& field, const query::Comparison& c, const query::Literal& lit,
                           const std::string& nowIso) {
  const auto elementType = field.type == "select" || field.type == "ref" ? field.type : std::string("string");
  auto test = condition({"value", {}}, c.op, valueFor(field.name, elementType, lit, c.op, nowIso));
  Builder b;
  if (c.any) {
    b << "EXISTS (SELECT 1 FROM json_each(" << field.column << ") WHERE " << test << ")";
    return b.done();
  }
  b << "(";
  if (!isNegative(c.op)) b << "json_array_length(" << field.column << ") > 0 AND ";
  b << "NOT EXISTS (SELECT 1 FROM json_each(" << field.column << ") WHERE (" << test << ") IS NOT TRUE))";
  return b.done();
}

// A value inside a document, read with json_extract. SQLite would compare across storage classes
// (any text > any number, JSON true = 1), so each test also checks the JSON type of the value:
// `meta.n > 5` skips a string "abc", `meta.flag = true` skips the number 1.
SqlFragment pathCondition(const Side& field, CompareOp op, const query::Literal& lit) {
  if (lit.now) fail("@now compares only with datetime fields (\"" + field.name + "\" is inside a document)");
  if (isLike(op)) return condition(field.expr(), op, likeValue(field.name, "json", lit));
  const auto& v = lit.value;
  Builder b;
  if (v.is_boolean()) {
    if (isOrdering(op)) fail("true and false compare only with = and != (\"" + field.name + "\")");
    b << field.jsonType() << (op == CompareOp::Eq ? " = " : " IS NOT ") << (v.get<bool>() ? "'true'" : "'false'");
    return b.done();
  }
  const bool number = v.is_number();
  SqlValue bound = !number ? SqlValue(v.get<std::string>())
                   : v.is_number_integer() ? SqlValue(v.get<std::int64_t>())
                                           : SqlValue(v.get<double>());
  const auto positiveOp = op == CompareOp::Ne ? CompareOp::Eq : op;
  if (op == CompareOp::Ne) b << "(";
  b << "(" << field.jsonType() << (number ? " IN ('integer', 'real')" : " = 'text'") << " AND "
    << condition(field.expr(), positiveOp, std::move(bound)) << ")";
  // Not TRUE rather than NOT: a missing key (json_type NULL) must count as "different".
  if (op == CompareOp::Ne) b << " IS NOT TRUE)";
  return b.done();
}

SqlFragment columnCondition(const Side& field, const query::Comparison& c, const query::Literal& lit,
                            const std::string& nowIso) {
  // `"c" = ?` with nothing around the column, so SQLite can use an index on it.
  return condition(field.expr(), c.op, valueFor(field.name, field.type, lit, c.op, nowIso));
}

std::string typeGroup(const Side& s) {
  if (s.isPath()) return "json";
  if (s.type == "integer" || s.type == "float") return "number";
  if (s.type == "bool" || s.type == "document" || s.type == "date" || s.type == "datetime") return s.type;
  return "text";
}

SqlFragment fieldVsField(const Side& a, CompareOp op, const Side& b) {
  if (a.multiple || b.multiple) fail("multi-value fields compare only with values");
  if (isLike(op)) fail("~ and !~ compare a field with a value");
  const auto ga = typeGroup(a), gb = typeGroup(b);
  if (ga == "document" || gb == "document" || (ga != gb && ga != "json" && gb != "json"))
    fail("\"" + a.name + "\" (" + a.type + ") and \"" + b.name + "\" (" + b.type + ") cannot be compared");
  if ((ga == "bool" || gb == "bool") && isOrdering(op)) fail("bool fields take only = and !=");
  Builder out;
  out << a.expr() << " " << sqlOp(op) << " " << b.expr();
  return out.done();
}

[[noreturn]] void unboundPlaceholder(const query::Comparison& c) {
  const auto* p = std::get_if<query::Placeholder>(&c.left);
  if (!p) p = std::get_if<query::Placeholder>(&c.right);
  fail("placeholder {:" + p->name + "} has no value (placeholders take values from params)");
}

// Puts the field on the left: `5 < n` is `n > 5`.
query::Comparison fieldFirst(query::Comparison c) {
  if (std::holds_alternative<query::Placeholder>(c.left) || std::holds_alternative<query::Placeholder>(c.right))
    unboundPlaceholder(c);
  if (std::holds_alternative<query::FieldRef>(c.left)) return c;
  if (!std::holds_alternative<query::FieldRef>(c.right))
    fail("position " + std::to_string(c.position) + ": compare a field with a value");
  if (isLike(c.op)) fail("position " + std::to_string(c.position) + ": put the field on the left of ~ and !~");
  std::swap(c.left, c.right);
  c.op = flipped(c.op);
  return c;
}

SqlFragment compileComparison(const query::Comparison& original, const ColumnResolver& resolve,
                              const std::string& nowIso) {
  const auto c = fieldFirst(original);
  const Side field = resolveField(std::get<query::FieldRef>(c.left), resolve);
  if (const auto* other = std::get_if<query::FieldRef>(&c.right))
    return fieldVsField(field, c.op, resolveField(*other, resolve));
  const auto& lit = std::get<query::Literal>(c.right);
  if (!lit.now && lit.value.is_null()) return nullTest(field, c.op);
  // `?` on a single-value field or a document path has one element: the value itself.
  if (field.multiple) return multiCondition(field, c, lit, nowIso);
  if (field.isPath()) return pathCondition(field, c.op, lit);
  return columnCondition(field, c, lit, nowIso);
}

SqlFragment compile(const query::Expr& e, const ColumnResolver& resolve, const std::string& nowIso) {
  if (const auto* c = std::get_if<query::Comparison>(&e.node)) return compileComparison(*c, resolve, nowIso);
  const auto& l = std::get<query::Logical>(e.node);
  if (l.children.empty()) return {l.isAnd ? "1" : "0", {}};  // AND of nothing: all; OR of nothing: none
  Builder b;
  b << "(";
  for (size_t i = 0; i < l.children.size(); ++i) {
    if (i) b << (l.isAnd ? " AND " : " OR ");
    b << compile(l.children[i], resolve, nowIso);
  }
  b << ")";
  return b.done();
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
