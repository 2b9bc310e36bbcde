#include "lib/sortable_id.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "lib/random.hpp"

using namespace m3m::lib;

TEST(SortableIds, AreFifteenLowercaseAlnumWithTheTimeInFront) {
  SortableIds ids;
  const auto id = ids.nextAt(1764806400000);  // 2025-12-04T00:00:00Z
  EXPECT_TRUE(std::regex_match(id, std::regex("^[0-9a-z]{15}$"))) << id;
  EXPECT_EQ(id.substr(0, 9), "0miqo5xc0");  // 1764806400000 in base 36
  EXPECT_EQ(SortableIds().nextAt(0).substr(0, 9), "000000000");
  EXPECT_TRUE(std::regex_match(ids.next(), std::regex("^[0-9a-z]{15}$")));
}

TEST(SortableIds, LaterTimesSortLater) {
  SortableIds ids;
  std::string prev;
  for (std::int64_t ms : {1LL, 35LL, 36LL, 1000LL, 1764806400000LL, 1764806400001LL, 99999999999999LL}) {
    auto id = ids.nextAt(ms);
    EXPECT_LT(prev, id) << ms;
    prev = id;
  }
}

// Many ids in one millisecond, and a clock that steps back, still increase: a millisecond
// whose random range is used up borrows the next one.
TEST(SortableIds, IncreaseWithinOneMillisecondAndWhenTheClockStepsBack) {
  SortableIds ids;
  std::string prev = ids.nextAt(5000000);
  std::set<std::string> seen{prev};
  std::set<std::string> timeParts;
  for (int i = 0; i < 200000; ++i) {
    auto id = ids.nextAt(i % 1000 == 999 ? 4000000 : 5000000);  // sometimes 1000 s earlier
    ASSERT_LT(prev, id) << i;
    seen.insert(id);
    timeParts.insert(id.substr(0, 9));
    prev = id;
  }
  EXPECT_EQ(seen.size(), 200001u);
  EXPECT_GT(timeParts.size(), 1u);  // ≈ 47k ids fit one millisecond at the average step
  EXPECT_LT(timeParts.size(), 20u);
}

TEST(SortableIds, TwoMadeInTheSameMillisecondDifferByMoreThanOne) {
  // Not guessable by adding one: the step within a millisecond is random.
  SortableIds ids;
  int plusOne = 0;
  for (int i = 0; i < 100; ++i) {
    auto a = ids.nextAt(7777), b = ids.nextAt(7777);
    if (std::stoull(b.substr(9), nullptr, 36) == std::stoull(a.substr(9), nullptr, 36) + 1) ++plusOne;
  }
  EXPECT_LT(plusOne, 3);
}

TEST(SortableIds, AreUniqueAcrossThreads) {
  SortableIds ids;
  std::vector<std::vector<std::string>> made(8);
  std::vector<std::thread> threads;
  for (auto& out : made)
    threads.emplace_back([&ids, &out] {
      for (int i = 0; i < 5000; ++i) out.push_back(ids.next());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : made) {
    for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1], out[i]);  // each thread sees them increase
    all.insert(out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 40000u);
}

TEST(Random, RandomBelowStaysInRangeAndCoversIt) {
  EXPECT_EQ(randomBelow(0), 0u);
  EXPECT_EQ(randomBelow(1), 0u);
  std::vector<int> counts(10);
  for (int i = 0; i < 20000; ++i) {
    auto v = randomBelow(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 2000, 300);
  EXPECT_LT(randomBelow(UINT64_MAX), UINT64_MAX);
}
