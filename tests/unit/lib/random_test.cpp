#include "lib/random.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

using namespace m3m::lib;

TEST(Random, Uuid4HasTheRfcShape) {
  std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto id = uuid4();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(Random, TokensAreBase64UrlOfTheRightLength) {
  auto t = randomToken(32);
  EXPECT_EQ(t.size(), 43u);  // ceil(256 / 6)
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(randomToken(32), randomToken(32));
}

TEST(Random, Sha256MatchesTheKnownVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Random, NowIsIsoUtc) {
  EXPECT_TRUE(std::regex_match(nowIso(), std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)")));
}

