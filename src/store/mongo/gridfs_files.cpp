#include "store/mongo/gridfs_files.hpp"

#include <algorithm>
#include <fstream>
#include <m3m/error.hpp>
#include <memory>

#include "lib/random.hpp"
#include "store/mongo/repository_util.hpp"

namespace m3m::store::mongo {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace util;

namespace {

constexpr const char* kEntries = "storage_entries";
constexpr const char* kBucket = "storage";
constexpr const char* kTmpPrefix = ".m3m-tmp-";
// A reader racing a replacement retries with the new file this many times.
constexpr int kReadAttempts = 3;

std::string parentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}
std::string nameOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The entries strictly below folder `path`.
json below(const std::string& projectId, const std::string& path) {
  return {{"project", projectId}, {"path", {{"$regex", "^" + regexEscape(path) + "/"}}}};
}

service::FileInfo infoOf(const json& d) {
  service::FileInfo f;
  f.path = str(d, "path");
  f.isDir = flag(d, "dir");
  f.regular = !f.isDir;
  f.size = static_cast<std::uint64_t>(num(d, "size"));
  f.modified = str(d, "modified");
  f.version = str(d, "file");
  return f;
}

// A GridFS id (random text) as the bucket API takes it; valid while `id` lives.
bson_value_t idValue(const std::string& id) {
  bson_value_t v{};
  v.value_type = BSON_TYPE_UTF8;
  v.value.v_utf8.str = const_cast<char*>(id.c_str());
  v.value.v_utf8.len = static_cast<uint32_t>(id.size());
  return v;
}

// findAndModify on the entries: the document as it was before (nullopt: none
// matched; with upsert, one was inserted). update == nullptr removes it.
std::optional<json> findAndModify(Database& db, const json& query, const json* update, bool upsert) {
  Collection c(db, kEntries);
  std::unique_ptr<mongoc_find_and_modify_opts_t, void (*)(mongoc_find_and_modify_opts_t*)> opts(
      mongoc_find_and_modify_opts_new(), mongoc_find_and_modify_opts_destroy);
  Bson u = update ? toBson(*update) : Bson();
  if (update) mongoc_find_and_modify_opts_set_update(opts.get(), u.get());
  mongoc_find_and_modify_opts_set_flags(
      opts.get(), !update ? MONGOC_FIND_AND_MODIFY_REMOVE : upsert ? MONGOC_FIND_AND_MODIFY_UPSERT : MONGOC_FIND_AND_MODIFY_NONE);
  Bson extra = c.options();
  mongoc_find_and_modify_opts_append(opts.get(), extra.get());
  const Bson q = toBson(query);
  bson_t reply;
  bson_error_t err;
  db.writes.fetch_add(1, std::memory_order_relaxed);
  const bool ok = mongoc_collection_find_and_modify_with_opts(c.get(), q.get(), opts.get(), &reply, &err);
  std::optional<json> out;
  bson_iter_t it;
  if (ok && bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
    uint32_t len = 0;
    const uint8_t* data = nullptr;
    bson_iter_document(&it, &len, &data);
    bson_t doc;
    if (bson_init_static(&doc, data, len)) out = toJson(&doc);
  }
  bson_destroy(&reply);
  if (!ok) throwError(err, "storage findAndModify");
  return out;
}

[[noreturn]] void fileInTheWay() {
  throw Error(ErrorCode::CONFLICT, "a file is in the way of the folder", {{"path", "a file is in the way"}});
}

}  // namespace

GridFsFiles::GridFsFiles(Database& db, fs::path cacheDir, std::uint64_t cacheBytes)
    : db_(db), cacheDir_(std::move(cacheDir)), cacheBytes_(cacheBytes) {
  Collection c(db_, kEntries);
  c.createIndex(ordered({{"project", 1}, {"path", 1}}), "storage_entries_project_path", true);
  c.createIndex(ordered({{"project", 1}, {"parent", 1}}), "storage_entries_project_parent", false);
  c.createIndex(ordered({{"file", 1}}), "storage_entries_file", false);
  fs::create_directories(cacheDir_);
  // An upload is named by its entry milliseconds after it ends: an hour-old
  // unnamed one was interrupted. Every node may sweep; deleting twice is harmless.
  sweeper_ = std::thread([this] {
    try {
      removeOrphans(std::chrono::system_clock::now() - std::chrono::hours(1));
    } catch (const std::exception&) {
      // the database went away: the next start sweeps again
    }
  });
}

