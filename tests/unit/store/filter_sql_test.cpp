// The SQLite filter compiler, run for real: each filter is compiled, executed
// against an in-memory STRICT table shaped like a model's (ANY columns, values
// stored the way the record repository stores them), and judged by the ids it
// matches. Type errors and the use of indexes are checked too.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <map>
#include <m3m/error.hpp>

#include "store/query/filter.hpp"
#include "store/sqlite/filter_sql.hpp"

using namespace m3m;
using namespace m3m::store;
using sqlite::ColumnInfo;
using nlohmann::json;

namespace {

constexpr const char* kNow = "2026-11-24T12:00:00.000Z";

// key → column, type, multiple. Columns differ from keys, as in the lead's tables.
const std::map<std::string, ColumnInfo>& fields() {
  static const std::map<std::string, ColumnInfo> f = {
      {"id", {"id", "string", false}},          {"created", {"created", "datetime", false}},
      {"updated", {"updated", "datetime", false}}, {"title", {"c_title", "string", false}},
      {"body", {"c_body", "text", false}},      {"n", {"c_n", "integer", false}},
      {"n2", {"c_n2", "integer", false}},       {"price", {"c_price", "float", false}},
      {"ok", {"c_ok", "bool", false}},          {"meta", {"c_meta", "document", false}},
      {"file", {"c_file", "file", false}},      {"owner", {"c_owner", "ref", false}},
      {"day", {"c_day", "date", false}},        {"at", {"c_at", "datetime", false}},
      {"at2", {"c_at2", "datetime", false}},    {"email", {"c_email", "email", false}},
      {"site", {"c_site", "url", false}},       {"status", {"c_status", "select", false}},
      {"tags", {"c_tags", "select", true}},     {"refs", {"c_refs", "ref", true}},
  };
  return f;
}

sqlite::ColumnResolver resolver() {
  return [](const std::string& key) -> std::optional<ColumnInfo> {
    auto it = fields().find(key);
    if (it == fields().end()) return std::nullopt;
    return it->second;
  };
}

// Rows as the record repository writes them: bool 0/1, datetimes normalized UTC,
// documents and multi-value fields as JSON text, NULL for null.
const char* kRows = R"sql(
INSERT INTO t (id, created, updated, c_title, c_body, c_n, c_n2, c_price, c_ok, c_meta, c_file, c_owner, c_day, c_at, c_at2,
               c_email, c_site, c_status, c_tags, c_refs) VALUES
('r1', '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', 'Rush order', 'Deliver 100% fast', 10, 10, 9.5, 1,
 '{"source":"web","score":5,"flag":true,"nested":{"k":"v"}}', 'docs/a.pdf', 'u1', '2026-11-01',
 '2026-11-24T12:00:00.000Z', '2026-11-24T13:00:00.000Z', 'a@x.io', 'https://a.io', 'paid', '["vip","new"]', '["x1","x2"]'),
('r2', '2026-11-21T00:00:00.000Z', '2026-11-21T00:00:00.000Z', 'slow_order', 'under_score\back', 20, 5, 20.0, 0,
 '{"source":"app","score":"5","flag":1}', NULL, 'u2', '2026-11-15',
 '2026-11-25T00:00:00.000Z', NULL, 'b@y.io', NULL, 'new', '["vip"]', '["x1"]'),
('r3', '2026-11-22T00:00:00.000Z', '2026-11-22T00:00:00.000Z', NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
('r4', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z', 'RUSH', 'plain', -5, -5, 0.0, 1,
 '{"source":null,"score":7.5,"flag":false}', 'b.txt', 'u1', '2025-12-31',
 '2025-12-31T22:00:00.000Z', '2025-01-01T00:00:00.000Z', 'c@x.io', 'http://c.io', 'sent', '[]', '[]'),
('r5', '2026-11-24T00:00:00.000Z', '2026-11-24T00:00:00.000Z', 'ünïcode Ärger', 'x', 9007199254740993, 0, 1e10, 0,
 '{"arr":[1,2],"score":10}', 'c', 'u3', '2024-02-29',
 '2026-11-24T11:59:59.999Z', '2026-11-24T11:59:59.999Z', 'd@z.io', 'https://d.io', 'new', '["new","old"]', '["x2"]')
)sql";

class FilterSql : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string ddl = "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL";
    for (const auto& [key, col] : fields())
      if (col.column.rfind("c_", 0) == 0) ddl += ", \"" + col.column + "\" ANY";
    db_.exec(ddl + ") STRICT");
    db_.exec(kRows);
  }

  std::string run(const sqlite::SqlFragment& where) {
    SQLite::Statement q(db_, "SELECT id FROM t WHERE " + where.sql + " ORDER BY id");
    sqlite::bindValues(q, where.params);
    std::string out;
    while (q.executeStep()) out += (out.empty() ? "" : ",") + q.getColumn(0).getString();
    return out;
  }

  // The ids matching a text filter, comma-separated ("" for none).
  std::string ids(const std::string& filter, const json& params = json::object()) {
    auto e = query::parseFilter(filter);
    query::bindPlaceholders(e, params);
    return run(sqlite::compileFilter(e, resolver(), kNow));
  }
  std::string objectIds(const json& filter) {
    return run(sqlite::compileFilter(query::objectFilter(filter), resolver(), kNow));
  }

  SQLite::Database db_{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
};

