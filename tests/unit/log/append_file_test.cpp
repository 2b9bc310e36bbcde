#include "log/append_file.hpp"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <csignal>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "log/chunk_sinks.hpp"

using m3m::log::AppendFile;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path dirIn(const fs::path& parent, const char* name) {
  const auto dir = parent / (std::string(name) + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

bool onTmpfs(const fs::path& p) {
  struct statfs st {};
  return statfs(p.c_str(), &st) == 0 && st.f_type == TMPFS_MAGIC;
}

// `bytes` worth of numbered access-like lines, starting at line `from`.
std::string lines(std::size_t bytes, int& from) {
  std::string out;
  while (out.size() < bytes)
    out += "[2026-12-06 23:14:41.336] [info] http GET /r/bench/hello 200 11B 0.14ms line=" + std::to_string(from++) + "\n";
  return out;
}

// Writes rounds of these sizes after `before` (a previous run's bytes) and
// checks after each that the file holds exactly what was written: no byte
// lost, doubled or padded, whichever way the round went.
void appendRounds(const fs::path& dir, const std::string& before, std::initializer_list<std::size_t> rounds,
                  std::size_t expectDirect, bool allowDirect = true) {
  const auto path = dir / "m3m.log";
  { std::ofstream(path, std::ios::binary) << before; }
  std::string expected = before;
  AppendFile file(allowDirect);
  file.open(path.string(), false);
  EXPECT_EQ(file.size(), before.size());
  int n = 0;
  for (const auto bytes : rounds) {
    const auto text = lines(bytes, n);
    // Staged in pieces, as the log thread's chunks come.
    for (std::size_t at = 0; at < text.size(); at += 32 * 1024) file.stage(text.data() + at, std::min<std::size_t>(32 * 1024, text.size() - at));
    expected += text;
    EXPECT_EQ(file.size(), expected.size());
    ASSERT_TRUE(file.write());
    ASSERT_EQ(fs::file_size(path), expected.size()) << "after a round of " << bytes;
    ASSERT_EQ(slurp(path), expected) << "after a round of " << bytes;
  }
  EXPECT_EQ(file.directRounds(), expectDirect);
  file.close();
  EXPECT_EQ(slurp(path), expected);
}

}  // namespace

// The log's own folder (the build tree's disk, like a server's): large
// rounds go around the page cache; small ones, and every one on tmpfs, are
// ordinary writes. Either way the file is exactly its lines.
TEST(AppendFile, LargeRoundsGoAroundThePageCacheAndLoseNothing) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-file");
  AppendFile probe;
  probe.open((dir / "probe").string(), false);
  const bool direct = probe.directAvailable();
  probe.close();
  if (!onTmpfs(dir)) {
    EXPECT_TRUE(direct) << "O_DIRECT refused on " << dir;
  }
  // A previous run's 5,000 bytes (not block-aligned); big, small, big, tiny,
  // exactly a block, big rounds.
  appendRounds(dir, std::string(4999, 'o') + "\n", {300 * 1024, 100, 70 * 1024, 3, 4096, 256 * 1024 + 17},
               direct ? 3 : 0);
  // An empty file, and a previous run that ended on a block boundary.
  appendRounds(dir, "", {128 * 1024, 10, 64 * 1024}, direct ? 2 : 0);
  appendRounds(dir, std::string(8191, 'b') + "\n", {100 * 1024}, direct ? 1 : 0);
  fs::remove_all(dir);
}

// Where O_DIRECT is refused (older tmpfs, some network file systems) every
// round is an ordinary write.
TEST(AppendFile, WithoutDirectIoEveryRoundIsOrdinary) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-ordinary");
  appendRounds(dir, "previous\n", {200 * 1024, 5, 90 * 1024}, 0, false);
  fs::remove_all(dir);
}

TEST(AppendFile, EndsALineAPreviousRunCutShort) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-cut");
  const auto path = dir / "m3m.log";
  for (const std::string& before : {std::string("a line cut sho"), std::string(4096, 'c'), std::string("whole\n"), std::string()}) {
    { std::ofstream(path, std::ios::binary | std::ios::trunc) << before; }
    AppendFile file;
    file.open(path.string(), false);
    file.stage("next\n", 5);
    file.write();
    file.close();
    const bool cut = !before.empty() && before.back() != '\n';
    EXPECT_EQ(slurp(path), before + (cut ? "\n" : "") + "next\n") << before.size();
  }
  fs::remove_all(dir);
}

TEST(AppendFile, TruncatingStartsAfreshAfterDirectRounds) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-trunc");
  const auto path = (dir / "m3m.log").string();
  AppendFile file;
  file.open(path, false);
  int n = 0;
  const auto big = lines(100 * 1024 + 5, n);
  file.stage(big.data(), big.size());
  ASSERT_TRUE(file.write());
  file.stage("staged before the reopen\n", 25);
  file.open(path, true);  // what was staged went to the file first, then it was emptied
  EXPECT_EQ(file.size(), 0u);
  const auto again = lines(80 * 1024, n);
  file.stage(again.data(), again.size());
  ASSERT_TRUE(file.write());
  file.close();
  EXPECT_EQ(slurp(path), again);
  fs::remove_all(dir);
}

