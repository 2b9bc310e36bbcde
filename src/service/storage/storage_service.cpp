#include "service/storage/storage_service.hpp"

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <chrono>
#include <fstream>
#include <m3m/error.hpp>
#include <sstream>

#include "lib/random.hpp"
#include "lib/strings.hpp"
#include "service/images.hpp"
#include "service/storage/file_types.hpp"
#include "service/storage/path_guard.hpp"

namespace m3m::service {
namespace fs = std::filesystem;

namespace {

std::string isoTime(fs::file_time_type t) {
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

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(ErrorCode::NOT_FOUND, "no such file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

[[noreturn]] void notFound(const std::string& path) { throw Error(ErrorCode::NOT_FOUND, "no file or folder \"" + path + "\""); }

void checkName(const std::string& name, const std::string& field) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos || name.find('\0') != std::string::npos || name.size() > 255)
    throw Error(ErrorCode::INVALID_ARGUMENT, "invalid file name \"" + name + "\"", {{field, "not a valid file name"}});
}

constexpr const char* kTmpPrefix = ".m3m-tmp-";

// rename(2) without replacing an existing target; false when one exists.
bool renameNoReplace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  throw fs::filesystem_error("rename", from, to, std::error_code(errno, std::generic_category()));
}

}  // namespace

StorageService::StorageService(store::Store& store, ProjectService& projects, fs::path storagePath, std::uint64_t maxUpload,
                               ImageService& images)
    : store_(store), projects_(projects), storagePath_(std::move(storagePath)), maxUpload_(maxUpload), images_(images) {}

fs::path StorageService::rootOf(const std::string& projectId) const { return storagePath_ / projectId / "storage"; }

StorageEntry StorageService::entryOf(const std::string& projectId, const fs::path& location) const {
  PathGuard guard(rootOf(projectId));
  StorageEntry e;
  e.name = location.filename().string();
  e.path = guard.relative(location);
  std::error_code ec;
  e.isDir = fs::is_directory(location, ec);
  e.size = e.isDir ? 0 : fs::file_size(location, ec);
  e.mimeType = e.isDir ? "inode/directory" : mimeTypeOf(e.name);
  e.modified = isoTime(fs::last_write_time(location, ec));
  return e;
}

void StorageService::writeAtomically(const fs::path& location, std::string_view bytes, bool replace) const {
  fs::create_directories(location.parent_path());
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

// --- file manager --------------------------------------------------------------

domain::Page<StorageEntry> StorageService::list(const Principal& who, const std::string& projectId,
                                                const std::string& dir, const domain::PageRequest& page) {
  projects_.requireAccess(who, projectId);
  PathGuard guard(rootOf(projectId));
  auto location = guard.resolve(dir, true);
  if (!fs::is_directory(location)) notFound(dir);
  std::vector<StorageEntry> all;
  for (const auto& item : fs::directory_iterator(location)) {
    auto name = item.path().filename().string();
    if (name.rfind(kTmpPrefix, 0) == 0) continue;
    if (!page.search.empty() && name.find(page.search) == std::string::npos) continue;
    all.push_back(entryOf(projectId, item.path()));
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.isDir != b.isDir ? a.isDir : a.name < b.name;
  });
  domain::Page<StorageEntry> out;
  out.page = page.page;
  out.perPage = page.perPage;
  out.totalItems = static_cast<std::int64_t>(all.size());
  for (auto i = page.offset(); i < out.totalItems && i < page.offset() + page.perPage; ++i)
    out.items.push_back(all[static_cast<size_t>(i)]);
  return out;
}

StorageEntry StorageService::mkdir(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  makeDir(projectId, path);
  return entryOf(projectId, PathGuard(rootOf(projectId)).resolve(path));
}

std::vector<StorageEntry> StorageService::upload(const Principal& who, const std::string& projectId,
                                                 const std::string& dir,
                                                 const std::vector<std::pair<std::string, std::string_view>>& files) {
  projects_.requireAccess(who, projectId);
  if (files.empty()) throw Error(ErrorCode::INVALID_ARGUMENT, "no files in the form", {{"file", "at least one file"}});
  PathGuard guard(rootOf(projectId));
  auto folder = guard.resolve(dir, true);
  if (fs::exists(folder) && !fs::is_directory(folder)) throw Error(ErrorCode::CONFLICT, "\"" + dir + "\" is a file");
  std::vector<fs::path> targets;
  for (const auto& [name, bytes] : files) {
    checkName(name, "file");
    if (bytes.size() > maxUpload_)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "\"" + name + "\" is larger than storage.max_upload (" +
                                                    std::to_string(maxUpload_) + " bytes)");
    auto target = guard.resolve((dir.empty() || dir == "/" ? "" : dir + "/") + name);
    if (fs::is_directory(target)) throw Error(ErrorCode::CONFLICT, "\"" + name + "\" is a folder");
    targets.push_back(target);
  }
  std::vector<StorageEntry> out;
  for (size_t i = 0; i < files.size(); ++i) {
    writeAtomically(targets[i], files[i].second);
    out.push_back(entryOf(projectId, targets[i]));
  }
  return out;
}

