#include "service/storage/storage_service.hpp"

#include <algorithm>
#include <m3m/error.hpp>

#include "lib/random.hpp"
#include "lib/strings.hpp"
#include "service/images.hpp"
#include "service/storage/file_types.hpp"
#include "service/storage/local_files.hpp"
#include "service/storage/path_guard.hpp"

namespace m3m::service {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void notFound(const std::string& path) { throw Error(ErrorCode::NOT_FOUND, "no file or folder \"" + path + "\""); }

void checkName(const std::string& name, const std::string& field) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos || name.find('\0') != std::string::npos || name.size() > 255)
    throw Error(ErrorCode::INVALID_ARGUMENT, "invalid file name \"" + name + "\"", {{field, "not a valid file name"}});
}

std::string nameOf(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

StorageEntry entryOf(const FileInfo& f) {
  StorageEntry e;
  e.name = nameOf(f.path);
  e.path = f.path;
  e.isDir = f.isDir;
  e.size = f.isDir ? 0 : f.size;
  e.mimeType = f.isDir ? "inode/directory" : mimeTypeOf(e.name);
  e.modified = f.modified;
  return e;
}

}  // namespace

StorageService::StorageService(store::Store& store, ProjectService& projects, fs::path storagePath, std::uint64_t maxUpload,
                               ImageService& images, std::shared_ptr<FileBackend> files)
    : store_(store),
      projects_(projects),
      storagePath_(std::move(storagePath)),
      maxUpload_(maxUpload),
      images_(images),
      files_(files ? std::move(files) : std::make_shared<LocalFiles>(storagePath_)) {
  projects_.onDelete([backend = files_](const domain::Project& p) { backend->removeProject(p.id); });
}

StorageEntry StorageService::entryAt(const std::string& projectId, const std::string& rel) {
  auto f = files_->stat(projectId, rel);
  if (!f) notFound(rel);  // removed again at once by someone else
  return entryOf(*f);
}

FileInfo StorageService::requireFile(const std::string& projectId, const std::string& path) {
  auto f = files_->stat(projectId, PathGuard::check(path));
  if (!f || !f->regular) notFound(path);
  return *f;
}

// --- file manager --------------------------------------------------------------

domain::Page<StorageEntry> StorageService::list(const Principal& who, const std::string& projectId,
                                                const std::string& dir, const domain::PageRequest& page) {
  projects_.requireAccess(who, projectId);
  auto items = files_->list(projectId, PathGuard::check(dir, true));
  if (!items) notFound(dir);
  std::vector<StorageEntry> all;
  for (const auto& f : *items) {
    auto e = entryOf(f);
    if (!page.search.empty() && e.name.find(page.search) == std::string::npos) continue;
    all.push_back(std::move(e));
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
  return entryAt(projectId, PathGuard::check(path));
}

std::vector<StorageEntry> StorageService::upload(const Principal& who, const std::string& projectId,
                                                 const std::string& dir,
                                                 const std::vector<std::pair<std::string, std::string_view>>& files) {
  projects_.requireAccess(who, projectId);
  if (files.empty()) throw Error(ErrorCode::INVALID_ARGUMENT, "no files in the form", {{"file", "at least one file"}});
  auto folder = PathGuard::check(dir, true);
  if (auto f = files_->stat(projectId, folder); f && !f->isDir) throw Error(ErrorCode::CONFLICT, "\"" + dir + "\" is a file");
  std::vector<std::string> targets;
  for (const auto& [name, bytes] : files) {
    checkName(name, "file");
    if (bytes.size() > maxUpload_)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "\"" + name + "\" is larger than storage.max_upload (" +
                                                    std::to_string(maxUpload_) + " bytes)");
    auto target = PathGuard::check((dir.empty() || dir == "/" ? "" : dir + "/") + name);
    if (auto f = files_->stat(projectId, target); f && f->isDir) throw Error(ErrorCode::CONFLICT, "\"" + name + "\" is a folder");
    targets.push_back(target);
  }
  std::vector<StorageEntry> out;
  for (size_t i = 0; i < files.size(); ++i) {
    files_->write(projectId, targets[i], files[i].second, true);
    out.push_back(entryAt(projectId, targets[i]));
  }
  return out;
}

