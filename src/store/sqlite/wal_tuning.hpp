// How the store checkpoints its WAL; bench/sqlite_ceiling.cpp uses the same values so that
// its ceiling stays the same workload as m3m's writes.
#pragma once

namespace m3m::store::sqlite {

// SQLite's default checkpoints every 1,000 WAL pages (4 MB). A checkpoint copies every page
// changed since the last one into the database file and syncs it; a page changed many
// times between checkpoints (an index's hot pages) is copied once, so a longer interval
// copies less per write, and the final pass that holds the write lock (wal_checkpointer.hpp)
// comes less often. Measured with bench/records.mjs (API creates/s, server CPU per create):
// 1,000 pages 4.8k/s, 136 µs (checkpoint inside the commit); 10,000 pages 8.5–9.1k/s, 92 µs
// (same); with the checkpointer thread 10,000 pages 9.7–10.4k/s, 86–92 µs; 20,000 pages
// 11.4k/s, 83 µs; 30,000 pages 11.7–12.4k/s, 75–78 µs but a p99 of ≈ 50 ms. The cost: the
// WAL file grows to ≈ 80 MB between checkpoints (more while one runs under heavy writes),
// read back once at start after a crash.
inline constexpr int kWalAutocheckpointPages = 20000;

// After a checkpoint resets the WAL, SQLite truncates the file down to this size, so a
// burst that grew it (a long reader holds the checkpoint back) does not keep its space.
inline constexpr long long kJournalSizeLimitBytes = 64LL << 20;

}  // namespace m3m::store::sqlite
