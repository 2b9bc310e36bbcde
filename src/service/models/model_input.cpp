#include "service/models/model_input.hpp"

#include <cmath>
#include <cstdint>
#include <set>

#include "lib/regex.hpp"
#include "service/models/field_values.hpp"

namespace m3m::service::models {
namespace {

// A bound of an integer field: integral and exact as the double it is kept in.
bool isExactInteger(const nlohmann::json& n) {
  constexpr std::int64_t kExact = 1ll << 53;
  if (n.is_number_unsigned()) return n.get<std::uint64_t>() <= static_cast<std::uint64_t>(kExact);
  if (n.is_number_integer()) return n.get<std::int64_t>() >= -kExact && n.get<std::int64_t>() <= kExact;
  double d = n.get<double>();
  return std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0;
}

const std::set<std::string> kOptions = {"key",        "type",       "required", "nullable", "unique",
                                        "indexed",    "multiple",   "default",  "min",      "max",
                                        "min_length", "max_length", "pattern",  "values",   "model",
                                        "on_delete",  "old_key"};

// Which types an option applies to (empty: all).
bool optionApplies(const std::string& option, const std::string& type) {
  if (option == "min" || option == "max") return type == "integer" || type == "float";
  if (option == "min_length" || option == "max_length" || option == "pattern") return isStringLike(type);
  if (option == "values") return type == "select";
  if (option == "multiple") return type == "select" || type == "ref";
  if (option == "model" || option == "on_delete") return type == "ref";
  if (option == "unique" || option == "indexed") return type != "document";
  return true;
}

bool isSystemOrReserved(const std::string& key) { return domain::isSystemField(key) || key == "expand"; }

void readBool(const nlohmann::json& j, const char* name, bool& out, const std::string& at, Validation& v) {
  if (!j.contains(name)) return;
  if (!j[name].is_boolean()) return v.fail(at + name, "must be true or false");
  out = j[name].get<bool>();
}

void readLength(const nlohmann::json& j, const char* name, std::optional<std::int64_t>& out, const std::string& at,
                Validation& v) {
  if (!j.contains(name)) return;
  if (!j[name].is_number_integer() || j[name].get<std::int64_t>() < 0)
    return v.fail(at + name, "must be a non-negative integer");
  out = j[name].get<std::int64_t>();
}

FieldInput readField(const nlohmann::json& j, const std::string& at, Validation& v, bool allowOldKey) {
  FieldInput in;
  auto& f = in.field;
  if (!j.is_object()) {
    v.fail(at.substr(0, at.size() - 1), "must be an object");
    return in;
  }
  if (!j.contains("key") || !j["key"].is_string()) v.fail(at + "key", "required (a string)");
  else {
    f.key = j["key"].get<std::string>();
    if (!isIdentifier(f.key)) v.fail(at + "key", "must start with a letter and hold only letters, digits and _ (≤ 63)");
    else if (isSystemOrReserved(f.key)) v.fail(at + "key", "\"" + f.key + "\" is reserved");
  }
  if (!j.contains("type") || !j["type"].is_string()) {
    v.fail(at + "type", "required (a string)");
    return in;
  }
  f.type = j["type"].get<std::string>();
  if (f.type == "number") f.type = "float";
  if (!isKnownFieldType(f.type)) {
    std::string list;
    for (const char* t : kFieldTypes) list += (list.empty() ? "" : ", ") + std::string(t);
    v.fail(at + "type", "unknown type \"" + f.type + "\" (one of: " + list + ")");
    return in;
  }
  for (const auto& [option, _] : j.items()) {
    if (!kOptions.count(option)) v.unknown(at + option);
    else if (option == "old_key" && !allowOldKey) v.fail(at + option, "only when changing a model");
    else if (!optionApplies(option, f.type)) v.fail(at + option, "not an option of type " + f.type);
  }
  readBool(j, "required", f.required, at, v);
  readBool(j, "nullable", f.nullable, at, v);
  readBool(j, "unique", f.unique, at, v);
  readBool(j, "indexed", f.indexed, at, v);
  readBool(j, "multiple", f.multiple, at, v);
  if (f.unique && f.multiple) v.fail(at + "unique", "not possible on a multiple field");
  for (const char* name : {"min", "max"}) {
    if (!j.contains(name) || !optionApplies(name, f.type)) continue;
    if (!j[name].is_number()) v.fail(at + name, "must be a number");
    else if (f.type == "integer" && !isExactInteger(j[name])) v.fail(at + name, "must be an integer (|n| ≤ 2^53)");
    else (std::string(name) == "min" ? f.min : f.max) = j[name].get<double>();
  }
  if (f.min && f.max && *f.min > *f.max) v.fail(at + "min", "must not exceed max");
  readLength(j, "min_length", f.minLength, at, v);
  readLength(j, "max_length", f.maxLength, at, v);
  if (f.minLength && f.maxLength && *f.minLength > *f.maxLength) v.fail(at + "min_length", "must not exceed max_length");
  if (j.contains("pattern") && optionApplies("pattern", f.type)) {
    if (!j["pattern"].is_string() || j["pattern"].get<std::string>().size() > 1000) {
      v.fail(at + "pattern", "must be a string (≤ 1000 characters)");
    } else {
      try {
        lib::Regex check(j["pattern"].get<std::string>());
        f.pattern = j["pattern"].get<std::string>();
      } catch (const lib::RegexError& e) {
        v.fail(at + "pattern", std::string("not a valid regular expression: ") + e.what());
      }
    }
  }
  if (f.type == "select") {
    const auto& vals = j.contains("values") ? j["values"] : nlohmann::json();
    std::set<std::string> seen;
    bool ok = vals.is_array() && !vals.empty();
    for (const auto& x : ok ? vals : nlohmann::json::array()) {
      if (!x.is_string() || x.get<std::string>().empty() || !seen.insert(x.get<std::string>()).second) ok = false;
      else f.values.push_back(x.get<std::string>());
    }
    if (!ok) v.fail(at + "values", "required: a non-empty list of distinct, non-empty strings");
  }
  if (f.type == "ref") {
    if (!j.contains("model") || !j["model"].is_string() || !isIdentifier(j["model"].get<std::string>()))
      v.fail(at + "model", "required: the name of the target model");
    else f.refModel = j["model"].get<std::string>();
    f.onDelete = "restrict";
    if (j.contains("on_delete")) {
      auto p = j["on_delete"].is_string() ? j["on_delete"].get<std::string>() : "";
      if (p != "restrict" && p != "set_null" && p != "cascade")
        v.fail(at + "on_delete", "must be restrict, set_null or cascade");
      else f.onDelete = p;
    }
    if (f.onDelete == "set_null" && !f.multiple && (f.required || !f.nullable))
      v.fail(at + "on_delete", "set_null needs a nullable, not required field");
  }
  if (j.contains("default")) {
    if (f.type == "ref") v.fail(at + "default", "ref fields take no default");
    else if (!j["default"].is_null()) {
      std::string why;
      auto d = checkValue(f, j["default"], why);
      if (!d) v.fail(at + "default", why);
      else f.defaultValue = *d;
    }
  }
  if (j.contains("old_key") && allowOldKey) {
    if (!j["old_key"].is_string()) v.fail(at + "old_key", "must be a string");
    else in.oldKey = j["old_key"].get<std::string>();
  }
  return in;
}

std::set<std::string> keysOf(const std::vector<domain::ModelField>& fields) {
  std::set<std::string> keys = {"id", "created", "updated"};
  for (const auto& f : fields) keys.insert(f.key);
  return keys;
}

// A list of known field keys at `at`.
nlohmann::json keyList(const nlohmann::json& j, const std::set<std::string>& keys, const std::string& at,
                       Validation& v) {
  if (!j.is_array()) {
    v.fail(at, "must be a list of field keys");
    return nlohmann::json::array();
  }
  for (size_t i = 0; i < j.size(); ++i)
    if (!j[i].is_string() || !keys.count(j[i].get<std::string>()))
      v.fail(at + "." + std::to_string(i), "not a field of this model");
  return j;
}

}  // namespace

std::vector<FieldInput> readFields(const nlohmann::json& fields, Validation& v, bool allowOldKey) {
  std::vector<FieldInput> out;
  if (!fields.is_array()) {
    v.fail("fields", "must be a list");
    return out;
  }
  if (fields.size() > 200) v.fail("fields", "at most 200 fields");
  std::set<std::string> keys;
  for (size_t i = 0; i < fields.size(); ++i) {
    auto at = "fields." + std::to_string(i) + ".";
    out.push_back(readField(fields[i], at, v, allowOldKey));
    const auto& key = out.back().field.key;
    if (!key.empty() && !keys.insert(key).second) v.fail(at + "key", "duplicate key \"" + key + "\"");
  }
  return out;
}

void checkRefTargets(const std::vector<FieldInput>& fields, const std::vector<std::string>& modelNames,
                     const std::string& selfName, Validation& v) {
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i].field;
    if (f.type != "ref" || f.refModel.empty() || f.refModel == selfName) continue;
    if (std::find(modelNames.begin(), modelNames.end(), f.refModel) == modelNames.end())
      v.fail("fields." + std::to_string(i) + ".model", "no model named \"" + f.refModel + "\" in this project");
  }
}

