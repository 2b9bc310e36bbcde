#include "service/storage/local_files.hpp"

#include <fcntl.h>
#include <stdio.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <m3m/error.hpp>
#include <sstream>

#include "lib/random.hpp"
#include "service/storage/path_guard.hpp"

namespace m3m::service {
namespace fs = std::filesystem;

namespace {

// rename(2) without replacing an existing target; false when one exists.
bool renameNoReplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  throw fs::filesystem_error("rename", from, to, std::error_code(errno, std::generic_category()));
}

// The folders on the way to `folder`; a file in the way is a CONFLICT (as on GridFS).
void makeFolders(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (!ec) return;
  if (ec == std::errc::not_a_directory || ec == std::errc::file_exists)
    throw Error(ErrorCode::CONFLICT, "a file is in the way of the folder", {{"path", "a file is in the way"}});
  throw fs::filesystem_error("create_directories", folder, ec);
}

FileInfo infoOf(const PathGuard& guard, const fs::path& location) {
  FileInfo f;
  f.path = location == guard.root() ? std::string() : guard.relative(location);
  std::error_code ec;
  f.isDir = fs::is_directory(location, ec);
  f.regular = !f.isDir && fs::is_regular_file(location, ec);
  if (!f.isDir) {
    auto size = fs::file_size(location, ec);
    f.size = ec ? 0 : size;
  }
  auto mtime = fs::last_write_time(location, ec);
  f.modified = isoFileTime(mtime);
  f.version = std::to_string(mtime.time_since_epoch().count()) + "\n" + std::to_string(f.size);
  return f;
}

}  // namespace

std::string isoFileTime(fs::file_time_type t) {
  auto sys = std::chrono::file_clock::to_sys(t);
  auto ms = std::chrono::floor<std::chrono::milliseconds>(sys);
  auto day = std::chrono::floor<std::chrono::days>(ms);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss tod{ms - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<int>(tod.subseconds().count()));
  return buf;
}

std::string LocalFiles::readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ErrorCode::NOT_FOUND, "no such file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void LocalFiles::writeAtomically(const fs::path& location, std::string_view bytes, bool replace) {
  makeFolders(location.parent_path());
  auto tmp = location.parent_path() / (kTmpPrefix + lib::randomLowerAlnum(12));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw Error(ErrorCode::UNAVAILABLE, "could not write the file (disk full?)");
    }
  }
  if (replace) return fs::rename(tmp, location);
  if (!renameNoReplace(tmp, location)) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw Error(ErrorCode::CONFLICT, "\"" + location.filename().string() + "\" already exists", {{"path", "already exists"}});
  }
}

fs::path LocalFiles::rootOf(const std::string& projectId) const { return storagePath_ / projectId / "storage"; }

std::optional<FileInfo> LocalFiles::stat(const std::string& projectId, const std::string& path) {
  PathGuard guard(rootOf(projectId));
  auto location = guard.resolve(path, true);
  if (!fs::exists(location)) return std::nullopt;
  return infoOf(guard, location);
}

std::optional<std::vector<FileInfo>> LocalFiles::list(const std::string& projectId, const std::string& dir) {
  PathGuard guard(rootOf(projectId));
  auto location = guard.resolve(dir, true);
  if (!fs::is_directory(location)) return std::nullopt;
  std::vector<FileInfo> out;
  for (const auto& item : fs::directory_iterator(location))
    if (item.path().filename().string().rfind(kTmpPrefix, 0) != 0) out.push_back(infoOf(guard, item.path()));
  return out;
}

std::string LocalFiles::read(const std::string& projectId, const std::string& path) {
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!fs::is_regular_file(location)) throw Error(ErrorCode::NOT_FOUND, "no such file");
  return readAll(location);
}

fs::path LocalFiles::localCopy(const std::string& projectId, const FileInfo& file) {
  auto location = PathGuard(rootOf(projectId)).resolve(file.path);
  if (!fs::is_regular_file(location)) throw Error(ErrorCode::NOT_FOUND, "no such file");
  return location;
}

void LocalFiles::write(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) {
  writeAtomically(PathGuard(rootOf(projectId)).resolve(path), bytes, replace);
}

void LocalFiles::mkdir(const std::string& projectId, const std::string& path) {
  makeFolders(PathGuard(rootOf(projectId)).resolve(path));
}

RenameResult LocalFiles::rename(const std::string& projectId, const std::string& from, const std::string& to) {
  using O = RenameResult::Outcome;
  PathGuard guard(rootOf(projectId));
  auto src = guard.resolveEntry(from, "from");
  auto dst = guard.resolve(to, false, "to");
  if (!fs::exists(fs::symlink_status(src))) return {O::NoSource};
  if (fs::exists(dst)) return {O::TargetExists};
  if (dst.string().rfind(src.string() + "/", 0) == 0) return {O::IntoItself};
  makeFolders(dst.parent_path());
  if (!renameNoReplace(src, dst)) return {O::TargetExists};
  return {O::Moved, guard.relative(src), guard.relative(dst)};
}

std::optional<std::string> LocalFiles::remove(const std::string& projectId, const std::string& path) {
  PathGuard guard(rootOf(projectId));
  auto location = guard.resolveEntry(path);
  if (!fs::exists(fs::symlink_status(location))) return std::nullopt;
  fs::remove_all(location);  // a symlink itself, not its target
  return guard.relative(location);
}

FileUsage LocalFiles::usage(const std::string& projectId) {
  FileUsage u;
  auto root = rootOf(projectId);
  std::error_code ec;
  if (fs::exists(root))
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) ++u.folders;
      else if (it->is_regular_file(ec)) {
        ++u.files;
        u.bytes += it->file_size(ec);
      }
    }
  return u;
}

}  // namespace m3m::service
