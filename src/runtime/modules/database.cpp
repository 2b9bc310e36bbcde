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

constexpr const char* kDeclarations = R"ts(interface M3MRecord {
  /** 15 characters [a-z0-9] */
  id: string;
  /** ISO-8601 UTC */
  created: string;
  updated: string;
}
/** A filter-language string (`total > {:min} && status = 'new'`), an object filter ({status: 'new', total: {$gt: 10}}) or null for all. */
type M3MFilter<T = any> = string | { [K in keyof T]?: any } | { [key: string]: any } | null;
interface M3MFindOptions {
  /** `-created,title` */
  sort?: string;
  /** default 100, at most 1000 */
  limit?: number;
  skip?: number;
  /** values of {:placeholders} in a string filter */
  params?: Record<string, string | number | boolean | null>;
  /** ref fields to expand (one level) */
  expand?: string | string[];
}
interface M3MFilterOptions {
  params?: Record<string, string | number | boolean | null>;
}
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
/** The project's data models (Settings → Models). Failed writes throw an Error with .code and .fields. */
declare const database: M3MModels & {
  collection<K extends keyof M3MModels>(name: K): M3MModels[K];
  collection(name: string): M3MCollection;
  /** Runs fn atomically: commits when it returns, rolls back when it throws. fn must be synchronous. */
  transaction<R>(fn: () => R): R;
};
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

ModuleSchema databaseModule(const BuiltinDeps& deps) {
  auto db = deps.database;
  auto backend = [db]() -> DatabaseBackend& {
    if (!db) throw Error(ErrorCode::UNAVAILABLE, "database: not available in this runtime");
    return *db;
  };
  const std::vector<Param> filterOnly = {{"model", "string"}, {"filter", "unknown"}, {"options", "unknown", true}};
  return ModuleBuilder("database", "The project's data models.")
      .function("insert", {{"model", "string"}, {"record", "object"}}, "object", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().insert(ctx.projectId(), a.string(0), a.at(1));
                })
      .function("find", filterOnly, "object[]", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().find(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .function("findOne", filterOnly, "object | null", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().findOne(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .function("count", filterOnly, "number", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().count(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .function("update", {{"model", "string"}, {"filter", "unknown"}, {"patch", "object"}, {"options", "unknown", true}},
                "number", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().update(ctx.projectId(), a.string(0), a.at(1), a.at(2), a.at(3));
                })
      .function("delete", filterOnly, "number", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().remove(ctx.projectId(), a.string(0), a.at(1), a.at(2));
                })
      .function("upsert", {{"model", "string"}, {"filter", "unknown"}, {"record", "object"}, {"options", "unknown", true}},
                "object", "",
                [backend](CallContext& ctx, const Args& args) -> Value {
                  const Args& a = noBytes(args);
                  return backend().upsert(ctx.projectId(), a.string(0), a.at(1), a.at(2), a.at(3));
                })
      .function("transaction", {{"fn", "() => void"}}, "void", "",
                [backend](CallContext&, const Args& a) -> Value {
                  const auto& fn = a.callback(0);
                  backend().transaction([&] { fn({}); });
                  return nullptr;
                })
      .wrapper(kWrapper, kDeclarations)
      .build();
}

}  // namespace m3m::runtime
