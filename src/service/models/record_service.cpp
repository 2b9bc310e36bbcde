#include "service/models/record_service.hpp"

#include <map>
#include <set>

#include "lib/random.hpp"
#include "service/models/field_values.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

constexpr int kMaxCascadeDepth = 32;

std::string idOf(const nlohmann::json& r) { return r.at("id").get<std::string>(); }

std::vector<nlohmann::json> onlyFields(std::vector<nlohmann::json> items, const std::vector<std::string>& fields) {
  if (fields.empty()) return items;
  for (auto& r : items) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& k : fields)
      if (r.contains(k)) out[k] = r[k];
    if (r.contains("expand")) out["expand"] = r["expand"];
    r = std::move(out);
  }
  return items;
}

void checkFieldList(const domain::Model& m, const std::vector<std::string>& fields) {
  for (const auto& k : fields)
    if (!domain::isSystemField(k) && !m.field(k))
      throw Error(ErrorCode::INVALID_ARGUMENT, "invalid fields", {{"fields", "unknown field \"" + k + "\""}});
}

}  // namespace

RecordService::RecordService(store::Store& store, ProjectService& projects, ModelService& models)
    : store_(store), projects_(projects), models_(models) {}

std::optional<store::query::Expr> RecordService::compile(const FilterInput& in) {
  if (in.filter.is_null()) return std::nullopt;
  if (in.filter.is_string()) {
    const auto& text = in.filter.get_ref<const std::string&>();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
    auto e = store::query::parseFilter(text);
    store::query::bindPlaceholders(e, in.params.is_null() ? nlohmann::json::object() : in.params);
    return e;
  }
  if (in.filter.is_object()) return store::query::objectFilter(in.filter);
  throw Error(ErrorCode::INVALID_ARGUMENT, "a filter is a filter string, an object or null",
              {{"filter", "must be a string or an object"}});
}

nlohmann::json RecordService::prepare(const std::string& projectId, const domain::Model& m, const nlohmann::json& input,
                                      bool creating) {
  if (!input.is_object()) throw Error(ErrorCode::INVALID_ARGUMENT, "the record must be a JSON object");
  Validation v;
  for (const auto& [k, _] : input.items()) {
    if (domain::isSystemField(k)) v.fail(k, "read-only");
    else if (!m.field(k)) v.unknown(k);
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& f : m.fields) {
    std::string why;
    if (input.contains(f.key)) {
      auto value = models::checkValue(f, input[f.key], why);
      if (!value) v.fail(f.key, why);
      else out[f.key] = std::move(*value);
    } else if (creating) {
      if (f.defaultValue) out[f.key] = *f.defaultValue;
      else if (f.required || !f.nullable) v.fail(f.key, "required");
      else out[f.key] = nullptr;
    }
  }
  // Ref integrity: every id must exist in the target model.
  for (const auto& f : m.fields) {
    if (f.type != "ref" || !out.contains(f.key) || out[f.key].is_null() || v.has(f.key)) continue;
    std::vector<std::string> ids;
    if (f.multiple)
      for (const auto& x : out[f.key]) ids.push_back(x.get<std::string>());
    else
      ids.push_back(out[f.key].get<std::string>());
    auto target = f.refModel == m.name ? std::make_shared<const domain::Model>(m) : models_.model(projectId, f.refModel);
    auto found = store_.repos().records().getMany(*target, ids);
    std::set<std::string> have;
    for (const auto& r : found) have.insert(idOf(r));
    for (const auto& id : ids)
      if (!have.count(id)) {
        v.fail(f.key, "no record \"" + id + "\" in model " + f.refModel);
        break;
      }
  }
  v.throwIfAny("invalid record");
  return out;
}

nlohmann::json RecordService::insertInto(const std::string& projectId, const domain::Model& m,
                                         const nlohmann::json& record) {
  auto values = prepare(projectId, m, record, true);
  nlohmann::json r = nlohmann::json::object();
  r["id"] = ids_.next();
  r["created"] = r["updated"] = lib::nowIso();
  for (auto& [k, val] : values.items()) r[k] = std::move(val);
  store_.repos().records().insert(m, r);
  return r;
}

