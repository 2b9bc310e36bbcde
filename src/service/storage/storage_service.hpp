// A project's files: {storage.path}/{project-id}/storage/. The file-manager
// API (permission-checked) and the runtime's `storage` module (the project
// itself) share one implementation and one PathGuard, so both obey the same
// path rules. Writes go to a temporary file in the same folder and are renamed
// into place: a crash never leaves a half-written file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/page.hpp"
#include "service/auth/principal.hpp"
#include "service/images.hpp"
#include "service/projects.hpp"
#include "store/store.hpp"

namespace m3m::service {

struct StorageEntry {
  std::string name;
  std::string path;  // relative to the storage root
  std::uint64_t size = 0;
  std::string mimeType;  // "inode/directory" for folders
  std::string modified;  // ISO-8601 UTC
  bool isDir = false;
};

struct StoredFile {
  std::filesystem::path location;
  std::string name;
  std::string mimeType;
  std::uint64_t size = 0;
};

struct StorageLinkView {
  std::string id;     // public, stable (store::linkIdOf)
  std::string token;  // only when just created
  std::string tokenHint;
  std::string path;
  std::string url;
  std::string createdAt;
};

class StorageService {
 public:
  StorageService(store::Store& store, ProjectService& projects, std::filesystem::path storagePath,
                 std::uint64_t maxUpload, ImageService& images);

  domain::Page<StorageEntry> list(const Principal& who, const std::string& projectId, const std::string& dir,
                                  const domain::PageRequest& page);
  StorageEntry mkdir(const Principal& who, const std::string& projectId, const std::string& path);
  // files: (name, bytes); all land in `dir` or none does (names checked first).
  std::vector<StorageEntry> upload(const Principal& who, const std::string& projectId, const std::string& dir,
                                   const std::vector<std::pair<std::string, std::string_view>>& files);
  StoredFile download(const Principal& who, const std::string& projectId, const std::string& path);
  StorageEntry rename(const Principal& who, const std::string& projectId, const std::string& from, const std::string& to);
  void remove(const Principal& who, const std::string& projectId, const std::string& path);
  StorageEntry createText(const Principal& who, const std::string& projectId, const std::string& path,
                          const std::string& content);
  StorageEntry editText(const Principal& who, const std::string& projectId, const std::string& path,
                        const std::string& content);
  std::string readText(const Principal& who, const std::string& projectId, const std::string& path);
  nlohmann::json usage(const Principal& who, const std::string& projectId);
  // 50×50 PNG, cached until the file changes. Access and existence are
  // checked now (thrown); the PNG comes through `done` — at once from the
  // cache, otherwise from an image worker (errors: 413 over
  // storage.max_image_pixels, 415 undecodable, 504 past storage.image_timeout).
  // Throws UNAVAILABLE when the image workers' queue is full.
  void thumbnail(const Principal& who, const std::string& projectId, const std::string& path, ImageService::Done done);

  StorageLinkView createLink(const Principal& who, const std::string& projectId, const std::string& path);
  domain::Page<StorageLinkView> links(const Principal& who, const std::string& projectId, const domain::PageRequest& page);
  // `link` is a link's id or, as before ids existed, its token.
  void revokeLink(const Principal& who, const std::string& projectId, const std::string& link);
  // No auth: the token is the credential. NOT_FOUND unless the file still
  // exists under that filename.
  StoredFile publicFile(const std::string& token, const std::string& filename);

  // The runtime (the project itself).
  std::string read(const std::string& projectId, const std::string& path);
  void write(const std::string& projectId, const std::string& path, std::string_view bytes);
  bool exists(const std::string& projectId, const std::string& path);
  void removePath(const std::string& projectId, const std::string& path);
  std::vector<std::string> listNames(const std::string& projectId, const std::string& dir);
  void makeDir(const std::string& projectId, const std::string& path);
  std::optional<StorageEntry> stat(const std::string& projectId, const std::string& path);

 private:
  std::filesystem::path rootOf(const std::string& projectId) const;
  StorageEntry entryOf(const std::string& projectId, const std::filesystem::path& location) const;
  // replace = false: CONFLICT when something appeared there meanwhile (the
  // final rename refuses to replace, so a check-then-write race cannot clobber).
  void writeAtomically(const std::filesystem::path& location, std::string_view bytes, bool replace = true) const;

  store::Store& store_;
  ProjectService& projects_;
  std::filesystem::path storagePath_;
  std::uint64_t maxUpload_;
  ImageService& images_;
};

}  // namespace m3m::service
