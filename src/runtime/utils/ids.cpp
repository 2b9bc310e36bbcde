#include "runtime/utils/ids.hpp"

#include <chrono>
#include <mutex>

#include "lib/random.hpp"

namespace m3m::utils {

std::string uuid7Layout(std::uint64_t ms, std::uint16_t counter, std::uint64_t randB) {
  unsigned char b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>(0x70 | ((counter >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(counter & 0xff);
  b[8] = static_cast<unsigned char>(0x80 | ((randB >> 56) & 0x3f));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<unsigned char>(randB >> (8 * (15 - i)));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 0xf];
  }
  return s;
}

std::string uuid7() {
  static std::mutex mutex;
  static std::uint64_t lastMs = 0;
  static std::uint16_t counter = 0;
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::uint64_t randB = lib::randomBelow(std::uint64_t{1} << 62);
  std::uint64_t ms;
  std::uint16_t seq;
  {
    std::lock_guard lock(mutex);
    if (now > lastMs) {
      lastMs = now;
      counter = static_cast<std::uint16_t>(lib::randomBelow(2048));
    } else if (++counter > 0x0fff) {
      ++lastMs;
      counter = static_cast<std::uint16_t>(lib::randomBelow(2048));
    }
    ms = lastMs;
    seq = counter;
  }
  return uuid7Layout(ms & 0xffffffffffffULL, seq, randB);
}

double randomUnit() { return static_cast<double>(lib::randomBelow(std::uint64_t{1} << 53)) / 9007199254740992.0; }

std::int64_t randomInclusive(std::int64_t min, std::int64_t max) {
  const auto span = static_cast<std::uint64_t>(max - min) + 1;  // ≤ 2⁵⁴ − 1: no overflow
  return min + static_cast<std::int64_t>(lib::randomBelow(span));
}

}  // namespace m3m::utils
