// StorageService on both file backends (storage.driver local | gridfs): the
// same API, the same errors. GridFS runs on the test FerretDB
// (tests/unit/store/test_mongodb.hpp) in m3m_testing_database.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <m3m/error.hpp>
#include <atomic>
#include <random>
#include <thread>
#include <sstream>

#include "../store/temp_dir.hpp"
#include "../store/test_mongodb.hpp"
#include "config/config.hpp"
#include "service/images.hpp"
#include "service/projects.hpp"
#include "service/storage/local_files.hpp"
#include "service/storage/storage_service.hpp"
#include "service/users.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/gridfs_files.hpp"
#include "store/mongo/mongo_store.hpp"
#include "store/store.hpp"

using namespace m3m;
using namespace m3m::service;

namespace {

ErrorCode codeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::INTERNAL;  // "no error" shows as a mismatch
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class StorageConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (gridfs()) {
      const auto mongo = m3m::testing::testMongoConfig();
      store::mongo::Database(mongo).dropDatabase();
      config::DatabaseConfig c;
      c.driver = "mongodb";
      store = store::openStore(c, mongo);
      auto& db = dynamic_cast<store::mongo::MongoStore&>(*store).database();
      backend = std::make_shared<store::mongo::GridFsFiles>(db, dir.path / "cache", 1 << 20);
    } else {
      config::DatabaseConfig c;
      c.path = dir.file("m3m.db");
      store = store::openStore(c);
    }
    users = std::make_unique<UserService>(*store, dir.path / "avatars");
    projects = std::make_unique<ProjectService>(*store, std::vector<std::filesystem::path>{dir.path / "storage"});
    images = std::make_unique<ImageService>(ImageOptions{}, std::make_shared<spdlog::logger>("storage-test"));
    files = std::make_unique<StorageService>(*store, *projects, dir.path / "storage", 8ull << 20, *images, backend);
    root.user = *store->repos().users().findById(users->createRoot("root@example.com", "rootpass123").id);
    project = projects->create(root, {"Files", "files", std::nullopt}).project.id;
  }
  bool gridfs() const { return GetParam() == "gridfs"; }
  std::vector<std::string> names(const std::string& dir, int page = 1, int perPage = 100) {
    std::vector<std::string> out;
    for (const auto& e : files->list(root, project, dir, {page, perPage, ""}).items) out.push_back(e.name);
    return out;
  }

  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::shared_ptr<FileBackend> backend;  // nullptr: local
  std::unique_ptr<UserService> users;
  std::unique_ptr<ProjectService> projects;
  std::unique_ptr<ImageService> images;
  std::unique_ptr<StorageService> files;
  Principal root;
  std::string project;
};

