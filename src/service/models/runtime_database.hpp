// The runtime's `database` module backed by RecordService: converts the
// module's loose JS arguments (options objects) into service calls.
#pragma once

#include "runtime/modules/builtin_modules.hpp"
#include "service/models/record_service.hpp"

namespace m3m::service {

class RuntimeDatabase final : public runtime::DatabaseBackend {
 public:
  explicit RuntimeDatabase(RecordService& records) : records_(records) {}
  Value insert(const std::string& projectId, const std::string& model, const Value& record) override;
  Value find(const std::string& projectId, const std::string& model, const Value& filter, const Value& options) override;
  Value findOne(const std::string& projectId, const std::string& model, const Value& filter,
                const Value& options) override;
  std::int64_t count(const std::string& projectId, const std::string& model, const Value& filter,
                     const Value& options) override;
  std::int64_t update(const std::string& projectId, const std::string& model, const Value& filter, const Value& patch,
                      const Value& options) override;
  std::int64_t remove(const std::string& projectId, const std::string& model, const Value& filter,
                      const Value& options) override;
  Value upsert(const std::string& projectId, const std::string& model, const Value& filter, const Value& record,
               const Value& options) override;
  void transaction(const std::function<void()>& fn) override;

 private:
  RecordService& records_;
};

// TypeScript for a project's models: one record interface per model and its
// entry in M3MModels (merged with the database module's declarations).
std::string modelDeclarations(const std::vector<domain::Model>& models);

}  // namespace m3m::service
