// PathGuard: every spelling of "outside" is refused, symlinks included.
#include "service/storage/path_guard.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <m3m/error.hpp>

#include "../store/temp_dir.hpp"

using namespace m3m;
namespace fs = std::filesystem;

TEST(PathGuard, ResolvesInsideAndRefusesEveryWayOut) {
  TempDir dir;
  fs::create_directories(dir.path / "outside");
  std::ofstream(dir.path / "outside" / "secret.txt") << "s";
  service::PathGuard guard(dir.path / "root");
  fs::create_directories(guard.root() / "a");
  fs::create_symlink(dir.path / "outside", guard.root() / "out");
  fs::create_symlink(guard.root() / "a", guard.root() / "alias");

  EXPECT_EQ(guard.relative(guard.resolve("a/b.txt")), "a/b.txt");
  EXPECT_EQ(guard.relative(guard.resolve("a/")), "a");
  EXPECT_EQ(guard.relative(guard.resolve("alias/x")), "a/x") << "a link that stays inside is followed";
  EXPECT_EQ(guard.resolve("", true), guard.root());
  EXPECT_EQ(guard.resolveEntry("alias"), guard.root() / "alias") << "a final link is the link itself";
  EXPECT_EQ(guard.resolveEntry("alias/x/"), guard.root() / "a" / "x");
  EXPECT_THROW(guard.resolveEntry("out"), Error) << "but never one that points outside";
  EXPECT_THROW(guard.resolve(""), Error);
  const std::vector<std::string> refused = {"../x", "a/../../x", "a/..", "./a", "/etc/passwd", "a\\b", std::string("a\0b", 3), "a//b",
                          std::string(256, 'n'), std::string(1100, 'a'), "out/secret.txt", "out", "a/\x01"};
  for (const auto& bad : refused) {
    try {
      guard.resolve(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
      EXPECT_EQ(e.fields().count("path"), 1u);
    }
  }
}

// Issue 14: the root has one spelling (""), and names are refused for the same
// characters as every other name (C0/C1 controls, DEL, bidi overrides, bad UTF-8).
TEST(PathGuard, OneSpellingOfTheRootAndNoUnsafeCharacters) {
  TempDir dir;
  service::PathGuard guard(dir.path / "root");
  EXPECT_EQ(guard.resolve("", true), guard.root());
  for (const char* root : {"/", ".", "//", "./"}) EXPECT_THROW(guard.resolve(root, true), Error) << root;
  for (const char* bad : {"a\x7f", "a\xc2\x85.txt", "evil\xe2\x80\xaegnp.exe", "a\xe2\x81\xa6", "bad\xff.txt", "a/\xc0\xaf"})
    EXPECT_THROW(guard.resolve(bad), Error) << bad;
  EXPECT_EQ(guard.relative(guard.resolve("отчёт ✓.txt")), "отчёт ✓.txt");
}

// Found by fuzz/path_guard: a symlink loop made weakly_canonical throw
// std::filesystem::error (a 500) instead of the refusal every bad path gets.
TEST(PathGuard, RefusesAPathThroughASymlinkLoop) {
  TempDir dir;
  service::PathGuard guard(dir.path / "root");
  fs::create_symlink("loop", guard.root() / "loop");
  fs::create_symlink("b", guard.root() / "a");
  fs::create_symlink("a", guard.root() / "b");
  for (const char* bad : {"loop/x", "a/x", "a/b/c.txt"}) {
    try {
      guard.resolve(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT) << bad;
      EXPECT_EQ(e.fields().count("path"), 1u) << bad;
    }
  }
  EXPECT_THROW(guard.resolveEntry("loop/x"), Error);
}