TEST_P(StorageConformance, PathTraversalIsRefusedEverywhere) {
  for (const std::string& bad : std::vector<std::string>{"../x.txt", "a/../../x.txt", "/etc/passwd", "a\\b.txt", "a//b.txt", "./x.txt",
                          std::string("a\0b", 3), std::string(300, 'x')}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(codeOf([&] { files->write(project, bad, "x"); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->read(project, bad); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->makeDir(project, bad); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->rename(root, project, bad, "ok.txt"); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->rename(root, project, "ok.txt", bad); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->removePath(project, bad); }), ErrorCode::INVALID_ARGUMENT);
    EXPECT_EQ(codeOf([&] { files->list(root, project, bad, {}); }), ErrorCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(codeOf([&] { files->upload(root, project, "", {{"../up.txt", "x"}}); }), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(codeOf([&] { files->write(project, "", "x"); }), ErrorCode::INVALID_ARGUMENT) << "the root is no file";
  EXPECT_TRUE(names("").empty()) << "nothing was created";
  EXPECT_FALSE(std::filesystem::exists(dir.path / "x.txt"));
}

TEST_P(StorageConformance, AnotherUsersProjectIsOutOfReach) {
  NewUser n{"other@example.com", "password123", "", {false, false}, {}};
  Principal other;
  other.user = *store->repos().users().findById(users->create(root, n).user.id);
  files->write(project, "secret.txt", "s");
  const auto code = codeOf([&] { files->list(other, project, "", {}); });
  EXPECT_TRUE(code == ErrorCode::PERMISSION_DENIED || code == ErrorCode::NOT_FOUND);
  EXPECT_NE(codeOf([&] { files->download(other, project, "secret.txt"); }), ErrorCode::INTERNAL);
}

TEST_P(StorageConformance, OverwriteAndConflicts) {
  files->write(project, "notes/x.txt", "one");
  files->write(project, "notes/x.txt", "two, longer");
  EXPECT_EQ(files->read(project, "notes/x.txt"), "two, longer");
  EXPECT_EQ(files->stat(project, "notes/x.txt")->size, 11u);
  EXPECT_EQ(codeOf([&] { files->createText(root, project, "notes/x.txt", "three"); }), ErrorCode::CONFLICT);
  EXPECT_EQ(files->read(project, "notes/x.txt"), "two, longer") << "a refused create changes nothing";
  auto edited = files->editText(root, project, "notes/x.txt", "edited");
  EXPECT_EQ(edited.size, 6u);
  EXPECT_EQ(files->readText(root, project, "notes/x.txt"), "edited");
  EXPECT_EQ(codeOf([&] { files->write(project, "notes", "x"); }), ErrorCode::CONFLICT) << "a folder is not a file";
  EXPECT_EQ(codeOf([&] { files->makeDir(project, "notes/x.txt"); }), ErrorCode::CONFLICT);
  EXPECT_EQ(codeOf([&] { files->write(project, "notes/x.txt/y.txt", "x"); }), ErrorCode::CONFLICT) << "a file in the way";
  EXPECT_EQ(codeOf([&] { files->makeDir(project, "notes/x.txt/sub"); }), ErrorCode::CONFLICT);
  EXPECT_EQ(codeOf([&] { files->read(project, "notes"); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(codeOf([&] { files->read(project, "nothing.txt"); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(codeOf([&] { files->download(root, project, "notes"); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(names("notes"), std::vector<std::string>{"x.txt"}) << "no temporary file is ever listed";
}

TEST_P(StorageConformance, FolderRenameMovesEverythingUnderIt) {
  files->makeDir(project, "a/b");
  files->makeDir(project, "a/empty");
  files->write(project, "a/b/c.txt", "c");
  files->write(project, "a/d.txt", "d");
  files->write(project, "ab.txt", "not under a/");
  auto link = files->createLink(root, project, "a/b/c.txt");
  auto moved = files->rename(root, project, "a", "z/y");
  EXPECT_TRUE(moved.isDir);
  EXPECT_EQ(moved.path, "z/y");
  EXPECT_FALSE(files->exists(project, "a"));
  EXPECT_FALSE(files->exists(project, "a/b/c.txt"));
  EXPECT_EQ(names("z/y"), (std::vector<std::string>{"b", "empty", "d.txt"}));
  EXPECT_EQ(files->read(project, "z/y/b/c.txt"), "c");
  EXPECT_EQ(files->read(project, "ab.txt"), "not under a/");
  EXPECT_EQ(files->listNames(project, "z"), std::vector<std::string>{"y"});
  EXPECT_EQ(files->publicFile(link.token, "c.txt").size, 1u) << "the public link followed the move";
  EXPECT_EQ(codeOf([&] { files->rename(root, project, "z", "z/y/inner"); }), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(codeOf([&] { files->rename(root, project, "z/y/d.txt", "ab.txt"); }), ErrorCode::CONFLICT);
  EXPECT_EQ(codeOf([&] { files->rename(root, project, "missing", "m2"); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(codeOf([&] { files->rename(root, project, "z/y/d.txt", "ab.txt/d.txt"); }), ErrorCode::CONFLICT);
  auto file = files->rename(root, project, "z/y/d.txt", "d-moved.txt");
  EXPECT_EQ(file.path, "d-moved.txt");
  EXPECT_EQ(files->read(project, "d-moved.txt"), "d");
}

TEST_P(StorageConformance, BigFileInSeveralChunksReadWholeAndDownloaded) {
  std::string big(3 * 1024 * 1024 + 4321, '\0');
  std::mt19937 rng(21);
  for (auto& c : big) c = static_cast<char>(rng());
  files->upload(root, project, "media", {{"big.bin", big}});
  EXPECT_EQ(files->read(project, "media/big.bin"), big);
  auto dl = files->download(root, project, "media/big.bin");
  EXPECT_EQ(dl.size, big.size());
  EXPECT_EQ(dl.name, "big.bin");
  EXPECT_EQ(slurp(dl.location), big) << "the file the download handler serves";
  EXPECT_EQ(files->download(root, project, "media/big.bin").location, dl.location) << "the per-node copy is reused";
  if (gridfs()) {
    auto& db = dynamic_cast<store::mongo::MongoStore&>(*store).database();
    EXPECT_GE(store::mongo::Collection(db, "storage.chunks").count(store::mongo::toBson(nlohmann::json::object())), 12)
        << "255 KiB chunks";
  }
  // Replaced: the next download is the new content, never the old copy.
  files->write(project, "media/big.bin", "small now");
  EXPECT_EQ(slurp(files->download(root, project, "media/big.bin").location), "small now");
  EXPECT_EQ(codeOf([&] { files->write(project, "too-big.bin", std::string((8 << 20) + 1, 'x')); }),
            ErrorCode::PAYLOAD_TOO_LARGE);
}

TEST_P(StorageConformance, AReaderNeverSeesHalfAFileWhileItIsReplaced) {
  const std::string a(600 * 1024, 'a'), b(400 * 1024 + 7, 'b');  // several GridFS chunks each
  files->write(project, "swap.bin", a);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 15; ++i) files->write(project, "swap.bin", i % 2 ? a : b);
    done = true;
  });
  int reads = 0;
  while (!done || reads < 5) {
    auto got = files->read(project, "swap.bin");
    ++reads;
    ASSERT_TRUE(got == a || got == b) << "read " << got.size() << " bytes of a mixed or partial file";
  }
  writer.join();
  EXPECT_EQ(files->listNames(project, ""), std::vector<std::string>{"swap.bin"});
  if (gridfs()) {
    auto& db = dynamic_cast<store::mongo::MongoStore&>(*store).database();
    EXPECT_EQ(store::mongo::Collection(db, "storage.files").count(store::mongo::toBson(nlohmann::json::object())), 1)
        << "every replaced GridFS file was deleted";
  }
}

TEST_P(StorageConformance, ListPagingFoldersFirstAndSearch) {
  for (int i = 0; i < 25; ++i) files->write(project, "many/f" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ".txt", "x");
  for (const char* d : {"many/dz", "many/da", "many/dm"}) files->makeDir(project, d);
  auto p1 = files->list(root, project, "many", {1, 10, ""});
  EXPECT_EQ(p1.totalItems, 28);
  ASSERT_EQ(p1.items.size(), 10u);
  EXPECT_EQ(p1.items[0].name, "da");
  EXPECT_EQ(p1.items[1].name, "dm");
  EXPECT_EQ(p1.items[2].name, "dz");
  EXPECT_TRUE(p1.items[2].isDir);
  EXPECT_EQ(p1.items[2].mimeType, "inode/directory");
  EXPECT_EQ(p1.items[3].name, "f00.txt");
  EXPECT_EQ(p1.items[3].path, "many/f00.txt");
  EXPECT_EQ(p1.items[3].mimeType, "text/plain; charset=utf-8");
  auto p3 = files->list(root, project, "many", {3, 10, ""});
  ASSERT_EQ(p3.items.size(), 8u);
  EXPECT_EQ(p3.items.back().name, "f24.txt");
  EXPECT_TRUE(files->list(root, project, "many", {4, 10, ""}).items.empty());
  auto found = files->list(root, project, "many", {1, 30, "f1"});
  EXPECT_EQ(found.totalItems, 10);
  EXPECT_EQ(codeOf([&] { files->list(root, project, "many/f00.txt", {}); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(codeOf([&] { files->list(root, project, "nowhere", {}); }), ErrorCode::NOT_FOUND);
}

TEST_P(StorageConformance, UsageEmptyFoldersAndRecursiveRemove) {
  files->makeDir(project, "empty");
  files->makeDir(project, "empty");  // again: nothing happens
  files->write(project, "docs/a.txt", "12345");
  files->write(project, "docs/sub/b.txt", "123");
  auto link = files->createLink(root, project, "docs/sub/b.txt");
  auto u = files->usage(root, project);
  EXPECT_EQ(u["files"], 2);
  EXPECT_EQ(u["bytes"], 8);
  EXPECT_EQ(u["folders"], 3);
  auto st = files->stat(project, "empty");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->isDir);
  EXPECT_TRUE(files->listNames(project, "empty").empty());
  EXPECT_EQ(files->listNames(project, ""), (std::vector<std::string>{"docs", "empty"}));
  files->remove(root, project, "docs");
  EXPECT_FALSE(files->exists(project, "docs/sub/b.txt"));
  EXPECT_EQ(codeOf([&] { files->publicFile(link.token, "b.txt"); }), ErrorCode::NOT_FOUND);
  EXPECT_EQ(codeOf([&] { files->remove(root, project, "docs"); }), ErrorCode::NOT_FOUND);
  u = files->usage(root, project);
  EXPECT_EQ(u["files"], 0);
  EXPECT_EQ(u["folders"], 1);
}

TEST_P(StorageConformance, DeletingTheProjectDeletesItsFiles) {
  files->write(project, "keep/a.bin", std::string(300 * 1024, 'a'));
  auto other = projects->create(root, {"Other", "other", std::nullopt}).project.id;
  files->write(other, "keep/a.bin", "other's");
  projects->remove(root, project);
  EXPECT_EQ(files->read(other, "keep/a.bin"), "other's");
  if (gridfs()) {
    auto& db = dynamic_cast<store::mongo::MongoStore&>(*store).database();
    EXPECT_EQ(store::mongo::Collection(db, "storage_entries").count(store::mongo::toBson({{"project", project}})), 0);
    EXPECT_EQ(store::mongo::Collection(db, "storage.files").count(store::mongo::toBson({{"metadata.project", project}})), 0);
    EXPECT_EQ(store::mongo::Collection(db, "storage.chunks").count(store::mongo::toBson(nlohmann::json::object())), 1) << "only the other project's";
  } else {
    EXPECT_FALSE(std::filesystem::exists(dir.path / "storage" / project));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageConformance, ::testing::Values("local", "gridfs"),
                         [](const auto& info) { return info.param; });

}  // namespace

namespace {

// GridFS downloads are served from per-node copies named by the GridFS id:
// past the bound the least recently used go, never one used in the last minute.
TEST(GridFsFiles, NodeCopiesAreBoundedLeastRecentlyUsedFirst) {
  TempDir dir;
  const auto mongo = m3m::testing::testMongoConfig();
  store::mongo::Database db(mongo);
  db.dropDatabase();
  store::mongo::GridFsFiles files(db, dir.path / "copies", 1 << 20);
  auto copyOf = [&](const std::string& path) { return files.localCopy("p", *files.stat("p", path)); };
  for (const char* name : {"a.bin", "b.bin", "c.bin"}) files.write("p", name, std::string(400 * 1024, name[0]), true);
  const auto a = copyOf("a.bin"), b = copyOf("b.bin");
  EXPECT_EQ(slurp(a), std::string(400 * 1024, 'a'));
  const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::minutes(5);
  std::filesystem::last_write_time(a, old - std::chrono::minutes(1));
  std::filesystem::last_write_time(b, old);
  const auto c = copyOf("c.bin");  // 1.2 MB now: the oldest copy (a) goes
  EXPECT_FALSE(std::filesystem::exists(a));
  EXPECT_TRUE(std::filesystem::exists(b));
  EXPECT_TRUE(std::filesystem::exists(c));
  EXPECT_EQ(copyOf("a.bin").filename(), a.filename()) << "fetched again on demand, under the same id";
  files.write("p", "c.bin", "new", true);
  EXPECT_NE(copyOf("c.bin"), c) << "a replaced file has a new id, so never a stale copy";
  EXPECT_EQ(slurp(copyOf("c.bin")), "new");
}

// A script's database.transaction cannot roll GridFS back: file writes step
// out of the thread's transaction and it goes on afterwards.
TEST(GridFsFiles, WritesStepOutOfTheThreadsTransaction) {
  TempDir dir;
  store::mongo::Database db(m3m::testing::testMongoConfig());
  db.dropDatabase();
  store::mongo::GridFsFiles files(db, dir.path / "copies", 1 << 20);
  db.transaction([&] {
    ASSERT_TRUE(db.inTransaction());
    db.outsideTransaction([&] { EXPECT_FALSE(db.inTransaction()); });
    EXPECT_TRUE(db.inTransaction());
    files.write("p", "in-tx.txt", "x", true);
    EXPECT_TRUE(db.inTransaction());
    EXPECT_THROW(db.outsideTransaction([] { throw std::runtime_error("x"); }), std::runtime_error);
    EXPECT_TRUE(db.inTransaction()) << "restored after a throw too";
  });
  EXPECT_EQ(files.read("p", "in-tx.txt"), "x");
}

// A write interrupted between its upload and its swap leaves a GridFS file no
// entry names: swept (only such files, only older than the cut-off).
TEST(GridFsFiles, OrphansOfInterruptedWritesAreSwept) {
  TempDir dir;
  store::mongo::Database db(m3m::testing::testMongoConfig());
  db.dropDatabase();
  store::mongo::GridFsFiles files(db, dir.path / "copies", 1 << 20);
  files.write("p", "kept.txt", "kept", true);
  files.write("p", "lost.txt", "lost", true);
  store::mongo::Collection(db, "storage_entries").deleteOne(store::mongo::toBson({{"path", "lost.txt"}}));
  store::mongo::Collection gridFiles(db, "storage.files");
  const auto all = store::mongo::toBson(nlohmann::json::object());
  ASSERT_EQ(gridFiles.count(all), 2);
  EXPECT_EQ(files.removeOrphans(std::chrono::system_clock::now() - std::chrono::hours(1)), 0u) << "too recent";
  EXPECT_EQ(files.removeOrphans(std::chrono::system_clock::now() + std::chrono::seconds(5)), 1u);
  EXPECT_EQ(gridFiles.count(all), 1);
  EXPECT_EQ(store::mongo::Collection(db, "storage.chunks").count(all), 1);
  EXPECT_EQ(files.read("p", "kept.txt"), "kept");
}

}  // namespace
