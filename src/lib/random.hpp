// Cryptographically secure identifiers and tokens (OpenSSL RAND_bytes).
#pragma once

#include <cstdint>
#include <chrono>
#include <string>
#include <string_view>

namespace m3m::lib {

std::string uuid4();                               // "3f0c…-…" (RFC 4122 v4)
std::string randomToken(size_t bytes);             // base64url, no padding
std::string randomLowerAlnum(size_t length);      // [a-z0-9]{length}, uniform
std::uint64_t randomBelow(std::uint64_t bound);   // uniform in [0, bound); 0 when bound <= 1
std::string sha256Hex(std::string_view data);
std::string isoTime(std::chrono::system_clock::time_point when);  // the same format
std::string nowIso();                              // "2026-11-24T12:00:00.123Z" (UTC)

}  // namespace m3m::lib
