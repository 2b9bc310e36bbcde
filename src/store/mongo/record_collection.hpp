// How a model's records live in MongoDB (docs/models.md, "On MongoDB"): one
// collection `records_<model id>` per model; a record is a document with the
// id as `_id`, `created`/`updated` as BSON dates, and each field under its
// storage column ("c1", "c2"… — ModelField::column, so a rename never touches
// the data, as with SQLite). Values by type: integer int64, float double,
// bool, date/datetime BSON dates, multiple select/ref arrays of strings,
// document a sub-document (any JSON; an array directly inside an array —
// which FerretDB cannot store — as {"~a": [...]}, and keys MongoDB cannot
// hold — empty, `$…`, dotted — escaped as "~…"), others strings. A null value is not
// stored at all (a missing key reads as null): unique indexes then ignore
// nulls, as SQLite's do.
#pragma once

#include <m3m/error.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/filter_bson.hpp"

namespace m3m::store::mongo {

std::string recordCollection(const domain::Model& m);

// Appends a field's (non-null) value under its column; nothing for null.
void appendFieldValue(bson_t* doc, const domain::ModelField& f, const nlohmann::json& v);
// A stored document (toJson of it) → the record: id, created, updated, every field key.
nlohmann::json readRecord(const domain::Model& m, const nlohmann::json& doc);

FieldResolver resolverFor(const domain::Model& m);

// The indexes a model wants: name → columns (and whether unique).
struct IndexSpec {
  std::vector<std::string> columns;
  bool unique = false;
};
std::map<std::string, IndexSpec> wantedIndexes(const domain::Model& m);
// The field keys of `columns` in `m` ("id" for _id).
std::vector<std::string> keysOf(const domain::Model& m, const std::vector<std::string>& columns);

// Index DDL, outside any open transaction (MongoDB refuses index builds and
// drops inside one).
std::set<std::string> indexNames(Database& db, const std::string& collection);
// A unique index ignores documents missing one of its columns (a partial
// index; servers without partial indexes — FerretDB — skip missing keys anyway).
void createIndex(Database& db, const std::string& collection, const std::string& name, const IndexSpec& spec);
void dropIndex(Database& db, const std::string& collection, const std::string& name);
void dropCollection(Database& db, const std::string& collection);
// Applies `update` to every record, outside any open transaction: a schema
// change's fill and unset, which the index builds after them must not wait for.
void updateAllRecords(Database& db, const std::string& collection, const Bson& update);
// Creates the missing wanted indexes and drops unwanted ones.
void syncIndexes(Database& db, const domain::Model& m);

// The UNIQUE_VIOLATION for `doc` (the record as it would be stored) refused by
// a unique index: FerretDB does not name the index, so each unique index is
// looked up for another record holding the same values.
[[noreturn]] void throwUniqueViolation(Database& db, const domain::Model& m, const bson_t* doc, bool isInsert);
Error uniqueError(const std::vector<std::string>& keys);

}  // namespace m3m::store::mongo