sqlite::SqlFragment compiled(const std::string& filter) {
  return sqlite::compileFilter(query::parseFilter(filter), resolver(), kNow);
}

std::string compileError(const std::string& filter) {
  try {
    compiled(filter);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    return e.fields().count("filter") ? e.fields().at("filter") : "(no fields.filter)";
  }
  return "(compiled)";
}

}  // namespace

TEST_F(FilterSql, EqualityOnEveryType) {
  EXPECT_EQ(ids("id = 'r3'"), "r3");
  EXPECT_EQ(ids("title = 'Rush order'"), "r1");
  EXPECT_EQ(ids("title = 'rush order'"), "") << "= is exact; ~ is the case-insensitive one";
  EXPECT_EQ(ids("body = 'plain'"), "r4");
  EXPECT_EQ(ids("n = 10"), "r1");
  EXPECT_EQ(ids("n = 9007199254740993"), "r5") << "int64 exact, not through a double";
  EXPECT_EQ(ids("n = 9007199254740992"), "");
  EXPECT_EQ(ids("n = 10.0"), "r1") << "numbers compare by value";
  EXPECT_EQ(ids("price = 20"), "r2");
  EXPECT_EQ(ids("price = 9.5"), "r1");
  EXPECT_EQ(ids("ok = true"), "r1,r4");
  EXPECT_EQ(ids("ok = false"), "r2,r5");
  EXPECT_EQ(ids("file = 'docs/a.pdf'"), "r1");
  EXPECT_EQ(ids("owner = 'u1'"), "r1,r4");
  EXPECT_EQ(ids("day = '2024-02-29'"), "r5");
  EXPECT_EQ(ids("at = '2026-11-24T12:00:00.000Z'"), "r1");
  EXPECT_EQ(ids("email = 'b@y.io'"), "r2");
  EXPECT_EQ(ids("site = 'http://c.io'"), "r4");
  EXPECT_EQ(ids("status = 'new'"), "r2,r5");
  EXPECT_EQ(ids("created = '2026-11-22'"), "r3");
  EXPECT_EQ(ids("updated = '2026-11-22T03:00:00+03:00'"), "r3");
}

TEST_F(FilterSql, NotEqualMatchesNulls) {
  EXPECT_EQ(ids("title != 'Rush order'"), "r2,r3,r4,r5");
  EXPECT_EQ(ids("n != 10"), "r2,r3,r4,r5");
  EXPECT_EQ(ids("ok != true"), "r2,r3,r5");
  EXPECT_EQ(ids("status != 'new'"), "r1,r3,r4");
  EXPECT_EQ(ids("at != @now"), "r2,r3,r4,r5");
}

TEST_F(FilterSql, Ordering) {
  EXPECT_EQ(ids("n > 9"), "r1,r2,r5");
  EXPECT_EQ(ids("n >= 10"), "r1,r2,r5");
  EXPECT_EQ(ids("n < 10"), "r4") << "null is neither bigger nor smaller";
  EXPECT_EQ(ids("n <= -5"), "r4");
  EXPECT_EQ(ids("n > 9.99"), "r1,r2,r5");
  EXPECT_EQ(ids("price > 9.5"), "r2,r5");
  EXPECT_EQ(ids("price >= 0"), "r1,r2,r4,r5");
  EXPECT_EQ(ids("price < 1"), "r4");
  EXPECT_EQ(ids("title > 'a'"), "r2,r5") << "byte order: upper case sorts before lower case";
  EXPECT_EQ(ids("day >= '2026-01-01'"), "r1,r2");
  EXPECT_EQ(ids("day < '2026-11-15'"), "r1,r4,r5");
  EXPECT_EQ(ids("10 < n"), "r2,r5") << "a value on the left flips the operator";
  EXPECT_EQ(ids("10 >= n"), "r1,r4");
  EXPECT_EQ(ids("'2026-11-22' <= created"), "r3,r4,r5");
}

