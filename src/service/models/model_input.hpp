// Reading a model definition sent by a client: every mistake is collected
// with its path ("fields.2.min: not an option of type bool").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "service/validation.hpp"

namespace m3m::service::models {

// A field as sent, with the key it had before (PUT renames).
struct FieldInput {
  domain::ModelField field;
  std::optional<std::string> oldKey;
};

// Parses fields[]; `modelNames` are the project's model names (ref targets),
// `selfName` the model's own name (a ref may point at its own model).
std::vector<FieldInput> readFields(const nlohmann::json& fields, Validation& v, bool allowOldKey);
void checkRefTargets(const std::vector<FieldInput>& fields, const std::vector<std::string>& modelNames,
                     const std::string& selfName, Validation& v);
std::vector<domain::ModelIndex> readIndexes(const nlohmann::json& indexes, const std::vector<domain::ModelField>& fields,
                                            Validation& v);
// table_config / form_config: known keys only, field keys must exist.
nlohmann::json readTableConfig(const nlohmann::json& j, const std::vector<domain::ModelField>& fields, Validation& v);
nlohmann::json readFormConfig(const nlohmann::json& j, const std::vector<domain::ModelField>& fields, Validation& v);
bool isReservedModelName(const std::string& name);

}  // namespace m3m::service::models