GridFsFiles::~GridFsFiles() {
  stopping_ = true;
  if (sweeper_.joinable()) sweeper_.join();
}

std::size_t GridFsFiles::removeOrphans(std::chrono::system_clock::time_point before) {
  Bson filter;
  bson_t range;
  BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "uploadDate", &range);
  BSON_APPEND_DATE_TIME(&range, "$lt", std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count());
  bson_append_document_end(filter.get(), &range);
  Bson opts = toBson({{"projection", {{"_id", 1}}}});
  std::vector<std::string> ids;
  Collection(db_, (std::string(kBucket) + ".files").c_str()).forEach(filter, opts.get(), [&](const bson_t* doc) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it)) ids.emplace_back(bson_iter_utf8(&it, nullptr));
  });
  std::size_t removed = 0;
  for (const auto& id : ids) {
    if (stopping_) break;
    if (Collection(db_, kEntries).count(toBson({{"file", id}})) > 0) continue;
    deleteFile(id);
    ++removed;
  }
  return removed;
}

std::optional<json> GridFsFiles::entry(const std::string& projectId, const std::string& path) {
  return Collection(db_, kEntries).findOne(toBson({{"project", projectId}, {"path", path}}));
}

std::optional<service::FileInfo> GridFsFiles::stat(const std::string& projectId, const std::string& path) {
  if (path.empty()) {
    service::FileInfo root;
    root.isDir = true;
    root.modified = lib::nowIso();
    return root;
  }
  auto e = entry(projectId, path);
  if (!e) return std::nullopt;
  return infoOf(*e);
}

std::optional<std::vector<service::FileInfo>> GridFsFiles::list(const std::string& projectId, const std::string& dir) {
  if (!dir.empty()) {
    auto e = entry(projectId, dir);
    if (!e || !flag(*e, "dir")) return std::nullopt;
  }
  std::vector<service::FileInfo> out;
  for (const auto& d : Collection(db_, kEntries).find(toBson({{"project", projectId}, {"parent", dir}})))
    out.push_back(infoOf(d));
  return out;
}

void GridFsFiles::withBucket(const std::function<void(mongoc_gridfs_bucket_t*)>& fn) {
  db_.withClient([&](mongoc_client_t* client) {
    std::unique_ptr<mongoc_database_t, void (*)(mongoc_database_t*)> database(
        mongoc_client_get_database(client, db_.name().c_str()), mongoc_database_destroy);
    const Bson opts = toBson({{"bucketName", kBucket}});
    bson_error_t err;
    std::unique_ptr<mongoc_gridfs_bucket_t, void (*)(mongoc_gridfs_bucket_t*)> bucket(
        mongoc_gridfs_bucket_new(database.get(), opts.get(), nullptr, &err), mongoc_gridfs_bucket_destroy);
    if (!bucket) throwError(err, "opening the GridFS bucket");
    fn(bucket.get());
  });
}

std::string GridFsFiles::upload(const std::string& projectId, const std::string& path, std::string_view bytes) {
  std::string id = lib::randomLowerAlnum(24);
  withBucket([&](mongoc_gridfs_bucket_t* bucket) {
    const auto value = idValue(id);
    const Bson opts = toBson({{"metadata", {{"project", projectId}, {"path", path}}}});
    bson_error_t err;
    mongoc_stream_t* stream = mongoc_gridfs_bucket_open_upload_stream_with_id(
        bucket, &value, (projectId + "/" + path).c_str(), opts.get(), &err);
    if (!stream) throwError(err, "storing the file");
    bool ok = true;
    for (size_t at = 0; ok && at < bytes.size();) {
      const size_t n = std::min<size_t>(bytes.size() - at, 1 << 20);
      auto wrote = mongoc_stream_write(stream, const_cast<char*>(bytes.data() + at), n, 0);
      ok = wrote == static_cast<ssize_t>(n);
      at += n;
    }
    // close() writes the files document once every chunk is in.
    if (ok) ok = mongoc_stream_close(stream) == 0;
    if (!ok) {
      mongoc_gridfs_bucket_stream_error(stream, &err);
      mongoc_gridfs_bucket_abort_upload(stream);
      mongoc_stream_destroy(stream);
      throwError(err, "storing the file");
    }
    mongoc_stream_destroy(stream);
  });
  db_.writes.fetch_add(1, std::memory_order_relaxed);
  return id;
}

