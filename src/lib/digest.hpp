// Message digests, HMAC and constant-time comparison, all from OpenSSL's EVP
// layer (no hand-written primitive): the runtime's `crypto` module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

enum class DigestAlgorithm { Md5, Sha1, Sha256, Sha512 };

// "md5", "sha1", "sha256", "sha512" (lower case, as Node's names); nullopt otherwise.
std::optional<DigestAlgorithm> digestAlgorithm(std::string_view name);

// The raw digest (16, 20, 32 or 64 bytes).
std::string digest(DigestAlgorithm algorithm, std::string_view data);
// HMAC (RFC 2104) with `key` of any length; the raw MAC, as long as the digest.
std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data);

// True when a and b hold the same bytes, in a time that depends only on their
// length (CRYPTO_memcmp). Different lengths: false at once (the length is not secret).
bool timingSafeEqual(std::string_view a, std::string_view b);

}  // namespace m3m::lib
