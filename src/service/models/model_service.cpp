#include "service/models/model_service.hpp"

#include <map>
#include <set>

#include "lib/random.hpp"
#include "service/models/field_values.hpp"
#include "service/models/model_input.hpp"
#include "service/models/runtime_database.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

const std::set<std::string> kModelKeys = {"name", "description", "fields", "indexes", "table_config", "form_config"};

void readHeader(const nlohmann::json& body, domain::Model& m, Validation& v) {
  for (const auto& [k, _] : body.items())
    if (!kModelKeys.count(k)) v.unknown(k);
  if (body.contains("name")) {
    if (!body["name"].is_string() || !models::isIdentifier(body["name"].get<std::string>()))
      v.fail("name", "must start with a letter and hold only letters, digits and _ (≤ 63)");
    else if (models::isReservedModelName(body["name"].get<std::string>()))
      v.fail("name", "\"" + body["name"].get<std::string>() + "\" is reserved");
    else m.name = body["name"].get<std::string>();
  }
  if (body.contains("description")) {
    if (!body["description"].is_string() || body["description"].get<std::string>().size() > 2000)
      v.fail("description", "must be a string (≤ 2000 characters)");
    else m.description = body["description"].get<std::string>();
  }
}

std::vector<std::string> namesOf(const std::vector<domain::Model>& models) {
  std::vector<std::string> out;
  for (const auto& m : models) out.push_back(m.name);
  return out;
}

// View settings follow renames and drop removed keys.
nlohmann::json remapKeys(const nlohmann::json& config, const std::map<std::string, std::string>& renamed,
                         const std::set<std::string>& keys) {
  auto mapKey = [&](const std::string& k) -> std::optional<std::string> {
    auto it = renamed.find(k);
    auto key = it == renamed.end() ? k : it->second;
    if (keys.count(key) || domain::isSystemField(key)) return key;
    return std::nullopt;
  };
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, val] : config.items()) {
    if (val.is_array()) {
      out[k] = nlohmann::json::array();
      for (const auto& x : val)
        if (auto key = mapKey(x.get<std::string>())) out[k].push_back(*key);
    } else if (k == "field_views") {
      out[k] = nlohmann::json::object();
      for (const auto& [fk, w] : val.items())
        if (auto key = mapKey(fk)) out[k][*key] = w;
    } else if (k == "default_sort") {
      auto s = val.get<std::string>();
      auto sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? s.substr(0, 1) : "";
      if (auto key = mapKey(s.substr(sign.size()))) out[k] = sign + *key;
    } else {
      out[k] = val;
    }
  }
  return out;
}

bool sameConstraints(const domain::ModelField& a, const domain::ModelField& b) {
  return a.type == b.type && a.multiple == b.multiple && a.required == b.required && a.nullable == b.nullable &&
         a.min == b.min && a.max == b.max && a.minLength == b.minLength && a.maxLength == b.maxLength &&
         a.pattern == b.pattern && a.values == b.values;
}

// The validation options changed from `old` to `now` (same type), each as a
// probe: `old` with only that option taken from `now`. A value the new field
// refuses is blamed on the first probe that refuses it, so the error names
// the option (fields.<i>.max_length), not just the field.
std::vector<std::pair<std::string, domain::ModelField>> optionProbes(const domain::ModelField& old,
                                                                     const domain::ModelField& now) {
  std::vector<std::pair<std::string, domain::ModelField>> probes;
  auto probe = [&](const char* name, bool changed, auto set) {
    if (!changed) return;
    auto f = old;
    set(f);
    probes.emplace_back(name, std::move(f));
  };
  probe("required", old.required != now.required, [&](auto& f) { f.required = now.required; });
  probe("nullable", old.nullable != now.nullable, [&](auto& f) { f.nullable = now.nullable; });
  probe("min", old.min != now.min, [&](auto& f) { f.min = now.min; });
  probe("max", old.max != now.max, [&](auto& f) { f.max = now.max; });
  probe("min_length", old.minLength != now.minLength, [&](auto& f) { f.minLength = now.minLength; });
  probe("max_length", old.maxLength != now.maxLength, [&](auto& f) { f.maxLength = now.maxLength; });
  probe("pattern", old.pattern != now.pattern, [&](auto& f) { f.pattern = now.pattern; });
  probe("values", old.values != now.values, [&](auto& f) { f.values = now.values; });
  return probes;
}

