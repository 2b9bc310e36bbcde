#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <m3m/error.hpp>

#include "app/app.hpp"
#include "store/settings_repository.hpp"

namespace m3m::app {

namespace {

// False when jwt.secret is the operator's own; throws in production mode
// when it is not (config validation catches that first).
bool needsGeneratedSecret(const config::Config& cfg) {
  if (!cfg.jwt.secret.empty() && cfg.jwt.secret != config::DEFAULT_JWT_SECRET) return false;
  if (cfg.isProduction())
    throw Error(ErrorCode::INVALID_ARGUMENT, "jwt.secret: must be set to your own secret in production mode");
  return true;
}

std::string randomSecret() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw Error(ErrorCode::INTERNAL, "cannot generate a random JWT secret");
  static constexpr char hex[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : raw) {
    secret += hex[b >> 4];
    secret += hex[b & 0xf];
  }
  return secret;
}

}  // namespace

void ensureJwtSecret(config::Config& cfg, spdlog::logger& log) {
  if (!needsGeneratedSecret(cfg)) return;
  namespace fs = std::filesystem;
  fs::path dir = fs::path(cfg.database.path).parent_path();
  if (dir.empty()) dir = ".";
  fs::path file = dir / "jwt.secret";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (std::ifstream in(file); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) {
      cfg.jwt.secret = secret;
      return;
    }
  }
  const std::string secret = randomSecret();
  // Created 0600 from the start: the secret is never readable by others.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ErrorCode::UNAVAILABLE, "cannot write " + file.string());
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw Error(ErrorCode::UNAVAILABLE, "cannot write " + file.string());
  cfg.jwt.secret = secret;
  log.warn("development mode: generated a JWT secret in {} (set jwt.secret and mode: production for real use)",
           file.string());
}

void ensureSharedJwtSecret(config::Config& cfg, store::SettingsRepository& settings, spdlog::logger& log) {
  if (!needsGeneratedSecret(cfg)) return;
  // The first node to start generates it; the others read it (insert-if-absent).
  cfg.jwt.secret = settings.setIfAbsent("development.jwt_secret", randomSecret());
  log.warn("development mode: the JWT secret is generated once and kept in the database, shared by every node "
           "(set jwt.secret and mode: production for real use)");
}

}  // namespace m3m::app