StoredFile StorageService::download(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  auto f = requireFile(projectId, path);
  auto name = nameOf(f.path);
  return {files_->localCopy(projectId, f), name, mimeTypeOf(name), f.size};
}

StorageEntry StorageService::rename(const Principal& who, const std::string& projectId, const std::string& from,
                                    const std::string& to) {
  projects_.requireAccess(who, projectId);
  using O = RenameResult::Outcome;
  auto moved = files_->rename(projectId, PathGuard::check(from, false, "from"), PathGuard::check(to, false, "to"));
  switch (moved.outcome) {
    case O::NoSource: notFound(from);
    case O::TargetExists: throw Error(ErrorCode::CONFLICT, "\"" + to + "\" already exists", {{"to", "already exists"}});
    case O::IntoItself:
      throw Error(ErrorCode::INVALID_ARGUMENT, "a folder cannot move into itself", {{"to", "inside \"from\""}});
    case O::Moved: break;
  }
  store_.repos().storageLinks().move(projectId, moved.from, moved.to);
  return entryAt(projectId, moved.to);
}

void StorageService::remove(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  removePath(projectId, path);
}

StorageEntry StorageService::createText(const Principal& who, const std::string& projectId, const std::string& path,
                                        const std::string& content) {
  projects_.requireAccess(who, projectId);
  auto rel = PathGuard::check(path);
  if (!isEditableText(nameOf(rel)))
    throw Error(ErrorCode::INVALID_ARGUMENT, "not a text file type", {{"path", "a text file (.json .txt .yaml .md .js .csv …)"}});
  if (!isValidUtf8(content)) throw Error(ErrorCode::INVALID_ARGUMENT, "content is not UTF-8", {{"content", "must be UTF-8 text"}});
  if (files_->stat(projectId, rel)) throw Error(ErrorCode::CONFLICT, "\"" + path + "\" already exists", {{"path", "already exists"}});
  files_->write(projectId, rel, content, false);
  return entryAt(projectId, rel);
}

StorageEntry StorageService::editText(const Principal& who, const std::string& projectId, const std::string& path,
                                      const std::string& content) {
  projects_.requireAccess(who, projectId);
  auto f = requireFile(projectId, path);
  if (!isEditableText(nameOf(f.path)))
    throw Error(ErrorCode::INVALID_ARGUMENT, "only text files can be edited here", {{"path", "not a text file"}});
  if (!isValidUtf8(content)) throw Error(ErrorCode::INVALID_ARGUMENT, "content is not UTF-8", {{"content", "must be UTF-8 text"}});
  files_->write(projectId, f.path, content, true);
  return entryAt(projectId, f.path);
}

std::string StorageService::readText(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  auto f = requireFile(projectId, path);
  if (!isEditableText(nameOf(f.path))) throw Error(ErrorCode::INVALID_ARGUMENT, "not a text file", {{"path", "not a text file"}});
  return files_->read(projectId, f.path);
}

nlohmann::json StorageService::usage(const Principal& who, const std::string& projectId) {
  projects_.requireAccess(who, projectId);
  auto u = files_->usage(projectId);
  return {{"bytes", u.bytes}, {"files", u.files}, {"folders", u.folders}};
}

