// The record filter language: parseFilter (text) or objectFilter (a JSON
// object, as the runtime's database.find passes), placeholders bound, then
// compiled by the SQLite driver and run on a real STRICT table shaped like a
// model's (every field type, multi-value fields, a document) with a few rows.
// Also parseSort on the same text. Oracles: only m3m::Error escapes — a
// filter that compiles but SQLite refuses to prepare or run would be a 500.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "common.hpp"
#include "store/query/filter.hpp"
#include "store/sqlite/filter_sql.hpp"

using namespace m3m;
using namespace m3m::store;
using nlohmann::json;

namespace {

const std::map<std::string, sqlite::ColumnInfo>& fields() {
  static const std::map<std::string, sqlite::ColumnInfo> f = {
      {"id", {"id", "string", false}},          {"created", {"created", "datetime", false}},
      {"updated", {"updated", "datetime", false}}, {"title", {"c_title", "string", false}},
      {"body", {"c_body", "text", false}},      {"n", {"c_n", "integer", false}},
      {"price", {"c_price", "float", false}},   {"ok", {"c_ok", "bool", false}},
      {"meta", {"c_meta", "document", false}},  {"file", {"c_file", "file", false}},
      {"owner", {"c_owner", "ref", false}},     {"day", {"c_day", "date", false}},
      {"at", {"c_at", "datetime", false}},      {"email", {"c_email", "email", false}},
      {"site", {"c_site", "url", false}},       {"status", {"c_status", "select", false}},
      {"tags", {"c_tags", "select", true}},     {"refs", {"c_refs", "ref", true}},
  };
  return f;
}

std::optional<sqlite::ColumnInfo> resolve(const std::string& key) {
  auto it = fields().find(key);
  if (it == fields().end()) return std::nullopt;
  return it->second;
}

SQLite::Database& db() {
  static SQLite::Database d = [] {
    SQLite::Database d(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::string ddl = "CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL";
    for (const auto& [key, col] : fields())
      if (col.column.rfind("c_", 0) == 0) ddl += ", \"" + col.column + "\" ANY";
    d.exec(ddl + ") STRICT");
    d.exec(R"sql(
INSERT INTO t (id, created, updated, c_title, c_body, c_n, c_price, c_ok, c_meta, c_file, c_owner, c_day, c_at,
               c_email, c_site, c_status, c_tags, c_refs) VALUES
('r1', '2026-11-20T00:00:00.000Z', '2026-11-20T00:00:00.000Z', 'Rush order', 'Deliver 100% fast', 10, 9.5, 1,
 '{"source":"web","score":5,"flag":true,"nested":{"k":"v"},"arr":[1,"a"]}', 'docs/a.pdf', 'u1', '2026-11-01',
 '2026-11-24T12:00:00.000Z', 'a@x.io', 'https://a.io', 'paid', '["vip","new"]', '["x1","x2"]'),
('r2', '2026-11-21T00:00:00.000Z', '2026-11-21T00:00:00.000Z', NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
('r3', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z', 'ünï', 'x', 9007199254740993, 1e10, 0,
 '{"score":"5"}', 'c', 'u3', '2024-02-29', '2026-11-24T11:59:59.999Z', 'd@z.io', 'https://d.io', 'new', '[]', '["x2"]')
)sql");
    return d;
  }();
  return d;
}

void run(query::Expr e) {
  static const json params = {{"s", "x"}, {"n", 5}, {"f", 1.5}, {"b", true}, {"z", nullptr}, {"d", "2026-01-01"}};
  query::bindPlaceholders(e, params);
  auto where = sqlite::compileFilter(e, resolve, "2026-11-24T12:00:00.000Z");
  SQLite::Statement q(db(), "SELECT id FROM t WHERE " + where.sql + " ORDER BY id");
  sqlite::bindValues(q, where.params);
  while (q.executeStep()) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expectOnlyErrors([&] { (void)query::parseSort(text); });
  if (!text.empty() && text.front() == '{') {
    auto obj = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (obj.is_object()) fuzz::expectOnlyErrors([&] { run(query::objectFilter(obj)); });
    return 0;
  }
  fuzz::expectOnlyErrors([&] { run(query::parseFilter(text)); });
  return 0;
}
