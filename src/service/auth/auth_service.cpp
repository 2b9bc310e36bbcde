#include "service/auth/auth_service.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "lib/random.hpp"
#include "lib/strings.hpp"
#include "service/auth/passwords.hpp"

namespace m3m::service {
namespace {

Error unauthenticated(const std::string& why) { return Error(ErrorCode::UNAUTHENTICATED, why); }

std::string isoIn(std::chrono::milliseconds d) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() +
                                                std::chrono::duration_cast<std::chrono::seconds>(d));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}


}  // namespace

AuthService::AuthService(store::Store& store, const config::JwtConfig& jwt, const config::AuthConfig& auth)
    : store_(store),
      signer_(jwt.secret, jwt.expiration),
      refreshLifetime_(jwt.refreshExpiration),
      limiter_(auth.loginMaxAttempts, auth.loginWindow) {}

TokenPair AuthService::startSession(const domain::User& user) {
  domain::Session s;
  s.id = lib::uuid4();
  s.userId = user.id;
  std::string refresh = "rt_" + lib::randomToken(32);
  s.refreshHash = lib::sha256Hex(refresh);
  s.expiresAt = isoIn(refreshLifetime_);
  s.createdAt = lib::nowIso();
  store_.repos().sessions().create(s);
  return TokenPair{signer_.issue(user.id, s.id, user.tokenVersion), signer_.lifetimeSeconds(), refresh, user,
                   store_.repos().projects().projectIdsOf(user.id)};
}

TokenPair AuthService::login(const std::string& emailIn, const std::string& password, const std::string& clientIp) {
  const std::string email = lib::toLower(emailIn);
  const std::string limitKey = email + "|" + clientIp;
  limiter_.check(limitKey);
  auto user = store_.repos().users().findByEmail(email);
  bool ok = false;
  if (user) ok = verifyPassword(user->passwordHash, password);
  else verifyDummyPassword(password);
  if (!ok) {
    limiter_.recordFailure(limitKey);
    throw unauthenticated("invalid email or password");
  }
  limiter_.reset(limitKey);
  if (user->isBlocked) throw Error(ErrorCode::PERMISSION_DENIED, "this account is blocked");
  return startSession(*user);
}

TokenPair AuthService::refresh(const std::string& refreshToken) {
  if (refreshToken.empty() || refreshToken.size() > 512) throw unauthenticated("invalid refresh token");
  const std::string hash = lib::sha256Hex(refreshToken);
  auto& sessions = store_.repos().sessions();
  auto session = sessions.findByRefreshHash(hash);
  if (!session) {
    // A token that was already rotated away: someone replayed it. Kill the session.
    if (auto stolen = sessions.findByUsedRefreshHash(hash)) sessions.revoke(stolen->id);
    throw unauthenticated("invalid refresh token");
  }
  if (session->revoked) throw unauthenticated("this session has ended; log in again");
  if (session->expiresAt <= lib::nowIso()) throw unauthenticated("the refresh token has expired; log in again");
  auto user = store_.repos().users().findById(session->userId);
  if (!user) throw unauthenticated("invalid refresh token");
  if (user->isBlocked) throw unauthenticated("this account is blocked");
  std::string next = "rt_" + lib::randomToken(32);
  if (!sessions.rotate(session->id, hash, lib::sha256Hex(next), isoIn(refreshLifetime_)))
    throw unauthenticated("invalid refresh token");  // lost a race with a concurrent refresh
  return TokenPair{signer_.issue(user->id, session->id, user->tokenVersion), signer_.lifetimeSeconds(), next, *user,
                   store_.repos().projects().projectIdsOf(user->id)};
}

void AuthService::logout(const Principal& who) {
  if (!who.isUser()) throw Error(ErrorCode::PERMISSION_DENIED, "an API key has no session to log out of");
  store_.repos().sessions().revoke(who.sessionId);
}

Principal AuthService::authenticateBearer(const std::string& token) {
  auto claims = signer_.verify(token);
  if (!claims) throw unauthenticated("invalid or expired access token");
  auto session = store_.repos().sessions().findById(claims->sessionId);
  if (!session || session->revoked || session->userId != claims->userId)
    throw unauthenticated("this session has ended; log in again");
  auto user = store_.repos().users().findById(claims->userId);
  if (!user || user->tokenVersion != claims->tokenVersion)
    throw unauthenticated("this token is no longer valid; log in again");
  if (user->isBlocked) throw unauthenticated("this account is blocked");
  Principal p;
  p.kind = Principal::Kind::User;
  p.user = std::move(*user);
  p.sessionId = session->id;
  return p;
}

Principal AuthService::authenticateApiKey(const std::string& key) {
  if (key.empty() || key.size() > 256) throw unauthenticated("invalid API key");
  const auto hash = lib::sha256Hex(key);
  auto projectId = apiKeys_.find(hash, [&]() -> std::optional<std::string> {
    auto project = store_.repos().projects().findByApiKeyHash(hash);
    if (!project) return std::nullopt;
    return project->id;
  });
  if (!projectId) throw unauthenticated("invalid API key");
  Principal p;
  p.kind = Principal::Kind::ProjectKey;
  p.projectId = std::move(*projectId);
  return p;
}

}  // namespace m3m::service
