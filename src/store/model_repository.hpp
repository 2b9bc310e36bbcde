// Models (schemas) and their records, in the domain's terms. A driver keeps
// each model's records however it likes (SQLite: one table per model); the
// filter arrives as the engine-neutral syntax tree of store/query.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/model.hpp"
#include "domain/page.hpp"
#include "store/query/filter.hpp"

namespace m3m::store {

class ModelRepository {
 public:
  virtual ~ModelRepository() = default;
  virtual domain::Page<domain::Model> list(const std::string& projectId, const domain::PageRequest& page) = 0;
  virtual std::vector<domain::Model> all(const std::string& projectId) = 0;
  // By id, or else by name.
  virtual std::optional<domain::Model> find(const std::string& projectId, const std::string& idOrName) = 0;
  // Stores the model and creates its (empty) record storage. CONFLICT
  // (fields.name) when the name is taken.
  virtual void create(const domain::Model& m) = 0;
  // Stores `after` and changes the record storage from `before`'s shape:
  // new fields get a column (filled with `fillNew[key]` when given), removed
  // fields lose theirs, indexes follow. Matching is by ModelField::column.
  // UNIQUE_VIOLATION when a new unique index does not hold for the data.
  virtual void update(const domain::Model& before, const domain::Model& after,
                      const nlohmann::json& fillNew) = 0;
  // Deletes the model and all its records.
  virtual bool remove(const domain::Model& m) = 0;
};

struct RecordQuery {
  std::optional<query::Expr> filter;
  std::vector<query::SortKey> sort;  // empty: created, then id
  std::int64_t limit = 30;
  std::int64_t offset = 0;
  bool countTotal = true;
};

struct RecordPage {
  std::vector<nlohmann::json> items;
  std::int64_t totalItems = -1;  // -1 when not counted
};

class RecordRepository {
 public:
  virtual ~RecordRepository() = default;
  // `record` holds id, created, updated and every field key. UNIQUE_VIOLATION
  // (fields: the keys of the violated index) when a unique index objects.
  virtual void insert(const domain::Model& m, const nlohmann::json& record) = 0;
  virtual std::optional<nlohmann::json> get(const domain::Model& m, const std::string& id) = 0;
  virtual std::vector<nlohmann::json> getMany(const domain::Model& m, const std::vector<std::string>& ids) = 0;
  virtual RecordPage find(const domain::Model& m, const RecordQuery& q, const std::string& nowIso) = 0;
  virtual std::int64_t count(const domain::Model& m, const query::Expr* filter, const std::string& nowIso) = 0;
  // Ids of the records that match, in storage order (for updates/deletes by filter).
  virtual std::vector<std::string> matchingIds(const domain::Model& m, const query::Expr* filter,
                                               const std::string& nowIso) = 0;
  // Ids of records whose ref field `key` holds `targetId` (single or multiple).
  virtual std::vector<std::string> referencing(const domain::Model& m, const std::string& key,
                                               const std::string& targetId) = 0;
  // Sets the given keys (and `updated`, when present in `patch`). false when the record is gone.
  virtual bool update(const domain::Model& m, const std::string& id, const nlohmann::json& patch) = 0;
  virtual bool remove(const domain::Model& m, const std::string& id) = 0;
  // Every record (schema changes convert values in the service).
  virtual std::vector<nlohmann::json> scan(const domain::Model& m) = 0;
};

}  // namespace m3m::store
