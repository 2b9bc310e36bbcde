#include "store/mongo/filter_bson.hpp"

#include <m3m/error.hpp>
#include <variant>

#include "lib/datetime.hpp"

namespace m3m::store::mongo {
namespace {

using query::CompareOp;

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + what, {{"filter", what}});
}

// A value as it goes into the query.
struct DateMs {
  std::int64_t ms;
};
struct Regex {
  std::string pattern;
};
using Value = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, DateMs, Regex>;

void appendValue(bson_t* d, const char* key, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) BSON_APPEND_NULL(d, key);
        else if constexpr (std::is_same_v<T, bool>) BSON_APPEND_BOOL(d, key, x);
        else if constexpr (std::is_same_v<T, std::int64_t>) BSON_APPEND_INT64(d, key, x);
        else if constexpr (std::is_same_v<T, double>) BSON_APPEND_DOUBLE(d, key, x);
        else if constexpr (std::is_same_v<T, std::string>)
          bson_append_utf8(d, key, -1, x.data(), static_cast<int>(x.size()));
        else if constexpr (std::is_same_v<T, DateMs>) BSON_APPEND_DATE_TIME(d, key, x.ms);
        else BSON_APPEND_REGEX(d, key, x.pattern.c_str(), "");
      },
      v);
}

// {op: v}
Bson opDoc(const char* op, const Value& v) {
  Bson out;
  appendValue(out.get(), op, v);
  return out;
}
// {key: inner}
Bson keyDoc(const std::string& key, const Bson& inner) {
  Bson out;
  bson_append_document(out.get(), key.data(), static_cast<int>(key.size()), inner.get());
  return out;
}
Bson fieldOp(const std::string& column, const char* op, const Value& v) { return keyDoc(column, opDoc(op, v)); }
Bson elemMatch(const std::string& column, const char* op, const Value& v) {
  return keyDoc(column, keyDoc("$elemMatch", opDoc(op, v)));
}
Bson matchNothing() {
  Bson in;
  bson_t arr;
  BSON_APPEND_ARRAY_BEGIN(in.get(), "$in", &arr);
  bson_append_array_end(in.get(), &arr);
  return keyDoc("_id", in);
}
// {$and|$or|$nor: [...]}; a single child of $and/$or stands alone.
Bson combine(const char* op, std::vector<Bson> children) {
  const bool isNor = std::string_view(op) == "$nor";
  if (children.empty()) return std::string_view(op) == "$or" ? matchNothing() : Bson();
  if (children.size() == 1 && !isNor) return std::move(children[0]);
  Bson out;
  bson_t arr;
  BSON_APPEND_ARRAY_BEGIN(out.get(), op, &arr);
  char buf[16];
  for (std::size_t i = 0; i < children.size(); ++i) {
    const char* k = nullptr;
    bson_uint32_to_string(static_cast<std::uint32_t>(i), &k, buf, sizeof buf);
    BSON_APPEND_DOCUMENT(&arr, k, children[i].get());
  }
  bson_append_array_end(out.get(), &arr);
  return out;
}
template <class... B>
std::vector<Bson> list(B&&... b) {
  std::vector<Bson> out;
  (out.push_back(std::forward<B>(b)), ...);
  return out;
}

bool isTextType(const std::string& t) {
  return t == "string" || t == "text" || t == "email" || t == "url" || t == "file" || t == "ref" || t == "select";
}
bool isLike(CompareOp op) { return op == CompareOp::Like || op == CompareOp::NotLike; }
bool isOrdering(CompareOp op) {
  return op == CompareOp::Gt || op == CompareOp::Ge || op == CompareOp::Lt || op == CompareOp::Le;
}