nlohmann::json RecordService::patchRecord(const std::string& projectId, const domain::Model& m, const std::string& id,
                                          const nlohmann::json& patch) {
  auto values = prepare(projectId, m, patch, false);
  values["updated"] = lib::nowIso();
  if (!store_.repos().records().update(m, id, values))
    throw Error(ErrorCode::NOT_FOUND, "no record \"" + id + "\" in model " + m.name);
  return *store_.repos().records().get(m, id);
}

void RecordService::removeRecord(const std::string& projectId, const domain::Model& m, const std::string& id,
                                 int depth) {
  if (depth > kMaxCascadeDepth) throw Error(ErrorCode::CONFLICT, "cascading deletes go deeper than 32 levels");
  auto& records = store_.repos().records();
  if (!records.get(m, id)) {
    if (depth == 0) throw Error(ErrorCode::NOT_FOUND, "no record \"" + id + "\" in model " + m.name);
    return;  // already deleted by another branch of the cascade
  }
  auto restricted = [&](const domain::Model& other, const domain::ModelField& f, std::size_t n) {
    return Error(ErrorCode::CONFLICT,
                 "record \"" + id + "\" is referenced by " + std::to_string(n) + " record(s) of " + other.name + "." +
                     f.key + " (on_delete: restrict)",
                 {{f.key, "references this record"}});
  };
  if (!store_.atomicTransactions()) {
    // No rollback (MongoDB without a replica set): a restrict refusal comes
    // before anything is deleted. A record referencing itself does not count.
    for (const auto& other : models_.all(projectId))
      for (const auto& f : other.fields) {
        if (f.type != "ref" || f.refModel != m.name || f.onDelete != "restrict") continue;
        auto referrers = records.referencing(other, f.key, id);
        if (other.id == m.id) std::erase(referrers, id);
        if (!referrers.empty()) throw restricted(other, f, referrers.size());
      }
  }
  // Gone first: a self-reference or a cycle then finds nothing to cascade to.
  records.remove(m, id);
  for (const auto& other : models_.all(projectId)) {
    for (const auto& f : other.fields) {
      if (f.type != "ref" || f.refModel != m.name) continue;
      auto referrers = records.referencing(other, f.key, id);
      if (referrers.empty()) continue;
      if (f.onDelete == "restrict") throw restricted(other, f, referrers.size());
      for (const auto& rid : referrers) {
        if (f.onDelete == "cascade") {
          removeRecord(projectId, other, rid, depth + 1);
          continue;
        }
        nlohmann::json value = nullptr;
        if (f.multiple) {
          value = nlohmann::json::array();
          auto referrer = records.get(other, rid);  // kept alive: the loop reads into it
          if (referrer)
            for (const auto& x : (*referrer)[f.key])
              if (x != id) value.push_back(x);
        }
        records.update(other, rid, {{f.key, value}, {"updated", lib::nowIso()}});
      }
    }
  }
}

void RecordService::expandRefs(const std::string& projectId, const domain::Model& m, std::vector<nlohmann::json>& items,
                               const std::vector<std::string>& expand) {
  for (const auto& key : expand) {
    const auto* f = m.field(key);
    if (!f || f->type != "ref")
      throw Error(ErrorCode::INVALID_ARGUMENT, "invalid expand", {{"expand", "\"" + key + "\" is not a ref field"}});
    auto target = f->refModel == m.name ? std::make_shared<const domain::Model>(m) : models_.model(projectId, f->refModel);
    std::set<std::string> ids;
    for (const auto& r : items) {
      const auto& v = r[key];
      if (v.is_string()) ids.insert(v.get<std::string>());
      else if (v.is_array())
        for (const auto& x : v) ids.insert(x.get<std::string>());
    }
    std::map<std::string, nlohmann::json> byId;
    for (auto& r : store_.repos().records().getMany(*target, {ids.begin(), ids.end()})) {
      auto id = idOf(r);  // before the move: `a[f(r)] = move(r)` evaluates the right side first
      byId[id] = std::move(r);
    }
    for (auto& r : items) {
      if (!r.contains("expand")) r["expand"] = nlohmann::json::object();
      const auto& v = r[key];
      if (v.is_array()) {
        auto list = nlohmann::json::array();
        for (const auto& x : v)
          if (auto it = byId.find(x.get<std::string>()); it != byId.end()) list.push_back(it->second);
        r["expand"][key] = list;
      } else if (v.is_string() && byId.count(v.get<std::string>())) {
        r["expand"][key] = byId[v.get<std::string>()];
      } else {
        r["expand"][key] = nullptr;
      }
    }
  }
}

