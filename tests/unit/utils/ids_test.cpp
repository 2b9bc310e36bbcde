// utils.uuid({version: 7}), utils.random, utils.randomInt (runtime/utils/ids.cpp).
#include "runtime/utils/ids.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <regex>
#include <string>

using namespace m3m::utils;

namespace {

TEST(Uuid7, Layout) {
  // RFC 9562 appendix A.6's example: 2022-02-22T19:22:22Z = 0x017F22E279B0 ms.
  EXPECT_EQ(uuid7Layout(0x017F22E279B0ULL, 0xCC3, 0x18C4DC0C0C07398FULL), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(uuid7Layout(0, 0, 0), "00000000-0000-7000-8000-000000000000");
  EXPECT_EQ(uuid7Layout(0xFFFFFFFFFFFFULL, 0xFFF, ~0ULL), "ffffffff-ffff-7fff-bfff-ffffffffffff");
}

TEST(Uuid7, VersionVariantTimeAndOrder) {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  std::string prev;
  for (int i = 0; i < 20000; ++i) {  // many per millisecond: the counter, and its overflow, keep order
    const auto u = uuid7();
    ASSERT_TRUE(std::regex_match(u, shape)) << u;
    ASSERT_LT(prev, u) << "strictly increasing";
    prev = u;
  }
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  const auto u = uuid7();
  const long long ms = std::stoll(u.substr(0, 8) + u.substr(9, 4), nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after + 20000 / 2048 + 2) << "carried forward by at most one ms per 2048 ids";
}

TEST(Random, UnitInterval) {
  double lo = 1, hi = 0, sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double r = randomUnit();
    ASSERT_GE(r, 0.0);
    ASSERT_LT(r, 1.0);
    lo = std::min(lo, r);
    hi = std::max(hi, r);
    sum += r;
  }
  EXPECT_LT(lo, 0.001);
  EXPECT_GT(hi, 0.999);
  EXPECT_NEAR(sum / n, 0.5, 0.01);
}

TEST(Random, InclusiveBoundsAndUniformity) {
  EXPECT_EQ(randomInclusive(5, 5), 5);
  EXPECT_EQ(randomInclusive(-7, -7), -7);
  const std::int64_t big = 9007199254740991;
  for (int i = 0; i < 1000; ++i) {
    const auto v = randomInclusive(-big, big);
    ASSERT_GE(v, -big);
    ASSERT_LE(v, big);
  }
  // A die: every face, both ends included; chi-square with 5 degrees of freedom (p = 0.001: 20.5).
  std::map<std::int64_t, int> counts;
  const int n = 60000;
  for (int i = 0; i < n; ++i) counts[randomInclusive(1, 6)]++;
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts.begin()->first, 1);
  EXPECT_EQ(counts.rbegin()->first, 6);
  double chi = 0;
  for (const auto& [face, c] : counts) chi += std::pow(c - n / 6.0, 2) / (n / 6.0);
  EXPECT_LT(chi, 20.5) << "chi-square " << chi;
}

}  // namespace