const char* mongoOp(CompareOp op) {
  switch (op) {
    case CompareOp::Eq: return "$eq";
    case CompareOp::Ne: return "$ne";
    case CompareOp::Gt: return "$gt";
    case CompareOp::Ge: return "$gte";
    case CompareOp::Lt: return "$lt";
    case CompareOp::Le: return "$lte";
    default: return "$regex";
  }
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

struct Side {
  std::string name;  // as written, for messages
  std::string path;  // the document key path: "c3", "c5.a.b"
  std::string type;
  bool multiple = false;
  bool inside = false;  // a path inside a document field
};

Side resolveField(const query::FieldRef& f, const FieldResolver& resolve) {
  auto col = resolve(f.key);
  if (!col) fail("unknown field \"" + f.key + "\"");
  Side s{f.key, col->column, col->type, col->multiple, false};
  if (f.path.empty()) return s;
  if (col->type != "document") fail("\"" + f.key + "\" is not a document field (no path inside it)");
  // Path segments are identifiers ([A-Za-z_][A-Za-z0-9_]*, checked by both parsers): never `$…` or dotted.
  for (const auto& p : f.path) {
    s.path += "." + p;
    s.name += "." + p;
  }
  s.inside = true;
  return s;
}

Value likeValue(const std::string& name, const std::string& type, const query::Literal& lit) {
  if (type == "date" || type == "datetime")
    fail("~ and !~ do not apply to date/datetime fields with the MongoDB driver (\"" + name +
         "\" is stored as a date): compare with < and >");
  if (!isTextType(type) && type != "json") fail("~ and !~ need a text field (\"" + name + "\" is " + type + ")");
  if (lit.now || !lit.value.is_string()) fail("~ and !~ take a string (field \"" + name + "\")");
  const auto& s = lit.value.get_ref<const std::string&>();
  if (!bson_utf8_validate(s.data(), s.size(), false)) fail("the text after ~ is not valid UTF-8 (field \"" + name + "\")");
  return Regex{containsPattern(s)};
}

Value dateValue(const std::string& name, const std::string& type, const std::string& s) {
  if (type == "datetime") {
    auto norm = lib::normalizeDatetime(s);
    if (!norm) fail("\"" + s + "\" is not a date/time (field \"" + name + "\")");
    return DateMs{isoToMillis(*norm)};
  }
  if (!lib::isValidDate(s)) fail("\"" + s + "\" is not a date YYYY-MM-DD (field \"" + name + "\")");
  return DateMs{isoToMillis(s + "T00:00:00.000Z")};
}

Value valueFor(const std::string& name, const std::string& type, const query::Literal& lit, CompareOp op,
               const std::string& nowIso) {
  if (isLike(op)) return likeValue(name, type, lit);
  if (lit.now) {
    if (type != "datetime") fail("@now compares only with datetime fields (\"" + name + "\" is " + type + ")");
    return DateMs{isoToMillis(nowIso)};
  }
  const auto& v = lit.value;
  if (type == "integer" || type == "float") {
    if (!v.is_number()) fail("\"" + name + "\" is a number field: compare it with a number");
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<double>(v.get<std::uint64_t>());
      return v.get<std::int64_t>();
    }
    return v.get<double>();
  }
  if (type == "bool") {
    if (!v.is_boolean()) fail("\"" + name + "\" is a bool field: compare it with true or false");
    if (isOrdering(op)) fail("bool fields take only = and !=");
    return v.get<bool>();
  }
  if (type == "document") fail("\"" + name + "\" is a document: compare it with null, or a path inside it");
  if (!v.is_string()) fail("\"" + name + "\" is a " + type + " field: compare it with a string");
  if (type == "date" || type == "datetime") return dateValue(name, type, v.get<std::string>());
  return v.get<std::string>();
}

Bson nullTest(const Side& field, CompareOp op) {
  if (op != CompareOp::Eq && op != CompareOp::Ne) fail("null compares only with = and !=");
  // Inside a document a null or missing key is null ({$eq: null} matches both). A field
  // itself is null when its key is absent (nulls are not stored): {$eq: null} would
  // also match an array holding a null element.
  if (field.inside) return fieldOp(field.path, op == CompareOp::Eq ? "$eq" : "$ne", nullptr);
  return fieldOp(field.path, "$exists", op == CompareOp::Ne);
}

// The single-value test `path op v`.
Bson condition(const std::string& path, CompareOp op, const Value& v) {
  if (op == CompareOp::Like) return fieldOp(path, "$regex", v);
  if (op == CompareOp::NotLike) return fieldOp(path, "$not", v);  // {$not: /re/}: null and missing match too
  return fieldOp(path, mongoOp(op), v);
}

// Elements that fail the positive test `op v` (a null element fails every test).
std::vector<Bson> failingElements(const std::string& col, CompareOp op, const Value& v) {
  std::vector<Bson> out;
  switch (op) {
    case CompareOp::Eq:
      out.push_back(elemMatch(col, "$gt", v));
      out.push_back(elemMatch(col, "$lt", v));
      break;
    case CompareOp::Gt: out.push_back(elemMatch(col, "$lte", v)); break;
    case CompareOp::Ge: out.push_back(elemMatch(col, "$lt", v)); break;
    case CompareOp::Lt: out.push_back(elemMatch(col, "$gte", v)); break;
    case CompareOp::Le: out.push_back(elemMatch(col, "$gt", v)); break;
    default: break;
  }
  out.push_back(elemMatch(col, "$eq", nullptr));
  return out;
}