bool GridFsFiles::download(const std::string& fileId, std::uint64_t size,
                           const std::function<void(const char*, size_t)>& sink) {
  bool complete = false;
  withBucket([&](mongoc_gridfs_bucket_t* bucket) {
    const auto value = idValue(fileId);
    bson_error_t err;
    mongoc_stream_t* stream = mongoc_gridfs_bucket_open_download_stream(bucket, &value, &err);
    if (!stream) return;  // gone (replaced or removed since the entry was read)
    std::unique_ptr<mongoc_stream_t, void (*)(mongoc_stream_t*)> owned(stream, mongoc_stream_destroy);
    std::string buf(256 * 1024, '\0');
    std::uint64_t total = 0;
    for (;;) {
      auto n = mongoc_stream_read(stream, buf.data(), buf.size(), 1, 0);
      if (n < 0) return;  // its chunks were deleted under us
      if (n == 0) break;
      sink(buf.data(), static_cast<size_t>(n));
      total += static_cast<std::uint64_t>(n);
    }
    complete = total == size;
  });
  db_.reads.fetch_add(1, std::memory_order_relaxed);
  return complete;
}

void GridFsFiles::deleteFile(const std::string& fileId) {
  // Best effort: a GridFS file nobody's entry names is invisible anyway.
  try {
    withBucket([&](mongoc_gridfs_bucket_t* bucket) {
      const auto value = idValue(fileId);
      bson_error_t err;
      (void)mongoc_gridfs_bucket_delete_by_id(bucket, &value, &err);
    });
    db_.writes.fetch_add(1, std::memory_order_relaxed);
  } catch (const std::exception&) {
  }
}

std::string GridFsFiles::read(const std::string& projectId, const std::string& path) {
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    auto e = entry(projectId, path);
    if (!e || flag(*e, "dir")) break;
    std::string out;
    out.reserve(static_cast<size_t>(num(*e, "size")));
    if (download(str(*e, "file"), static_cast<std::uint64_t>(num(*e, "size")),
                 [&](const char* p, size_t n) { out.append(p, n); }))
      return out;
  }
  throw Error(ErrorCode::NOT_FOUND, "no such file");
}

fs::path GridFsFiles::localCopy(const std::string&, const service::FileInfo& file) {
  // The id names exactly one content, so a copy is never stale.
  auto copy = cacheDir_ / file.version;
  std::error_code ec;
  if (fs::exists(copy, ec)) {
    fs::last_write_time(copy, fs::file_time_type::clock::now(), ec);  // recently used: pruned last
    return copy;
  }
  auto tmp = cacheDir_ / (kTmpPrefix + lib::randomLowerAlnum(12));
  bool ok = false;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    ok = download(file.version, file.size,
                  [&](const char* p, size_t n) { out.write(p, static_cast<std::streamsize>(n)); });
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error(ErrorCode::UNAVAILABLE, "could not copy the file to this node's disk (disk full?)");
    }
  }
  if (!ok) {
    fs::remove(tmp, ec);
    throw Error(ErrorCode::NOT_FOUND, "no such file");
  }
  fs::rename(tmp, copy);
  pruneCache();
  return copy;
}

