// utils.uuid / utils.random / utils.randomInt (runtime/modules/utils.cpp):
// everything random comes from OpenSSL's CSPRNG (lib/random.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace m3m::utils {

// RFC 9562 UUIDv7: 48-bit Unix milliseconds, version 7, a 12-bit counter in
// rand_a (RFC 9562 §6.2, method 1), variant 10, 62 random bits. Within this
// process each value is greater than the previous one: in the same
// millisecond the counter (which starts at a random value below 2048) goes
// up; when it overflows, or the clock steps back, the timestamp is carried
// forward by one millisecond instead.
std::string uuid7();
// The layout alone (for tests): `ms` in the low 48 bits, `counter` in 12 bits, `randB` in 62 bits.
std::string uuid7Layout(std::uint64_t ms, std::uint16_t counter, std::uint64_t randB);

// Uniform in [0, 1) with 53 random bits (every double k·2⁻⁵³).
double randomUnit();
// Uniform in [min, max], both included; requires min <= max and both within
// ±(2⁵³ − 1) (the safe integers of JavaScript). Rejection sampling: no modulo bias.
std::int64_t randomInclusive(std::int64_t min, std::int64_t max);

}  // namespace m3m::utils