// Distinct elements that do not contain `text` (null elements included).
Bson notContaining(const std::string& col, const std::string& text, const DistinctElements& distinct) {
  Bson in;
  bson_t arr;
  BSON_APPEND_ARRAY_BEGIN(in.get(), "$in", &arr);
  std::uint32_t i = 0;
  char buf[16];
  for (const auto& e : distinct ? distinct(col) : std::vector<nlohmann::json>{}) {
    if (e.is_string() && containsIgnoringAsciiCase(e.get_ref<const std::string&>(), text)) continue;
    const char* k = nullptr;
    bson_uint32_to_string(i++, &k, buf, sizeof buf);
    appendJson(&arr, k, e);
  }
  bson_append_array_end(in.get(), &arr);
  return in;
}

// Multi-value select/ref fields hold an array of strings (docs/models.md):
//  - any (?op): some element matches; null, missing and [] never match.
//  - every (op): no element fails; positive operators also need one element; negative ones
//    (!=, !~: "no element is / contains") match null and [] like != matches null on single fields.
// FerretDB has no $ne/$not inside $elemMatch: "differs" is "greater or less (or null)", and the
// elements that do not contain a text are found among the field's distinct elements.
Bson multiCondition(const Side& field, const query::Comparison& c, const query::Literal& lit, const std::string& nowIso,
                    const DistinctElements& distinct) {
  const auto elementType = field.type == "select" || field.type == "ref" ? field.type : std::string("string");
  const Value v = valueFor(field.name, elementType, lit, c.op, nowIso);
  const auto& col = field.path;
  if (c.any) {
    switch (c.op) {
      case CompareOp::Ne: return combine("$or", failingElements(col, CompareOp::Eq, v));
      case CompareOp::Like: return elemMatch(col, "$regex", v);
      case CompareOp::NotLike:
        return keyDoc(col, keyDoc("$elemMatch", notContaining(col, lit.value.get<std::string>(), distinct)));
      default: return elemMatch(col, mongoOp(c.op), v);
    }
  }
  if (c.op == CompareOp::Ne) return fieldOp(col, "$ne", v);      // no element equals v
  if (c.op == CompareOp::NotLike) return fieldOp(col, "$not", v);  // no element contains
  if (c.op == CompareOp::Like) {
    Bson nin = notContaining(col, lit.value.get<std::string>(), distinct);
    // The same elements, as $nin: no element is one of them.
    Bson ninDoc;
    bson_iter_t it;
    if (bson_iter_init_find(&it, nin.get(), "$in")) {
      std::uint32_t len = 0;
      const std::uint8_t* data = nullptr;
      bson_iter_array(&it, &len, &data);
      bson_t arr;
      bson_init_static(&arr, data, len);
      BSON_APPEND_ARRAY(ninDoc.get(), "$nin", &arr);
    }
    return combine("$and", list(elemMatch(col, "$regex", v), keyDoc(col, ninDoc)));
  }
  return combine("$and", list(elemMatch(col, mongoOp(c.op), v), combine("$nor", failingElements(col, c.op, v))));
}

// A value inside a document: MongoDB compares only within a type bracket, so `meta.n > 5` skips
// a string and `meta.flag = true` skips the number 1, as the SQLite driver's JSON type checks do.
Bson pathCondition(const Side& field, CompareOp op, const query::Literal& lit) {
  if (lit.now) fail("@now compares only with datetime fields (\"" + field.name + "\" is inside a document)");
  if (isLike(op)) return condition(field.path, op, likeValue(field.name, "json", lit));
  const auto& v = lit.value;
  if (v.is_boolean()) {
    if (isOrdering(op)) fail("true and false compare only with = and != (\"" + field.name + "\")");
    return condition(field.path, op, v.get<bool>());
  }
  if (v.is_number_float()) return condition(field.path, op, v.get<double>());
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    return condition(field.path, op, static_cast<double>(v.get<std::uint64_t>()));
  if (v.is_number_integer()) return condition(field.path, op, v.get<std::int64_t>());
  if (v.is_string()) return condition(field.path, op, v.get<std::string>());
  fail("\"" + field.name + "\" compares with a string, a number, true, false or null");
}

std::string typeGroup(const Side& s) {
  if (s.inside) return "json";
  if (s.type == "integer" || s.type == "float") return "number";
  if (s.type == "bool" || s.type == "document" || s.type == "date" || s.type == "datetime") return s.type;
  return "text";
}

