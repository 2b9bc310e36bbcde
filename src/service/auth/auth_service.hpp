// Login, refresh-token rotation, logout, and turning credentials into a Principal.
#pragma once

#include <string>

#include "config/config.hpp"
#include "domain/user.hpp"
#include "service/auth/api_key_cache.hpp"
#include "service/auth/login_limiter.hpp"
#include "service/auth/principal.hpp"
#include "service/auth/tokens.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct TokenPair {
  std::string accessToken;
  std::int64_t expiresIn = 0;  // seconds
  std::string refreshToken;
  domain::User user;
  std::vector<std::string> projectIds;
};

class AuthService {
 public:
  AuthService(store::Store& store, const config::JwtConfig& jwt, const config::AuthConfig& auth);

  // UNAUTHENTICATED for a wrong email or password (same message for both),
  // PERMISSION_DENIED for a blocked account, RateLimited past the limit.
  TokenPair login(const std::string& email, const std::string& password, const std::string& clientIp);
  // Rotates: the presented token dies, a new one is returned. Presenting an
  // already rotated token revokes the whole session (it was stolen or replayed).
  TokenPair refresh(const std::string& refreshToken);
  void logout(const Principal& who);
  // A new session for a user (after a password change).
  TokenPair startSession(const domain::User& user);

  // UNAUTHENTICATED unless the token is valid, its session live, its user
  // present, unblocked and at the same token version.
  Principal authenticateBearer(const std::string& token);
  Principal authenticateApiKey(const std::string& key);
  // Drop the key cache: call after a project's key changed or it was deleted.
  void apiKeysChanged() { apiKeys_.invalidate(); }

 private:
  store::Store& store_;
  TokenSigner signer_;
  std::chrono::milliseconds refreshLifetime_;
  LoginLimiter limiter_;
  ApiKeyCache apiKeys_;
};

}  // namespace m3m::service