// "fields.<i>.unique" or "indexes.<j>" for the unique constraint over `keys`
// that the existing records break.
std::string uniqueConstraintPath(const domain::Model& m, const std::set<std::string>& keys) {
  if (keys.size() == 1)
    for (size_t i = 0; i < m.fields.size(); ++i)
      if (m.fields[i].unique && keys.count(m.fields[i].key)) return "fields." + std::to_string(i) + ".unique";
  for (size_t j = 0; j < m.indexes.size(); ++j)
    if (m.indexes[j].unique && std::set<std::string>(m.indexes[j].fields.begin(), m.indexes[j].fields.end()) == keys)
      return "indexes." + std::to_string(j);
  std::string joined;
  for (const auto& k : keys) joined += (joined.empty() ? "" : ",") + k;
  return joined;
}

}  // namespace

ModelService::ModelService(store::Store& store, ProjectService& projects) : store_(store), projects_(projects) {
  // The project row's deletion drops its models' tables (the driver does it);
  // the cache must not outlive them.
  projects_.onDelete([this](const domain::Project& p) { forget(p.id); });
}

domain::Page<domain::Model> ModelService::list(const Principal& who, const std::string& projectId,
                                               const domain::PageRequest& page) {
  projects_.requireAccess(who, projectId);
  return store_.repos().models().list(projectId, page);
}

domain::Model ModelService::get(const Principal& who, const std::string& projectId, const std::string& idOrName) {
  projects_.requireAccess(who, projectId);
  return *model(projectId, idOrName);
}

domain::Model ModelService::create(const Principal& who, const std::string& projectId, const nlohmann::json& body) {
  projects_.requireAccess(who, projectId);
  if (!body.is_object()) throw Error(ErrorCode::INVALID_ARGUMENT, "the body must be a JSON object");
  Validation v;
  domain::Model m;
  m.projectId = projectId;
  if (!body.contains("name")) v.fail("name", "required");
  readHeader(body, m, v);
  auto inputs = models::readFields(body.value("fields", nlohmann::json::array()), v, false);
  models::checkRefTargets(inputs, namesOf(all(projectId)), m.name, v);
  for (auto& in : inputs) {
    in.field.column = "c" + std::to_string(m.nextColumn++);
    m.fields.push_back(in.field);
  }
  if (body.contains("indexes")) m.indexes = models::readIndexes(body["indexes"], m.fields, v);
  if (body.contains("table_config")) m.tableConfig = models::readTableConfig(body["table_config"], m.fields, v);
  if (body.contains("form_config")) m.formConfig = models::readFormConfig(body["form_config"], m.fields, v);
  v.throwIfAny("invalid model");
  m.id = lib::uuid4();
  m.createdAt = m.updatedAt = lib::nowIso();
  store_.repos().models().create(m);
  forget(projectId);
  return m;
}

domain::Model ModelService::applyChange(const domain::Model& before, const nlohmann::json& body) {
  Validation v;
  domain::Model after = before;
  readHeader(body, after, v);
  std::map<std::string, std::string> renamed;  // old key → new key
  if (body.contains("fields")) {
    auto inputs = models::readFields(body["fields"], v, true);
    auto projectModels = all(before.projectId);
    models::checkRefTargets(inputs, namesOf(projectModels), after.name, v);
    after.fields.clear();
    std::set<std::string> claimed;
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto& in = inputs[i];
      const auto& lookFor = in.oldKey ? *in.oldKey : in.field.key;
      const auto* old = before.field(lookFor);
      if (in.oldKey && !old) v.fail("fields." + std::to_string(i) + ".old_key", "no field \"" + *in.oldKey + "\"");
      if (old && !claimed.insert(old->key).second) {
        v.fail("fields." + std::to_string(i) + ".key", "field \"" + old->key + "\" is matched twice");
        old = nullptr;
      }
      if (old) {
        in.field.column = old->column;
        if (old->key != in.field.key) renamed[old->key] = in.field.key;
      } else {
        in.field.column = "c" + std::to_string(after.nextColumn++);
      }
      after.fields.push_back(in.field);
    }
  }
  std::set<std::string> keys;
  for (const auto& f : after.fields) keys.insert(f.key);
  if (body.contains("indexes")) {
    after.indexes = models::readIndexes(body["indexes"], after.fields, v);
  } else {
    // Declared indexes follow renames; an index losing a field is dropped.
    std::vector<domain::ModelIndex> kept;
    for (auto ix : before.indexes) {
      bool ok = true;
      for (auto& k : ix.fields) {
        if (renamed.count(k)) k = renamed[k];
        ok = ok && keys.count(k);
      }
      if (ok) kept.push_back(ix);
    }
    after.indexes = kept;
  }
  after.tableConfig = body.contains("table_config") ? models::readTableConfig(body["table_config"], after.fields, v)
                                                     : remapKeys(before.tableConfig, renamed, keys);
  after.formConfig = body.contains("form_config") ? models::readFormConfig(body["form_config"], after.fields, v)
                                                   : remapKeys(before.formConfig, renamed, keys);
  v.throwIfAny("invalid model");
  return after;
}

