#include "service/auth/tokens.hpp"

#include <jwt.h>

#include <cstdlib>
#include <ctime>
#include <m3m/error.hpp>
#include <memory>

namespace m3m::service {
namespace {
struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;
}  // namespace

TokenSigner::TokenSigner(std::string secret, std::chrono::milliseconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {}

std::int64_t TokenSigner::lifetimeSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(lifetime_).count();
}

std::string TokenSigner::issue(const std::string& userId, const std::string& sessionId, int tokenVersion) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw Error(ErrorCode::INTERNAL, "jwt_new failed");
  JwtPtr jwt(raw);
  const long now = static_cast<long>(std::time(nullptr));
  jwt_add_grant(jwt.get(), "sub", userId.c_str());
  jwt_add_grant(jwt.get(), "sid", sessionId.c_str());
  jwt_add_grant(jwt.get(), "typ", "access");
  jwt_add_grant_int(jwt.get(), "ver", tokenVersion);
  jwt_add_grant_int(jwt.get(), "iat", now);
  jwt_add_grant_int(jwt.get(), "exp", now + static_cast<long>(lifetimeSeconds()));
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) != 0)
    throw Error(ErrorCode::INTERNAL, "jwt_set_alg failed");
  char* encoded = jwt_encode_str(jwt.get());
  if (!encoded) throw Error(ErrorCode::INTERNAL, "jwt_encode_str failed");
  std::string out(encoded);
  free(encoded);  // libjwt 1.10 allocates with malloc and has no jwt_free_str
  return out;
}

std::optional<AccessClaims> TokenSigner::verify(const std::string& token) const {
  if (token.empty() || token.size() > 4096) return std::nullopt;
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0)
    return std::nullopt;
  JwtPtr jwt(raw);
  // Only our algorithm: never "none", never another one chosen by the token.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return std::nullopt;
  const char* typ = jwt_get_grant(jwt.get(), "typ");
  const char* sub = jwt_get_grant(jwt.get(), "sub");
  const char* sid = jwt_get_grant(jwt.get(), "sid");
  if (!typ || std::string(typ) != "access" || !sub || !sid) return std::nullopt;
  errno = 0;
  long exp = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || exp <= static_cast<long>(std::time(nullptr))) return std::nullopt;
  errno = 0;
  long ver = jwt_get_grant_int(jwt.get(), "ver");
  if (errno != 0) return std::nullopt;
  return AccessClaims{sub, sid, static_cast<int>(ver), exp};
}

}  // namespace m3m::service
