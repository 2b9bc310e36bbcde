#include "runtime/run_log.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "../store/temp_dir.hpp"
#include "runtime/typescript/printer.hpp"

using namespace m3m;
using namespace m3m::runtime;

TEST(RunLog, WritesTheAgreedFormat) {
  auto l = RunLog::line("INFO", "hello");
  EXPECT_TRUE(std::regex_match(l, std::regex(R"(^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[INFO\] hello\n$)"))) << l;
  EXPECT_NE(RunLog::line("ERROR", "a\nb").find("a\n\tb"), std::string::npos) << "continuation lines are indented";
}

TEST(RunLog, PagesWithACursorAndTails) {
  TempDir d;
  RunLog log(d.path, 1 << 20);
  for (int i = 0; i < 25; ++i) log.write("INFO", "line " + std::to_string(i));
  auto p1 = log.read(0, 10);
  ASSERT_EQ(p1.lines.size(), 10u);
  EXPECT_NE(p1.lines[0].find("line 0"), std::string::npos);
  auto p2 = log.read(p1.nextCursor, 10);
  EXPECT_NE(p2.lines[0].find("line 10"), std::string::npos);
  auto p3 = log.read(p2.nextCursor, 10);
  EXPECT_EQ(p3.lines.size(), 5u);
  EXPECT_TRUE(log.read(p3.nextCursor, 10).lines.empty());
  auto t = log.tail(3);
  ASSERT_EQ(t.lines.size(), 3u);
  EXPECT_NE(t.lines[2].find("line 24"), std::string::npos);
}

TEST(RunLog, RotatesAtTheCapAndClears) {
  TempDir d;
  RunLog log(d.path, 4096);
  for (int i = 0; i < 500; ++i) log.write("INFO", std::string(50, 'x'));
  EXPECT_LE(std::filesystem::file_size(log.path()), 4096u);
  EXPECT_TRUE(std::filesystem::exists(d.path / "run.log.1"));
  auto all = log.download();
  EXPECT_GT(all.size(), std::filesystem::file_size(log.path())) << "the download includes the rotated part";
  EXPECT_EQ(all.substr(all.size() - log.readAll().size()), log.readAll()) << "oldest first, current file last";
  log.clear();
  EXPECT_EQ(log.readAll(), "");
  EXPECT_FALSE(std::filesystem::exists(d.path / "run.log.1"));
  log.setRelease("1.2");
  EXPECT_EQ(log.release(), "1.2");
}

TEST(TypeScript, PrintsModulesFromTheirSchema) {
  auto schema = ModuleBuilder("kv", "Key-value store.")
                    .function("get", {param("key", t::string()), param("fallback", t::optional(t::unknown()))}, t::unknown(), "Reads.", nullptr)
                    .function("log", {rest("args", t::unknown())}, t::void_(), "", nullptr)
                    .build();
  auto ts = printModule(schema);
  EXPECT_NE(ts.find("declare const kv: {"), std::string::npos) << ts;
  EXPECT_NE(ts.find("get(key: string, fallback?: unknown): unknown;"), std::string::npos) << ts;
  EXPECT_NE(ts.find("log(...args: unknown[]): void;"), std::string::npos) << ts;
  EXPECT_NE(ts.find("/** Key-value store. */"), std::string::npos);
  auto all = printAll({schema});
  EXPECT_NE(all.find("declare const router"), std::string::npos);
  EXPECT_NE(all.find("declare const service"), std::string::npos);
}

