// Records of a project's models: validation against the model, ref integrity
// and delete policies, filtered/sorted/paged listing with expand, and the
// operations of the runtime's `database` module (same rules, no principal:
// the project itself is the caller).
#pragma once

#include <exception>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "lib/sortable_id.hpp"
#include "service/auth/principal.hpp"
#include "service/models/model_service.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct RecordListParams {
  std::optional<std::string> filter;  // present but blank → 400 (docs/models.md)
  std::string sort;
  int page = 1;
  int perPage = 30;
  bool skipTotal = false;
  std::vector<std::string> fields;  // empty: all
  std::vector<std::string> expand;
};

struct RecordList {
  std::vector<nlohmann::json> items;
  int page = 1;
  int perPage = 30;
  std::int64_t totalItems = -1;  // -1 with skipTotal
};

// A filter as the runtime passes it: a filter-language string (with
// `params` for its {:placeholders}), an object filter, or null for all.
struct FilterInput {
  nlohmann::json filter;
  nlohmann::json params = nlohmann::json::object();
};

struct FindOptions {
  std::string sort;
  std::int64_t limit = 100;
  std::int64_t skip = 0;
  std::vector<std::string> expand;
};

class RecordService {
 public:
  RecordService(store::Store& store, ProjectService& projects, ModelService& models);

  RecordList list(const Principal& who, const std::string& projectId, const std::string& model,
                  const RecordListParams& params);
  nlohmann::json get(const Principal& who, const std::string& projectId, const std::string& model,
                     const std::string& id, const std::vector<std::string>& expand, const std::vector<std::string>& fields);
  // Record writes of the API. Access and the model are checked at once (these
  // throw); the write itself joins a group commit (Store::transactionGrouped)
  // and `done` gets its outcome — the record (null after a delete) or the
  // error — on the store's writer thread, after the commit.
  using Done = std::function<void(std::exception_ptr, nlohmann::json)>;
  void create(const Principal& who, const std::string& projectId, const std::string& model, nlohmann::json body,
              Done done);
  void update(const Principal& who, const std::string& projectId, const std::string& model, std::string id,
              nlohmann::json body, Done done);
  void remove(const Principal& who, const std::string& projectId, const std::string& model, std::string id,
              Done done);

  // The runtime's database module.
  nlohmann::json insert(const std::string& projectId, const std::string& model, const nlohmann::json& record);
  std::vector<nlohmann::json> find(const std::string& projectId, const std::string& model, const FilterInput& filter,
                                   const FindOptions& options);
  std::optional<nlohmann::json> findOne(const std::string& projectId, const std::string& model,
                                        const FilterInput& filter);
  std::int64_t count(const std::string& projectId, const std::string& model, const FilterInput& filter);
  // Atomic: match and change in one write transaction. Returns how many changed.
  std::int64_t updateWhere(const std::string& projectId, const std::string& model, const FilterInput& filter,
                           const nlohmann::json& patch);
  std::int64_t removeWhere(const std::string& projectId, const std::string& model, const FilterInput& filter);
  // Updates the first (oldest) match with `record`, or inserts it. Atomic.
  nlohmann::json upsert(const std::string& projectId, const std::string& model, const FilterInput& filter,
                        const nlohmann::json& record);
  // fn runs inside one write transaction (every call above made from this
  // thread joins it); commits when fn returns, rolls back when it throws.
  void transaction(const std::function<void()>& fn);

 private:
  nlohmann::json insertInto(const std::string& projectId, const domain::Model& m, const nlohmann::json& record);
  nlohmann::json patchRecord(const std::string& projectId, const domain::Model& m, const std::string& id,
                             const nlohmann::json& patch);
  // Validated, canonical values of `input` (all fields when creating).
  nlohmann::json prepare(const std::string& projectId, const domain::Model& m, const nlohmann::json& input,
                         bool creating);
  void removeRecord(const std::string& projectId, const domain::Model& m, const std::string& id, int depth);
  void expandRefs(const std::string& projectId, const domain::Model& m, std::vector<nlohmann::json>& items,
                  const std::vector<std::string>& expand);
  std::optional<store::query::Expr> compile(const FilterInput& in);
  void grouped(std::function<nlohmann::json()> write, Done done);

  store::Store& store_;
  ProjectService& projects_;
  ModelService& models_;
  lib::SortableIds ids_;  // ordered: inserts append to the id index instead of dirtying a random page
};

}  // namespace m3m::service