std::vector<domain::ModelIndex> readIndexes(const nlohmann::json& indexes, const std::vector<domain::ModelField>& fields,
                                            Validation& v) {
  std::vector<domain::ModelIndex> out;
  if (!indexes.is_array()) {
    v.fail("indexes", "must be a list");
    return out;
  }
  for (size_t i = 0; i < indexes.size(); ++i) {
    auto at = "indexes." + std::to_string(i);
    const auto& j = indexes[i];
    if (!j.is_object() || !j.contains("fields") || !j["fields"].is_array() || j["fields"].empty() ||
        j["fields"].size() > 8) {
      v.fail(at + ".fields", "required: a list of 1 to 8 field keys");
      continue;
    }
    domain::ModelIndex ix;
    if (j.contains("unique")) {
      if (!j["unique"].is_boolean()) v.fail(at + ".unique", "must be true or false");
      else ix.unique = j["unique"].get<bool>();
    }
    for (const auto& [k, _] : j.items())
      if (k != "fields" && k != "unique") v.unknown(at + "." + k);
    std::set<std::string> seen;
    for (size_t n = 0; n < j["fields"].size(); ++n) {
      const auto& key = j["fields"][n];
      auto fat = at + ".fields." + std::to_string(n);
      const domain::ModelField* f = nullptr;
      for (const auto& x : fields)
        if (key.is_string() && x.key == key.get<std::string>()) f = &x;
      if (!f) v.fail(fat, "not a field of this model");
      else if (f->type == "document") v.fail(fat, "document fields cannot be indexed");
      else if (ix.unique && f->multiple) v.fail(fat, "multiple fields cannot be in a unique index");
      else if (!seen.insert(f->key).second) v.fail(fat, "listed twice");
      else ix.fields.push_back(f->key);
    }
    out.push_back(std::move(ix));
  }
  return out;
}

