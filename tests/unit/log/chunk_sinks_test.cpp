#include "log/chunk_sinks.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>


using namespace m3m::log;
namespace fs = std::filesystem;

namespace {

spdlog::details::log_msg chunk(const std::string& text) {
  return spdlog::details::log_msg("m3m", spdlog::level::info, spdlog::string_view_t(text.data(), text.size()));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

fs::path freshDir(const char* name) {
  const auto dir = fs::temp_directory_path() / (std::string(name) + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ChunkSinks, FileRotatesOnlyBetweenLines) {
  const auto dir = freshDir("m3m-chunk-sinks");
  {
    RotatingFileSink sink((dir / "m3m.log").string(), 100, 3);
    std::string text;
    for (int i = 0; i < 12; ++i) text += "line number " + std::to_string(i) + " of the chunk\n";  // ~26 bytes each
    sink.log(chunk(text));
    sink.log(chunk("a last line without its newline"));
    sink.flush();
  }
  std::string all;
  for (const char* name : {"m3m.3.log", "m3m.2.log", "m3m.1.log", "m3m.log"}) {
    ASSERT_TRUE(fs::exists(dir / name)) << name << ": the file rotated";
    const auto text = slurp(dir / name);
    EXPECT_LE(text.size(), 100u) << name;
    if (std::string(name) != "m3m.log") {
      EXPECT_EQ(text.back(), '\n') << name << " ends with a whole line";
    }
    all += text;
  }
  // The newest lines, whole and in order (the oldest rotated away).
  EXPECT_TRUE(all.starts_with("line number ")) << all;
  EXPECT_TRUE(all.ends_with("line number 11 of the chunk\na last line without its newline")) << all;
  fs::remove_all(dir);
}

TEST(ChunkSinks, FileGivesALineLongerThanMaxSizeAFileOfItsOwn) {
  const auto dir = freshDir("m3m-chunk-long");
  const std::string longLine = std::string(250, 'x') + "\n";
  {
    RotatingFileSink sink((dir / "m3m.log").string(), 100, 5);
    sink.log(chunk("short one\n" + longLine + "short two\n"));
    sink.log(chunk(std::string(150, 'y')));  // no newline, longer than a file: still written
  }
  EXPECT_EQ(slurp(dir / "m3m.3.log"), "short one\n");
  EXPECT_EQ(slurp(dir / "m3m.2.log"), longLine);
  EXPECT_EQ(slurp(dir / "m3m.1.log"), "short two\n");
  EXPECT_EQ(slurp(dir / "m3m.log"), std::string(150, 'y'));
  fs::remove_all(dir);
}

TEST(ChunkSinks, FileAppendsToWhatIsThereAndCountsIt) {
  const auto dir = freshDir("m3m-chunk-append");
  { std::ofstream(dir / "m3m.log") << std::string(59, 'o') << "\n"; }  // 60 bytes from a previous run
  {
    RotatingFileSink sink((dir / "m3m.log").string(), 100, 2);
    sink.log(chunk("thirty bytes of text in a line\n"));  // fits (92 bytes)
    sink.log(chunk("another thirty bytes of a line\n"));  // would make 123: rotates first
  }
  EXPECT_EQ(slurp(dir / "m3m.1.log"), std::string(59, 'o') + "\nthirty bytes of text in a line\n");
  EXPECT_EQ(slurp(dir / "m3m.log"), "another thirty bytes of a line\n");
  fs::remove_all(dir);
}

TEST(ChunkSinks, ConsoleWritesTheChunkAsItIsToStderr) {
  std::fflush(stderr);
  const auto path = fs::temp_directory_path() / ("m3m-console-" + std::to_string(getpid()));
  FILE* capture = std::fopen(path.c_str(), "w+");
  ASSERT_NE(capture, nullptr);
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(capture), STDERR_FILENO);
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "console line " + std::to_string(i) + "\n";
  {
    ConsoleSink console;  // its own dup of what stderr is now
    console.log(chunk(big));
    console.flush();
  }
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::fclose(capture);
  EXPECT_EQ(slurp(path), big);
  fs::remove(path);
}
