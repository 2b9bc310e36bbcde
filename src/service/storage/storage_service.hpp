// A project's files, kept by a FileBackend (storage.driver: the node's disk,
// {storage.path}/{project-id}/storage/, or MongoDB's GridFS). The file-manager
// API (permission-checked) and the runtime's `storage` module (the project
// itself) share one implementation and one PathGuard, so both obey the same
// path rules on either backend. Writes are atomic: a crash never leaves a
// half-written file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
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
#include "service/storage/file_backend.hpp"
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
  std::filesystem::path location;  // on this node's disk (for GridFS: a per-node copy)
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
  // files: where the files are kept; nullptr = LocalFiles under storagePath.
  // Thumbnails are cached per node under {storagePath}/{project-id}/thumbnails.
  StorageService(store::Store& store, ProjectService& projects, std::filesystem::path storagePath,
                 std::uint64_t maxUpload, ImageService& images, std::shared_ptr<FileBackend> files = nullptr);

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
  // The regular file at `path` (NOT_FOUND naming `path` otherwise).
  FileInfo requireFile(const std::string& projectId, const std::string& path);
  StorageEntry entryAt(const std::string& projectId, const std::string& rel);

  store::Store& store_;
  ProjectService& projects_;
  std::filesystem::path storagePath_;
  std::uint64_t maxUpload_;
  ImageService& images_;
  std::shared_ptr<FileBackend> files_;
};

}  // namespace m3m::service