StoredFile StorageService::download(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!fs::is_regular_file(location)) notFound(path);
  return {location, location.filename().string(), mimeTypeOf(location.filename().string()), fs::file_size(location)};
}

StorageEntry StorageService::rename(const Principal& who, const std::string& projectId, const std::string& from,
                                    const std::string& to) {
  projects_.requireAccess(who, projectId);
  PathGuard guard(rootOf(projectId));
  auto src = guard.resolveEntry(from, "from");
  auto dst = guard.resolve(to, false, "to");
  if (!fs::exists(fs::symlink_status(src))) notFound(from);
  if (fs::exists(dst)) throw Error(ErrorCode::CONFLICT, "\"" + to + "\" already exists", {{"to", "already exists"}});
  if (dst.string().rfind(src.string() + "/", 0) == 0)
    throw Error(ErrorCode::INVALID_ARGUMENT, "a folder cannot move into itself", {{"to", "inside \"from\""}});
  fs::create_directories(dst.parent_path());
  if (!renameNoReplace(src, dst)) throw Error(ErrorCode::CONFLICT, "\"" + to + "\" already exists", {{"to", "already exists"}});
  store_.repos().storageLinks().move(projectId, guard.relative(src), guard.relative(dst));
  return entryOf(projectId, dst);
}

void StorageService::remove(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  removePath(projectId, path);
}

StorageEntry StorageService::createText(const Principal& who, const std::string& projectId, const std::string& path,
                                        const std::string& content) {
  projects_.requireAccess(who, projectId);
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!isEditableText(location.filename().string()))
    throw Error(ErrorCode::INVALID_ARGUMENT, "not a text file type", {{"path", "a text file (.json .txt .yaml .md .js .csv …)"}});
  if (!isValidUtf8(content)) throw Error(ErrorCode::INVALID_ARGUMENT, "content is not UTF-8", {{"content", "must be UTF-8 text"}});
  if (fs::exists(location)) throw Error(ErrorCode::CONFLICT, "\"" + path + "\" already exists", {{"path", "already exists"}});
  writeAtomically(location, content, false);
  return entryOf(projectId, location);
}

StorageEntry StorageService::editText(const Principal& who, const std::string& projectId, const std::string& path,
                                      const std::string& content) {
  projects_.requireAccess(who, projectId);
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!fs::is_regular_file(location)) notFound(path);
  if (!isEditableText(location.filename().string()))
    throw Error(ErrorCode::INVALID_ARGUMENT, "only text files can be edited here", {{"path", "not a text file"}});
  if (!isValidUtf8(content)) throw Error(ErrorCode::INVALID_ARGUMENT, "content is not UTF-8", {{"content", "must be UTF-8 text"}});
  writeAtomically(location, content);
  return entryOf(projectId, location);
}

std::string StorageService::readText(const Principal& who, const std::string& projectId, const std::string& path) {
  auto file = download(who, projectId, path);
  if (!isEditableText(file.name)) throw Error(ErrorCode::INVALID_ARGUMENT, "not a text file", {{"path", "not a text file"}});
  return readAll(file.location);
}

nlohmann::json StorageService::usage(const Principal& who, const std::string& projectId) {
  projects_.requireAccess(who, projectId);
  std::uint64_t bytes = 0, files = 0, folders = 0;
  auto root = rootOf(projectId);
  std::error_code ec;
  if (fs::exists(root))
    for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) ++folders;
      else if (it->is_regular_file(ec)) {
        ++files;
        bytes += it->file_size(ec);
      }
    }
  return {{"bytes", bytes}, {"files", files}, {"folders", folders}};
}

void StorageService::thumbnail(const Principal& who, const std::string& projectId, const std::string& path,
                               ImageService::Done done) {
  auto file = download(who, projectId, path);
  auto mtime = fs::last_write_time(file.location).time_since_epoch().count();
  auto key = lib::sha256Hex(PathGuard(rootOf(projectId)).relative(file.location) + "\n" + std::to_string(mtime) + "\n" +
                            std::to_string(file.size));
  auto cache = storagePath_ / projectId / "thumbnails" / (key + ".png");
  if (fs::exists(cache)) return done(nullptr, readAll(cache));
  ImageService::SquarePng work;
  work.read = [location = file.location] { return readAll(location); };
  work.size = 50;
  work.input = {"path", "\"" + path + "\"", ErrorCode::UNSUPPORTED_MEDIA_TYPE};
  work.commit = [this, cache](const std::string& png) { writeAtomically(cache, png); };
  images_.squarePng(std::move(work), std::move(done));
}

