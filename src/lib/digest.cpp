#include "lib/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace m3m::lib {
namespace {

const EVP_MD* md(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::Md5: return EVP_md5();
    case DigestAlgorithm::Sha1: return EVP_sha1();
    case DigestAlgorithm::Sha256: return EVP_sha256();
    case DigestAlgorithm::Sha512: return EVP_sha512();
  }
  return EVP_sha256();
}

}  // namespace

std::optional<DigestAlgorithm> digestAlgorithm(std::string_view name) {
  if (name == "md5") return DigestAlgorithm::Md5;
  if (name == "sha1") return DigestAlgorithm::Sha1;
  if (name == "sha256") return DigestAlgorithm::Sha256;
  if (name == "sha512") return DigestAlgorithm::Sha512;
  return std::nullopt;
}

std::string digest(DigestAlgorithm algorithm, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md(algorithm), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC() takes the key's length as an int; keys past 2 GiB are refused by the callers' caps.
  static const unsigned char empty = 0;
  const void* k = key.empty() ? static_cast<const void*>(&empty) : static_cast<const void*>(key.data());
  if (!HMAC(md(algorithm), k, static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), out, &len))
    throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool timingSafeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace m3m::lib