void StorageService::thumbnail(const Principal& who, const std::string& projectId, const std::string& path,
                               ImageService::Done done) {
  projects_.requireAccess(who, projectId);
  auto file = requireFile(projectId, path);
  // Per node, keyed by the file's path and version (local: mtime and size;
  // GridFS: its id, new with every write), so a changed file gets a new one.
  auto key = lib::sha256Hex(file.path + "\n" + file.version);
  auto cache = storagePath_ / projectId / "thumbnails" / (key + ".png");
  if (fs::exists(cache)) return done(nullptr, LocalFiles::readAll(cache));
  ImageService::SquarePng work;
  // The bytes come from this node's disk (for GridFS: its copy, fetched here,
  // before the job's storage.image_timeout starts counting).
  work.read = [location = files_->localCopy(projectId, file)] { return LocalFiles::readAll(location); };
  work.size = 50;
  work.input = {"path", "\"" + path + "\"", ErrorCode::UNSUPPORTED_MEDIA_TYPE};
  work.commit = [cache](const std::string& png) { LocalFiles::writeAtomically(cache, png); };
  images_.squarePng(std::move(work), std::move(done));
}

// --- public links ---------------------------------------------------------------

StorageLinkView StorageService::createLink(const Principal& who, const std::string& projectId, const std::string& path) {
  projects_.requireAccess(who, projectId);
  auto file = requireFile(projectId, path);
  auto name = nameOf(file.path);
  store::StorageLink l;
  auto token = lib::randomToken(24);  // 192 bits
  l.tokenHash = lib::sha256Hex(token);
  l.projectId = projectId;
  l.path = file.path;
  l.tokenHint = token.substr(token.size() - 6);
  l.createdAt = lib::nowIso();
  store_.repos().storageLinks().create(l);
  return {store::linkIdOf(l.tokenHash), token, l.tokenHint, l.path, "/api/storage/public/" + token + "/" + lib::percentEncode(name)  /* a name may hold spaces, ? # or UTF-8 */, l.createdAt};
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
  auto f = files_->stat(link->projectId, PathGuard::check(link->path));
  if (!f || !f->regular || nameOf(f->path) != filename) throw Error(ErrorCode::NOT_FOUND, "no such file");
  return {files_->localCopy(link->projectId, *f), filename, mimeTypeOf(filename), f->size};
}

// --- runtime --------------------------------------------------------------------

std::string StorageService::read(const std::string& projectId, const std::string& path) {
  return files_->read(projectId, requireFile(projectId, path).path);
}

void StorageService::write(const std::string& projectId, const std::string& path, std::string_view bytes) {
  auto rel = PathGuard::check(path);
  if (auto f = files_->stat(projectId, rel); f && f->isDir) throw Error(ErrorCode::CONFLICT, "\"" + path + "\" is a folder");
  if (bytes.size() > maxUpload_)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "larger than storage.max_upload (" + std::to_string(maxUpload_) + " bytes)");
  files_->write(projectId, rel, bytes, true);
}

bool StorageService::exists(const std::string& projectId, const std::string& path) {
  return files_->stat(projectId, PathGuard::check(path)).has_value();
}

void StorageService::removePath(const std::string& projectId, const std::string& path) {
  auto removed = files_->remove(projectId, PathGuard::check(path));
  if (!removed) notFound(path);
  store_.repos().storageLinks().removeUnder(projectId, *removed);
}

std::vector<std::string> StorageService::listNames(const std::string& projectId, const std::string& dir) {
  auto items = files_->list(projectId, PathGuard::check(dir, true));
  if (!items) notFound(dir);
  std::vector<std::string> out;
  for (const auto& f : *items) out.push_back(nameOf(f.path));
  std::sort(out.begin(), out.end());
  return out;
}

void StorageService::makeDir(const std::string& projectId, const std::string& path) {
  auto rel = PathGuard::check(path);
  if (auto f = files_->stat(projectId, rel); f && !f->isDir)
    throw Error(ErrorCode::CONFLICT, "\"" + path + "\" is a file", {{"path", "a file exists there"}});
  files_->mkdir(projectId, rel);
}

std::optional<StorageEntry> StorageService::stat(const std::string& projectId, const std::string& path) {
  auto f = files_->stat(projectId, PathGuard::check(path));
  if (!f) return std::nullopt;
  return entryOf(*f);
}

}  // namespace m3m::service
