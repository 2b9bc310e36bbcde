// One JSON shape for a model's fields and indexes, shared by the API views
// and the stored definition (which adds the storage columns).
#pragma once

#include <nlohmann/json.hpp>

#include "domain/model.hpp"

namespace m3m::domain {

nlohmann::json fieldToJson(const ModelField& f, bool withStorage);
// Trusted input (a stored definition, or one the service validated).
ModelField fieldFromJson(const nlohmann::json& j);

nlohmann::json indexToJson(const ModelIndex& ix);

// The stored definition: description, fields with columns, indexes, view
// settings and the column counter.
nlohmann::json modelDefinition(const Model& m);
void applyDefinition(Model& m, const nlohmann::json& definition);

// The API view of a model.
nlohmann::json modelToJson(const Model& m);

}  // namespace m3m::domain
