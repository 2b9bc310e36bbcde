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
  log.follow(0, [&](const std::string& l) {
    seen.push_back(l);
    return accept;
  });
  ASSERT_EQ(seen.size(), 2u);
  log.write("WARN", "new 1\nsecond line");
  ASSERT_EQ(seen.size(), 4u) << "a two-line entry arrives as two lines";
  EXPECT_NE(seen[2].find("[WARN] new 1"), std::string::npos);
  EXPECT_EQ(seen[3], "\tsecond line");
  accept = false;
  log.write("INFO", "refused");  // delivered once, refused: the follower is dropped
  log.write("INFO", "not delivered");
  EXPECT_EQ(seen.size(), 5u);
  std::vector<std::string> fromCursor;
  log.follow(log.read(0, 3).nextCursor, [&](const std::string& l) {
    fromCursor.push_back(l);
    return true;
  });
  ASSERT_FALSE(fromCursor.empty());
  EXPECT_NE(fromCursor[0].find("second line"), std::string::npos) << "the cursor skips what was read";
}