TEST(RunLog, FollowDeliversTheBacklogThenNewLinesUntilRefused) {
  TempDir d;
  RunLog log(d.path, 1 << 20);
  log.write("INFO", "old 1");
  log.write("INFO", "old 2");
  std::vector<std::string> seen;
  bool accept = true;
  std::vector<std::uint64_t> ends;
  log.follow(0, [&](const std::string& l, std::uint64_t end) {
    seen.push_back(l);
    ends.push_back(end);
    return accept;
  });
  ASSERT_EQ(seen.size(), 2u);
  log.write("WARN", "new 1\nsecond line");
  ASSERT_EQ(seen.size(), 4u) << "a two-line entry arrives as two lines";
  EXPECT_NE(seen[2].find("[WARN] new 1"), std::string::npos);
  EXPECT_EQ(seen[3], "\tsecond line");
  // Each line's end offset is a cursor that resumes right after it.
  EXPECT_EQ(ends[1], log.read(0, 2).nextCursor);
  EXPECT_EQ(ends[3], log.read(0, 4).nextCursor);
  accept = false;
  log.write("INFO", "refused");  // delivered once, refused: the follower is dropped
  log.write("INFO", "not delivered");
  EXPECT_EQ(seen.size(), 5u);
  std::vector<std::string> fromCursor;
  log.follow(log.read(0, 3).nextCursor, [&](const std::string& l, std::uint64_t) {
    fromCursor.push_back(l);
    return true;
  });
  ASSERT_FALSE(fromCursor.empty());
  EXPECT_NE(fromCursor[0].find("second line"), std::string::npos) << "the cursor skips what was read";
}

TEST(RunLog, PagesBackwardsFromAnyCursor) {
  TempDir d;
  RunLog log(d.path, 1 << 20);
  for (int i = 0; i < 25; ++i) log.write("INFO", "line " + std::to_string(i));
  auto t = log.tail(10);
  ASSERT_EQ(t.lines.size(), 10u);
  EXPECT_NE(t.lines[0].find("line 15"), std::string::npos);
  EXPECT_EQ(t.nextCursor, std::filesystem::file_size(log.path()));
  // Walking up with prevCursor meets every line exactly once, oldest last.
  std::vector<std::string> all(t.lines.rbegin(), t.lines.rend());
  auto cursor = t.prevCursor;
  while (cursor > 0) {
    auto p = log.before(cursor, 7);
    ASSERT_FALSE(p.lines.empty());
    EXPECT_EQ(p.nextCursor, cursor) << "a page ends where the newer one starts";
    EXPECT_LT(p.prevCursor, cursor);
    for (auto it = p.lines.rbegin(); it != p.lines.rend(); ++it) all.push_back(*it);
    cursor = p.prevCursor;
  }
  ASSERT_EQ(all.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_NE(all[24 - i].find("line " + std::to_string(i)), std::string::npos) << i;
  // The forward page at a prevCursor starts with the same line.
  EXPECT_EQ(log.read(t.prevCursor, 1).lines[0], t.lines[0]);
  // A cursor inside a line counts only the whole lines above it.
  auto mid = log.before(t.prevCursor + 3, 2);
  EXPECT_EQ(mid.nextCursor, t.prevCursor);
  EXPECT_NE(mid.lines[1].find("line 14"), std::string::npos);
  EXPECT_TRUE(log.before(0, 5).lines.empty());
  EXPECT_EQ(log.before(UINT64_MAX, 1).lines, log.tail(1).lines) << "past the end = the end";
}

TEST(RunLog, PagesBackwardsAcrossReadBlocks) {
  TempDir d;
  RunLog log(d.path, 8 << 20);
  // Lines longer than the 64 KiB block, and many short ones around them.
  for (int i = 0; i < 300; ++i) log.write("INFO", (i % 100 == 50 ? std::string(70'000, 'x') : "") + "n" + std::to_string(i));
  std::vector<std::string> seen;
  std::uint64_t cursor = UINT64_MAX;
  for (;;) {
    auto p = log.before(cursor, 13);
    for (auto it = p.lines.rbegin(); it != p.lines.rend(); ++it) seen.push_back(*it);
    if (p.prevCursor == 0) break;
    cursor = p.prevCursor;
  }
  ASSERT_EQ(seen.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_TRUE(seen[299 - i].ends_with("n" + std::to_string(i))) << i;
}
