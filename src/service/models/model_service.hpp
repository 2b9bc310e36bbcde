// Models (schemas) of a project: CRUD with validation, and schema changes on
// models that hold data (conversions checked against every record first).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/model.hpp"
#include "domain/page.hpp"
#include "service/auth/principal.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

class ModelService {
 public:
  ModelService(store::Store& store, ProjectService& projects);

  domain::Page<domain::Model> list(const Principal& who, const std::string& projectId, const domain::PageRequest& page);
  domain::Model get(const Principal& who, const std::string& projectId, const std::string& idOrName);
  domain::Model create(const Principal& who, const std::string& projectId, const nlohmann::json& body);
  // Partial: only the keys present change. `fields` replaces the field list
  // (matched by key, or by old_key for a rename).
  domain::Model update(const Principal& who, const std::string& projectId, const std::string& idOrName,
                       const nlohmann::json& body);
  void remove(const Principal& who, const std::string& projectId, const std::string& idOrName);

  // For records and the runtime (no permission check: the caller did it).
  // NOT_FOUND when the project has no such model. Cached until a change.
  std::shared_ptr<const domain::Model> model(const std::string& projectId, const std::string& idOrName);
  std::vector<domain::Model> all(const std::string& projectId);
  // TypeScript of the project's models for the editor.
  std::string declarations(const Principal& who, const std::string& projectId);

 private:
  void forget(const std::string& projectId);
  // Brackets a schema change: from before its transaction's first write until
  // after its commit (or rollback) nothing is cached, so no one — in
  // particular a record write queued for the group commit — can pick up the
  // previous model from the cache in the instant after the commit.
  class SchemaChange;
  domain::Model applyChange(const domain::Model& before, const nlohmann::json& body);

  store::Store& store_;
  ProjectService& projects_;
  std::mutex cacheMutex_;
  std::uint64_t generation_ = 0;  // bumped by forget(): a read that raced a change is not cached
  int changing_ = 0;              // schema changes in progress: while > 0 nothing is cached
  std::unordered_map<std::string, std::unordered_map<std::string, std::shared_ptr<const domain::Model>>> cache_;
};

}  // namespace m3m::service
