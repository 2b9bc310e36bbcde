#pragma once

#include <optional>
#include <string>

#include "domain/page.hpp"
#include "domain/user.hpp"

namespace m3m::store {

class UserRepository {
 public:
  virtual ~UserRepository() = default;
  // Throws m3m::Error(CONFLICT, fields.email) when the email is taken.
  virtual void create(const domain::User& user) = 0;
  virtual std::optional<domain::User> findById(const std::string& id) = 0;
  virtual std::optional<domain::User> findByEmail(const std::string& email) = 0;
  virtual std::optional<domain::User> findRoot() = 0;
  // Replaces every mutable column; false when the user no longer exists.
  virtual bool update(const domain::User& user) = 0;
  virtual bool remove(const std::string& id) = 0;
  // Ordered by creation; search matches email or name (case-insensitive substring).
  virtual domain::Page<domain::User> list(const domain::PageRequest& page) = 0;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual void create(const domain::Session& s) = 0;
  virtual std::optional<domain::Session> findById(const std::string& id) = 0;
  virtual std::optional<domain::Session> findByRefreshHash(const std::string& hash) = 0;
  virtual std::optional<domain::Session> findByUsedRefreshHash(const std::string& hash) = 0;
  // A session by a refresh token it has already rotated away (theft/replay detection).
  // Compare-and-swap of the refresh hash: false when `expected` is no longer current;
  // on success `expected` is remembered as used.
  virtual bool rotate(const std::string& id, const std::string& expected, const std::string& next,
                      const std::string& expiresAt) = 0;
  virtual void revoke(const std::string& id) = 0;
  virtual void revokeAllOf(const std::string& userId) = 0;
};

}  // namespace m3m::store