// Two fields: an aggregation expression. SQL's NULL semantics: = and the orderings hold only
// between two values; != (IS NOT) is null-safe. (FerretDB 1.x has no $expr: the repository
// turns its refusal into a 400.)
Bson fieldVsField(const Side& a, CompareOp op, const Side& b) {
  if (a.multiple || b.multiple) fail("multi-value fields compare only with values");
  if (isLike(op)) fail("~ and !~ compare a field with a value");
  const auto ga = typeGroup(a), gb = typeGroup(b);
  if (ga == "document" || gb == "document" || (ga != gb && ga != "json" && gb != "json"))
    fail("\"" + a.name + "\" (" + a.type + ") and \"" + b.name + "\" (" + b.type + ") cannot be compared");
  if ((ga == "bool" || gb == "bool") && isOrdering(op)) fail("bool fields take only = and !=");
  Bson expr;
  {
    Bson cmp;
    bson_t arr;
    BSON_APPEND_ARRAY_BEGIN(cmp.get(), mongoOp(op), &arr);
    const std::string pa = "$" + a.path, pb = "$" + b.path;
    BSON_APPEND_UTF8(&arr, "0", pa.c_str());
    BSON_APPEND_UTF8(&arr, "1", pb.c_str());
    bson_append_array_end(cmp.get(), &arr);
    expr = keyDoc("$expr", cmp);
  }
  auto notNull = [](const Side& s) { return fieldOp(s.path, "$ne", nullptr); };
  auto isNull = [](const Side& s) { return fieldOp(s.path, "$eq", nullptr); };
  if (op != CompareOp::Ne) return combine("$and", list(notNull(a), notNull(b), std::move(expr)));
  return combine("$or", list(combine("$and", list(isNull(a), notNull(b))), combine("$and", list(notNull(a), isNull(b))),
                             combine("$and", list(notNull(a), notNull(b), std::move(expr)))));
}

[[noreturn]] void unboundPlaceholder(const query::Comparison& c) {
  const auto* p = std::get_if<query::Placeholder>(&c.left);
  if (!p) p = std::get_if<query::Placeholder>(&c.right);
  fail("placeholder {:" + p->name + "} has no value (placeholders take values from params)");
}

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

struct Compiler {
  const FieldResolver& resolve;
  const std::string& nowIso;
  const DistinctElements& distinct;

  Bson comparison(const query::Comparison& original) {
    const auto c = fieldFirst(original);
    const Side field = resolveField(std::get<query::FieldRef>(c.left), resolve);
    if (const auto* other = std::get_if<query::FieldRef>(&c.right))
      return fieldVsField(field, c.op, resolveField(*other, resolve));
    const auto& lit = std::get<query::Literal>(c.right);
    if (!lit.now && lit.value.is_null()) return nullTest(field, c.op);
    if (!lit.now && !lit.value.is_primitive())
      fail("\"" + field.name + "\" compares with a string, a number, true, false or null (not an object or array)");
    if (field.multiple) return multiCondition(field, c, lit, nowIso, distinct);
    if (field.inside) return pathCondition(field, c.op, lit);
    return condition(field.path, c.op, valueFor(field.name, field.type, lit, c.op, nowIso));
  }

  Bson expr(const query::Expr& e) {
    if (const auto* c = std::get_if<query::Comparison>(&e.node)) return comparison(*c);
    const auto& l = std::get<query::Logical>(e.node);
    std::vector<Bson> children;
    children.reserve(l.children.size());
    for (const auto& child : l.children) children.push_back(expr(child));
    return combine(l.isAnd ? "$and" : "$or", std::move(children));
  }
};

}  // namespace

std::string containsPattern(std::string_view text) {
  static constexpr std::string_view kMeta = "\\^$.|?*+()[]{}";
  std::string out;
  out.reserve(text.size() * 2);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      out += '[';
      out += static_cast<char>(c | 0x20);
      out += static_cast<char>(c & ~0x20);
      out += ']';
    } else if (kMeta.find(ch) != std::string_view::npos) {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    } else {
      out += ch;  // other ASCII, and UTF-8 sequences as they are
    }
  }
  return out;
}

bool containsIgnoringAsciiCase(std::string_view hay, std::string_view needle) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    return out;
  };
  return lower(hay).find(lower(needle)) != std::string::npos;
}

Bson compileFilterBson(const query::Expr& e, const FieldResolver& resolve, const std::string& nowIso,
                       const DistinctElements& distinct) {
  return Compiler{resolve, nowIso, distinct}.expr(e);
}

}  // namespace m3m::store::mongo