TEST_F(FilterSql, NullTests) {
  EXPECT_EQ(ids("title = null"), "r3");
  EXPECT_EQ(ids("title != null"), "r1,r2,r4,r5");
  EXPECT_EQ(ids("null = title"), "r3");
  EXPECT_EQ(ids("file = null"), "r2,r3");
  EXPECT_EQ(ids("ok = null"), "r3");
  EXPECT_EQ(ids("meta = null"), "r3");
  EXPECT_EQ(ids("meta != null"), "r1,r2,r4,r5");
  EXPECT_EQ(ids("tags = null"), "r3") << "an empty list is not null";
  EXPECT_EQ(ids("tags != null"), "r1,r2,r4,r5");
  EXPECT_EQ(ids("at2 = null && at != null"), "r2");
}

TEST_F(FilterSql, Contains) {
  EXPECT_EQ(ids("title ~ 'rush'"), "r1,r4") << "case-insensitive";
  EXPECT_EQ(ids("title ~ 'ORDER'"), "r1,r2");
  EXPECT_EQ(ids("title !~ 'rush'"), "r2,r3,r5") << "!~ matches null";
  EXPECT_EQ(ids("title ~ ''"), "r1,r2,r4,r5");
  EXPECT_EQ(ids("body ~ '100%'"), "r1") << "% is literal";
  EXPECT_EQ(ids("body ~ '%'"), "r1");
  EXPECT_EQ(ids("body ~ '_'"), "r2") << "_ is literal";
  EXPECT_EQ(ids("title ~ 'h_o'"), "") << "not a one-character wildcard (\"Rush order\")";
  EXPECT_EQ(ids(R"(body ~ '\\')"), "r2") << "a backslash is literal";
  EXPECT_EQ(ids(R"(body ~ 'e\\b')"), "r2");
  EXPECT_EQ(ids("title ~ 'Ärger'"), "r5");
  EXPECT_EQ(ids("title ~ 'ärger'"), "") << "SQLite's LIKE folds ASCII case only";
  EXPECT_EQ(ids("email ~ '@X.IO'"), "r1,r4");
  EXPECT_EQ(ids("site ~ 'https'"), "r1,r5");
  EXPECT_EQ(ids("file !~ '.'"), "r2,r3,r5");
  EXPECT_EQ(ids("status ~ 'e'"), "r2,r4,r5");
  EXPECT_EQ(ids("created ~ '-11-2'"), "r1,r2,r3,r4,r5") << "datetimes are text too";
  EXPECT_EQ(ids("day ~ '2026'"), "r1,r2");
}

TEST_F(FilterSql, AndBindsTighterThanOr) {
  EXPECT_EQ(ids("n = 10 || n = 20 && ok = true"), "r1");
  EXPECT_EQ(ids("(n = 10 || n = 20) && ok = true"), "r1");
  EXPECT_EQ(ids("n = 10 || n = 20 && ok = false"), "r1,r2");
  EXPECT_EQ(ids("(n = 10 || n = 20) && ok = false"), "r2");
  EXPECT_EQ(ids("ok = false && n = 20 || n = 10"), "r1,r2");
  EXPECT_EQ(ids("ok = false && (n = 20 || n = 10)"), "r2");
  EXPECT_EQ(ids("n = -5 || title ~ 'rush' && ok = false"), "r4");
  EXPECT_EQ(ids("((n > 0 && (status = 'new' || status = 'paid')) || title = null) && id != 'r5'"), "r1,r2,r3");
}

