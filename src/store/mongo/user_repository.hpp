#pragma once

#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"
#include "store/user_repository.hpp"

namespace m3m::store::mongo {

class MongoUserRepository final : public UserRepository {
 public:
  explicit MongoUserRepository(Database& db) : db_(db) {}
  void create(const domain::User& user) override;
  std::optional<domain::User> findById(const std::string& id) override;
  std::optional<domain::User> findByEmail(const std::string& email) override;
  std::optional<domain::User> findRoot() override;
  bool update(const domain::User& user) override;
  bool remove(const std::string& id) override;
  domain::Page<domain::User> list(const domain::PageRequest& page) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

class MongoSessionRepository final : public SessionRepository {
 public:
  explicit MongoSessionRepository(Database& db) : db_(db) {}
  void create(const domain::Session& s) override;
  std::optional<domain::Session> findById(const std::string& id) override;
  std::optional<domain::Session> findByRefreshHash(const std::string& hash) override;
  std::optional<domain::Session> findByUsedRefreshHash(const std::string& hash) override;
  bool rotate(const std::string& id, const std::string& expected, const std::string& next,
              const std::string& expiresAt) override;
  void revoke(const std::string& id) override;
  void revokeAllOf(const std::string& userId) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

}  // namespace m3m::store::mongo
