#include "store/query/filter.hpp"

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

bool isIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Expr parse() {
    skipSpace();
    if (i_ == s_.size()) syntaxError(0, "empty filter");
    Expr e = parseOr(0);
    skipSpace();
    if (i_ != s_.size()) syntaxError(i_, "unexpected \"" + excerpt() + "\"");
    return e;
  }

 private:
  void skipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  std::string excerpt() const {
    auto end = i_;
    while (end < s_.size() && end - i_ < 12 && !std::isspace(static_cast<unsigned char>(s_[end]))) ++end;
    return std::string(s_.substr(i_, std::max<size_t>(end - i_, 1)));
  }
  bool eat(std::string_view token) {
    skipSpace();
    if (s_.substr(i_, token.size()) != token) return false;
    i_ += token.size();
    return true;
  }

  Expr parseOr(int depth) {
    Logical l{false, {}};
    l.children.push_back(parseAnd(depth));
    while (eat("||")) l.children.push_back(parseAnd(depth));
    if (l.children.size() == 1) return std::move(l.children.front());
    return {std::move(l)};
  }
  Expr parseAnd(int depth) {
    Logical l{true, {}};
    l.children.push_back(parsePrimary(depth));
    while (eat("&&")) l.children.push_back(parsePrimary(depth));
    if (l.children.size() == 1) return std::move(l.children.front());
    return {std::move(l)};
  }
  Expr parsePrimary(int depth) {
    skipSpace();
    if (i_ == s_.size()) syntaxError(i_, "expected a condition");
    if (s_[i_] == '(') {
      if (depth >= kMaxDepth) syntaxError(i_, "parentheses nested deeper than " + std::to_string(kMaxDepth));
      ++i_;
      Expr e = parseOr(depth + 1);
      skipSpace();
      if (i_ == s_.size() || s_[i_] != ')') syntaxError(i_, "expected \")\"");
      ++i_;
      return e;
    }
    if (s_.substr(i_, 2) == "&&" || s_.substr(i_, 2) == "||" || s_[i_] == ')')
      syntaxError(i_, "unexpected \"" + excerpt() + "\"");
    Comparison c;
    c.left = parseOperand("a field or value");
    skipSpace();
    c.position = i_;
    readOperator(c);
    c.right = parseOperand(std::string("a value after \"") + (c.any ? "?" : "") + opText(c.op) + "\"");
    return {std::move(c)};
  }

  void readOperator(Comparison& c) {
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '?') {
      c.any = true;
      ++i_;
    }
    static const std::pair<std::string_view, CompareOp> ops[] = {
        {"!=", CompareOp::Ne}, {">=", CompareOp::Ge}, {"<=", CompareOp::Le},  {"!~", CompareOp::NotLike},
        {"=", CompareOp::Eq},  {">", CompareOp::Gt},  {"<", CompareOp::Lt},   {"~", CompareOp::Like}};
    for (const auto& [text, op] : ops) {
      if (s_.substr(i_, text.size()) != text) continue;
      i_ += text.size();
      // "==", "=>", "=<", "!==" … are not operators of the language.
      if (i_ < s_.size() && (s_[i_] == '=' || s_[i_] == '>' || s_[i_] == '<' || s_[i_] == '~')) {
        auto end = i_;
        while (end < s_.size() && std::string_view("=!<>~?").find(s_[end]) != std::string_view::npos) ++end;
        syntaxError(start, "unknown operator \"" + std::string(s_.substr(start, end - start)) + "\"");
      }
      c.op = op;
      return;
    }
    i_ = start;
    if (i_ == s_.size()) syntaxError(i_, "expected an operator (= != > >= < <= ~ !~)");
    syntaxError(i_, "expected an operator (= != > >= < <= ~ !~), found \"" + excerpt() + "\"");
  }

  Operand parseOperand(const std::string& expected) {
    skipSpace();
    if (i_ == s_.size()) syntaxError(i_, "expected " + expected);
    char c = s_[i_];
    if (c == '\'' || c == '"') return Literal{readString(c)};
    if (c == '{') return readPlaceholder();
    if (c == '@') {
      if (s_.substr(i_, 4) == "@now" && (i_ + 4 == s_.size() || !isIdentChar(s_[i_ + 4]))) {
        i_ += 4;
        return Literal{nullptr, true};
      }
      syntaxError(i_, "unknown macro \"" + excerpt() + "\" (only @now)");
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return Literal{readNumber()};
    if (isIdentStart(c)) {
      size_t start = i_;
      FieldRef f;
      f.key = readIdent();
      while (i_ < s_.size() && s_[i_] == '.') {
        ++i_;
        if (i_ == s_.size() || !isIdentStart(s_[i_])) syntaxError(i_, "expected a key after \".\"");
        f.path.push_back(readIdent());
      }
      if (f.path.empty()) {
        if (f.key == "true") return Literal{true};
        if (f.key == "false") return Literal{false};
        if (f.key == "null") return Literal{nullptr};
      }
      (void)start;
      return f;
    }
    syntaxError(i_, "expected " + expected + ", found \"" + excerpt() + "\"");
  }

  std::string readIdent() {
    size_t start = i_;
    while (i_ < s_.size() && isIdentChar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  std::string readString(char quote) {
    size_t start = i_++;
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == quote) return out;
      if (c == '\\' && i_ < s_.size()) c = s_[i_++];
      out += c;
    }
    syntaxError(start, "unterminated string");
  }

  nlohmann::json readNumber() {
    size_t start = i_;
    if (s_[i_] == '-') ++i_;
    size_t digitsStart = i_;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ == digitsStart) syntaxError(start, "expected a number");
    bool integral = true;
    if (i_ < s_.size() && s_[i_] == '.') {
      integral = false;
      ++i_;
      size_t frac = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == frac) syntaxError(i_, "expected digits after \".\"");
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integral = false;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      size_t exp = i_;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
      if (i_ == exp) syntaxError(i_, "expected an exponent");
    }
    if (i_ < s_.size() && isIdentChar(s_[i_])) {
      auto end = i_;
      while (end < s_.size() && isIdentChar(s_[end])) ++end;
      syntaxError(start, "malformed number \"" + std::string(s_.substr(start, end - start)) + "\"");
    }
    auto text = s_.substr(start, i_ - start);
    if (integral) {
      std::int64_t n;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec == std::errc() && p == text.data() + text.size()) return n;
    }
    double d;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || p != text.data() + text.size()) syntaxError(start, "number out of range");
    return d;
  }

  Placeholder readPlaceholder() {
    size_t start = i_;
    if (s_.substr(i_, 2) != "{:") syntaxError(start, "expected a placeholder {:name}");
    i_ += 2;
    if (i_ == s_.size() || !isIdentStart(s_[i_])) syntaxError(i_, "expected a placeholder name");
    auto name = readIdent();
    if (i_ == s_.size() || s_[i_] != '}') syntaxError(i_, "expected \"}\" to close the placeholder");
    ++i_;
    return {name};
  }

  std::string_view s_;
  size_t i_ = 0;
};

