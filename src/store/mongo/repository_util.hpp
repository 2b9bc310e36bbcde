// Small helpers the MongoDB repositories share: reading typed fields from a
// document (null and missing alike), ordered sort documents (a JSON object
// sorts its keys, a sort must not), a case-insensitive substring filter with
// the user's text escaped, and one page of documents with its total.
#pragma once

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "domain/page.hpp"
#include "store/mongo/database.hpp"

namespace m3m::store::mongo::util {

using nlohmann::json;

inline std::string str(const json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}
inline std::optional<std::string> optStr(const json& d, const char* key) {
  auto it = d.find(key);
  if (it == d.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
inline std::int64_t num(const json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}
inline bool flag(const json& d, const char* key) {
  auto it = d.find(key);
  return it != d.end() && it->is_boolean() && it->get<bool>();
}
inline json orNull(const std::optional<std::string>& v) { return v ? json(*v) : json(); }
inline json nullIfEmpty(const std::string& v) { return v.empty() ? json() : json(v); }

// A document whose keys keep the given order (sort specifications, index keys).
inline Bson ordered(std::initializer_list<std::pair<const char*, int>> keys) {
  Bson b;
  for (const auto& [k, v] : keys) BSON_APPEND_INT32(b.get(), k, v);
  return b;
}

// `text` as a regular expression matching itself, for both MongoDB's PCRE and
// FerretDB's Go regexp: every ASCII punctuation character is escaped (both
// accept `\` before punctuation), NUL written as \x00.
inline std::string regexEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0) {
      out += "\\x00";
    } else if (u < 0x80 && !std::isalnum(u) && u != ' ' && u > 0x20) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// {"$or": [{field: /text/i}, …]}: any of `fields` contains `search`, ignoring case.
inline json containsAny(std::initializer_list<const char*> fields, const std::string& search) {
  json any = json::array();
  for (const char* f : fields) any.push_back({{f, {{"$regex", regexEscape(search)}, {"$options", "i"}}}});
  return {{"$or", any}};
}

// Filters combined with $and (null entries skipped; none = match all).
inline json allOf(std::initializer_list<json> parts) {
  json all = json::array();
  for (const auto& p : parts)
    if (!p.is_null()) all.push_back(p);
  if (all.empty()) return json::object();
  if (all.size() == 1) return all[0];
  return {{"$and", all}};
}

// One page: the total matching `filter` and the page's documents in `sort`
// order; `projection` (may be empty) leaves large fields out.
template <class T, class Read>
domain::Page<T> pagedFind(Database& db, const char* collection, const json& filter, const Bson& sort,
                          const json& projection, const domain::PageRequest& page, Read&& read) {
  domain::Page<T> out;
  out.page = page.page;
  out.perPage = page.perPage;
  Collection c(db, collection);
  const Bson f = toBson(filter);
  out.totalItems = c.count(f);
  if (page.perPage <= 0 || out.totalItems <= page.offset()) return out;
  Bson opts;
  BSON_APPEND_DOCUMENT(opts.get(), "sort", sort.get());
  if (page.offset() > 0) BSON_APPEND_INT64(opts.get(), "skip", page.offset());
  BSON_APPEND_INT64(opts.get(), "limit", page.perPage);
  if (!projection.empty()) {
    const Bson p = toBson(projection);
    BSON_APPEND_DOCUMENT(opts.get(), "projection", p.get());
  }
  for (const auto& d : c.find(f, opts.get())) out.items.push_back(read(d));
  return out;
}

// Whether a DuplicateKey came from unique index `index`. MongoDB names the
// index in its message ("… index: users_email dup key: …"); FerretDB does
// not, then `probe` (the field's value, another document) is counted — which
// is also all that works outside an aborted transaction.
inline bool violated(const DuplicateKey& e, const char* index, Collection& c, const json& probe) {
  const std::string_view m = e.what();
  if (m.find(" index: ") != std::string_view::npos)
    return m.find(std::string(" index: ") + index + " ") != std::string_view::npos;
  return c.count(toBson(probe)) > 0;
}

// Options with just a sort (and an optional projection).
inline Bson sortOptions(const Bson& sort, const json& projection = json::object()) {
  Bson opts;
  BSON_APPEND_DOCUMENT(opts.get(), "sort", sort.get());
  if (!projection.empty()) {
    const Bson p = toBson(projection);
    BSON_APPEND_DOCUMENT(opts.get(), "projection", p.get());
  }
  return opts;
}

// Whether the server is FerretDB (its buildInfo carries ferretdbVersion).
inline bool isFerretDb(Database& db) {
  Collection c(db, "meta");
  Bson cmd;
  BSON_APPEND_INT32(cmd.get(), "buildInfo", 1);
  bson_t reply;
  bson_error_t err;
  const bool ok = mongoc_collection_command_simple(c.get(), cmd.get(), nullptr, &reply, &err);
  const bool ferret = ok && bson_has_field(&reply, "ferretdbVersion");
  bson_destroy(&reply);
  if (!ok) throwError(err, "buildInfo");
  return ferret;
}

// FerretDB (v1.24) applies an update as: find the documents, change them in
// Go, write each whole document back by _id. Two concurrent updates of one
// document can therefore both match — a compare-and-swap has two winners —
// and the later write-back undoes the earlier one ($inc loses increments, a
// revoke is reverted by a concurrent rotate). MongoDB applies every
// single-document update atomically. So on FerretDB (tests and development:
// one m3m process writes) the repositories' updates run one at a time in
// this process; on MongoDB the guard is empty.
class UpdateLock {
 public:
  explicit UpdateLock(Database& db) : db_(db) {}
  std::unique_lock<std::recursive_mutex> operator()() {
    std::call_once(once_, [&] { serialize_ = isFerretDb(db_); });
    if (!serialize_) return {};
    return std::unique_lock<std::recursive_mutex>(mutex());
  }

 private:
  static std::recursive_mutex& mutex() {
    static std::recursive_mutex m;
    return m;
  }
  Database& db_;
  std::once_flag once_;
  bool serialize_ = false;
};

}  // namespace m3m::store::mongo::util