void GridFsFiles::pruneCache() {
  std::lock_guard lock(pruning_);
  struct Copy {
    fs::path path;
    fs::file_time_type used;
    std::uint64_t size;
  };
  std::vector<Copy> copies;
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(cacheDir_, ec)) {
    if (item.path().filename().string().rfind(kTmpPrefix, 0) == 0) continue;
    Copy c{item.path(), item.last_write_time(ec), item.file_size(ec)};
    if (ec) continue;
    total += c.size;
    copies.push_back(std::move(c));
  }
  if (total <= cacheBytes_) return;
  std::sort(copies.begin(), copies.end(), [](const Copy& a, const Copy& b) { return a.used < b.used; });
  // A copy handed out in the last minute may still be being served: kept.
  const auto recent = fs::file_time_type::clock::now() - std::chrono::minutes(1);
  for (const auto& c : copies) {
    if (total <= cacheBytes_) break;
    if (c.used > recent) continue;
    if (fs::remove(c.path, ec)) total -= c.size;
  }
}

void GridFsFiles::makeFolders(const std::string& projectId, const std::string& path) {
  if (path.empty()) return;
  if (auto e = entry(projectId, path)) {
    if (!flag(*e, "dir")) fileInTheWay();
    return;
  }
  Collection c(db_, kEntries);
  size_t end = 0;
  do {
    end = path.find('/', end + 1);
    const std::string folder = path.substr(0, end);
    // A file entry at `folder` makes the upsert insert a duplicate (project, path).
    try {
      c.updateOne(toBson({{"project", projectId}, {"path", folder}, {"dir", true}}),
                  toBson({{"$setOnInsert",
                           {{"parent", parentOf(folder)}, {"name", nameOf(folder)}, {"size", 0}, {"modified", lib::nowIso()}}}}),
                  true);
    } catch (const DuplicateKey&) {
      fileInTheWay();
    }
  } while (end != std::string::npos);
}

void GridFsFiles::write(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) {
  db_.outsideTransaction([&] { writeOutside(projectId, path, bytes, replace); });
}

void GridFsFiles::writeOutside(const std::string& projectId, const std::string& path, std::string_view bytes, bool replace) {
  makeFolders(projectId, parentOf(path));
  const std::string id = upload(projectId, path, bytes);
  json fields = {{"parent", parentOf(path)},
                 {"name", nameOf(path)},
                 {"file", id},
                 {"size", static_cast<std::int64_t>(bytes.size())},
                 {"modified", lib::nowIso()}};
  try {
    if (!replace) {
      fields["project"] = projectId;
      fields["path"] = path;
      fields["dir"] = false;
      Collection(db_, kEntries).insertOne(toBson(fields));
      return;
    }
    // The swap: one atomic update; the file it replaced goes afterwards.
    const json update = {{"$set", fields}};
    auto before = findAndModify(db_, {{"project", projectId}, {"path", path}, {"dir", false}}, &update, true);
    if (before) deleteFile(str(*before, "file"));
  } catch (const DuplicateKey&) {
    deleteFile(id);
    if (!replace)
      throw Error(ErrorCode::CONFLICT, "\"" + nameOf(path) + "\" already exists", {{"path", "already exists"}});
    throw Error(ErrorCode::CONFLICT, "\"" + path + "\" is a folder");
  } catch (...) {
    deleteFile(id);
    throw;
  }
}

void GridFsFiles::mkdir(const std::string& projectId, const std::string& path) {
  db_.outsideTransaction([&] { makeFolders(projectId, path); });
}

service::RenameResult GridFsFiles::rename(const std::string& projectId, const std::string& from, const std::string& to) {
  service::RenameResult out;
  db_.outsideTransaction([&] { out = renameOutside(projectId, from, to); });
  return out;
}

