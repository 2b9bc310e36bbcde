#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "domain/page.hpp"

namespace m3m::store {

// A public link to a file: only the SHA-256 of its token is stored.
// The public id of a link: the first 16 hex digits of its token's SHA-256.
// Knowing it reveals nothing of the token, so any member may list and revoke
// links by id, while only the creator ever saw the token.
constexpr std::size_t kLinkIdLength = 16;
inline std::string linkIdOf(const std::string& tokenHash) { return tokenHash.substr(0, kLinkIdLength); }

struct StorageLink {
  std::string tokenHash;
  std::string projectId;
  std::string path;  // relative to the project's storage
  std::string tokenHint;  // the token's last 6 characters, for the list
  std::string createdAt;
};

class StorageLinkRepository {
 public:
  virtual ~StorageLinkRepository() = default;
  virtual void create(const StorageLink& l) = 0;
  virtual std::optional<StorageLink> findByHash(const std::string& tokenHash) = 0;
  virtual domain::Page<StorageLink> list(const std::string& projectId, const domain::PageRequest& page) = 0;
  virtual bool remove(const std::string& projectId, const std::string& tokenHash) = 0;
  // By the link's public id (linkIdOf: the first characters of its hash).
  virtual bool removeById(const std::string& projectId, const std::string& linkId) = 0;
  // A file or folder moved from `from` to `to`: links to it or inside it follow.
  virtual void move(const std::string& projectId, const std::string& from, const std::string& to) = 0;
  // A file or folder deleted: links to it or inside it go.
  virtual void removeUnder(const std::string& projectId, const std::string& path) = 0;
};

}  // namespace m3m::store
