#pragma once

#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"
#include "store/storage_link_repository.hpp"

namespace m3m::store::mongo {

class MongoStorageLinkRepository final : public StorageLinkRepository {
 public:
  explicit MongoStorageLinkRepository(Database& db) : db_(db) {}
  void create(const StorageLink& l) override;
  std::optional<StorageLink> findByHash(const std::string& tokenHash) override;
  domain::Page<StorageLink> list(const std::string& projectId, const domain::PageRequest& page) override;
  bool remove(const std::string& projectId, const std::string& tokenHash) override;
  bool removeById(const std::string& projectId, const std::string& linkId) override;
  void move(const std::string& projectId, const std::string& from, const std::string& to) override;
  void removeUnder(const std::string& projectId, const std::string& path) override;

 private:
  Database& db_;
  util::UpdateLock updates_{db_};  // around every update (FerretDB: see UpdateLock)
};

}  // namespace m3m::store::mongo
