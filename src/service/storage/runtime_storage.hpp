// The runtime's `storage` module backed by StorageService.
#pragma once

#include "runtime/modules/builtin_modules.hpp"
#include "service/storage/storage_service.hpp"

namespace m3m::service {

class RuntimeStorage final : public runtime::StorageBackend {
 public:
  explicit RuntimeStorage(StorageService& files) : files_(files) {}
  std::string read(const std::string& projectId, const std::string& path) override { return files_.read(projectId, path); }
  void write(const std::string& projectId, const std::string& path, const std::string& bytes) override {
    files_.write(projectId, path, bytes);
  }
  bool exists(const std::string& projectId, const std::string& path) override { return files_.exists(projectId, path); }
  void remove(const std::string& projectId, const std::string& path) override { files_.removePath(projectId, path); }
  Value list(const std::string& projectId, const std::string& dir) override { return files_.listNames(projectId, dir); }
  void mkdir(const std::string& projectId, const std::string& path) override { files_.makeDir(projectId, path); }
  Value stat(const std::string& projectId, const std::string& path) override {
    auto e = files_.stat(projectId, path);
    if (!e) return nullptr;
    return {{"size", e->size}, {"is_dir", e->isDir}, {"modified", e->modified}, {"mime_type", e->mimeType}};
  }

 private:
  StorageService& files_;
};

}  // namespace m3m::service
