// Access tokens: JWT HS256 (libjwt) with claims sub (user id), sid (session),
// ver (the user's token version), typ, iat, exp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace m3m::service {

struct AccessClaims {
  std::string userId;
  std::string sessionId;
  int tokenVersion = 0;
  std::int64_t expiresAt = 0;  // unix seconds
};

class TokenSigner {
 public:
  TokenSigner(std::string secret, std::chrono::milliseconds lifetime);
  std::string issue(const std::string& userId, const std::string& sessionId, int tokenVersion) const;
  // nullopt for anything but a well-formed, HS256-signed, unexpired access token.
  std::optional<AccessClaims> verify(const std::string& token) const;
  std::int64_t lifetimeSeconds() const;

 private:
  std::string secret_;
  std::chrono::milliseconds lifetime_;
};

}  // namespace m3m::service
