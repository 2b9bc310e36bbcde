// SQLite driver specifics: filters and sorts on indexed fields use the index
// (the query plan says so), and the filter's values never reach the SQL text.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "store/query/filter.hpp"
#include "store/sqlite/record_table.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"

using namespace m3m;

namespace {

std::string plan(SQLite::Database& db, const domain::Model& m, const std::string& filter, const std::string& sort) {
  auto orderBy = sort.empty() ? std::string() : store::sqlite::orderByClause(m, store::query::parseSort(sort));
  auto where = store::sqlite::compileFilter(store::query::parseFilter(filter), store::sqlite::resolverFor(m), "");
  SQLite::Statement q(db, "EXPLAIN QUERY PLAN SELECT id FROM " + store::sqlite::sqlName(store::sqlite::tableName(m)) +
                              " WHERE " + where.sql + orderBy);
  store::sqlite::bindValues(q, where.params);
  std::string out;
  while (q.executeStep()) out += q.getColumn(3).getString() + "\n";
  return out;
}

}  // namespace

TEST(SqliteRecords, IndexedFieldsUseTheirIndexForFiltersAndSorts) {
  TempDir dir;
  config::DatabaseConfig c;
  c.path = dir.file("m3m.db");
  auto store = store::openStore(c);
  domain::User u;
  u.id = "u1";
  u.email = "o@x.io";
  u.passwordHash = "x";
  u.createdAt = u.updatedAt = "2026-01-01T00:00:00.000Z";
  store->repos().users().create(u);
  domain::Project p;
  p.id = "p1";
  p.name = p.slug = "p";
  p.ownerId = "u1";
  p.apiKeyHash = "h";
  p.createdAt = p.updatedAt = u.createdAt;
  store->repos().projects().create(p);
  domain::Model m;
  m.id = "11111111-2222-4333-8444-555555555555";
  m.projectId = "p1";
  m.name = "items";
  domain::ModelField category, score, note;
  category.key = "category", category.type = "string", category.column = "c1", category.indexed = true;
  score.key = "score", score.type = "integer", score.column = "c2", score.indexed = true;
  note.key = "note", note.type = "string", note.column = "c3";
  m.fields = {category, score, note};
  m.indexes = {{{"category", "score"}, false}};
  m.createdAt = m.updatedAt = u.createdAt;
  store->repos().models().create(m);

  SQLite::Database db(c.path, SQLite::OPEN_READONLY);
  EXPECT_NE(plan(db, m, "category = 'c7'", "").find("USING INDEX"), std::string::npos);
  auto both = plan(db, m, "category = 'c7' && score > 500", "-score");
  EXPECT_NE(both.find("USING INDEX"), std::string::npos) << both;
  EXPECT_EQ(both.find("TEMP B-TREE"), std::string::npos) << "the composite index also orders: " << both;
  EXPECT_NE(plan(db, m, "score >= 3", "").find("USING INDEX"), std::string::npos);
  auto sorted = plan(db, m, "note ~ 'x'", "score");
  EXPECT_EQ(plan(db, m, "note ~ 'x'", "-category").find("TEMP B-TREE"), std::string::npos) << "descending too";
  EXPECT_EQ(plan(db, m, "note ~ 'x'", "").find("TEMP B-TREE"), std::string::npos) << "the default order (created) too";
  EXPECT_EQ(sorted.find("TEMP B-TREE"), std::string::npos) << "sort by an indexed field walks the index: " << sorted;
  EXPECT_NE(plan(db, m, "note = 'x'", "").find("SCAN"), std::string::npos) << "an unindexed field scans";
}
