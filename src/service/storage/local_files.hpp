// storage.driver: local — a project's files on this node's disk:
// {storage.path}/{project-id}/storage/. Every path is resolved once more by
// PathGuard here (symlinks exist only on a disk): a link leading out of the
// project's folder is refused, and deleting or renaming a link acts on the
// link itself. Writes go to a temporary file in the same folder and are
// renamed into place: a crash never leaves a half-written file.
#pragma once

#include <filesystem>

#include "service/storage/file_backend.hpp"

namespace m3m::service {

class PathGuard;

class LocalFiles final : public FileBackend {
 public:
  explicit LocalFiles(std::filesystem::path storagePath) : storagePath_(std::move(storagePath)) {}

  std::optional<FileInfo> stat(const std::string& projectId, const std::string& path) override;
  std::optional<std::vector<FileInfo>> list(const std::string& projectId, const std::string& dir) override;
  std::string read(const std::string& projectId, const std::string& path) override;
  std::filesystem::path localCopy(const std::string& projectId, const FileInfo& file) override;
  void write(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) override;
  void mkdir(const std::string& projectId, const std::string& path) override;
  RenameResult rename(const std::string& projectId, const std::string& from, const std::string& to) override;
  std::optional<std::string> remove(const std::string& projectId, const std::string& path) override;
  FileUsage usage(const std::string& projectId) override;
  void removeProject(const std::string&) override {}  // ProjectService removes {storage.path}/{id}

  // Writes `bytes` to `location` through a temporary file beside it (also the
  // thumbnail and download caches). replace = false: CONFLICT when something
  // appeared there meanwhile (the final rename refuses to replace).
  static void writeAtomically(const std::filesystem::path& location, std::string_view bytes, bool replace = true);
  static std::string readAll(const std::filesystem::path& location);
  // The prefix of writes in progress (never listed).
  static constexpr const char* kTmpPrefix = ".m3m-tmp-";

 private:
  std::filesystem::path rootOf(const std::string& projectId) const;
  std::filesystem::path storagePath_;
};

// The ISO-8601 UTC text of a file time (millisecond precision).
std::string isoFileTime(std::filesystem::file_time_type t);

}  // namespace m3m::service
