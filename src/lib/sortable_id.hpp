// Record ids that sort in the order they were made.
//
// Why not random ids: every model's table has a unique index on `id`, and a random id lands
// on a random page of that index, so each insert dirtied one more page to write to the WAL
// and to checkpoint (bench/records.mjs: ≈ 1.4× more creates/s with these ids). Ordered ids
// append to the index's last page, like `created` does.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace m3m::lib {

// 15 characters [0-9a-z]: 9 of milliseconds since 1970 in base 36 (enough until the year
// 5138), then 6 random ones. Every id this object makes is greater than the one before
// (byte order), also when several are made in the same millisecond or the clock steps
// back: the time part then stays at the last one and the random part grows by a random
// step, so the next id is not guessable from the previous one. Ids are not secrets all the
// same: access to records is checked, never implied by knowing an id. Thread-safe.
class SortableIds {
 public:
  static constexpr std::size_t kLength = 15;
  static constexpr std::size_t kTimeChars = 9;

  std::string next();                    // at the system clock's time
  std::string nextAt(std::int64_t unixMs);  // at a given time (tests, and next())

 private:
  std::mutex mutex_;
  std::int64_t lastMs_ = -1;
  std::uint64_t lastRandom_ = 0;
};

}  // namespace m3m::lib
