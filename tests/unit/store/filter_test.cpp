// The filter language: parser errors with positions, object filters, sort,
// placeholders, datetimes, and the SQLite compiler's type checks.
#include <gtest/gtest.h>

#include <m3m/error.hpp>

#include "lib/datetime.hpp"
#include "store/query/filter.hpp"
#include "store/sqlite/filter_sql.hpp"

using namespace m3m;
using namespace m3m::store;
using nlohmann::json;

namespace {

std::string filterError(const std::string& text) {
  try {
    query::parseFilter(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    return e.fields().at("filter");
  }
  return "(parsed)";
}

sqlite::ColumnResolver resolver() {
  return [](const std::string& key) -> std::optional<sqlite::ColumnInfo> {
    if (key == "n") return sqlite::ColumnInfo{"c1", "integer", false};
    if (key == "title") return sqlite::ColumnInfo{"c2", "string", false};
    if (key == "at") return sqlite::ColumnInfo{"c3", "datetime", false};
    if (key == "ok") return sqlite::ColumnInfo{"c4", "bool", false};
    if (key == "tags") return sqlite::ColumnInfo{"c5", "select", true};
    if (key == "meta") return sqlite::ColumnInfo{"c6", "document", false};
    if (key == "day") return sqlite::ColumnInfo{"c7", "date", false};
    return std::nullopt;
  };
}

sqlite::SqlFragment sql(const std::string& text) {
  return sqlite::compileFilter(query::parseFilter(text), resolver(), "2026-11-24T12:00:00.000Z");
}

std::string sqlError(const std::string& text) {
  try {
    sql(text);
  } catch (const Error& e) {
    return e.fields().at("filter");
  }
  return "(compiled)";
}

}  // namespace

TEST(FilterParser, SyntaxErrorsGiveThePosition) {
  EXPECT_EQ(filterError("n >"), "position 3: expected a value after \">\"");
  EXPECT_EQ(filterError("n == 1"), "position 2: unknown operator \"==\"");
  EXPECT_EQ(filterError("title = 'abc"), "position 8: unterminated string");
  EXPECT_EQ(filterError("(n = 1"), "position 6: expected \")\"");
  EXPECT_EQ(filterError("n = 1 &&"), "position 8: expected a condition");
  EXPECT_EQ(filterError("&& n = 1"), "position 0: unexpected \"&&\"");
  EXPECT_EQ(filterError("n = 1 n = 2"), "position 6: unexpected \"n\"");
  EXPECT_EQ(filterError("   "), "position 0: empty filter");
  EXPECT_EQ(filterError("n = @then"), "position 4: unknown macro \"@then\" (only @now)");
  EXPECT_EQ(filterError("n = {:x"), "position 7: expected \"}\" to close the placeholder");
  EXPECT_EQ(filterError("n = 12abc"), "position 4: malformed number \"12abc\"");
  EXPECT_EQ(filterError("n"), "position 1: expected an operator (= != > >= < <= ~ !~)");
  EXPECT_EQ(filterError(std::string(70, '(') + "n = 1" + std::string(70, ')')).substr(0, 11), "position 64");
  EXPECT_EQ(filterError(std::string(9000, ' ') + "n = 1"), "at most 8192 bytes");
}

TEST(FilterParser, PrecedenceLiteralsAndPaths) {
  auto e = query::parseFilter("a = 1 || b = 'x' && c != null");
  const auto& top = std::get<query::Logical>(e.node);
  EXPECT_FALSE(top.isAnd) << "|| at the top: && binds tighter";
  ASSERT_EQ(top.children.size(), 2u);
  EXPECT_TRUE(std::get<query::Logical>(top.children[1].node).isAnd);
  auto c = std::get<query::Comparison>(query::parseFilter("meta.a.b ?!~ \"it\\\"s\"").node);
  EXPECT_EQ(std::get<query::FieldRef>(c.left).key, "meta");
  EXPECT_EQ(std::get<query::FieldRef>(c.left).path, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(c.any);
  EXPECT_EQ(c.op, query::CompareOp::NotLike);
  EXPECT_EQ(std::get<query::Literal>(c.right).value, "it\"s");
  auto big = std::get<query::Comparison>(query::parseFilter("n > 9007199254740993").node);
  EXPECT_EQ(std::get<query::Literal>(big.right).value.get<std::int64_t>(), 9007199254740993LL);
  auto neg = std::get<query::Comparison>(query::parseFilter("n > -1.5e2").node);
  EXPECT_EQ(std::get<query::Literal>(neg.right).value.get<double>(), -150.0);
}

TEST(FilterParser, PlaceholdersAreBoundFromParams) {
  auto e = query::parseFilter("title = {:t} && n > {:n}");
  EXPECT_THROW(sqlite::compileFilter(e, resolver(), ""), Error) << "unbound placeholders are refused";
  query::bindPlaceholders(e, {{"t", "x' OR 1=1 --"}, {"n", 3}});
  auto f = sqlite::compileFilter(e, resolver(), "");
  EXPECT_EQ(f.sql.find("OR 1=1"), std::string::npos) << "values never reach the SQL text";
  EXPECT_EQ(std::get<std::string>(f.params[0]), "x' OR 1=1 --");
  try {
    auto again = query::parseFilter("title = {:missing}");
    query::bindPlaceholders(again, json::object());
    FAIL();
  } catch (const Error& err) {
    EXPECT_EQ(err.fields().at("params.missing"), "missing");
  }
}

TEST(FilterParser, ObjectFiltersBuildTheSameTree) {
  auto a = sqlite::compileFilter(query::objectFilter({{"title", "x"}, {"n", {{"$gt", 1}, {"$lte", 9}}}}), resolver(), "");
  auto b = sql("n > 1 && n <= 9 && title = 'x'");
  EXPECT_EQ(a.params.size(), b.params.size());
  auto in = sqlite::compileFilter(query::objectFilter({{"n", {{"$in", {1, 2}}}}}), resolver(), "");
  EXPECT_EQ(in.sql, "(\"c1\" = ? OR \"c1\" = ?)");
  EXPECT_EQ(sqlite::compileFilter(query::objectFilter({{"n", {{"$in", json::array()}}}}), resolver(), "").sql, "0");
  EXPECT_EQ(sqlite::compileFilter(query::objectFilter(json::object()), resolver(), "").sql, "1");
  auto any = sqlite::compileFilter(query::objectFilter({{"tags", {{"$any", "vip"}}}}), resolver(), "");
  EXPECT_NE(any.sql.find("EXISTS (SELECT 1 FROM json_each(\"c5\")"), std::string::npos);
  EXPECT_THROW(query::objectFilter({{"n", {{"$regex", "x"}}}}), Error);
  EXPECT_THROW(query::objectFilter({{"n", {{"$gt", json::array()}}}}), Error);
  EXPECT_THROW(query::objectFilter({{"$nor", json::array()}}), Error);
  EXPECT_THROW(query::objectFilter({{"bad key", 1}}), Error);
}

TEST(FilterCompiler, ChecksTypesAgainstTheFields) {
  EXPECT_EQ(sqlError("nope = 1"), "unknown field \"nope\"");
  EXPECT_EQ(sqlError("n = '5'"), "\"n\" is a number field: compare it with a number");
  EXPECT_EQ(sqlError("ok = 1"), "\"ok\" is a bool field: compare it with true or false");
  EXPECT_EQ(sqlError("at > 'yesterday'"), "\"yesterday\" is not a date/time (field \"at\")");
  EXPECT_EQ(sqlError("day = '2026-02-30'"), "\"2026-02-30\" is not a date YYYY-MM-DD (field \"day\")");
  EXPECT_EQ(sqlError("n ~ 'x'"), "~ and !~ need a text field (\"n\" is integer)");
  EXPECT_EQ(sqlError("title.x = 1"), "\"title\" is not a document field (no path inside it)");
  EXPECT_EQ(sqlError("meta = 1"), "\"meta\" is a document: compare it with null, or a path inside it");
  EXPECT_EQ(sqlError("n = @now"), "@now compares only with datetime fields (\"n\" is integer)");
  EXPECT_EQ(sqlError("1 = 2"), "position 2: compare a field with a value");
  EXPECT_EQ(sqlError("n > null"), "null compares only with = and !=");
  EXPECT_EQ(sql("at > '2026-11-24T15:00:00+03:00'").params[0], sqlite::SqlValue(std::string("2026-11-24T12:00:00.000Z")));
  EXPECT_EQ(sql("5 < n").sql, "\"c1\" > ?") << "a value on the left flips the operator";
  EXPECT_EQ(sql("title = 'x'").sql, "\"c2\" = ?") << "plain equality stays sargable (index use)";
  EXPECT_EQ(sql("title != 'x'").sql, "\"c2\" IS NOT ?") << "!= matches nulls";
  EXPECT_EQ(sql("meta.a.b = 'x'").params[0], sqlite::SqlValue(std::string("$.a.b")));
}

TEST(Datetime, NormalizesToUtcMilliseconds) {
  EXPECT_EQ(lib::normalizeDatetime("2026-11-24"), "2026-11-24T00:00:00.000Z");
  EXPECT_EQ(lib::normalizeDatetime("2026-11-24 01:02"), "2026-11-24T01:02:00.000Z");
  EXPECT_EQ(lib::normalizeDatetime("2026-11-24T01:02:03.4567Z"), "2026-11-24T01:02:03.456Z");
  EXPECT_EQ(lib::normalizeDatetime("2026-01-01T01:00:00+03:00"), "2025-12-31T22:00:00.000Z");
  EXPECT_EQ(lib::normalizeDatetime("2026-12-31T23:30:00-0100"), "2027-01-01T00:30:00.000Z");
  EXPECT_EQ(lib::normalizeDatetime("2024-02-29T00:00:00Z"), "2024-02-29T00:00:00.000Z");
  for (const char* bad : {"2023-02-29", "2026-13-01", "2026-11-24T24:00", "2026-11-24T10:00:60", "2026-11-24T10:00+3",
                          "2026-11-24T10:00:00.Z", "24-11-2026", "2026-11-24T10:00:00Zjunk", "", "0000-01-01"})
    EXPECT_FALSE(lib::normalizeDatetime(bad)) << bad;
  EXPECT_TRUE(lib::isValidDate("2024-02-29"));
  EXPECT_FALSE(lib::isValidDate("2026-11-24T00:00"));
}

TEST(SortParser, KeysAndDirections) {
  auto s = query::parseSort(" -created, title ,+n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_TRUE(s[0].descending);
  EXPECT_EQ(s[1].key, "title");
  EXPECT_FALSE(s[2].descending);
  EXPECT_TRUE(query::parseSort("").empty());
  EXPECT_THROW(query::parseSort("a,,b"), Error);
  EXPECT_THROW(query::parseSort("a;DROP"), Error);
}