class ModelService::SchemaChange {
 public:
  SchemaChange(ModelService& s, std::string projectId) : s_(s), projectId_(std::move(projectId)) {
    {
      std::lock_guard lock(s_.cacheMutex_);
      ++s_.changing_;
    }
    s_.forget(projectId_);  // lookups during the change read the store, whose commit they then see
  }
  ~SchemaChange() {
    {
      std::lock_guard lock(s_.cacheMutex_);
      --s_.changing_;
    }
    s_.forget(projectId_);
  }
  SchemaChange(const SchemaChange&) = delete;
  SchemaChange& operator=(const SchemaChange&) = delete;

 private:
  ModelService& s_;
  std::string projectId_;
};

domain::Model ModelService::update(const Principal& who, const std::string& projectId, const std::string& idOrName,
                                   const nlohmann::json& body) {
  projects_.requireAccess(who, projectId);
  if (!body.is_object()) throw Error(ErrorCode::INVALID_ARGUMENT, "the body must be a JSON object");
  domain::Model result;
  SchemaChange change(*this, projectId);
  store_.transaction([&](store::Repositories& repos) {
    auto found = repos.models().find(projectId, idOrName);
    if (!found) throw Error(ErrorCode::NOT_FOUND, "no model \"" + idOrName + "\" in this project");
    const auto& before = *found;
    auto after = applyChange(before, body);
    after.updatedAt = lib::nowIso();

    // Check (and convert) the data against every changed field.
    Validation v;
    std::optional<std::vector<nlohmann::json>> records;
    auto data = [&]() -> const std::vector<nlohmann::json>& {
      if (!records) records = repos.records().scan(before);
      return *records;
    };
    std::map<std::string, std::vector<std::pair<std::string, nlohmann::json>>> rewrites;  // new key → (id, value)
    nlohmann::json fillNew = nlohmann::json::object();
    for (size_t i = 0; i < after.fields.size(); ++i) {
      const auto& f = after.fields[i];
      const auto at = "fields." + std::to_string(i) + ".";
      const domain::ModelField* old = nullptr;
      for (const auto& b : before.fields)
        if (b.column == f.column) old = &b;
      if (!old) {
        if (data().empty()) continue;
        if (!f.defaultValue && (f.required || !f.nullable))
          v.fail(at + "default", "required: the model has records, and the new field cannot be null");
        else if (f.defaultValue) fillNew[f.key] = *f.defaultValue;
        continue;
      }
      if (f.type == "ref" && old->type == "ref" && f.refModel != old->refModel) {
        for (const auto& r : data())
          if (!r[old->key].is_null()) {
            v.fail(at + "model", "cannot point a ref field that holds values at another model");
            break;
          }
      }
      if (sameConstraints(*old, f)) continue;
      const bool convert = old->type != f.type || old->multiple != f.multiple;
      size_t failed = 0, withValue = 0;
      std::string firstWhy;
      for (const auto& r : data()) {
        const auto& value = r[old->key];
        if (!value.is_null()) ++withValue;
        auto converted = convert ? models::convertValue(*old, f, value) : std::optional<nlohmann::json>(value);
        std::string why;
        auto checked = converted ? models::checkValue(f, *converted, why) : std::nullopt;
        if (!converted) why = "cannot be converted";
        if (!checked) {
          // Which record and value, so the user can find and fix it before retrying.
          if (!failed++) firstWhy = "record " + r["id"].get<std::string>() + ": " + value.dump() + " " + why;
          continue;
        }
        if (convert && *checked != value) rewrites[f.key].emplace_back(r["id"].get<std::string>(), *checked);
      }
      if (failed) {
        auto total = std::to_string(data().size());
        if (convert) {
          v.fail(at + "type", std::to_string(failed) + " of " + total + " records cannot be converted from " +
                                  old->type + (old->multiple ? " (multiple)" : "") + " to " + f.type +
                                  (f.multiple ? " (multiple)" : "") + " (first: " + firstWhy + ")");
        } else {
          // Count per option; a value broken by two options counts for the first.
          auto probes = optionProbes(*old, f);
          std::map<std::string, std::pair<size_t, std::string>> perOption;  // option → (count, first why)
          for (const auto& r : data()) {
            std::string why;
            if (models::checkValue(f, r[old->key], why)) continue;
            std::string blamed;
            for (const auto& [name, probe] : probes) {
              std::string probeWhy;
              if (!models::checkValue(probe, r[old->key], probeWhy)) {
                blamed = name;
                break;
              }
            }
            auto& [count, first] = perOption[blamed];
            if (!count++) first = why;
          }
          for (const auto& [option, result] : perOption)
            v.fail(option.empty() ? at.substr(0, at.size() - 1) : at + option,
                   std::to_string(result.first) + " of " + total + " records do not satisfy it (first: " +
                       result.second + ")");
        }
      }
      (void)withValue;
    }
    v.throwIfAny("the change does not fit the model's data; nothing was changed");

    // Other models' refs follow a rename of this model.
    if (after.name != before.name) {
      for (auto other : repos.models().all(projectId)) {
        if (other.id == before.id) continue;
        bool touched = false;
        for (auto& f : other.fields)
          if (f.type == "ref" && f.refModel == before.name) f.refModel = after.name, touched = true;
        if (touched) repos.models().update(other, other, nlohmann::json::object());
      }
      for (auto& f : after.fields)
        if (f.type == "ref" && f.refModel == before.name) f.refModel = after.name;
    }
    try {
      repos.models().update(before, after, fillNew);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::UNIQUE_VIOLATION) throw;
      std::set<std::string> keys;
      for (const auto& [key, _] : e.fields()) keys.insert(key);
      // How many records share their values (SQLite lets NULLs repeat).
      // A key of a field added by this change reads the default it is filled with.
      std::vector<std::pair<std::string, nlohmann::json>> sources;  // (old key or "", value for a new field)
      for (const auto& k : keys) {
        const auto* f = after.field(k);
        std::string oldKey;
        for (const auto& b : before.fields)
          if (f && b.column == f->column) oldKey = b.key;
        sources.emplace_back(oldKey, oldKey.empty() ? fillNew.value(k, nlohmann::json()) : nlohmann::json());
      }
      std::map<std::string, size_t> seen;
      for (const auto& r : data()) {
        nlohmann::json tuple = nlohmann::json::array();
        bool hasNull = false;
        for (const auto& [oldKey, fixed] : sources) {
          const auto& v = oldKey.empty() ? fixed : r[oldKey];
          hasNull = hasNull || v.is_null();
          tuple.push_back(v);
        }
        if (!hasNull) ++seen[tuple.dump()];
      }
      size_t shared = 0;
      for (const auto& [_, n] : seen)
        if (n > 1) shared += n;
      ErrorFields fields{{uniqueConstraintPath(after, keys),
                          std::to_string(shared) + " records share their values with another record"}};
      throw Error(ErrorCode::INVALID_ARGUMENT, "a unique index does not hold for the existing records; nothing was changed",
                  fields);
    }
    for (const auto& [key, values] : rewrites)
      for (const auto& [id, value] : values) repos.records().update(after, id, {{key, value}});
    result = after;
  });
  return result;
}

