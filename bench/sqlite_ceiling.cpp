// The ceiling for record creates: a raw SQLite insert loop with the storage
// shape m3m uses for a model (STRICT table, ANY columns, the same indexes),
// WAL + synchronous=NORMAL, one autocommit INSERT per row through one reused
// prepared statement — the fastest per-row-committed insert SQLite can do.
// Usage: m3m_bench_sqlite_ceiling DB_PATH SECONDS  → prints "rows_per_s N"
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s\n", err ? err : "?");
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB_PATH SECONDS\n", argv[0]);
    return 2;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=NORMAL");
  exec(db,
       "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,"
       " c1 ANY, c2 ANY, c3 ANY, c4 ANY, c5 ANY) STRICT");
  exec(db, "CREATE INDEX IF NOT EXISTS items_created ON items (created, id)");
  exec(db, "CREATE INDEX IF NOT EXISTS items_c1 ON items (c1)");
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, nullptr) != SQLITE_OK) return 1;
  std::mt19937_64 rng(42);
  const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const auto seconds = std::atof(argv[2]);
  const auto start = std::chrono::steady_clock::now();
  long rows = 0;
  for (;;) {
    if ((rows & 255) == 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= seconds) break;
    std::string id(15, 'a');
    for (auto& c : id) c = alphabet[rng() % 36];
    const char* now = "2026-11-24T12:00:00.000Z";
    sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, "hello", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, rows);
    sqlite3_bind_double(st, 6, 2.5);
    sqlite3_bind_int64(st, 7, 1);
    sqlite3_bind_text(st, 8, "2026-11-24T12:00:00.000Z", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) return 1;
    sqlite3_reset(st);
    ++rows;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("rows_per_s %.0f\n", rows / elapsed);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return 0;
}