TEST_F(FilterSql, MultiValueAny) {
  EXPECT_EQ(ids("tags ?= 'vip'"), "r1,r2");
  EXPECT_EQ(ids("tags ?= 'old'"), "r5");
  EXPECT_EQ(ids("tags ?!= 'vip'"), "r1,r5") << "some element is not vip; none in null or []";
  EXPECT_EQ(ids("tags ?~ 'VI'"), "r1,r2");
  EXPECT_EQ(ids("tags ?!~ 'vip'"), "r1,r5");
  EXPECT_EQ(ids("tags ?> 'old'"), "r1,r2");
  EXPECT_EQ(ids("tags ?>= 'old'"), "r1,r2,r5");
  EXPECT_EQ(ids("tags ?< 'old'"), "r1,r5");
  EXPECT_EQ(ids("tags ?<= 'new'"), "r1,r5");
  EXPECT_EQ(ids("refs ?= 'x2'"), "r1,r5");
  EXPECT_EQ(ids("refs ?= 'x1' && refs ?= 'x2'"), "r1");
}

TEST_F(FilterSql, MultiValueEvery) {
  EXPECT_EQ(ids("tags = 'vip'"), "r2") << "every element; [] and null have none to match";
  EXPECT_EQ(ids("refs = 'x2'"), "r5");
  EXPECT_EQ(ids("tags != 'vip'"), "r3,r4,r5") << "no element is vip: null and [] included, like != elsewhere";
  EXPECT_EQ(ids("tags < 'w'"), "r1,r2,r5");
  EXPECT_EQ(ids("tags > 'new'"), "r2");
  EXPECT_EQ(ids("tags >= 'new'"), "r1,r2,r5");
  EXPECT_EQ(ids("tags <= 'new'"), "");
  EXPECT_EQ(ids("tags ~ 'V'"), "r2");
  EXPECT_EQ(ids("tags !~ 'vip'"), "r3,r4,r5");
  EXPECT_EQ(ids("tags ~ ''"), "r1,r2,r5");
}

TEST_F(FilterSql, MultiValueNullElementsFailEveryTest) {
  // Not written by the record layer, but the SQL must not let a NULL element slip through.
  db_.exec("INSERT INTO t (id, created, updated, c_tags) VALUES ('r6', 'x', 'x', '[\"vip\",null]')");
  EXPECT_EQ(ids("tags = 'vip'"), "r2");
  EXPECT_EQ(ids("tags ?= 'vip'"), "r1,r2,r6");
  EXPECT_EQ(ids("tags != 'x' && id = 'r6'"), "r6");
}

TEST_F(FilterSql, DocumentPaths) {
  EXPECT_EQ(ids("meta.source = 'web'"), "r1");
  EXPECT_EQ(ids("meta.source != 'web'"), "r2,r3,r4,r5") << "missing keys and null documents too";
  EXPECT_EQ(ids("meta.source = null"), "r3,r4,r5") << "null, a JSON null and a missing key";
  EXPECT_EQ(ids("meta.source != null"), "r1,r2");
  EXPECT_EQ(ids("meta.source ~ 'WE'"), "r1");
  EXPECT_EQ(ids("meta.source !~ 'we'"), "r2,r3,r4,r5");
  EXPECT_EQ(ids("meta.source > 'a'"), "r1,r2");
  EXPECT_EQ(ids("meta.nested.k = 'v'"), "r1");
  EXPECT_EQ(ids("meta.nested.missing = null"), "r1,r2,r3,r4,r5");
}

TEST_F(FilterSql, DocumentPathsCompareWithinTheJsonType) {
  EXPECT_EQ(ids("meta.score = 5"), "r1") << "the string \"5\" is not the number 5";
  EXPECT_EQ(ids("meta.score = '5'"), "r2");
  EXPECT_EQ(ids("meta.score > 5"), "r4,r5") << "a string is not bigger than a number";
  EXPECT_EQ(ids("meta.score >= 5"), "r1,r4,r5");
  EXPECT_EQ(ids("meta.score < 100"), "r1,r4,r5");
  EXPECT_EQ(ids("meta.score != 5"), "r2,r3,r4,r5");
  EXPECT_EQ(ids("meta.score = 7.5"), "r4");
  EXPECT_EQ(ids("meta.score < 'z'"), "r2") << "only strings against a string";
  EXPECT_EQ(ids("meta.flag = true"), "r1") << "true is not the number 1";
  EXPECT_EQ(ids("meta.flag = false"), "r4");
  EXPECT_EQ(ids("meta.flag != true"), "r2,r3,r4,r5");
  EXPECT_EQ(ids("meta.flag != false"), "r1,r2,r3,r5");
  EXPECT_EQ(ids("meta.flag = 1"), "r2");
  EXPECT_EQ(ids("meta.arr = '[1,2]'"), "") << "arrays are not strings";
}