void ModelService::remove(const Principal& who, const std::string& projectId, const std::string& idOrName) {
  projects_.requireAccess(who, projectId);
  SchemaChange change(*this, projectId);
  store_.transaction([&](store::Repositories& repos) {
    auto m = repos.models().find(projectId, idOrName);
    if (!m) throw Error(ErrorCode::NOT_FOUND, "no model \"" + idOrName + "\" in this project");
    for (const auto& other : repos.models().all(projectId)) {
      if (other.id == m->id) continue;
      for (const auto& f : other.fields)
        if (f.type == "ref" && f.refModel == m->name)
          throw Error(ErrorCode::CONFLICT, "model \"" + m->name + "\" is referenced by " + other.name + "." + f.key +
                                               "; change or remove that field first");
    }
    repos.models().remove(*m);
  });
}

std::shared_ptr<const domain::Model> ModelService::model(const std::string& projectId, const std::string& idOrName) {
  std::uint64_t generation;
  {
    std::lock_guard lock(cacheMutex_);
    generation = generation_;
    auto p = cache_.find(projectId);
    if (p != cache_.end()) {
      auto it = p->second.find(idOrName);
      if (it != p->second.end()) return it->second;
    }
  }
  auto found = store_.repos().models().find(projectId, idOrName);
  if (!found) throw Error(ErrorCode::NOT_FOUND, "no model \"" + idOrName + "\" in this project");
  auto shared = std::make_shared<const domain::Model>(std::move(*found));
  std::lock_guard lock(cacheMutex_);
  if (generation != generation_ || changing_ > 0) return shared;
  auto& entry = cache_[projectId];
  entry[shared->id] = shared;
  entry[shared->name] = shared;
  return shared;
}

std::string ModelService::declarations(const Principal& who, const std::string& projectId) {
  projects_.requireAccess(who, projectId);
  return modelDeclarations(all(projectId));
}

std::vector<domain::Model> ModelService::all(const std::string& projectId) {
  return store_.repos().models().all(projectId);
}

void ModelService::forget(const std::string& projectId) {
  std::lock_guard lock(cacheMutex_);
  ++generation_;
  cache_.erase(projectId);
}

}  // namespace m3m::service
