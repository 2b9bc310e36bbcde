// storage.driver: gridfs — a project's files in MongoDB, so they follow the
// project to whichever node runs it (docs/configuration.md "storage.driver").
//
// Two parts:
// - the bucket `storage` (collections storage.files / storage.chunks), written
//   and read only through libmongoc's bucket API (mongoc_gridfs_bucket_*). A
//   GridFS file is never changed: every write uploads a new one (id: random
//   text; filename "<project>/<path>", metadata {project, path}).
// - the collection `storage_entries`: the folder tree, one document per file
//   or folder {project, path, parent, name, dir, file (the GridFS id), size,
//   modified}, unique on (project, path). A file is visible only through its
//   entry, so a write uploads first and then swaps the entry's `file` in one
//   atomic single-document update (findAndModify): a reader sees the old file
//   or the new one, never a part, and a crash during the upload leaves only an
//   unreferenced GridFS file (invisible; removed with its project). Folders
//   are entries too, so an empty folder made by mkdir survives.
// No transactions are used (FerretDB has none), and writes never join the
// thread's transaction (a script's database.transaction): its rollback could
// not undo the GridFS half. A folder rename or remove moves (deletes) what is
// under the folder entry by entry and the folder's own entry last, so a crash
// half-way leaves the folder in place with the rest; repeating finishes it.
#pragma once

#include <mongoc/mongoc.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

#include "service/storage/file_backend.hpp"
#include "store/mongo/database.hpp"

namespace m3m::store::mongo {

class GridFsFiles final : public service::FileBackend {
 public:
  // cacheDir: this node's copies of files being downloaded (named by GridFS
  // id, so never stale); the oldest are removed past cacheBytes.
  // Also starts a sweep of GridFS files left by writes interrupted by a crash
  // (see removeOrphans), on its own thread; the destructor stops it.
  GridFsFiles(Database& db, std::filesystem::path cacheDir, std::uint64_t cacheBytes);
  ~GridFsFiles() override;

  std::optional<service::FileInfo> stat(const std::string& projectId, const std::string& path) override;
  std::optional<std::vector<service::FileInfo>> list(const std::string& projectId, const std::string& dir) override;
  std::string read(const std::string& projectId, const std::string& path) override;
  std::filesystem::path localCopy(const std::string& projectId, const service::FileInfo& file) override;
  void write(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) override;
  void mkdir(const std::string& projectId, const std::string& path) override;
  service::RenameResult rename(const std::string& projectId, const std::string& from, const std::string& to) override;
  std::optional<std::string> remove(const std::string& projectId, const std::string& path) override;
  service::FileUsage usage(const std::string& projectId) override;
  void removeProject(const std::string& projectId) override;

  // Deletes the GridFS files uploaded before `before` that no entry names
  // (a write interrupted between its upload and its swap); the count.
  std::size_t removeOrphans(std::chrono::system_clock::time_point before);

 private:
  // The writes themselves, run outside the thread's transaction (if any).
  void writeOutside(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace);
  service::RenameResult renameOutside(const std::string& projectId, const std::string& from, const std::string& to);
  std::optional<std::string> removeOutside(const std::string& projectId, const std::string& path);
  std::optional<nlohmann::json> entry(const std::string& projectId, const std::string& path);
  // `path` and every missing folder above it (CONFLICT when a file is in the way).
  void makeFolders(const std::string& projectId, const std::string& path);
  void withBucket(const std::function<void(mongoc_gridfs_bucket_t*)>& fn);
  std::string upload(const std::string& projectId, const std::string& path, std::string_view bytes);
  // Streams the GridFS file to `sink` chunk by chunk; false when it is gone
  // (replaced or removed meanwhile) or shorter than `size`.
  bool download(const std::string& fileId, std::uint64_t size, const std::function<void(const char*, size_t)>& sink);
  void deleteFile(const std::string& fileId);
  void pruneCache();

  Database& db_;
  std::filesystem::path cacheDir_;
  std::uint64_t cacheBytes_;
  std::mutex pruning_;
  std::atomic<bool> stopping_{false};
  std::thread sweeper_;  // last: started when the rest is ready
};

}  // namespace m3m::store::mongo
