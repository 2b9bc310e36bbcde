// Small helpers over SQLiteCpp: positional binding of every argument (values
// are always bound, never spliced into SQL text) and unique-violation mapping.
#pragma once

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cstdint>
#include <m3m/error.hpp>
#include <optional>
#include <string>

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

// LIKE pattern for a case-insensitive substring search, with \ % _ escaped.
inline std::string likeContains(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '\\' || c == '%' || c == '_') out += '\\';
    out += c;
  }
  return out + "%";
}

}  // namespace m3m::store::sqlite
