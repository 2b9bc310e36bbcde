#include "store/query/filter.hpp"

#include <algorithm>
#include <charconv>
#include <m3m/error.hpp>

namespace m3m::store::query {
namespace {

constexpr size_t kMaxLength = 8 * 1024;
constexpr int kMaxDepth = 64;

[[noreturn]] void syntaxError(size_t pos, const std::string& what) {
  auto msg = "position " + std::to_string(pos) + ": " + what;
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + msg, {{"filter", msg}});
}

// ASCII only, whatever the process locale says.
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isOperatorChar(char c) { return std::string_view("=!<>~?").find(c) != std::string_view::npos; }

bool isIdentifier(std::string_view s) {
  return !s.empty() && isIdentStart(s[0]) && std::all_of(s.begin(), s.end(), isIdentChar);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Expr parse() {
    skipSpace();
    if (atEnd()) syntaxError(0, "empty filter");
    Expr e = parseOr(0);
    skipSpace();
    if (!atEnd()) unexpected();
    return e;
  }

 private:
  bool atEnd() const { return i_ == s_.size(); }
  bool at(std::string_view token) const { return s_.substr(i_, token.size()) == token; }
  void skipSpace() {
    while (!atEnd() && isSpace(s_[i_])) ++i_;
  }
  bool eat(std::string_view token) {
    skipSpace();
    if (!at(token)) return false;
    i_ += token.size();
    return true;
  }

  // The token at the cursor, for messages: a word, an operator run, or one character.
  std::string token() const {
    auto end = i_;
    auto run = [&](auto pred) {
      while (end < s_.size() && end - i_ < 24 && pred(s_[end])) ++end;
    };
    if (at("&&") || at("||")) end += 2;
    else if (isIdentChar(s_[i_]) || s_[i_] == '@' || s_[i_] == '.') run([](char c) { return isIdentChar(c) || c == '@' || c == '.'; });
    else if (isOperatorChar(s_[i_])) run(isOperatorChar);
    else
      do ++end;  // a whole UTF-8 sequence, so the message stays valid text
      while (end < s_.size() && (static_cast<unsigned char>(s_[end]) & 0xC0) == 0x80);
    return std::string(s_.substr(i_, end - i_));
  }
  [[noreturn]] void unexpected() const {
    if ((s_[i_] == '&' || s_[i_] == '|') && !at("&&") && !at("||"))
      syntaxError(i_, "unexpected \"" + token() + "\" (use && or ||)");
    syntaxError(i_, "unexpected \"" + token() + "\"");
  }

  Expr parseOr(int depth) {
    Logical l{false, {}};
    l.children.push_back(parseAnd(depth));
    while (eat("||")) l.children.push_back(parseAnd(depth));
    return collapse(std::move(l));
  }
  Expr parseAnd(int depth) {
    Logical l{true, {}};
    l.children.push_back(parsePrimary(depth));
    while (eat("&&")) l.children.push_back(parsePrimary(depth));
    return collapse(std::move(l));
  }
  static Expr collapse(Logical l) {
    if (l.children.size() == 1) return std::move(l.children.front());
    return {std::move(l)};
  }

  Expr parsePrimary(int depth) {
    skipSpace();
    if (atEnd()) syntaxError(i_, "expected a condition");
    if (s_[i_] == '(') return parseGroup(depth);
    if (at("&&") || at("||") || s_[i_] == ')') unexpected();
    Comparison c;
    c.left = parseOperand("a field or value");
    skipSpace();
    c.position = i_;
    readOperator(c);
    c.right = parseOperand(std::string("a value after \"") + (c.any ? "?" : "") + opText(c.op) + "\"");
    return {std::move(c)};
  }

  Expr parseGroup(int depth) {
    if (depth >= kMaxDepth) syntaxError(i_, "parentheses nested deeper than " + std::to_string(kMaxDepth));
    ++i_;
    Expr e = parseOr(depth + 1);
    skipSpace();
    if (atEnd() || s_[i_] != ')') syntaxError(i_, "expected \")\"");
    ++i_;
    return e;
  }

  void readOperator(Comparison& c) {
    static const std::pair<std::string_view, CompareOp> ops[] = {
        {"!=", CompareOp::Ne}, {">=", CompareOp::Ge}, {"<=", CompareOp::Le}, {"!~", CompareOp::NotLike},
        {"=", CompareOp::Eq},  {">", CompareOp::Gt},  {"<", CompareOp::Lt},  {"~", CompareOp::Like}};
    if (atEnd()) syntaxError(i_, "expected an operator (= != > >= < <= ~ !~)");
    const size_t start = i_;
    if (!isOperatorChar(s_[i_])) syntaxError(i_, "expected an operator (= != > >= < <= ~ !~), found \"" + token() + "\"");
    // The whole run of operator characters is the operator: "==", "=>", "<>" are errors, not "=" and a value.
    auto op = token();
    c.any = op.front() == '?';
    for (const auto& [text, value] : ops)
      if (op.substr(c.any ? 1 : 0) == text) {
        c.op = value;
        i_ = start + op.size();
        return;
      }
    syntaxError(start, "unknown operator \"" + op + "\"");
  }

  Operand parseOperand(const std::string& expected) {
    skipSpace();
    if (atEnd()) syntaxError(i_, "expected " + expected);
    const char c = s_[i_];
    if (c == '\'' || c == '"') return Literal{readString(c)};
    if (c == '{') return readPlaceholder();
    if (c == '@') return readMacro();
    if (c == '-' || isDigit(c)) return Literal{readNumber()};
    if (isIdentStart(c)) return readFieldOrKeyword();
    syntaxError(i_, "expected " + expected + ", found \"" + token() + "\"");
  }

  Operand readMacro() {
    if (at("@now") && (i_ + 4 == s_.size() || !isIdentChar(s_[i_ + 4]))) {
      i_ += 4;
      return Literal{nullptr, true};
    }
    syntaxError(i_, "unknown macro \"" + token() + "\" (only @now)");
  }

  Operand readFieldOrKeyword() {
    FieldRef f;
    f.key = readIdent();
    while (!atEnd() && s_[i_] == '.') {
      ++i_;
      if (atEnd() || !isIdentStart(s_[i_])) syntaxError(i_, "expected a key after \".\"");
      f.path.push_back(readIdent());
    }
    if (f.path.empty()) {
      if (f.key == "true") return Literal{true};
      if (f.key == "false") return Literal{false};
      if (f.key == "null") return Literal{nullptr};
    }
    return f;
  }

  std::string readIdent() {
    const size_t start = i_;
    while (!atEnd() && isIdentChar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  // A backslash escapes the quote or a backslash; elsewhere it is kept, so 'C:\dir' means what it says.
  std::string readString(char quote) {
    const size_t start = i_++;
    std::string out;
    while (!atEnd()) {
      char c = s_[i_++];
      if (c == quote) return out;
      if (c == '\\' && !atEnd() && (s_[i_] == quote || s_[i_] == '\\')) c = s_[i_++];
      out += c;
    }
    syntaxError(start, "unterminated string");
  }

  void skipDigits() {
    while (!atEnd() && isDigit(s_[i_])) ++i_;
  }

  nlohmann::json readNumber() {
    const size_t start = i_;
    if (s_[i_] == '-') ++i_;
    const size_t intStart = i_;
    skipDigits();
    if (i_ == intStart) syntaxError(start, "expected a number");
    bool integral = true;
    if (!atEnd() && s_[i_] == '.') {
      integral = false;
      const size_t frac = ++i_;
      skipDigits();
      if (i_ == frac) syntaxError(i_, "expected digits after \".\"");
    }
    if (!atEnd() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (!atEnd() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      const size_t exp = i_;
      skipDigits();
      if (i_ == exp) syntaxError(i_, "expected an exponent");
    }
    if (!atEnd() && (isIdentChar(s_[i_]) || s_[i_] == '.')) {
      while (!atEnd() && (isIdentChar(s_[i_]) || s_[i_] == '.')) ++i_;
      syntaxError(start, "malformed number \"" + std::string(s_.substr(start, i_ - start)) + "\"");
    }
    return numberValue(s_.substr(start, i_ - start), integral, start);
  }

  // Integers stay exact int64 (ids, counters past 2^53); others, and integers past int64, are doubles.
  static nlohmann::json numberValue(std::string_view text, bool integral, size_t pos) {
    const char* end = text.data() + text.size();
    if (integral) {
      std::int64_t n;
      auto [p, ec] = std::from_chars(text.data(), end, n);
      if (ec == std::errc() && p == end) return n;
    }
    double d;
    auto [p, ec] = std::from_chars(text.data(), end, d);
    if (ec != std::errc() || p != end) syntaxError(pos, "number out of range");
    return d;
  }

  Placeholder readPlaceholder() {
    if (!at("{:")) syntaxError(i_, "expected a placeholder {:name}");
    i_ += 2;
    if (atEnd() || !isIdentStart(s_[i_])) syntaxError(i_, "expected a placeholder name");
    auto name = readIdent();
    if (atEnd() || s_[i_] != '}') syntaxError(i_, "expected \"}\" to close the placeholder");
    ++i_;
    return {name};
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Object filters: errors name the key path ("total.$gt: …").
[[noreturn]] void objectError(const std::string& at, const std::string& what) {
  auto msg = at + ": " + what;
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + msg, {{"filter", msg}});
}

FieldRef fieldOf(const std::string& key, const std::string& at) {
  FieldRef f;
  size_t start = 0;
  while (true) {
    auto end = std::min(key.find('.', start), key.size());
    auto part = key.substr(start, end - start);
    if (!isIdentifier(part)) objectError(at, "not a field name");
    if (f.key.empty()) f.key = part;
    else f.path.push_back(part);
    if (end == key.size()) return f;
    start = end + 1;
  }
}

bool isScalar(const nlohmann::json& v) { return v.is_null() || v.is_boolean() || v.is_number() || v.is_string(); }

Expr compare(const FieldRef& f, CompareOp op, const nlohmann::json& v, const std::string& at, bool any = false) {
  if (!isScalar(v)) objectError(at, "a value must be null, a boolean, a number or a string");
  Comparison c;
  c.left = f;
  c.op = op;
  c.any = any;
  c.right = Literal{v};
  return {std::move(c)};
}

Expr collapseAnd(Logical all) {
  if (all.children.size() == 1) return std::move(all.children.front());
  return {std::move(all)};
}

// $in is an OR of =, $nin an AND of != (null-safe, like !=); an empty list: nothing / everything.
Expr inList(const FieldRef& f, const std::string& op, const nlohmann::json& list, const std::string& at) {
  if (!list.is_array()) objectError(at, "must be a list");
  const bool in = op == "$in";
  Logical l{!in, {}};
  for (size_t i = 0; i < list.size(); ++i)
    l.children.push_back(compare(f, in ? CompareOp::Eq : CompareOp::Ne, list[i], at + "." + std::to_string(i)));
  return {std::move(l)};
}

Expr operatorCondition(const FieldRef& f, const std::string& op, const nlohmann::json& arg, const std::string& at) {
  static const std::pair<std::string_view, CompareOp> simple[] = {
      {"$eq", CompareOp::Eq}, {"$ne", CompareOp::Ne},  {"$gt", CompareOp::Gt},
      {"$gte", CompareOp::Ge}, {"$lt", CompareOp::Lt}, {"$lte", CompareOp::Le},
      {"$contains", CompareOp::Like}, {"$notContains", CompareOp::NotLike}};
  for (const auto& [name, cop] : simple)
    if (op == name) return compare(f, cop, arg, at);
  if (op == "$any") return compare(f, CompareOp::Eq, arg, at, true);
  if (op == "$in" || op == "$nin") return inList(f, op, arg, at);
  objectError(at, "unknown operator (one of $eq $ne $gt $gte $lt $lte $contains $notContains $in $nin $any)");
}

Expr fieldConditions(const FieldRef& f, const nlohmann::json& v, const std::string& at) {
  if (!v.is_object()) return compare(f, CompareOp::Eq, v, at);
  if (v.empty()) objectError(at, "an empty condition");
  Logical all{true, {}};
  for (const auto& [op, arg] : v.items()) all.children.push_back(operatorCondition(f, op, arg, at + "." + op));
  return collapseAnd(std::move(all));
}

Expr objectAt(const nlohmann::json& obj, const std::string& prefix, int depth) {
  const std::string where = prefix.empty() ? "filter" : prefix;
  if (depth > kMaxDepth) objectError(where, "nested deeper than " + std::to_string(kMaxDepth));
  if (!obj.is_object()) objectError(where, "must be an object");
  Logical all{true, {}};
  for (const auto& [key, v] : obj.items()) {
    const auto at = prefix.empty() ? key : prefix + "." + key;
    if (key == "$and" || key == "$or") {
      if (!v.is_array()) objectError(at, "must be a list of filters");
      Logical l{key == "$and", {}};
      for (size_t i = 0; i < v.size(); ++i) l.children.push_back(objectAt(v[i], at + "." + std::to_string(i), depth + 1));
      all.children.push_back({std::move(l)});
    } else if (!key.empty() && key[0] == '$') {
      objectError(at, "unknown operator here (only $and and $or)");
    } else {
      all.children.push_back(fieldConditions(fieldOf(key, at), v, at));
    }
  }
  return collapseAnd(std::move(all));
}

void bindOperand(Operand& o, const nlohmann::json& params) {
  auto* p = std::get_if<Placeholder>(&o);
  if (!p) return;
  if (!params.is_object() || !params.contains(p->name))
    throw Error(ErrorCode::INVALID_ARGUMENT, "filter placeholder {:" + p->name + "} has no value",
                {{"params." + p->name, "missing"}});
  const auto& v = params[p->name];
  if (!isScalar(v))
    throw Error(ErrorCode::INVALID_ARGUMENT, "filter placeholder {:" + p->name + "} must be a scalar",
                {{"params." + p->name, "must be null, a boolean, a number or a string"}});
  o = Literal{v};
}

[[noreturn]] void sortError(const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid sort: " + what, {{"sort", what}});
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

SortKey sortKey(std::string_view item, size_t index) {
  item = trim(item);
  if (item.empty()) sortError("item " + std::to_string(index + 1) + " is empty");
  SortKey k;
  if (item[0] == '-' || item[0] == '+') {
    k.descending = item[0] == '-';
    item.remove_prefix(1);
  }
  if (!isIdentifier(item))
    sortError("\"" + std::string(item) + "\" is not a field key (a comma list of keys, - for descending: \"-created,title\")");
  k.key = std::string(item);
  return k;
}

}  // namespace

const char* opText(CompareOp op) {
  switch (op) {
    case CompareOp::Eq: return "=";
    case CompareOp::Ne: return "!=";
    case CompareOp::Gt: return ">";
    case CompareOp::Ge: return ">=";
    case CompareOp::Lt: return "<";
    case CompareOp::Le: return "<=";
    case CompareOp::Like: return "~";
    case CompareOp::NotLike: return "!~";
  }
  return "?";
}

Expr parseFilter(std::string_view text) {
  if (text.size() > kMaxLength)
    throw Error(ErrorCode::INVALID_ARGUMENT, "the filter is too long",
                {{"filter", "at most " + std::to_string(kMaxLength) + " bytes"}});
  return Parser(text).parse();
}

Expr objectFilter(const nlohmann::json& obj) { return objectAt(obj, "", 0); }

void bindPlaceholders(Expr& e, const nlohmann::json& params) {
  if (auto* c = std::get_if<Comparison>(&e.node)) {
    bindOperand(c->left, params);
    bindOperand(c->right, params);
    return;
  }
  for (auto& child : std::get<Logical>(e.node).children) bindPlaceholders(child, params);
}

std::vector<SortKey> parseSort(std::string_view text) {
  std::vector<SortKey> out;
  if (trim(text).empty()) return out;
  size_t start = 0;
  while (true) {
    auto end = std::min(text.find(',', start), text.size());
    if (out.size() == MAX_SORT_KEYS)
      throw Error(ErrorCode::INVALID_ARGUMENT, "a sort has at most " + std::to_string(MAX_SORT_KEYS) + " keys",
                  {{"sort", "more than " + std::to_string(MAX_SORT_KEYS) + " keys"}});
    out.push_back(sortKey(text.substr(start, end - start), out.size()));
    if (end == text.size()) return out;
    start = end + 1;
  }
}

}  // namespace m3m::store::query
