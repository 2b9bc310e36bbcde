#include "domain/model_json.hpp"

namespace m3m::domain {

nlohmann::json fieldToJson(const ModelField& f, bool withStorage) {
  nlohmann::json j = {{"key", f.key},          {"type", f.type},       {"required", f.required},
                      {"nullable", f.nullable}, {"unique", f.unique},   {"indexed", f.indexed}};
  if (f.type == "select" || f.type == "ref") j["multiple"] = f.multiple;
  if (f.defaultValue) j["default"] = *f.defaultValue;
  // Bounds are kept as doubles; an integer field's come back as integers (min: 1, not 1.0).
  auto bound = [&](double d) { return f.type == "integer" ? nlohmann::json(static_cast<std::int64_t>(d)) : nlohmann::json(d); };
  if (f.min) j["min"] = bound(*f.min);
  if (f.max) j["max"] = bound(*f.max);
  if (f.minLength) j["min_length"] = *f.minLength;
  if (f.maxLength) j["max_length"] = *f.maxLength;
  if (f.pattern) j["pattern"] = *f.pattern;
  if (f.type == "select") j["values"] = f.values;
  if (f.type == "ref") {
    j["model"] = f.refModel;
    j["on_delete"] = f.onDelete;
  }
  if (withStorage) j["column"] = f.column;
  return j;
}

ModelField fieldFromJson(const nlohmann::json& j) {
  ModelField f;
  f.key = j.value("key", "");
  f.type = j.value("type", "");
  f.required = j.value("required", false);
  f.nullable = j.value("nullable", true);
  f.unique = j.value("unique", false);
  f.indexed = j.value("indexed", false);
  f.multiple = j.value("multiple", false);
  if (j.contains("default")) f.defaultValue = j["default"];
  if (j.contains("min")) f.min = j["min"].get<double>();
  if (j.contains("max")) f.max = j["max"].get<double>();
  if (j.contains("min_length")) f.minLength = j["min_length"].get<std::int64_t>();
  if (j.contains("max_length")) f.maxLength = j["max_length"].get<std::int64_t>();
  if (j.contains("pattern")) f.pattern = j["pattern"].get<std::string>();
  if (j.contains("values")) f.values = j["values"].get<std::vector<std::string>>();
  f.refModel = j.value("model", "");
  f.onDelete = j.value("on_delete", "");
  f.column = j.value("column", "");
  return f;
}

nlohmann::json indexToJson(const ModelIndex& ix) { return {{"fields", ix.fields}, {"unique", ix.unique}}; }

namespace {
nlohmann::json fieldsJson(const Model& m, bool withStorage) {
  auto out = nlohmann::json::array();
  for (const auto& f : m.fields) out.push_back(fieldToJson(f, withStorage));
  return out;
}
nlohmann::json indexesJson(const Model& m) {
  auto out = nlohmann::json::array();
  for (const auto& ix : m.indexes) out.push_back(indexToJson(ix));
  return out;
}
}  // namespace

nlohmann::json modelDefinition(const Model& m) {
  return {{"description", m.description},   {"fields", fieldsJson(m, true)},
          {"indexes", indexesJson(m)},      {"table_config", m.tableConfig},
          {"form_config", m.formConfig},    {"next_column", m.nextColumn}};
}

void applyDefinition(Model& m, const nlohmann::json& d) {
  m.description = d.value("description", "");
  m.fields.clear();
  for (const auto& f : d.value("fields", nlohmann::json::array())) m.fields.push_back(fieldFromJson(f));
  m.indexes.clear();
  for (const auto& ix : d.value("indexes", nlohmann::json::array()))
    m.indexes.push_back({ix.value("fields", std::vector<std::string>{}), ix.value("unique", false)});
  m.tableConfig = d.value("table_config", nlohmann::json::object());
  m.formConfig = d.value("form_config", nlohmann::json::object());
  m.nextColumn = d.value("next_column", 1);
}

nlohmann::json modelToJson(const Model& m) {
  return {{"id", m.id},
          {"project_id", m.projectId},
          {"name", m.name},
          {"description", m.description},
          {"fields", fieldsJson(m, false)},
          {"indexes", indexesJson(m)},
          {"table_config", m.tableConfig},
          {"form_config", m.formConfig},
          {"created_at", m.createdAt},
          {"updated_at", m.updatedAt}};
}

}  // namespace m3m::domain