nlohmann::json readTableConfig(const nlohmann::json& j, const std::vector<domain::ModelField>& fields, Validation& v) {
  if (!j.is_object()) {
    v.fail("table_config", "must be an object");
    return nlohmann::json::object();
  }
  auto keys = keysOf(fields);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, val] : j.items()) {
    if (k == "columns" || k == "filters" || k == "sort_columns") out[k] = keyList(val, keys, "table_config." + k, v);
    else if (k == "default_sort") {
      auto s = val.is_string() ? val.get<std::string>() : "";
      auto key = !s.empty() && (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
      if (!keys.count(key)) v.fail("table_config.default_sort", "a field key, optionally with - for descending");
      out[k] = s;
    } else v.unknown("table_config." + k);
  }
  return out;
}

nlohmann::json readFormConfig(const nlohmann::json& j, const std::vector<domain::ModelField>& fields, Validation& v) {
  if (!j.is_object()) {
    v.fail("form_config", "must be an object");
    return nlohmann::json::object();
  }
  auto keys = keysOf(fields);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, val] : j.items()) {
    if (k == "field_order" || k == "hidden_fields") out[k] = keyList(val, keys, "form_config." + k, v);
    else if (k == "field_views") {
      if (!val.is_object()) {
        v.fail("form_config.field_views", "must be an object of field key → widget name");
        continue;
      }
      for (const auto& [fk, w] : val.items())
        if (!keys.count(fk) || !w.is_string() || w.get<std::string>().empty() || w.get<std::string>().size() > 64)
          v.fail("form_config.field_views." + fk, "a field of this model → a widget name");
      out[k] = val;
    } else v.unknown("form_config." + k);
  }
  return out;
}

bool isReservedModelName(const std::string& name) { return name == "collection" || name == "transaction"; }

}  // namespace m3m::service::models
