// The filter language's engine-neutral half: text and object filters to one
// syntax tree, placeholders, sort lists, and errors that say where and what.
#include <gtest/gtest.h>

#include <m3m/error.hpp>

#include "store/query/filter.hpp"

using namespace m3m;
using namespace m3m::store::query;
using nlohmann::json;

namespace {

std::string show(const Operand& o) {
  if (const auto* f = std::get_if<FieldRef>(&o)) {
    std::string out = f->key;
    for (const auto& p : f->path) out += "." + p;
    return out;
  }
  if (const auto* p = std::get_if<Placeholder>(&o)) return "{:" + p->name + "}";
  const auto& l = std::get<Literal>(o);
  return l.now ? "@now" : l.value.dump();
}

// A canonical text of the tree: groups always parenthesized, so shape is visible.
std::string show(const Expr& e) {
  if (const auto* c = std::get_if<Comparison>(&e.node))
    return show(c->left) + " " + (c->any ? "?" : "") + opText(c->op) + " " + show(c->right);
  const auto& l = std::get<Logical>(e.node);
  if (l.children.empty()) return l.isAnd ? "ALL" : "NONE";
  std::string out = "(";
  for (size_t i = 0; i < l.children.size(); ++i) out += (i ? (l.isAnd ? " && " : " || ") : "") + show(l.children[i]);
  return out + ")";
}

std::string parsed(std::string_view text) { return show(parseFilter(text)); }

// fields of the INVALID_ARGUMENT error thrown by fn.
template <typename Fn>
ErrorFields errorOf(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    return e.fields();
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string filterError(std::string_view text) { return errorOf([&] { parseFilter(text); })["filter"]; }
std::string objectError(const json& obj) { return errorOf([&] { objectFilter(obj); })["filter"]; }
std::string sortError(std::string_view text) { return errorOf([&] { parseSort(text); })["sort"]; }

const Literal& rightLiteral(const Expr& e) { return std::get<Literal>(std::get<Comparison>(e.node).right); }

}  // namespace

TEST(FilterParser, EveryOperator) {
  EXPECT_EQ(parsed("a = 1"), "a = 1");
  EXPECT_EQ(parsed("a != 1"), "a != 1");
  EXPECT_EQ(parsed("a > 1"), "a > 1");
  EXPECT_EQ(parsed("a >= 1"), "a >= 1");
  EXPECT_EQ(parsed("a < 1"), "a < 1");
  EXPECT_EQ(parsed("a <= 1"), "a <= 1");
  EXPECT_EQ(parsed("a ~ 'x'"), "a ~ \"x\"");
  EXPECT_EQ(parsed("a !~ 'x'"), "a !~ \"x\"");
  for (const char* op : {"=", "!=", ">", ">=", "<", "<=", "~", "!~"})
    EXPECT_EQ(parsed(std::string("tags ?") + op + " 'v'"), std::string("tags ?") + op + " \"v\"");
}

TEST(FilterParser, SpacingIsFree) {
  EXPECT_EQ(parsed("a=1&&b!='x'||c>=2"), "((a = 1 && b != \"x\") || c >= 2)");
  EXPECT_EQ(parsed("\n\t a  =  1 \r\n"), "a = 1");
  EXPECT_EQ(parsed("(a=1)"), "a = 1");
  EXPECT_EQ(parsed("tags?='x'"), "tags ?= \"x\"");
}

TEST(FilterParser, AndBindsTighterThanOr) {
  EXPECT_EQ(parsed("a = 1 || b = 2 && c = 3"), "(a = 1 || (b = 2 && c = 3))");
  EXPECT_EQ(parsed("a = 1 && b = 2 || c = 3"), "((a = 1 && b = 2) || c = 3)");
  EXPECT_EQ(parsed("a = 1 && b = 2 && c = 3 || d = 4 || e = 5 && f = 6"),
            "((a = 1 && b = 2 && c = 3) || d = 4 || (e = 5 && f = 6))");
  EXPECT_EQ(parsed("(a = 1 || b = 2) && c = 3"), "((a = 1 || b = 2) && c = 3)");
  EXPECT_EQ(parsed("((a = 1))"), "a = 1");
  EXPECT_EQ(parsed("a = 1 && (b = 2 || (c = 3 && d = 4))"), "(a = 1 && (b = 2 || (c = 3 && d = 4)))");
}

TEST(FilterParser, Literals) {
  EXPECT_EQ(parsed("a = true && b = false && c = null"), "(a = true && b = false && c = null)");
  EXPECT_EQ(parsed("a = @now"), "a = @now");
  EXPECT_EQ(parsed("a = {:p_1}"), "a = {:p_1}");
  EXPECT_EQ(parsed(R"(a = 'it\'s')"), R"(a = "it's")");
  EXPECT_EQ(parsed(R"(a = "say \"hi\"")"), R"(a = "say \"hi\"")");
  EXPECT_EQ(rightLiteral(parseFilter(R"(a = 'back\\slash')")).value, "back\\slash");
  EXPECT_EQ(rightLiteral(parseFilter(R"(a = 'C:\dir\n')")).value, "C:\\dir\\n") << "other backslashes are kept";
  EXPECT_EQ(rightLiteral(parseFilter(R"(a = "single ' inside")")).value, "single ' inside");
  EXPECT_EQ(rightLiteral(parseFilter("a = 'a && b || (c)'")).value, "a && b || (c)");
  EXPECT_EQ(rightLiteral(parseFilter("a = ''")).value, "");
  EXPECT_EQ(rightLiteral(parseFilter("a = 'ünïcødé ✓'")).value, "ünïcødé ✓");
  EXPECT_TRUE(rightLiteral(parseFilter("a = @now")).now);
  EXPECT_TRUE(rightLiteral(parseFilter("a = null")).value.is_null());
  EXPECT_FALSE(rightLiteral(parseFilter("a = null")).now);
}

TEST(FilterParser, Numbers) {
  auto num = [](const char* text) { return rightLiteral(parseFilter(std::string("n = ") + text)).value; };
  EXPECT_TRUE(num("42").is_number_integer());
  EXPECT_EQ(num("42").get<std::int64_t>(), 42);
  EXPECT_EQ(num("-7").get<std::int64_t>(), -7);
  EXPECT_EQ(num("0").get<std::int64_t>(), 0);
  EXPECT_EQ(num("9007199254740993").get<std::int64_t>(), 9007199254740993LL) << "exact past 2^53";
  EXPECT_EQ(num("9223372036854775807").get<std::int64_t>(), INT64_MAX);
  EXPECT_EQ(num("-9223372036854775808").get<std::int64_t>(), INT64_MIN);
  EXPECT_TRUE(num("9223372036854775808").is_number_float()) << "past int64: a double";
  EXPECT_TRUE(num("1.5").is_number_float());
  EXPECT_EQ(num("1.5").get<double>(), 1.5);
  EXPECT_EQ(num("-1.5e2").get<double>(), -150.0);
  EXPECT_EQ(num("2E+3").get<double>(), 2000.0);
  EXPECT_EQ(num("25e-1").get<double>(), 2.5);
  EXPECT_TRUE(num("1e2").is_number_float()) << "an exponent makes a double";
}

TEST(FilterParser, FieldPathsAndKeywords) {
  auto c = std::get<Comparison>(parseFilter("meta.a.b_2 = 1").node);
  EXPECT_EQ(std::get<FieldRef>(c.left).key, "meta");
  EXPECT_EQ(std::get<FieldRef>(c.left).path, (std::vector<std::string>{"a", "b_2"}));
  auto plain = std::get<Comparison>(parseFilter("_x9 = 1").node);
  EXPECT_TRUE(std::get<FieldRef>(plain.left).path.empty());
  EXPECT_TRUE(std::holds_alternative<FieldRef>(std::get<Comparison>(parseFilter("nullable = 1").node).left))
      << "keywords are whole words";
  EXPECT_TRUE(std::holds_alternative<FieldRef>(std::get<Comparison>(parseFilter("a = true_flag").node).right));
  EXPECT_TRUE(std::holds_alternative<FieldRef>(std::get<Comparison>(parseFilter("a = NULL").node).right))
      << "keywords are lower case";
  EXPECT_EQ(parsed("a = b"), "a = b") << "field against field";
  EXPECT_EQ(parsed("5 < n"), "5 < n") << "the parser keeps the order; compilers flip it";
}

TEST(FilterParser, ComparisonPositionIsTheOperator) {
  EXPECT_EQ(std::get<Comparison>(parseFilter("abc   >= 1").node).position, 6u);
  auto e = parseFilter("a = 1 || bb ?!= 2");
  EXPECT_EQ(std::get<Comparison>(std::get<Logical>(e.node).children[1].node).position, 12u);
}

TEST(FilterParser, SyntaxErrorsSayWhereAndWhat) {
  EXPECT_EQ(filterError("title = "), "position 8: expected a value after \"=\"");
  EXPECT_EQ(filterError("title =    "), "position 11: expected a value after \"=\"");
  EXPECT_EQ(filterError("tags ?!~"), "position 8: expected a value after \"?!~\"");
  EXPECT_EQ(filterError("n = 1 && total >"), "position 16: expected a value after \">\"");
  EXPECT_EQ(filterError("n == 1"), "position 2: unknown operator \"==\"");
  EXPECT_EQ(filterError("n => 1"), "position 2: unknown operator \"=>\"");
  EXPECT_EQ(filterError("n <> 1"), "position 2: unknown operator \"<>\"");
  EXPECT_EQ(filterError("n !== 1"), "position 2: unknown operator \"!==\"");
  EXPECT_EQ(filterError("n ? 1"), "position 2: unknown operator \"?\"");
  EXPECT_EQ(filterError("n ?" "?= 1"), "position 2: unknown operator \"?" "?=\"");
  EXPECT_EQ(filterError("n ! 1"), "position 2: unknown operator \"!\"");
  EXPECT_EQ(filterError("n=~'x'"), "position 1: unknown operator \"=~\"");
  EXPECT_EQ(filterError("n"), "position 1: expected an operator (= != > >= < <= ~ !~)");
  EXPECT_EQ(filterError("n 1"), "position 2: expected an operator (= != > >= < <= ~ !~), found \"1\"");
  EXPECT_EQ(filterError("n && m = 1"), "position 2: expected an operator (= != > >= < <= ~ !~), found \"&&\"");
  EXPECT_EQ(filterError("title = 'abc"), "position 8: unterminated string");
  EXPECT_EQ(filterError("title = \"abc\\\""), "position 8: unterminated string") << "the quote is escaped";
  EXPECT_EQ(filterError("a = 1 && title = 'x\\"), "position 17: unterminated string");
  EXPECT_EQ(filterError("(n = 1"), "position 6: expected \")\"");
  EXPECT_EQ(filterError("(n = 1 && (m = 2)"), "position 17: expected \")\"");
  EXPECT_EQ(filterError("(n = 1 m = 2)"), "position 7: expected \")\"");
  EXPECT_EQ(filterError("n = 1)"), "position 5: unexpected \")\"");
  EXPECT_EQ(filterError("()"), "position 1: unexpected \")\"");
  EXPECT_EQ(filterError("n = 1 &&"), "position 8: expected a condition");
  EXPECT_EQ(filterError("n = 1 ||   "), "position 11: expected a condition");
  EXPECT_EQ(filterError("("), "position 1: expected a condition");
  EXPECT_EQ(filterError("&& n = 1"), "position 0: unexpected \"&&\"");
  EXPECT_EQ(filterError("n = 1 && && m = 2"), "position 9: unexpected \"&&\"");
  EXPECT_EQ(filterError("n = 1 || && m = 2"), "position 9: unexpected \"&&\"");
  EXPECT_EQ(filterError("n = 1 n = 2"), "position 6: unexpected \"n\"");
  EXPECT_EQ(filterError("n = 1 & m = 2"), "position 6: unexpected \"&\" (use && or ||)");
  EXPECT_EQ(filterError("n = 1 | m = 2"), "position 6: unexpected \"|\" (use && or ||)");
  EXPECT_EQ(filterError("n = 1 AND m = 2"), "position 6: unexpected \"AND\"");
  EXPECT_EQ(filterError("n = @then"), "position 4: unknown macro \"@then\" (only @now)");
  EXPECT_EQ(filterError("n = @nowx"), "position 4: unknown macro \"@nowx\" (only @now)");
  EXPECT_EQ(filterError("n = {:x"), "position 7: expected \"}\" to close the placeholder");
  EXPECT_EQ(filterError("n = {x}"), "position 4: expected a placeholder {:name}");
  EXPECT_EQ(filterError("n = {:}"), "position 6: expected a placeholder name");
  EXPECT_EQ(filterError("n = {:1a}"), "position 6: expected a placeholder name");
  EXPECT_EQ(filterError("n = 12abc"), "position 4: malformed number \"12abc\"");
  EXPECT_EQ(filterError("n = -12abc"), "position 4: malformed number \"-12abc\"");
  EXPECT_EQ(filterError("n = 1.2.3"), "position 4: malformed number \"1.2.3\"");
  EXPECT_EQ(filterError("n = 1."), "position 6: expected digits after \".\"");
  EXPECT_EQ(filterError("n = 1e"), "position 6: expected an exponent");
  EXPECT_EQ(filterError("n = -x"), "position 4: expected a number");
  EXPECT_EQ(filterError("n = 1e999"), "position 4: number out of range");
  EXPECT_EQ(filterError("meta. = 1"), "position 5: expected a key after \".\"");
  EXPECT_EQ(filterError("meta.1 = 1"), "position 5: expected a key after \".\"");
  EXPECT_EQ(filterError("= 1"), "position 0: expected a field or value, found \"=\"");
  EXPECT_EQ(filterError("n = ,"), "position 4: expected a value after \"=\", found \",\"");
  EXPECT_EQ(filterError("n = $x"), "position 4: expected a value after \"=\", found \"$\"");
  EXPECT_EQ(filterError("ünï = 1"), "position 0: expected a field or value, found \"ü\"");
  EXPECT_EQ(filterError("a = 'it''s'"), "position 8: unexpected \"'\"") << "no SQL-style doubled quotes";
}

TEST(FilterParser, EmptyFilterIsAnError) {
  EXPECT_EQ(filterError(""), "position 0: empty filter");
  EXPECT_EQ(filterError(" \t\n "), "position 0: empty filter");
}

TEST(FilterParser, NestingAndLengthAreLimited) {
  EXPECT_NO_THROW(parseFilter(std::string(64, '(') + "n = 1" + std::string(64, ')')));
  EXPECT_EQ(filterError(std::string(65, '(') + "n = 1" + std::string(65, ')')),
            "position 64: parentheses nested deeper than 64");
  EXPECT_EQ(filterError(std::string(100000, '(')), "at most 8192 bytes") << "no deep recursion on hostile input";
  EXPECT_NO_THROW(parseFilter(std::string(8192 - 5, ' ') + "n = 1"));
  EXPECT_EQ(filterError(std::string(8193 - 5, ' ') + "n = 1"), "at most 8192 bytes");
  std::string longChain = "n = 0";
  while (longChain.size() < 8000) longChain += " && n = 0";
  auto e = parseFilter(longChain);
  EXPECT_GT(std::get<Logical>(e.node).children.size(), 800u) << "long && chains are flat, not deep";
}

TEST(FilterParser, PlaceholdersBindParamValues) {
  auto e = parseFilter("a = {:s} && (b > {:n} || c = {:f} || d = {:b} || e = {:z}) && {:s} = f");
  bindPlaceholders(e, {{"s", "x' OR 1=1 --"}, {"n", 3}, {"f", 1.5}, {"b", true}, {"z", nullptr}, {"unused", 1}});
  EXPECT_EQ(show(e), R"((a = "x' OR 1=1 --" && (b > 3 || c = 1.5 || d = true || e = null) && "x' OR 1=1 --" = f))");
  EXPECT_EQ(errorOf([] {
              auto x = parseFilter("a = {:missing}");
              bindPlaceholders(x, json::object());
            }),
            (ErrorFields{{"params.missing", "missing"}}));
  EXPECT_EQ(errorOf([] {
              auto x = parseFilter("a = {:p}");
              bindPlaceholders(x, nullptr);
            }),
            (ErrorFields{{"params.p", "missing"}}))
      << "no params at all";
  for (const json& bad : {json::array({1}), json{{"k", 1}}})
    EXPECT_EQ(errorOf([&] {
                auto x = parseFilter("a = {:p}");
                bindPlaceholders(x, {{"p", bad}});
              }).count("params.p"),
              1u);
}

TEST(FilterParser, BindingIsAFixedValueNotText) {
  auto e = parseFilter("a = {:p}");
  bindPlaceholders(e, {{"p", "{:p}"}});
  EXPECT_EQ(rightLiteral(e).value, "{:p}");
  auto n = parseFilter("a = {:p}");
  bindPlaceholders(n, {{"p", 9007199254740993LL}});
  EXPECT_EQ(rightLiteral(n).value.get<std::int64_t>(), 9007199254740993LL);
}

TEST(ObjectFilter, PlainKeysAreEqualityAndAnded) {
  EXPECT_EQ(show(objectFilter({{"status", "new"}})), "status = \"new\"");
  EXPECT_EQ(show(objectFilter({{"a", 1}, {"b", true}, {"c", nullptr}, {"d", 1.5}})),
            "(a = 1 && b = true && c = null && d = 1.5)");
  EXPECT_EQ(show(objectFilter({{"meta.a.b", "x"}})), "meta.a.b = \"x\"");
}

TEST(ObjectFilter, EmptyMatchesEverything) {
  auto e = objectFilter(json::object());
  const auto& l = std::get<Logical>(e.node);
  EXPECT_TRUE(l.isAnd);
  EXPECT_TRUE(l.children.empty());
}

TEST(ObjectFilter, Operators) {
  EXPECT_EQ(show(objectFilter({{"n", {{"$eq", 1}}}})), "n = 1");
  EXPECT_EQ(show(objectFilter({{"n", {{"$ne", 1}}}})), "n != 1");
  EXPECT_EQ(show(objectFilter({{"n", {{"$gt", 1}, {"$lte", 9}}}})), "(n > 1 && n <= 9)");
  EXPECT_EQ(show(objectFilter({{"n", {{"$gte", 1}, {"$lt", 9}}}})), "(n >= 1 && n < 9)");
  EXPECT_EQ(show(objectFilter({{"t", {{"$contains", "x"}}}})), "t ~ \"x\"");
  EXPECT_EQ(show(objectFilter({{"t", {{"$notContains", "x"}}}})), "t !~ \"x\"");
  EXPECT_EQ(show(objectFilter({{"tags", {{"$any", "vip"}}}})), "tags ?= \"vip\"");
  EXPECT_EQ(show(objectFilter({{"n", {{"$in", {1, 2, 3}}}}})), "(n = 1 || n = 2 || n = 3)");
  EXPECT_EQ(show(objectFilter({{"n", {{"$nin", {1, 2}}}}})), "(n != 1 && n != 2)");
  EXPECT_EQ(show(objectFilter({{"n", {{"$in", json::array()}}}})), "NONE") << "in nothing: no record";
  EXPECT_EQ(show(objectFilter({{"n", {{"$nin", json::array()}}}})), "ALL");
  EXPECT_EQ(show(objectFilter({{"n", {{"$eq", nullptr}}}})), "n = null");
  EXPECT_EQ(show(objectFilter({{"n", {{"$in", {nullptr, 1}}}}})), "(n = null || n = 1)");
}

TEST(ObjectFilter, AndOrNest) {
  EXPECT_EQ(show(objectFilter({{"$or", {{{"a", 1}}, {{"b", 2}, {"c", 3}}}}})), "(a = 1 || (b = 2 && c = 3))");
  EXPECT_EQ(show(objectFilter({{"$and", {{{"a", 1}}, {{"$or", {{{"b", 2}}, {{"c", 3}}}}}}}})),
            "(a = 1 && (b = 2 || c = 3))");
  EXPECT_EQ(show(objectFilter({{"x", 0}, {"$or", {{{"a", 1}}, {{"b", 2}}}}})), "((a = 1 || b = 2) && x = 0)")
      << "side by side keys are ANDed (in the object's key order)";
  EXPECT_EQ(show(objectFilter({{"$or", json::array()}})), "NONE");
  EXPECT_EQ(show(objectFilter({{"$and", json::array()}})), "ALL");
}

TEST(ObjectFilter, ErrorsNameTheKey) {
  EXPECT_EQ(objectError({{"n", {{"$regex", "x"}}}}),
            "n.$regex: unknown operator (one of $eq $ne $gt $gte $lt $lte $contains $notContains $in $nin $any)");
  EXPECT_EQ(objectError({{"n", {{"$gt", json::array()}}}}), "n.$gt: a value must be null, a boolean, a number or a string");
  EXPECT_EQ(objectError({{"n", json::array({1})}}), "n: a value must be null, a boolean, a number or a string");
  EXPECT_EQ(objectError({{"n", json::object()}}), "n: an empty condition");
  EXPECT_EQ(objectError({{"meta", {{"a", 1}}}}), "meta.a: unknown operator (one of $eq $ne $gt $gte $lt $lte $contains "
                                                 "$notContains $in $nin $any)")
      << "nested objects are not implicit paths: write \"meta.a\"";
  EXPECT_EQ(objectError({{"n", {{"$in", 1}}}}), "n.$in: must be a list");
  EXPECT_EQ(objectError({{"n", {{"$nin", {1, json::object()}}}}}),
            "n.$nin.1: a value must be null, a boolean, a number or a string");
  EXPECT_EQ(objectError({{"$nor", json::array()}}), "$nor: unknown operator here (only $and and $or)");
  EXPECT_EQ(objectError({{"$or", json::object()}}), "$or: must be a list of filters");
  EXPECT_EQ(objectError({{"$or", {{{"a", 1}}, 5}}}), "$or.1: must be an object");
  EXPECT_EQ(objectError({{"$and", {{{"a", {{"$bad", 1}}}}}}}), "$and.0.a.$bad: unknown operator (one of $eq $ne $gt "
                                                              "$gte $lt $lte $contains $notContains $in $nin $any)");
  EXPECT_EQ(objectError({{"bad key", 1}}), "bad key: not a field name");
  EXPECT_EQ(objectError({{"meta..a", 1}}), "meta..a: not a field name");
  EXPECT_EQ(objectError({{"meta.", 1}}), "meta.: not a field name");
  EXPECT_EQ(objectError({{"", 1}}), ": not a field name");
  EXPECT_EQ(objectError({{"1a", 1}}), "1a: not a field name");
  EXPECT_EQ(objectError(json::array()), "filter: must be an object");
  EXPECT_EQ(objectError("status = 'x'"), "filter: must be an object");
}

TEST(ObjectFilter, DepthIsLimited) {
  json deep = {{"a", 1}};
  for (int i = 0; i < 70; ++i) deep = {{"$and", json::array({deep})}};
  EXPECT_NE(objectError(deep).find("nested deeper than 64"), std::string::npos);
  json ok = {{"a", 1}};
  for (int i = 0; i < 60; ++i) ok = {{"$or", json::array({ok})}};
  EXPECT_NO_THROW(objectFilter(ok));
}

TEST(SortParser, KeysDirectionsAndSpacing) {
  auto s = parseSort(" -created, title ,+n,_x1");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].key, "created");
  EXPECT_TRUE(s[0].descending);
  EXPECT_EQ(s[1].key, "title");
  EXPECT_FALSE(s[1].descending);
  EXPECT_EQ(s[2].key, "n");
  EXPECT_FALSE(s[2].descending);
  EXPECT_EQ(s[3].key, "_x1");
  EXPECT_TRUE(parseSort("").empty());
  EXPECT_TRUE(parseSort("  ").empty());
}

TEST(SortParser, Errors) {
  EXPECT_EQ(sortError("a,,b"), "item 2 is empty");
  EXPECT_EQ(sortError("a,"), "item 2 is empty");
  EXPECT_EQ(sortError(",a"), "item 1 is empty");
  EXPECT_EQ(sortError("-"), "\"\" is not a field key (a comma list of keys, - for descending: \"-created,title\")");
  EXPECT_EQ(sortError("a;DROP"), "\"a;DROP\" is not a field key (a comma list of keys, - for descending: \"-created,title\")");
  EXPECT_NE(sortError("--a").find("\"-a\" is not a field key"), std::string::npos);
  EXPECT_NE(sortError("- a").find("\" a\" is not a field key"), std::string::npos);
  EXPECT_NE(sortError("meta.a").find("\"meta.a\" is not a field key"), std::string::npos);
  EXPECT_NE(sortError("a b").find("\"a b\" is not a field key"), std::string::npos);
  EXPECT_NE(sortError("1a").find("\"1a\""), std::string::npos);
}