// --- API -------------------------------------------------------------------

RecordList RecordService::list(const Principal& who, const std::string& projectId, const std::string& model,
                               const RecordListParams& params) {
  projects_.checkAccess(who, projectId);
  auto m = models_.model(projectId, model);
  checkFieldList(*m, params.fields);
  store::RecordQuery q;
  if (params.filter) {
    // A blank ?filter= is a mistake the client should hear about (parseFilter says "empty filter").
    auto e = store::query::parseFilter(*params.filter);
    store::query::bindPlaceholders(e, nlohmann::json::object());
    q.filter = std::move(e);
  }
  q.sort = store::query::parseSort(params.sort);
  q.limit = params.perPage;
  q.offset = static_cast<std::int64_t>(params.page - 1) * params.perPage;
  q.countTotal = !params.skipTotal;
  auto page = store_.repos().records().find(*m, q, lib::nowIso());
  expandRefs(projectId, *m, page.items, params.expand);
  RecordList out;
  out.items = onlyFields(std::move(page.items), params.fields);
  out.page = params.page;
  out.perPage = params.perPage;
  out.totalItems = page.totalItems;
  return out;
}

nlohmann::json RecordService::get(const Principal& who, const std::string& projectId, const std::string& model,
                                  const std::string& id, const std::vector<std::string>& expand,
                                  const std::vector<std::string>& fields) {
  projects_.checkAccess(who, projectId);
  auto m = models_.model(projectId, model);
  checkFieldList(*m, fields);
  auto r = store_.repos().records().get(*m, id);
  if (!r) throw Error(ErrorCode::NOT_FOUND, "no record \"" + id + "\" in model " + m->name);
  std::vector<nlohmann::json> items{std::move(*r)};
  expandRefs(projectId, *m, items, expand);
  return onlyFields(std::move(items), fields).front();
}

// Runs `write` in a group commit and hands its result (or error) to `done`.
void RecordService::grouped(std::function<nlohmann::json()> write, Done done) {
  auto result = std::make_shared<nlohmann::json>();
  store_.transactionGrouped([write = std::move(write), result](store::Repositories&) { *result = write(); },
                            [result, done = std::move(done)](std::exception_ptr e) {
                              done(e, e ? nlohmann::json() : std::move(*result));
                            });
}

// The model is looked up before queueing (an unknown one is a 404 at once) and
// again inside the write: a schema change committed while the write waited
// in the queue is what the write must see.
void RecordService::create(const Principal& who, const std::string& projectId, const std::string& model,
                           nlohmann::json body, Done done) {
  projects_.checkAccess(who, projectId);
  models_.model(projectId, model);
  // Validated and checked for refs inside the write: a referenced record
  // cannot disappear between the check and the commit.
  grouped([this, projectId, model, body = std::move(body)] { return insert(projectId, model, body); }, std::move(done));
}

void RecordService::update(const Principal& who, const std::string& projectId, const std::string& model,
                           std::string id, nlohmann::json body, Done done) {
  projects_.checkAccess(who, projectId);
  models_.model(projectId, model);
  grouped(
      [this, projectId, model, id = std::move(id), body = std::move(body)] {
        return patchRecord(projectId, *models_.model(projectId, model), id, body);
      },
      std::move(done));
}

