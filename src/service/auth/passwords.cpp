#include "service/auth/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <m3m/error.hpp>
#include <vector>

namespace m3m::service {
namespace {
constexpr uint32_t kTimeCost = 2, kMemoryKiB = 19456, kParallelism = 1, kSaltLen = 16, kHashLen = 32;
}

std::string hashPassword(std::string_view password) {
  unsigned char salt[kSaltLen];
  if (RAND_bytes(salt, sizeof salt) != 1) throw Error(ErrorCode::INTERNAL, "cannot generate a salt");
  std::vector<char> encoded(argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltLen, kHashLen, Argon2_id));
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kParallelism, password.data(), password.size(), salt,
                                 sizeof salt, kHashLen, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw Error(ErrorCode::INTERNAL, std::string("argon2: ") + argon2_error_message(rc));
  return std::string(encoded.data());
}

bool verifyPassword(const std::string& encoded, std::string_view password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void verifyDummyPassword(std::string_view password) {
  static const std::string dummy = hashPassword("m3m-timing-equalizer");
  (void)verifyPassword(dummy, password);
}

void validatePassword(std::string_view password, const std::string& field) {
  if (password.size() < 8)
    throw Error(ErrorCode::INVALID_ARGUMENT, "the password is too short", {{field, "must be at least 8 characters"}});
  if (password.size() > 256)
    throw Error(ErrorCode::INVALID_ARGUMENT, "the password is too long", {{field, "must be at most 256 characters"}});
}

}  // namespace m3m::service
