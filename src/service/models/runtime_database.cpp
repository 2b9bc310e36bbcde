#include "service/models/runtime_database.hpp"

#include <set>

namespace m3m::service {
namespace {

[[noreturn]] void badOption(const std::string& key, const std::string& why) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "database: option " + key + " " + why, {{"options." + key, why}});
}

void checkKeys(const Value& options, const std::set<std::string>& allowed) {
  if (options.is_null()) return;
  if (!options.is_object()) throw Error(ErrorCode::INVALID_ARGUMENT, "database: options must be an object");
  for (const auto& [k, _] : options.items())
    if (!allowed.count(k)) badOption(k, "is not known");
}

FilterInput filterOf(const Value& filter, const Value& options) {
  FilterInput in;
  in.filter = filter;
  if (options.is_object() && options.contains("params")) {
    if (!options["params"].is_object()) badOption("params", "must be an object");
    in.params = options["params"];
  }
  return in;
}

FilterInput plainFilter(const Value& filter, const Value& options) {
  checkKeys(options, {"params"});
  return filterOf(filter, options);
}

std::int64_t integerOption(const Value& options, const char* key, std::int64_t fallback, std::int64_t min,
                           std::int64_t max) {
  if (!options.is_object() || !options.contains(key) || options[key].is_null()) return fallback;
  const auto& v = options[key];
  if (!v.is_number_integer() || v.get<std::int64_t>() < min || v.get<std::int64_t>() > max)
    badOption(key, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return v.get<std::int64_t>();
}

}  // namespace

Value RuntimeDatabase::insert(const std::string& projectId, const std::string& model, const Value& record) {
  return records_.insert(projectId, model, record);
}

Value RuntimeDatabase::find(const std::string& projectId, const std::string& model, const Value& filter,
                            const Value& options) {
  checkKeys(options, {"params", "sort", "limit", "skip", "expand"});
  FindOptions o;
  if (options.is_object() && options.contains("sort") && !options["sort"].is_null()) {
    if (!options["sort"].is_string()) badOption("sort", "must be a string like \"-created,title\"");
    o.sort = options["sort"].get<std::string>();
  }
  o.limit = integerOption(options, "limit", 100, 1, 1000);
  o.skip = integerOption(options, "skip", 0, 0, INT64_MAX);
  if (options.is_object() && options.contains("expand")) {
    const auto& e = options["expand"];
    if (e.is_string()) o.expand.push_back(e.get<std::string>());
    else if (e.is_array())
      for (const auto& x : e) {
        if (!x.is_string()) badOption("expand", "must be a field key or a list of them");
        o.expand.push_back(x.get<std::string>());
      }
    else if (!e.is_null()) badOption("expand", "must be a field key or a list of them");
  }
  Value out = Value::array();
  for (auto& r : records_.find(projectId, model, filterOf(filter, options), o)) out.push_back(std::move(r));
  return out;
}

Value RuntimeDatabase::findOne(const std::string& projectId, const std::string& model, const Value& filter,
                               const Value& options) {
  auto r = records_.findOne(projectId, model, plainFilter(filter, options));
  return r ? *r : Value(nullptr);
}

std::int64_t RuntimeDatabase::count(const std::string& projectId, const std::string& model, const Value& filter,
                                    const Value& options) {
  return records_.count(projectId, model, plainFilter(filter, options));
}

std::int64_t RuntimeDatabase::update(const std::string& projectId, const std::string& model, const Value& filter,
                                     const Value& patch, const Value& options) {
  return records_.updateWhere(projectId, model, plainFilter(filter, options), patch);
}

std::int64_t RuntimeDatabase::remove(const std::string& projectId, const std::string& model, const Value& filter,
                                     const Value& options) {
  return records_.removeWhere(projectId, model, plainFilter(filter, options));
}

Value RuntimeDatabase::upsert(const std::string& projectId, const std::string& model, const Value& filter,
                              const Value& record, const Value& options) {
  return records_.upsert(projectId, model, plainFilter(filter, options), record);
}

void RuntimeDatabase::transaction(const std::function<void()>& fn) { records_.transaction(fn); }

}  // namespace m3m::service