TEST_F(FilterSql, Datetimes) {
  EXPECT_EQ(ids("at > '2026-11-24'"), "r1,r2,r5") << "a date is midnight UTC";
  EXPECT_EQ(ids("at >= '2026-11-24T15:00:00+03:00'"), "r1,r2");
  EXPECT_EQ(ids("at = '2026-11-24 07:00:00-05:00'"), "r1");
  EXPECT_EQ(ids("at = '2026-11-24T12:00'"), "r1");
  EXPECT_EQ(ids("at < '2026-01-01T01:00:00+03:00'"), "");
  EXPECT_EQ(ids("at <= '2026-01-01T01:00:00+0300'"), "r4");
  EXPECT_EQ(ids("at = '2025-12-31T23:00:00+01:00'"), "r4");
  EXPECT_EQ(ids("at = '2026-11-24T11:59:59.9999Z'"), "r5") << "milliseconds, truncated";
  EXPECT_EQ(ids("at > @now"), "r2");
  EXPECT_EQ(ids("at >= @now"), "r1,r2");
  EXPECT_EQ(ids("at < @now"), "r4,r5");
  EXPECT_EQ(ids("@now > at"), "r4,r5");
  EXPECT_EQ(ids("created >= '2026-11-22'"), "r3,r4,r5");
  EXPECT_EQ(ids("updated < '2026-11-21T01:00:00+01:00'"), "r1");
}

TEST_F(FilterSql, FieldAgainstField) {
  EXPECT_EQ(ids("n = n2"), "r1,r4");
  EXPECT_EQ(ids("n > n2"), "r2,r5");
  EXPECT_EQ(ids("n != n2"), "r2,r5") << "null-safe: two nulls are not different";
  EXPECT_EQ(ids("price > n"), "r4") << "integer and float compare";
  EXPECT_EQ(ids("at < at2"), "r1");
  EXPECT_EQ(ids("at2 = at"), "r5");
  EXPECT_EQ(ids("created = updated"), "r1,r2,r3,r4,r5");
  EXPECT_EQ(ids("title = status"), "");
  EXPECT_EQ(ids("meta.source = title"), "");
  EXPECT_EQ(ids("meta.score = n2"), "");
}

TEST_F(FilterSql, SingleValueFieldsTakeAnyOperatorsAsPlain) {
  EXPECT_EQ(ids("title ?= 'RUSH'"), "r4");
  EXPECT_EQ(ids("title ?~ 'rush'"), "r1,r4");
  EXPECT_EQ(ids("meta.source ?= 'web'"), "r1");
}

TEST_F(FilterSql, Placeholders) {
  EXPECT_EQ(ids("title = {:t} || n > {:min}", {{"t", "RUSH"}, {"min", 15}}), "r2,r4,r5");
  EXPECT_EQ(ids("at > {:when}", {{"when", "2026-11-24T15:00:00+03:00"}}), "r2");
  EXPECT_EQ(ids("tags ?= {:tag}", {{"tag", "old"}}), "r5");
  EXPECT_EQ(ids("ok = {:b}", {{"b", false}}), "r2,r5");
  EXPECT_EQ(ids("title = {:t}", {{"t", nullptr}}), "r3");
  EXPECT_EQ(ids("meta.score >= {:s}", {{"s", 7.5}}), "r4,r5");
  EXPECT_EQ(ids("title = {:t}", {{"t", "x' OR 1=1 --"}}), "");
  EXPECT_EQ(ids("title ~ {:t}", {{"t", "%"}}), "");
  EXPECT_EQ(ids("{:lo} <= n && n <= {:hi}", {{"lo", 0}, {"hi", 20}}), "r1,r2");
}