// --- public links ---------------------------------------------------------------

StorageLinkView StorageService::createLink(const Principal& who, const std::string& projectId, const std::string& path) {
  auto file = download(who, projectId, path);
  store::StorageLink l;
  auto token = lib::randomToken(24);  // 192 bits
  l.tokenHash = lib::sha256Hex(token);
  l.projectId = projectId;
  l.path = PathGuard(rootOf(projectId)).relative(file.location);
  l.tokenHint = token.substr(token.size() - 6);
  l.createdAt = lib::nowIso();
  store_.repos().storageLinks().create(l);
  return {store::linkIdOf(l.tokenHash), token, l.tokenHint, l.path, "/api/storage/public/" + token + "/" + lib::percentEncode(file.name)  /* a name may hold spaces, ? # or UTF-8 */, l.createdAt};
}

domain::Page<StorageLinkView> StorageService::links(const Principal& who, const std::string& projectId,
                                                    const domain::PageRequest& page) {
  projects_.requireAccess(who, projectId);
  auto stored = store_.repos().storageLinks().list(projectId, page);
  domain::Page<StorageLinkView> out;
  out.page = stored.page;
  out.perPage = stored.perPage;
  out.totalItems = stored.totalItems;
  for (const auto& l : stored.items) out.items.push_back({store::linkIdOf(l.tokenHash), "", l.tokenHint, l.path, "", l.createdAt});
  return out;
}

void StorageService::revokeLink(const Principal& who, const std::string& projectId, const std::string& link) {
  projects_.requireAccess(who, projectId);
  auto& links = store_.repos().storageLinks();
  // Ids are 16 hex digits, tokens 32 characters: the length tells them apart.
  const bool isId = link.size() == store::kLinkIdLength &&
                    link.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!(isId ? links.removeById(projectId, link) : links.remove(projectId, lib::sha256Hex(link))))
    throw Error(ErrorCode::NOT_FOUND, "no such link");
}

StoredFile StorageService::publicFile(const std::string& token, const std::string& filename) {
  auto link = store_.repos().storageLinks().findByHash(lib::sha256Hex(token));
  if (!link) throw Error(ErrorCode::NOT_FOUND, "no such file");
  auto location = PathGuard(rootOf(link->projectId)).resolve(link->path);
  if (!fs::is_regular_file(location) || location.filename().string() != filename)
    throw Error(ErrorCode::NOT_FOUND, "no such file");
  return {location, filename, mimeTypeOf(filename), fs::file_size(location)};
}

// --- runtime --------------------------------------------------------------------

std::string StorageService::read(const std::string& projectId, const std::string& path) {
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!fs::is_regular_file(location)) notFound(path);
  return readAll(location);
}

void StorageService::write(const std::string& projectId, const std::string& path, std::string_view bytes) {
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (fs::is_directory(location)) throw Error(ErrorCode::CONFLICT, "\"" + path + "\" is a folder");
  if (bytes.size() > maxUpload_)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "larger than storage.max_upload (" + std::to_string(maxUpload_) + " bytes)");
  writeAtomically(location, bytes);
}

bool StorageService::exists(const std::string& projectId, const std::string& path) {
  return fs::exists(PathGuard(rootOf(projectId)).resolve(path));
}

void StorageService::removePath(const std::string& projectId, const std::string& path) {
  PathGuard guard(rootOf(projectId));
  auto location = guard.resolveEntry(path);
  if (!fs::exists(fs::symlink_status(location))) notFound(path);
  fs::remove_all(location);  // a symlink itself, not its target
  store_.repos().storageLinks().removeUnder(projectId, guard.relative(location));
}

std::vector<std::string> StorageService::listNames(const std::string& projectId, const std::string& dir) {
  auto location = PathGuard(rootOf(projectId)).resolve(dir, true);
  if (!fs::is_directory(location)) notFound(dir);
  std::vector<std::string> out;
  for (const auto& item : fs::directory_iterator(location)) {
    auto name = item.path().filename().string();
    if (name.rfind(kTmpPrefix, 0) != 0) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void StorageService::makeDir(const std::string& projectId, const std::string& path) {
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (fs::exists(location) && !fs::is_directory(location))
    throw Error(ErrorCode::CONFLICT, "\"" + path + "\" is a file", {{"path", "a file exists there"}});
  fs::create_directories(location);
}

std::optional<StorageEntry> StorageService::stat(const std::string& projectId, const std::string& path) {
  auto location = PathGuard(rootOf(projectId)).resolve(path);
  if (!fs::exists(location)) return std::nullopt;
  return entryOf(projectId, location);
}

}  // namespace m3m::service
