// How the store checkpoints its WAL; bench/sqlite_ceiling.cpp uses the same values so that
// its ceiling stays the same workload as m3m's writes.
#pragma once

namespace m3m::store::sqlite {

// SQLite's default checkpoints every 1,000 WAL pages (4 MB). Each checkpoint copies every
// page changed since the last one into the database file and syncs it (under the write
// lock, on whichever connection commits past the mark). With 10,000 pages, a page changed
// many times between checkpoints (an index's hot pages) is copied once instead of up to
// ten times, and the sync runs a tenth as often: +40–60% creates/s in bench/records.mjs.
// The cost: a WAL file of up to ≈ 40 MB, read back once at start after a crash.
inline constexpr int kWalAutocheckpointPages = 10000;

// After a checkpoint resets the WAL, SQLite truncates the file down to this size, so a
// burst that grew it (a long reader holds the checkpoint back) does not keep its space.
inline constexpr long long kJournalSizeLimitBytes = 64LL << 20;

}  // namespace m3m::store::sqlite
