// The `database` module: the project's models and records (docs/models.md).
// Native functions take the model name first; the JS wrapper turns them into
// database.collection('orders') / database.orders objects.
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {
namespace {

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  const ID = /^[a-z0-9]{15}$/;
  // A record id where a filter is expected means "that record".
  const target = (f, fn) => {
    if (f === undefined) throw new TypeError('database.' + fn + ': argument 1 (filter) is required (use {} for every record)');
    return typeof f === 'string' && ID.test(f) ? { id: f } : f;
  };
  const opt = (o) => (o === undefined ? null : o);
  const collections = new Map();
  function collection(name) {
    if (typeof name !== 'string' || name === '') throw new TypeError('database.collection: argument 1 (name) must be a model name');
    let c = collections.get(name);
    if (c) return c;
    c = Object.freeze({
      name,
      insert: (record) => native.insert(name, record),
      find: (filter, options) => native.find(name, filter === undefined ? null : filter, opt(options)),
      findOne: (filter, options) => native.findOne(name, target(filter, 'findOne'), opt(options)),
      count: (filter, options) => native.count(name, filter === undefined ? null : filter, opt(options)),
      update: (filter, patch, options) => native.update(name, target(filter, 'update'), patch, opt(options)),
      delete: (filter, options) => native.delete(name, target(filter, 'delete'), opt(options)),
      upsert: (filter, record, options) => native.upsert(name, target(filter, 'upsert'), record, opt(options)),
    });
    collections.set(name, c);
    return c;
  }
  function transaction(fn) {
    if (typeof fn !== 'function') throw new TypeError('database.transaction: argument 1 (fn) must be a function');
    let result;
    native.transaction(() => {
      result = fn();
      if (result && typeof result.then === 'function')
        throw new TypeError('database.transaction: fn must be synchronous (it returned a promise); the transaction was rolled back');
    });
    return result;
  }
  const api = Object.freeze({ collection, transaction });
  return new Proxy(api, {
    get: (t, k) => (typeof k !== 'string' || k in t || k === 'then' || k === 'toJSON' ? t[k] : collection(k)),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
})js";

// The generic part of the API (a collection typed by its model, filters
// keyed by its fields) is what the type descriptors cannot say: it stays
// TypeScript, here, next to the wrapper that implements it. The options and
// the record's own fields are declared below as types.
constexpr const char* kGenericDeclarations = R"ts(/** A filter-language string (`total > {:min} && status = 'new'`), an object filter ({status: 'new', total: {$gt: 10}}) or null for all. */
type M3MFilter<T = any> = string | { [K in keyof T]?: any } | { [key: string]: any } | null;
type M3MInput<T> = Partial<Omit<T, 'id' | 'created' | 'updated'>>;
interface M3MCollection<T extends M3MRecord = M3MRecord & Record<string, any>> {
  readonly name: string;
  /** Validates and stores a record; returns it with id, created, updated. */
  insert(record: M3MInput<T>): T;
  find(filter?: M3MFilter<T>, options?: M3MFindOptions): T[];
  /** The first match, or null. A record id matches that record. */
  findOne(filter: M3MFilter<T>, options?: M3MFilterOptions): T | null;
  count(filter?: M3MFilter<T>, options?: M3MFilterOptions): number;
  /** Changes the matching records (a record id: that one); returns how many changed. Atomic. */
  update(idOrFilter: M3MFilter<T>, patch: M3MInput<T>, options?: M3MFilterOptions): number;
  /** Deletes the matching records (ref on_delete policies apply); returns how many. */
  delete(idOrFilter: M3MFilter<T>, options?: M3MFilterOptions): number;
  /** Updates the first match with `record`, or inserts it. Atomic. */
  upsert(filter: M3MFilter<T>, record: M3MInput<T>, options?: M3MFilterOptions): T;
}
/** The project's models (GET /api/runtime/types?project_id=… adds them). */
interface M3MModels {}
)ts";

// Records hold JSON values: bytes (a Uint8Array… anywhere in a record, a
// filter or the options) are refused rather than stored in some JSON form.
bool hasBytes(const Value& v) {
  if (v.is_binary()) return true;
  if (v.is_structured())
    for (const auto& item : v) if (hasBytes(item)) return true;
  return false;
}
const Args& noBytes(const Args& a) {
  for (size_t i = 1; i < a.size(); ++i)
    if (hasBytes(a.at(i)))
      a.fail(i, "holds bytes (a Uint8Array, ArrayBuffer or view): records hold JSON values; keep bytes in the "
                "project's storage (a file field) or store them encoded (encoding.base64Encode)");
  return a;
}

}  // namespace