[[noreturn]] void objectError(const std::string& at, const std::string& what) {
  auto msg = at + ": " + what;
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid filter: " + msg, {{"filter", msg}});
}

FieldRef fieldOf(const std::string& key, const std::string& at) {
  FieldRef f;
  size_t start = 0;
  bool first = true;
  while (start <= key.size()) {
    auto end = key.find('.', start);
    if (end == std::string::npos) end = key.size();
    auto part = key.substr(start, end - start);
    if (part.empty() || !isIdentStart(part[0]) ||
        !std::all_of(part.begin(), part.end(), [](char c) { return isIdentChar(c); }))
      objectError(at, "not a field name");
    if (first) f.key = part;
    else f.path.push_back(part);
    first = false;
    start = end + 1;
  }
  return f;
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

Expr objectAt(const nlohmann::json& obj, const std::string& prefix, int depth);

Expr fieldConditions(const FieldRef& f, const nlohmann::json& v, const std::string& at) {
  if (!v.is_object()) return compare(f, CompareOp::Eq, v, at);
  Logical all{true, {}};
  static const std::pair<const char*, CompareOp> simple[] = {
      {"$eq", CompareOp::Eq}, {"$ne", CompareOp::Ne}, {"$gt", CompareOp::Gt},           {"$gte", CompareOp::Ge},
      {"$lt", CompareOp::Lt}, {"$lte", CompareOp::Le}, {"$contains", CompareOp::Like}, {"$notContains", CompareOp::NotLike}};
  if (v.empty()) objectError(at, "an empty condition");
  for (const auto& [op, arg] : v.items()) {
    const auto opAt = at + "." + op;
    bool done = false;
    for (const auto& [name, cop] : simple)
      if (op == name) {
        all.children.push_back(compare(f, cop, arg, opAt));
        done = true;
      }
    if (done) continue;
    if (op == "$any") {
      all.children.push_back(compare(f, CompareOp::Eq, arg, opAt, true));
    } else if (op == "$in" || op == "$nin") {
      if (!arg.is_array()) objectError(opAt, "must be a list");
      Logical l{op == "$nin", {}};
      for (const auto& x : arg) l.children.push_back(compare(f, op == "$in" ? CompareOp::Eq : CompareOp::Ne, x, opAt));
      all.children.push_back({std::move(l)});
    } else {
      objectError(opAt, "unknown operator (one of $eq $ne $gt $gte $lt $lte $contains $notContains $in $nin $any)");
    }
  }
  if (all.children.size() == 1) return std::move(all.children.front());
  return {std::move(all)};
}

Expr objectAt(const nlohmann::json& obj, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) objectError(prefix.empty() ? "filter" : prefix, "nested too deeply");
  if (!obj.is_object()) objectError(prefix.empty() ? "filter" : prefix, "must be an object");
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
  if (all.children.size() == 1) return std::move(all.children.front());
  return {std::move(all)};
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
  size_t start = 0;
  if (text.find_first_not_of(" \t") == std::string_view::npos) return out;
  while (start <= text.size()) {
    auto end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    auto item = text.substr(start, end - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    SortKey k;
    if (!item.empty() && (item[0] == '-' || item[0] == '+')) {
      k.descending = item[0] == '-';
      item.remove_prefix(1);
    }
    if (item.empty() || !isIdentStart(item[0]) ||
        !std::all_of(item.begin(), item.end(), [](char c) { return isIdentChar(c); }))
      throw Error(ErrorCode::INVALID_ARGUMENT, "invalid sort",
                  {{"sort", "a comma list of field keys, - for descending (\"-created,title\")"}});
    k.key = std::string(item);
    out.push_back(std::move(k));
    start = end + 1;
  }
  return out;
}

}  // namespace m3m::store::query