TEST_F(FilterSql, ObjectFiltersMatchLikeTheirTextForm) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"status", "new"}}, "status = 'new'"},
      {{{"status", "new"}, {"n", {{"$gt", 10}}}}, "status = 'new' && n > 10"},
      {{{"n", {{"$gte", -5}, {"$lt", 20}}}}, "n >= -5 && n < 20"},
      {{{"n", {{"$lte", 10}}}}, "n <= 10"},
      {{{"n", {{"$ne", 10}}}}, "n != 10"},
      {{{"n", {{"$eq", 10}}}}, "n = 10"},
      {{{"title", nullptr}}, "title = null"},
      {{{"title", {{"$ne", nullptr}}}}, "title != null"},
      {{{"title", {{"$contains", "rush"}}}}, "title ~ 'rush'"},
      {{{"title", {{"$notContains", "rush"}}}}, "title !~ 'rush'"},
      {{{"tags", {{"$any", "vip"}}}}, "tags ?= 'vip'"},
      {{{"tags", "vip"}}, "tags = 'vip'"},
      {{{"status", {{"$in", {"new", "sent"}}}}}, "status = 'new' || status = 'sent'"},
      {{{"status", {{"$nin", {"new", "sent"}}}}}, "status != 'new' && status != 'sent'"},
      {{{"ok", true}}, "ok = true"},
      {{{"meta.source", "web"}}, "meta.source = 'web'"},
      {{{"meta.score", {{"$gt", 5}}}}, "meta.score > 5"},
      {{{"at", {{"$gte", "2026-11-24T15:00:00+03:00"}}}}, "at >= '2026-11-24T15:00:00+03:00'"},
      {{{"$or", {{{"n", 10}}, {{"n", 20}, {"ok", false}}}}}, "n = 10 || n = 20 && ok = false"},
      {{{"ok", true}, {"$or", {{{"n", 10}}, {{"n", 20}}}}}, "(n = 10 || n = 20) && ok = true"},
      {{{"$and", {{{"n", {{"$gt", 0}}}}, {{"$or", {{{"status", "new"}}, {{"title", nullptr}}}}}}}},
       "n > 0 && (status = 'new' || title = null)"},
  };
  for (const auto& [obj, text] : cases) EXPECT_EQ(objectIds(obj), ids(text)) << obj.dump() << " vs " << text;
  EXPECT_EQ(objectIds(json::object()), "r1,r2,r3,r4,r5");
  EXPECT_EQ(objectIds({{"n", {{"$in", json::array()}}}}), "");
  EXPECT_EQ(objectIds({{"n", {{"$nin", json::array()}}}}), "r1,r2,r3,r4,r5");
  EXPECT_EQ(objectIds({{"$or", json::array()}}), "");
  EXPECT_EQ(objectIds({{"status", {{"$in", {"new", "sent"}}}}}), "r2,r4,r5");
  EXPECT_EQ(objectIds({{"status", {{"$nin", {"new", "sent"}}}}}), "r1,r3");
}

TEST_F(FilterSql, BindValuesFromAnyIndex) {
  auto where = compiled("n > 0 && status = 'new'");
  SQLite::Statement q(db_, "SELECT id FROM t WHERE id != ? AND " + where.sql + " ORDER BY id");
  q.bind(1, "r2");
  sqlite::bindValues(q, where.params, 2);
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), "r5");
  EXPECT_FALSE(q.executeStep());

  SQLite::Statement types(db_, "SELECT ? IS NULL, typeof(?), typeof(?), typeof(?)");
  sqlite::bindValues(types, {nullptr, std::int64_t{1}, 1.5, std::string("s")});
  ASSERT_TRUE(types.executeStep());
  EXPECT_EQ(types.getColumn(0).getInt(), 1);
  EXPECT_EQ(types.getColumn(1).getString(), "integer");
  EXPECT_EQ(types.getColumn(2).getString(), "real");
  EXPECT_EQ(types.getColumn(3).getString(), "text");
}