// The sink stages each chunk and writes a round at flush; rotation writes
// what is staged to the old file first. Rounds large enough to go direct.
TEST(AppendFile, RotatingSinkKeepsEveryLineInOrderAcrossDirectRounds) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-rotate");
  std::string all;
  int n = 0;
  {
    m3m::log::RotatingFileSink sink((dir / "m3m.log").string(), 300 * 1024, 10);
    for (int round = 0; round < 6; ++round) {
      for (int chunk = 0; chunk < 4; ++chunk) {
        const auto text = lines(32 * 1024, n);
        all += text;
        sink.log(spdlog::details::log_msg("m3m", spdlog::level::info, spdlog::string_view_t(text.data(), text.size())));
      }
      sink.flush();
    }
  }
  std::string joined;
  for (int i = 10; i >= 1; --i) {
    const auto p = dir / ("m3m." + std::to_string(i) + ".log");
    if (!fs::exists(p)) continue;
    const auto text = slurp(p);
    EXPECT_LE(text.size(), 300u * 1024);
    EXPECT_EQ(text.back(), '\n');
    joined += text;
  }
  joined += slurp(dir / "m3m.log");
  EXPECT_TRUE(fs::exists(dir / "m3m.2.log")) << "rotated more than once";
  EXPECT_EQ(joined, all);
  fs::remove_all(dir);
}

// A write the disk refuses part-way (here the file-size limit, as a full
// disk would): that round's lines are lost, nothing else; the next round is
// written at the file's real end, on a line of its own.
TEST(AppendFile, ARoundTheDiskRefusesLosesOnlyItsOwnLines) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-full");
  const auto path = dir / "m3m.log";
  std::signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of the signal
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  for (const bool direct : {true, false}) {
    fs::remove(path);
    AppendFile file(direct);
    file.open(path.string(), false);
    int n = 0;
    const auto first = lines(10 * 1024, n);
    file.stage(first.data(), first.size());
    ASSERT_TRUE(file.write());
    // Room for 50,001 more bytes: the next round (100 KiB, direct when it
    // may) is cut inside a line.
    rlimit limit = saved;
    limit.rlim_cur = first.size() + 50'001;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
    const auto lost = lines(100 * 1024, n);
    file.stage(lost.data(), lost.size());
    EXPECT_FALSE(file.write()) << "direct " << direct;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto kept = fs::file_size(path);
    EXPECT_LE(kept, first.size() + 50'001);
    const auto next = lines(70 * 1024, n);
    file.stage(next.data(), next.size());
    ASSERT_TRUE(file.write()) << "direct " << direct;
    if (direct) {
      EXPECT_TRUE(file.directAvailable()) << "a refused write is not a refusal of direct I/O";
      EXPECT_GE(file.directRounds(), 1u) << "the round after the failure went direct";
    } else {
      EXPECT_EQ(file.directRounds(), 0u);
    }
    file.close();
    const auto text = slurp(path);
    // Between them: what the disk took of the lost round and, when that
    // ended inside a line, the newline that ends it.
    const auto took = lost.substr(0, kept - first.size());
    const std::string end = !took.empty() && took.back() != '\n' ? "\n" : "";
    EXPECT_TRUE(text == first + took + end + next)
        << "direct " << direct << ": " << text.size() << " bytes, expected " << first.size() << " + " << took.size()
        << " + " << end.size() << " + " << next.size();
    if (!direct) {
      EXPECT_EQ(kept, first.size() + 50'001) << "an ordinary write stops at the limit, inside a line";
      EXPECT_EQ(end, "\n");
    }
  }
  fs::remove_all(dir);
}

// logrotate's copytruncate empties the file under the server; another
// process appends to it. The next round goes where the file ends: no hole
// of NULs, nobody's bytes overwritten.
TEST(AppendFile, WritesWhereTheFileEndsWhenOthersChangedIt) {
  const auto dir = dirIn(fs::current_path(), "m3m-append-others");
  const auto path = dir / "m3m.log";
  for (const bool direct : {true, false}) {
    fs::remove(path);
    AppendFile file(direct);
    file.open(path.string(), false);
    int n = 0;
    const auto before = lines(100 * 1024 + 33, n);
    file.stage(before.data(), before.size());
    ASSERT_TRUE(file.write());
    fs::resize_file(path, 0);  // copytruncate
    const auto after = lines(90 * 1024, n);
    file.stage(after.data(), after.size());
    ASSERT_TRUE(file.write());
    EXPECT_TRUE(slurp(path) == after) << "direct " << direct << ": " << fs::file_size(path) << " bytes, expected " << after.size();
    {
      std::ofstream other(path, std::ios::binary | std::ios::app);
      other << "a line from another process\n";
    }
    const auto small = lines(500, n);
    file.stage(small.data(), small.size());
    ASSERT_TRUE(file.write());
    const auto big = lines(70 * 1024, n);
    file.stage(big.data(), big.size());
    ASSERT_TRUE(file.write());
    file.close();
    EXPECT_TRUE(slurp(path) == after + "a line from another process\n" + small + big) << "direct " << direct;
  }
  fs::remove_all(dir);
}
