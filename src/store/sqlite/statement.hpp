// Small helpers over SQLiteCpp: positional binding of every argument (values
// are always bound, never spliced into SQL text) and unique-violation mapping.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cstdint>
#include <m3m/error.hpp>
#include <optional>
#include <string>

#include "domain/page.hpp"

namespace m3m::store::sqlite {

inline void bindOne(SQLite::Statement& q, int i, const std::string& v) { q.bind(i, v); }
inline void bindOne(SQLite::Statement& q, int i, const char* v) { q.bind(i, v); }
inline void bindOne(SQLite::Statement& q, int i, int v) { q.bind(i, v); }
inline void bindOne(SQLite::Statement& q, int i, std::int64_t v) { q.bind(i, static_cast<int64_t>(v)); }
inline void bindOne(SQLite::Statement& q, int i, bool v) { q.bind(i, v ? 1 : 0); }
inline void bindOne(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
  if (v) q.bind(i, *v);
  else q.bind(i);
}

template <class... A>
void bindAll(SQLite::Statement& q, const A&... args) {
  int i = 1;
  (bindOne(q, i++, args), ...);
}

inline std::optional<std::string> optionalText(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

// Runs fn; a UNIQUE/PRIMARY KEY violation becomes CONFLICT on `field`.
template <class Fn>
void mapUnique(const std::string& field, const std::string& message, Fn&& fn) {
  try {
    fn();
  } catch (const SQLite::Exception& e) {
    int ext = e.getExtendedErrorCode();
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      throw Error(ErrorCode::CONFLICT, message, {{field, "already in use"}});
    throw;
  }
}

// A savepoint: works alone (it opens a transaction) and inside an outer one.
// Rolled back and released when not released explicitly, so an exception
// never leaves the writer inside an open transaction.
class Savepoint {
 public:
  Savepoint(SQLite::Database& db, std::string name) : db_(db), name_(std::move(name)) { db_.exec("SAVEPOINT " + name_); }
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  ~Savepoint() {
    if (released_) return;
    try {
      db_.exec("ROLLBACK TO " + name_);
      db_.exec("RELEASE " + name_);
    } catch (...) {
      // SQLite already rolled back on its own (some errors do).
    }
  }
  void release() {
    db_.exec("RELEASE " + name_);
    released_ = true;
  }

 private:
  SQLite::Database& db_;
  std::string name_;
  bool released_ = false;
};

// LIKE pattern for a case-insensitive substring search, with \ % _ escaped.
inline std::string likeContains(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

// One page of rows: counts with the same filter, then selects `columns`
// ordered and limited. `args` bind ?1..?N in `fromWhere`; LIMIT/OFFSET take
// the next two numbers.
template <class T, class Read, class... A>
domain::Page<T> pagedQuery(SQLite::Database& db, const domain::PageRequest& page, const std::string& columns,
                           const std::string& fromWhere, const std::string& orderBy, Read&& read, const A&... args) {
  domain::Page<T> out;
  out.page = page.page;
  out.perPage = page.perPage;
  SQLite::Statement count(db, "SELECT COUNT(*) FROM " + fromWhere);
  bindAll(count, args...);
  count.executeStep();
  out.totalItems = count.getColumn(0).getInt64();
  const auto n = sizeof...(A);
  SQLite::Statement q(db, "SELECT " + columns + " FROM " + fromWhere + " ORDER BY " + orderBy + " LIMIT ?" +
                              std::to_string(n + 1) + " OFFSET ?" + std::to_string(n + 2));
  bindAll(q, args..., page.perPage, page.offset());
  while (q.executeStep()) out.items.push_back(read(q));
  return out;
}

}  // namespace m3m::store::sqlite
