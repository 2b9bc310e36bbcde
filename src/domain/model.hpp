// A project's data model (typed collection) and its fields. Records are plain
// JSON objects keyed by field key plus the system fields id/created/updated.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace m3m::domain {

struct ModelField {
  std::string key;
  std::string type;  // string text integer float bool document file ref date datetime email url select
  bool required = false;
  bool nullable = true;
  bool unique = false;
  bool indexed = false;
  bool multiple = false;  // select, ref
  std::optional<nlohmann::json> defaultValue;
  std::optional<double> min, max;                 // integer, float
  std::optional<std::int64_t> minLength, maxLength;  // string-like
  std::optional<std::string> pattern;             // string-like
  std::vector<std::string> values;                // select
  std::string refModel;                           // ref: the target model's name
  std::string onDelete;                           // ref: restrict | set_null | cascade
  // Storage: the column holding this field. Assigned once when the field is
  // created and kept across renames, so a rename never touches the data.
  std::string column;
};

struct ModelIndex {
  std::vector<std::string> fields;  // field keys
  bool unique = false;
};

struct Model {
  std::string id;
  std::string projectId;
  std::string name;
  std::string description;
  std::vector<ModelField> fields;
  std::vector<ModelIndex> indexes;
  nlohmann::json tableConfig = nlohmann::json::object();
  nlohmann::json formConfig = nlohmann::json::object();
  int nextColumn = 1;  // the next storage column number (never reused)
  std::string createdAt;
  std::string updatedAt;

  const ModelField* field(const std::string& key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
};

// System fields every record has.
inline bool isSystemField(const std::string& key) { return key == "id" || key == "created" || key == "updated"; }

}  // namespace m3m::domain