service::RenameResult GridFsFiles::renameOutside(const std::string& projectId, const std::string& from,
                                                 const std::string& to) {
  using O = service::RenameResult::Outcome;
  auto src = entry(projectId, from);
  if (!src) return {O::NoSource};
  if (entry(projectId, to)) return {O::TargetExists};
  if (to.rfind(from + "/", 0) == 0) return {O::IntoItself};
  makeFolders(projectId, parentOf(to));
  Collection entries(db_, kEntries);
  Collection files(db_, (std::string(kBucket) + ".files").c_str());
  // The GridFS file's own name and metadata follow (they describe it for a
  // person looking at the bucket; the entries are what m3m reads).
  auto renameFile = [&](const json& e, const std::string& newPath) {
    if (flag(e, "dir")) return;
    files.updateOne(toBson({{"_id", str(e, "file")}}),
                    toBson({{"$set", {{"filename", projectId + "/" + newPath}, {"metadata.path", newPath}}}}));
  };
  // Everything under a folder moves before the folder itself: a failure
  // half-way leaves the folder where it was with what did not move yet, and
  // the same rename again finishes it.
  if (flag(*src, "dir"))
    for (const auto& e : entries.find(toBson(below(projectId, from)))) {
      const std::string newPath = to + str(e, "path").substr(from.size());
      try {
        entries.updateOne(toBson({{"project", projectId}, {"path", str(e, "path")}}),
                          toBson({{"$set", {{"path", newPath}, {"parent", parentOf(newPath)}}}}));
      } catch (const DuplicateKey&) {
        throw Error(ErrorCode::CONFLICT, "\"" + newPath + "\" already exists", {{"to", "already exists"}});
      }
      renameFile(e, newPath);
    }
  try {
    if (entries.updateOne(toBson({{"project", projectId}, {"path", from}}),
                          toBson({{"$set", {{"path", to}, {"parent", parentOf(to)}, {"name", nameOf(to)}}}})) == 0)
      return {O::NoSource};
  } catch (const DuplicateKey&) {
    return {O::TargetExists};
  }
  renameFile(*src, to);
  return {O::Moved, from, to};
}

std::optional<std::string> GridFsFiles::remove(const std::string& projectId, const std::string& path) {
  std::optional<std::string> out;
  db_.outsideTransaction([&] { out = removeOutside(projectId, path); });
  return out;
}

std::optional<std::string> GridFsFiles::removeOutside(const std::string& projectId, const std::string& path) {
  auto e = entry(projectId, path);
  if (!e) return std::nullopt;
  // What is under a folder goes before the folder (a failure half-way leaves
  // it listed with the rest, and removing it again finishes); entries before
  // their GridFS files, so readers stop seeing them first.
  if (flag(*e, "dir")) {
    Collection entries(db_, kEntries);
    const Bson under = toBson(below(projectId, path));
    Bson opts = toBson({{"projection", {{"file", 1}, {"dir", 1}}}});
    auto inside = entries.find(under, opts.get());
    entries.deleteMany(under);
    for (const auto& f : inside)
      if (!flag(f, "dir")) deleteFile(str(f, "file"));
  }
  auto gone = findAndModify(db_, {{"project", projectId}, {"path", path}}, nullptr, false);
  if (!gone) return std::nullopt;
  if (!flag(*gone, "dir")) deleteFile(str(*gone, "file"));
  return path;
}

service::FileUsage GridFsFiles::usage(const std::string& projectId) {
  service::FileUsage u;
  Bson opts = toBson({{"projection", {{"dir", 1}, {"size", 1}}}});
  Collection(db_, kEntries).forEach(toBson({{"project", projectId}}), opts.get(), [&](const bson_t* doc) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "dir") && BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it)) {
      ++u.folders;
      return;
    }
    ++u.files;
    if (bson_iter_init_find(&it, doc, "size") && BSON_ITER_HOLDS_INT(&it)) u.bytes += static_cast<std::uint64_t>(bson_iter_as_int64(&it));
  });
  return u;
}

void GridFsFiles::removeProject(const std::string& projectId) {
  Collection(db_, kEntries).deleteMany(toBson({{"project", projectId}}));
  // Every GridFS file of the project, those of interrupted writes included.
  Collection files(db_, (std::string(kBucket) + ".files").c_str());
  Bson opts = toBson({{"projection", {{"_id", 1}}}});
  for (const auto& f : files.find(toBson({{"metadata.project", projectId}}), opts.get())) deleteFile(str(f, "_id"));
}

}  // namespace m3m::store::mongo
