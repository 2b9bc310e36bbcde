// The ceiling of part 4 (records) of bench/run.sh: a raw SQLite insert loop
// with the storage shape m3m gives the benchmark's model `items`
// (src/store/sqlite/record_table.cpp: a STRICT table, id/created/updated +
// one ANY column per field, the index on (created, id), one index per indexed
// field and the declared composite index), WAL + synchronous=NORMAL and m3m's
// checkpoint interval (src/store/sqlite/connections.cpp, wal_tuning.hpp), ids made
// like m3m's (lib/sortable_id.hpp), one autocommit INSERT per row through one
// reused prepared statement — the fastest insert SQLite does when every row
// is its own commit. The rows are those of bench/records.mjs's `row(i)`.
//
// Usage: m3m_bench_sqlite_ceiling DB_PATH SECONDS [PRESEED] [--no-composite]
//   PRESEED rows are inserted first in one transaction (not timed), so the
//   timed loop writes into a table as large as m3m's was. --no-composite
//   leaves out the index (category, score), like records.mjs --composite 0.
//   Prints "rows_per_s R rows N seconds S".
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "lib/sortable_id.hpp"
#include "store/sqlite/wal_tuning.hpp"

namespace {

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite_ceiling: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_ceiling: %s: %s\n", sql, err ? err : "?");
    std::exit(1);
  }
}

// "2026-11-24T12:00:00.000Z" of now, like m3m's created/updated.
void nowIso(char (&out)[64]) {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

struct Inserter {
  sqlite3* db;
  sqlite3_stmt* st = nullptr;
  m3m::lib::SortableIds ids;

  explicit Inserter(sqlite3* d) : db(d) {
    check(db, sqlite3_prepare_v2(db, "INSERT INTO items (id, created, updated, title, n, price, ok, at, category, score)"
                                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 -1, &st, nullptr),
          "prepare");
  }
  ~Inserter() { sqlite3_finalize(st); }

  // The row of records.mjs's row(i): title 'item i', n i, price i/2, ok i even,
  // at a fixed datetime, category 'c' + i % 10, score i·7919 mod 1000.
  void insert(long i) {
    const std::string id = ids.next();
    char now[64];
    nowIso(now);
    char title[32];
    std::snprintf(title, sizeof title, "item %ld", i);
    char category[8];
    std::snprintf(category, sizeof category, "c%ld", i % 10);
    sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, i);
    sqlite3_bind_double(st, 6, static_cast<double>(i) / 2);
    sqlite3_bind_int64(st, 7, i % 2 == 0 ? 1 : 0);
    sqlite3_bind_text(st, 8, "2026-11-24T12:00:00.000Z", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, category, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, (i * 7919) % 1000);
    check(db, sqlite3_step(st), "insert");
    sqlite3_reset(st);
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool composite = !(argc == 5 && std::string(argv[4]) == "--no-composite");
  if (argc < 3 || argc > 5 || (argc == 5 && composite)) {
    std::fprintf(stderr, "usage: %s DB_PATH SECONDS [PRESEED] [--no-composite]\n", argv[0]);
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const long preseed = argc > 3 ? std::atol(argv[3]) : 0;
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite_ceiling: cannot open %s\n", argv[1]);
    return 1;
  }
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db, "PRAGMA foreign_keys=ON");
  exec(db, ("PRAGMA wal_autocheckpoint=" + std::to_string(m3m::store::sqlite::kWalAutocheckpointPages)).c_str());
  exec(db, ("PRAGMA journal_size_limit=" + std::to_string(m3m::store::sqlite::kJournalSizeLimitBytes)).c_str());
  exec(db,
       "CREATE TABLE items (id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
       " title ANY, n ANY, price ANY, ok ANY, at ANY, category ANY, score ANY) STRICT");
  exec(db, "CREATE INDEX items_created_id ON items (created, id)");
  exec(db, "CREATE INDEX items_title ON items (title)");
  exec(db, "CREATE INDEX items_category ON items (category)");
  exec(db, "CREATE INDEX items_score ON items (score)");
  if (composite) exec(db, "CREATE INDEX items_category_score ON items (category, score)");

  long rows = 0;
  double elapsed = 0;
  {
    Inserter ins(db);
    long i = 0;
    if (preseed > 0) {
      exec(db, "BEGIN");
      for (; i < preseed; ++i) ins.insert(i);
      exec(db, "COMMIT");
    }
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      if ((rows & 127) == 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds)
        break;
      ins.insert(i++);  // autocommit: one transaction (one WAL commit) per row
      ++rows;
    }
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }  // the statement is finalized before sqlite3_close
  std::printf("rows_per_s %.0f rows %ld seconds %.3f\n", rows / elapsed, rows, elapsed);
  return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
}
