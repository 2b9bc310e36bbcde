#include "lib/sortable_id.hpp"

#include <chrono>

#include "lib/random.hpp"

namespace m3m::lib {
namespace {

constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";  // ASCII order: ids compare as numbers
constexpr std::uint64_t kRandomSpan = 36ULL * 36 * 36 * 36 * 36 * 36;  // 6 characters
constexpr std::uint64_t kMaxStep = 36ULL * 36 * 36;                    // step within one millisecond

void putBase36(std::uint64_t v, char* out, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) {
    out[i] = kDigits[v % 36];
    v /= 36;
  }
}

}  // namespace

std::string SortableIds::next() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return nextAt(ms);
}

std::string SortableIds::nextAt(std::int64_t unixMs) {
  std::uint64_t ms = unixMs < 0 ? 0 : static_cast<std::uint64_t>(unixMs);
  std::uint64_t random = 0;
  {
    std::lock_guard lock(mutex_);
    if (lastMs_ >= 0 && ms <= static_cast<std::uint64_t>(lastMs_)) {
      ms = static_cast<std::uint64_t>(lastMs_);
      random = lastRandom_ + 1 + randomBelow(kMaxStep);
      if (random >= kRandomSpan) {  // this millisecond is used up: borrow the next one
        ++ms;
        random = randomBelow(kRandomSpan / 2);
      }
    } else {
      // The lower half leaves room for the ids made later in the same millisecond.
      random = randomBelow(kRandomSpan / 2);
    }
    lastMs_ = static_cast<std::int64_t>(ms);
    lastRandom_ = random;
  }
  std::string id(kLength, '0');
  putBase36(ms, id.data(), kTimeChars);
  putBase36(random, id.data() + kTimeChars, kLength - kTimeChars);
  return id;
}

}  // namespace m3m::lib
