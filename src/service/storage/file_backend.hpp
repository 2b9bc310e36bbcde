// Where a project's files are kept (storage.driver): the node's disk
// (LocalFiles, src/service/storage/local_files.hpp) or MongoDB's GridFS
// (GridFsFiles, src/store/mongo/gridfs_files.hpp), so that the files follow a
// project to whichever node runs it. StorageService sits above and keeps every
// permission and path check: a backend only ever sees paths PathGuard::check
// accepted — relative, "/"-separated, no "." or ".." segments, "" = the root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace m3m::service {

struct FileInfo {
  std::string path;      // relative to the project's storage root ("" = the root)
  bool isDir = false;
  bool regular = false;  // a file whose bytes can be read (not a folder, not a dangling link…)
  std::uint64_t size = 0;
  std::string modified;  // ISO-8601 UTC
  // Changes whenever the content does (local: mtime + size; GridFS: the
  // file's id): per-node caches (thumbnails, download copies) key on it.
  std::string version;
};

struct FileUsage {
  std::uint64_t bytes = 0, files = 0, folders = 0;  // the root itself not counted
};

struct RenameResult {
  enum class Outcome { Moved, NoSource, TargetExists, IntoItself };
  Outcome outcome = Outcome::Moved;
  std::string from, to;  // the relative paths actually moved (for the public links)
};

class FileBackend {
 public:
  virtual ~FileBackend() = default;

  // nullopt when nothing is at `path`. The root ("") always exists.
  virtual std::optional<FileInfo> stat(const std::string& projectId, const std::string& path) = 0;
  // The entries directly inside the folder `dir`, in any order (temporary
  // files of writes in progress left out); nullopt when `dir` is not a folder.
  virtual std::optional<std::vector<FileInfo>> list(const std::string& projectId, const std::string& dir) = 0;
  // The whole content of a regular file (NOT_FOUND otherwise).
  virtual std::string read(const std::string& projectId, const std::string& path) = 0;
  // A file on this node's disk holding the content of `file` (a stat() result),
  // for the download handler to serve by byte ranges: the file itself (local)
  // or a per-node copy written chunk by chunk (GridFS). NOT_FOUND when gone.
  virtual std::filesystem::path localCopy(const std::string& projectId, const FileInfo& file) = 0;
  // Stores `bytes` at `path` atomically: a reader sees the old content or the
  // new one, never a part; a crash leaves no half file visible. Missing
  // folders on the way are made (CONFLICT when a file is in the way).
  // replace = false: CONFLICT when something exists at `path` (even one
  // created by a concurrent write after the caller checked).
  virtual void write(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) = 0;
  // The folder and the missing ones on the way (CONFLICT when a file is in the way).
  virtual void mkdir(const std::string& projectId, const std::string& path) = 0;
  // A file, or a folder with everything under it; never replaces `to`.
  // Missing folders on the way to `to` are made.
  virtual RenameResult rename(const std::string& projectId, const std::string& from, const std::string& to) = 0;
  // A file, or a folder with everything under it: the relative path removed,
  // nullopt when nothing was there.
  virtual std::optional<std::string> remove(const std::string& projectId, const std::string& path) = 0;
  virtual FileUsage usage(const std::string& projectId) = 0;
  // Every file of a project being deleted (the node's own folders of the
  // project are removed by ProjectService).
  virtual void removeProject(const std::string& projectId) = 0;
};

}  // namespace m3m::service
