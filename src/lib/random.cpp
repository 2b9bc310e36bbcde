#include "lib/random.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <vector>

namespace m3m::lib {
namespace {

void fill(unsigned char* buf, size_t n) {
  if (RAND_bytes(buf, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

std::string uuid4() {
  unsigned char b[16];
  fill(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string s;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 0xf];
  }
  return s;
}

namespace {

// Ids and random numbers are made on every record insert: one RAND_bytes call per 4 KB
// instead of one per id (the call's locking cost more than the id). Per thread, so no
// lock; m3m never forks, so no pool is ever shared by two processes.
unsigned char pooledByte() {
  thread_local unsigned char pool[4096];
  thread_local size_t used = sizeof pool;
  if (used == sizeof pool) {
    fill(pool, sizeof pool);
    used = 0;
  }
  const unsigned char c = pool[used];
  pool[used++] = 0;  // a byte is handed out once
  return c;
}

}  // namespace

std::string randomLowerAlnum(size_t length) {
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    // Rejection sampling keeps every character equally likely (252 = 7 × 36).
    const unsigned char c = pooledByte();
    if (c < 252) out += alphabet[c % 36];
  }
  return out;
}

std::uint64_t randomBelow(std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Rejection sampling over whole 64-bit draws: uniform for any bound.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | pooledByte();
    if (v < limit) return v % bound;
  }
}

std::string randomToken(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  fill(b.data(), bytes);
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned int acc = 0;
  int bits = 0;
  for (unsigned char c : b) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += alphabet[(acc >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string s;
  for (unsigned i = 0; i < len; ++i) {
    s += kHex[md[i] >> 4];
    s += kHex[md[i] & 0xf];
  }
  return s;
}

std::string isoTime(std::chrono::system_clock::time_point when) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

std::string nowIso() { return isoTime(std::chrono::system_clock::now()); }

}  // namespace m3m::lib