TEST(FilterSqlText, ValuesAreAlwaysBoundAndColumnsQuoted) {
  auto f = compiled("title = 'x'");
  EXPECT_EQ(f.sql, "\"c_title\" = ?") << "bare column: sargable";
  EXPECT_EQ(f.params, (std::vector<sqlite::SqlValue>{std::string("x")}));
  EXPECT_EQ(compiled("title != 'x'").sql, "\"c_title\" IS NOT ?");
  EXPECT_EQ(compiled("n >= 1").sql, "\"c_n\" >= ?");
  EXPECT_EQ(compiled("title = null").sql, "\"c_title\" IS NULL");
  EXPECT_EQ(compiled("title ~ 'x'").sql, "\"c_title\" LIKE ? ESCAPE '\\'");
  EXPECT_EQ(compiled("title ~ 'a%b_c\\\\'").params[0], sqlite::SqlValue(std::string("%a\\%b\\_c\\\\%")));
  EXPECT_EQ(compiled("title !~ 'x'").sql, "(\"c_title\" IS NULL OR \"c_title\" NOT LIKE ? ESCAPE '\\')");
  EXPECT_EQ(compiled("tags ?= 'x'").sql, "EXISTS (SELECT 1 FROM json_each(\"c_tags\") WHERE value = ?)");
  EXPECT_EQ(compiled("ok = true").params[0], sqlite::SqlValue(std::int64_t{1}));
  EXPECT_EQ(compiled("n = 1.5").params[0], sqlite::SqlValue(1.5));
  EXPECT_EQ(compiled("at = '2026-11-24T15:00:00+03:00'").params[0],
            sqlite::SqlValue(std::string("2026-11-24T12:00:00.000Z")));
  EXPECT_EQ(compiled("at = @now").params[0], sqlite::SqlValue(std::string(kNow)));
  auto path = compiled("meta.a.b = 'x'");
  EXPECT_NE(path.sql.find("json_extract(\"c_meta\", ?)"), std::string::npos);
  EXPECT_EQ(path.params.front(), sqlite::SqlValue(std::string("$.a.b")));
  auto injected = compiled("title = \"x' OR 1=1; DROP TABLE t; --\"");
  EXPECT_EQ(injected.sql.find("DROP"), std::string::npos);
  EXPECT_EQ(sqlite::compileFilter(query::objectFilter(json::object()), resolver(), kNow).sql, "1");
  EXPECT_EQ(sqlite::compileFilter(query::objectFilter({{"n", {{"$in", json::array()}}}}), resolver(), kNow).sql, "0");
}

TEST(FilterSqlText, TypeErrors) {
  EXPECT_EQ(compileError("nope = 1"), "unknown field \"nope\"");
  EXPECT_EQ(compileError("n = 1 && (x.y = 2)"), "unknown field \"x\"");
  EXPECT_EQ(compileError("n = n3"), "unknown field \"n3\"");
  EXPECT_EQ(compileError("n = '5'"), "\"n\" is a number field: compare it with a number");
  EXPECT_EQ(compileError("price > true"), "\"price\" is a number field: compare it with a number");
  EXPECT_EQ(compileError("ok = 1"), "\"ok\" is a bool field: compare it with true or false");
  EXPECT_EQ(compileError("ok = 'true'"), "\"ok\" is a bool field: compare it with true or false");
  EXPECT_EQ(compileError("ok > false"), "bool fields take only = and !=");
  EXPECT_EQ(compileError("title = 5"), "\"title\" is a string field: compare it with a string");
  EXPECT_EQ(compileError("status = true"), "\"status\" is a select field: compare it with a string");
  EXPECT_EQ(compileError("day = '2026-02-30'"), "\"2026-02-30\" is not a date YYYY-MM-DD (field \"day\")");
  EXPECT_EQ(compileError("day = '2026-02-03T00:00'"), "\"2026-02-03T00:00\" is not a date YYYY-MM-DD (field \"day\")");
  EXPECT_EQ(compileError("day = 20260203"), "\"day\" is a date field: compare it with a string");
  EXPECT_EQ(compileError("at > 'yesterday'"), "\"yesterday\" is not a date/time (field \"at\")");
  EXPECT_EQ(compileError("at > 1700000000"), "\"at\" is a datetime field: compare it with a string");
  EXPECT_EQ(compileError("n ~ 'x'"), "~ and !~ need a text field (\"n\" is integer)");
  EXPECT_EQ(compileError("ok !~ 'x'"), "~ and !~ need a text field (\"ok\" is bool)");
  EXPECT_EQ(compileError("meta ~ 'x'"), "~ and !~ need a text field (\"meta\" is document)");
  EXPECT_EQ(compileError("title ~ 5"), "~ and !~ take a string (field \"title\")");
  EXPECT_EQ(compileError("title ~ null"), "null compares only with = and !=");
  EXPECT_EQ(compileError("meta.a ~ true"), "~ and !~ take a string (field \"meta.a\")");
  EXPECT_EQ(compileError("title.x = 1"), "\"title\" is not a document field (no path inside it)");
  EXPECT_EQ(compileError("meta = 1"), "\"meta\" is a document: compare it with null, or a path inside it");
  EXPECT_EQ(compileError("meta = 'x'"), "\"meta\" is a document: compare it with null, or a path inside it");
  EXPECT_EQ(compileError("meta.flag > true"), "true and false compare only with = and != (\"meta.flag\")");
  EXPECT_EQ(compileError("n = @now"), "@now compares only with datetime fields (\"n\" is integer)");
  EXPECT_EQ(compileError("day < @now"), "@now compares only with datetime fields (\"day\" is date)");
  EXPECT_EQ(compileError("meta.at < @now"), "@now compares only with datetime fields (\"meta.at\" is inside a document)");
  EXPECT_EQ(compileError("tags ?= @now"), "@now compares only with datetime fields (\"tags\" is select)");
  EXPECT_EQ(compileError("title ~ @now"), "~ and !~ take a string (field \"title\")");
  EXPECT_EQ(compileError("tags ?= 5"), "\"tags\" is a select field: compare it with a string");
  EXPECT_EQ(compileError("refs = 5"), "\"refs\" is a ref field: compare it with a string");
  EXPECT_EQ(compileError("n > null"), "null compares only with = and !=");
  EXPECT_EQ(compileError("tags ?> null"), "null compares only with = and !=");
  EXPECT_EQ(compileError("1 = 2"), "position 2: compare a field with a value");
  EXPECT_EQ(compileError("n = 1 || 'a' = @now"), "position 13: compare a field with a value");
  EXPECT_EQ(compileError("'x' ~ title"), "position 4: put the field on the left of ~ and !~");
  EXPECT_EQ(compileError("title = {:t}"), "placeholder {:t} has no value (placeholders take values from params)");
  EXPECT_EQ(compileError("n = title"), "\"n\" (integer) and \"title\" (string) cannot be compared");
  EXPECT_EQ(compileError("day = at"), "\"day\" (date) and \"at\" (datetime) cannot be compared");
  EXPECT_EQ(compileError("ok = n"), "\"ok\" (bool) and \"n\" (integer) cannot be compared");
  EXPECT_EQ(compileError("meta = meta"), "\"meta\" (document) and \"meta\" (document) cannot be compared");
  EXPECT_EQ(compileError("meta.a = meta"), "\"meta.a\" (document) and \"meta\" (document) cannot be compared");
  EXPECT_EQ(compileError("ok < ok"), "bool fields take only = and !=");
  EXPECT_EQ(compileError("tags = refs"), "multi-value fields compare only with values");
  EXPECT_EQ(compileError("title ~ body"), "~ and !~ compare a field with a value");
}