ModuleSchema databaseModule(std::shared_ptr<DatabaseBackend> db) {
  auto backend = [db]() -> DatabaseBackend& {
    if (!db) throw Error(ErrorCode::UNAVAILABLE, "database: not available in this runtime");
    return *db;
  };
  // The natives take the model first: their positions are not the public
  // ones, so they leave the checks of filters, records and options to the
  // services (whose messages name the field).
  const Type placeholders = t::record(t::nullable(t::oneOf({t::string(), t::number(), t::boolean()})));
  const Type record = t::named("M3MRecord", t::object({
                                                t::field("id", t::string(), "15 characters [a-z0-9]"),
                                                t::field("created", t::string(), "ISO-8601 UTC"),
                                                t::field("updated", t::string()),
                                            }));
  const Type findOptions = t::named(
      "M3MFindOptions",
      t::object({
          t::field("sort", t::optional(t::string()), "`-created,title`"),
          t::field("limit", t::optional(t::integer()), "default 100, at most 1000"),
          t::field("skip", t::optional(t::integer())),
          t::field("params", t::optional(placeholders), "values of {:placeholders} in a string filter"),
          t::field("expand", t::optional(t::oneOf({t::string(), t::array(t::string())})), "ref fields to expand (one level)"),
      }));
  const Type filterOptions = t::named("M3MFilterOptions", t::object({t::field("params", t::optional(placeholders))}));
  const Param model = param("model", t::string());
  const Param filter = param("filter", t::unknown());
  const Param options = param("options", t::unknown());
  const Param data = param("record", t::unknown());
  return ModuleBuilder("database",
                       "The project's data models (Settings → Models). Failed writes throw an Error with .code and .fields.")
      .function("insert", {model, data}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().insert(ctx.projectId(), a.string(0), a.at(1));
                })
      .internal()
      .function("find", {model, filter, options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().find(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .internal()
      .function("findOne", {model, filter, options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().findOne(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .internal()
      .function("count", {model, filter, options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().count(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .internal()
      .function("update", {model, filter, param("patch", t::unknown()), options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().update(ctx.projectId(), a.string(0), a.at(1), a.at(2), a.at(3));
                })
      .internal()
      .function("delete", {model, filter, options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().remove(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .internal()
      .function("upsert", {model, filter, data, options}, t::unknown(), "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().upsert(ctx.projectId(), a.string(0), a.at(1), a.at(2), a.at(3));
                })
      .internal()
      .function("transaction", {param("fn", t::function("() => void"))}, t::void_(), "",
                [backend](CallContext&, const Args& a) -> Value {
                  const auto& fn = a.callback(0);
                  backend().transaction([&] { fn({}); });
                  return nullptr;
                })
      .internal()
      .scriptFunction("collection", {param("name", t::string())}, t::ts("M3MCollection"),
                      "A model's records by its name (the same object as database.<name>).")
      .typescript("collection<K extends keyof M3MModels>(name: K): M3MModels[K];\ncollection(name: string): M3MCollection;")
      .scriptFunction("transaction", {param("fn", t::function("() => unknown"))}, t::unknown(),
                      "Runs fn atomically: commits when it returns, rolls back when it throws. fn must be synchronous.")
      .typescript("transaction<R>(fn: () => R): R;")
      .types({record, findOptions, filterOptions})
      .declarations(kGenericDeclarations)
      .mergedWith("M3MModels")
      .wrapper(kWrapper)
      .build();
}

}  // namespace m3m::runtime