void RecordService::remove(const Principal& who, const std::string& projectId, const std::string& model,
                           std::string id, Done done) {
  projects_.checkAccess(who, projectId);
  models_.model(projectId, model);
  grouped(
      [this, projectId, model, id = std::move(id)] {
        removeRecord(projectId, *models_.model(projectId, model), id, 0);
        return nlohmann::json();
      },
      std::move(done));
}

// --- runtime ---------------------------------------------------------------

nlohmann::json RecordService::insert(const std::string& projectId, const std::string& model,
                                     const nlohmann::json& record) {
  auto m = models_.model(projectId, model);
  return insertInto(projectId, *m, record);
}

std::vector<nlohmann::json> RecordService::find(const std::string& projectId, const std::string& model,
                                                const FilterInput& filter, const FindOptions& options) {
  auto m = models_.model(projectId, model);
  store::RecordQuery q;
  q.filter = compile(filter);
  q.sort = store::query::parseSort(options.sort);
  q.limit = options.limit;
  q.offset = options.skip;
  q.countTotal = false;
  auto page = store_.repos().records().find(*m, q, lib::nowIso());
  expandRefs(projectId, *m, page.items, options.expand);
  return std::move(page.items);
}

std::optional<nlohmann::json> RecordService::findOne(const std::string& projectId, const std::string& model,
                                                     const FilterInput& filter) {
  FindOptions one;
  one.limit = 1;
  auto items = find(projectId, model, filter, one);
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

std::int64_t RecordService::count(const std::string& projectId, const std::string& model, const FilterInput& filter) {
  auto m = models_.model(projectId, model);
  auto e = compile(filter);
  return store_.repos().records().count(*m, e ? &*e : nullptr, lib::nowIso());
}

std::int64_t RecordService::updateWhere(const std::string& projectId, const std::string& model,
                                        const FilterInput& filter, const nlohmann::json& patch) {
  auto m = models_.model(projectId, model);
  auto e = compile(filter);
  std::int64_t n = 0;
  store_.transaction([&](store::Repositories& repos) {
    auto ids = repos.records().matchingIds(*m, e ? &*e : nullptr, lib::nowIso());
    if (ids.empty()) return;
    auto values = prepare(projectId, *m, patch, false);
    values["updated"] = lib::nowIso();
    for (const auto& id : ids) n += repos.records().update(*m, id, values) ? 1 : 0;
  });
  return n;
}

std::int64_t RecordService::removeWhere(const std::string& projectId, const std::string& model,
                                        const FilterInput& filter) {
  auto m = models_.model(projectId, model);
  auto e = compile(filter);
  std::int64_t n = 0;
  store_.transaction([&](store::Repositories& repos) {
    for (const auto& id : repos.records().matchingIds(*m, e ? &*e : nullptr, lib::nowIso())) {
      if (!repos.records().get(*m, id)) continue;  // a cascade already took it
      removeRecord(projectId, *m, id, 0);
      ++n;
    }
  });
  return n;
}

nlohmann::json RecordService::upsert(const std::string& projectId, const std::string& model, const FilterInput& filter,
                                     const nlohmann::json& record) {
  auto m = models_.model(projectId, model);
  auto e = compile(filter);
  nlohmann::json out;
  store_.transaction([&](store::Repositories& repos) {
    auto ids = repos.records().matchingIds(*m, e ? &*e : nullptr, lib::nowIso());
    out = ids.empty() ? insertInto(projectId, *m, record) : patchRecord(projectId, *m, ids.front(), record);
  });
  return out;
}

void RecordService::transaction(const std::function<void()>& fn) {
  // A script's transaction promises all-or-nothing: refused where the store
  // cannot roll back (MongoDB without a replica set) rather than half-kept.
  if (!store_.atomicTransactions())
    throw Error(ErrorCode::UNAVAILABLE,
                "database.transaction needs multi-document transactions: this MongoDB server is standalone "
                "(run MongoDB as a replica set, or use the sqlite driver)");
  store_.transaction([&](store::Repositories&) { fn(); });
}

}  // namespace m3m::service
