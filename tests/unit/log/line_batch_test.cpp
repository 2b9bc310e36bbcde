#include "log/line_batch.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

using m3m::log::LineBatch;

namespace {

void add(LineBatch& b, std::string_view line) {
  b.append([&](spdlog::memory_buf_t& out) {
    out.append(line.data(), line.data() + line.size());
    out.push_back('\n');
  });
}

std::string joined(const std::vector<LineBatch::Chunk>& chunks) {
  std::string s;
  for (const auto& c : chunks) s.append(c.text.data(), c.text.size());
  return s;
}

}  // namespace

TEST(LineBatch, EmptyUntilALineComes) {
  LineBatch b(64, 1024);
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.hasFullChunk());
  EXPECT_TRUE(b.takeAll().empty());
  add(b, "one");
  EXPECT_FALSE(b.empty());
  EXPECT_EQ(b.pendingBytes(), 4u);
  EXPECT_FALSE(b.hasFullChunk());  // the open chunk is not full
}

TEST(LineBatch, AChunkClosesWhenItReachesItsSizeAndLinesAreNeverCut) {
  LineBatch b(16, 1024);
  add(b, "0123456789");  // 11 bytes
  EXPECT_FALSE(b.hasFullChunk());
  add(b, "abcdefghij");  // 22: closes, with the whole second line in it
  EXPECT_TRUE(b.hasFullChunk());
  add(b, "x");
  auto chunks = b.takeAll();
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(std::string(chunks[0].text.data(), chunks[0].text.size()), "0123456789\nabcdefghij\n");
  EXPECT_EQ(chunks[0].lines, 2u);
  EXPECT_EQ(std::string(chunks[1].text.data(), chunks[1].text.size()), "x\n");
  EXPECT_EQ(chunks[1].lines, 1u);
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.hasFullChunk());
}

TEST(LineBatch, TakeAllKeepsTheOrderAcrossChunksAndRounds) {
  LineBatch b(32, 1 << 20);
  std::string expected;
  std::string got;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      const auto line = "line " + std::to_string(round) + "." + std::to_string(i);
      add(b, line);
      expected += line + "\n";
    }
    got += joined(b.takeAll());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(b.takeDropped(), 0u);
}

TEST(LineBatch, OverTheBoundTheOldestChunksAreDroppedWholeAndCounted) {
  // Chunks of 10 bytes (2 lines of 5), at most 40 bytes pending.
  LineBatch b(10, 40);
  for (int i = 0; i < 20; ++i) add(b, "l" + std::to_string(100 + i).substr(1));  // "l00".."l19", 4 bytes each
  EXPECT_LE(b.pendingBytes(), 40u);
  const auto dropped = b.takeDropped();
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(b.takeDropped(), 0u);  // counted once
  auto chunks = b.takeAll();
  std::size_t kept = 0;
  for (const auto& c : chunks) kept += c.lines;
  EXPECT_EQ(kept + dropped, 20u);
  // What is kept is the newest lines, in order, each whole.
  std::string expected;
  for (std::size_t i = 20 - kept; i < 20; ++i) expected += "l" + std::to_string(100 + i).substr(1) + "\n";
  EXPECT_EQ(joined(chunks), expected);
}

TEST(LineBatch, ALineLargerThanTheBoundIsDroppedNotKept) {
  LineBatch b(8, 16);
  add(b, std::string(100, 'x'));
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.takeDropped(), 1u);
  add(b, "ok");
  EXPECT_EQ(joined(b.takeAll()), "ok\n");
}

TEST(LineBatch, TheBoundHoldsAtLeastTwoChunks) {
  LineBatch b(10, 1);  // raised to 20
  add(b, "123456789");  // 10: full
  add(b, "abcdefgh");   // 9, open
  EXPECT_EQ(b.takeDropped(), 0u);
  EXPECT_EQ(joined(b.takeAll()), "123456789\nabcdefgh\n");
}

TEST(LineBatch, WrittenChunksGiveTheirBuffersBackForTheNextOnes) {
  LineBatch b(64, 1024);
  const std::string line = "line of twenty bytes";  // 21 bytes with its '\n': chunks of 4 lines
  for (int i = 0; i < 20; ++i) add(b, line);
  auto chunks = b.takeAll();
  ASSERT_EQ(chunks.size(), 5u);
  std::set<const char*> given;
  for (const auto& c : chunks) given.insert(c.text.data());
  b.recycle(std::move(chunks));
  EXPECT_TRUE(chunks.empty());
  for (int i = 0; i < 12; ++i) add(b, line);
  auto again = b.takeAll();
  ASSERT_EQ(again.size(), 3u);
  int reused = 0;
  for (const auto& c : again) reused += given.count(c.text.data()) ? 1 : 0;
  EXPECT_EQ(reused, 2) << "both chunks made after the recycling reused a given buffer";
  // The lines are what was appended, not what the buffers held before.
  std::string four;
  for (int i = 0; i < 4; ++i) four += line + "\n";
  for (const auto& c : again) EXPECT_EQ(std::string(c.text.data(), c.text.size()), four);
}