TEST(FilterSqlText, ObjectFilterTypeErrors) {
  auto err = [](const json& obj) {
    try {
      sqlite::compileFilter(query::objectFilter(obj), resolver(), kNow);
    } catch (const Error& e) {
      return e.fields().at("filter");
    }
    return std::string("(compiled)");
  };
  EXPECT_EQ(err({{"n", "5"}}), "\"n\" is a number field: compare it with a number");
  EXPECT_EQ(err({{"nope", 1}}), "unknown field \"nope\"");
  EXPECT_EQ(err({{"n", {{"$contains", "x"}}}}), "~ and !~ need a text field (\"n\" is integer)");
  EXPECT_EQ(err({{"tags", {{"$any", 1}}}}), "\"tags\" is a select field: compare it with a string");
}

TEST_F(FilterSql, EqualityUsesTheColumnIndex) {
  db_.exec("CREATE INDEX t_title ON t (c_title)");
  db_.exec("CREATE INDEX t_n ON t (c_n)");
  auto plan = [&](const std::string& filter) {
    auto where = compiled(filter);
    SQLite::Statement q(db_, "EXPLAIN QUERY PLAN SELECT id FROM t WHERE " + where.sql);
    sqlite::bindValues(q, where.params);
    std::string out;
    while (q.executeStep()) out += q.getColumn(3).getString() + "\n";
    return out;
  };
  auto usesIndex = [](const std::string& p, const std::string& index) {
    return p.find("USING INDEX " + index) != std::string::npos ||
           p.find("USING COVERING INDEX " + index) != std::string::npos;
  };
  auto eq = plan("title = 'x'");
  EXPECT_TRUE(usesIndex(eq, "t_title")) << eq;
  auto range = plan("n > 5 && n < 9");
  EXPECT_TRUE(usesIndex(range, "t_n")) << range;
  auto either = plan("title = 'x' || n = 3");
  EXPECT_TRUE(usesIndex(either, "t_title") && usesIndex(either, "t_n")) << "OR of indexed terms: " << either;
  auto byId = plan("id = 'r1'");
  EXPECT_NE(byId.find("INDEX"), std::string::npos) << byId;
}
