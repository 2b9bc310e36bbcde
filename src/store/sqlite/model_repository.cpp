#include "store/sqlite/model_repository.hpp"


#include <set>

#include "domain/model_json.hpp"
#include "lib/json.hpp"
#include "store/sqlite/record_table.hpp"
#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

constexpr const char* kColumns = "id, project_id, name, definition, created_at, updated_at";

domain::Model readModel(SQLite::Statement& q) {
  domain::Model m;
  m.id = q.getColumn(0).getString();
  m.projectId = q.getColumn(1).getString();
  m.name = q.getColumn(2).getString();
  domain::applyDefinition(m, lib::parseJson(q.getColumn(3).getString(), "the stored model definition"));
  m.createdAt = q.getColumn(4).getString();
  m.updatedAt = q.getColumn(5).getString();
  return m;
}

}  // namespace

domain::Page<domain::Model> SqliteModelRepository::list(const std::string& projectId, const domain::PageRequest& page) {
  domain::Page<domain::Model> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::Model>(db, page, kColumns,
                                    "models WHERE project_id = ?1 AND (?2 = '' OR name LIKE ?3 ESCAPE '\\')", "name",
                                    readModel, projectId, page.search, likeContains(page.search));
  });
  return out;
}

std::vector<domain::Model> SqliteModelRepository::all(const std::string& projectId) {
  std::vector<domain::Model> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns + " FROM models WHERE project_id = ? ORDER BY name");
    bindAll(q, projectId);
    while (q.executeStep()) out.push_back(readModel(q));
  });
  return out;
}

std::optional<domain::Model> SqliteModelRepository::find(const std::string& projectId, const std::string& idOrName) {
  std::optional<domain::Model> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kColumns +
                                " FROM models WHERE project_id = ?1 AND (id = ?2 OR name = ?2) ORDER BY id = ?2 DESC LIMIT 1");
    bindAll(q, projectId, idOrName);
    if (q.executeStep()) out = readModel(q);
  });
  return out;
}

void SqliteModelRepository::create(const domain::Model& m) {
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "model_create");  // nests inside an outer transaction
    mapUnique("name", "a model named \"" + m.name + "\" already exists in this project", [&] {
      SQLite::Statement q(db, "INSERT INTO models (id, project_id, name, definition, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?)");
      bindAll(q, m.id, m.projectId, m.name, domain::modelDefinition(m).dump(), m.createdAt, m.updatedAt);
      q.exec();
    });
    createTable(db, m);
    tx.release();
  });
}

void SqliteModelRepository::update(const domain::Model& before, const domain::Model& after,
                                   const nlohmann::json& fillNew) {
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "model_change");
    mapUnique("name", "a model named \"" + after.name + "\" already exists in this project", [&] {
      SQLite::Statement q(db, "UPDATE models SET name = ?, definition = ?, updated_at = ? WHERE id = ?");
      bindAll(q, after.name, domain::modelDefinition(after).dump(), after.updatedAt, after.id);
      q.exec();
    });
    const auto table = sqlName(tableName(after));
    std::set<std::string> keep;
    for (const auto& f : after.fields) keep.insert(f.column);
    // Indexes first: SQLite refuses to drop an indexed column.
    domain::Model shrunk = before;
    std::erase_if(shrunk.fields, [&](const domain::ModelField& f) { return !keep.count(f.column); });
    std::erase_if(shrunk.indexes, [](const auto&) { return true; });
    syncIndexes(db, shrunk);
    for (const auto& f : before.fields)
      if (!keep.count(f.column)) db.exec("ALTER TABLE " + table + " DROP COLUMN " + sqlName(f.column));
    std::set<std::string> had;
    for (const auto& f : before.fields) had.insert(f.column);
    for (const auto& f : after.fields) {
      if (had.count(f.column)) continue;
      db.exec("ALTER TABLE " + table + " ADD COLUMN " + sqlName(f.column) + " ANY");
      if (fillNew.contains(f.key) && !fillNew[f.key].is_null()) {
        SQLite::Statement q(db, "UPDATE " + table + " SET " + sqlName(f.column) + " = ?");
        bindValues(q, {encodeValue(f, fillNew[f.key])});
        q.exec();
      }
    }
    mapRecordConstraint(after, [&] { syncIndexes(db, after); });
    tx.release();
  });
}

bool SqliteModelRepository::remove(const domain::Model& m) {
  bool removed = false;
  db_.write([&](SQLite::Database& db) {
    Savepoint tx(db, "model_change");
    SQLite::Statement q(db, "DELETE FROM models WHERE id = ?");
    bindAll(q, m.id);
    removed = q.exec() > 0;
    db.exec("DROP TABLE IF EXISTS " + sqlName(tableName(m)));
    tx.release();
  });
  return removed;
}

void dropProjectModelTables(SQLite::Database& db, const std::string& projectId) {
  std::vector<std::string> tables;
  SQLite::Statement q(db, "SELECT id FROM models WHERE project_id = ?");
  bindAll(q, projectId);
  while (q.executeStep()) {
    domain::Model m;
    m.id = q.getColumn(0).getString();
    tables.push_back(tableName(m));
  }
  for (const auto& t : tables) db.exec("DROP TABLE IF EXISTS " + sqlName(t));
}

}  // namespace m3m::store::sqlite
