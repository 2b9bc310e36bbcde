// lib::parseJson, the one door for JSON text (issue 14: a 100,000-deep value
// crashed the thread that next copied or printed it).
#include "lib/json.hpp"

#include <gtest/gtest.h>

#include <m3m/error.hpp>

using namespace m3m;

namespace {
std::string arrays(int depth) { return std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']'); }
std::string objects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  return s + std::string(static_cast<size_t>(depth), '}');
}
std::string messageOf(std::string_view text) {
  try {
    lib::parseJson(text, "the body");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ParseJson, AcceptsUpToTheDepthLimit) {
  auto v = lib::parseJson(arrays(lib::JSON_MAX_DEPTH));
  EXPECT_EQ(lib::jsonDepth(v), lib::JSON_MAX_DEPTH);
  EXPECT_EQ(lib::jsonDepth(lib::parseJson(objects(lib::JSON_MAX_DEPTH))), lib::JSON_MAX_DEPTH);
  EXPECT_EQ(v.dump().size(), 2u * lib::JSON_MAX_DEPTH);
}

TEST(ParseJson, RefusesDeeperNestingNamingTheLimit) {
  for (const auto& text : {arrays(lib::JSON_MAX_DEPTH + 1), objects(lib::JSON_MAX_DEPTH + 1), arrays(100'000),
                           objects(100'000), "[" + arrays(1'000'000) /* unterminated */}) {
    auto m = messageOf(text);
    EXPECT_NE(m.find("the body nests arrays/objects deeper than 256 levels"), std::string::npos) << m;
  }
  EXPECT_TRUE(lib::parseJsonOrDiscarded(arrays(100'000)).is_discarded());
  EXPECT_FALSE(lib::parseJsonOrDiscarded(arrays(10)).is_discarded());
}

TEST(ParseJson, NumbersOutOfRangeAndMalformedTextAreInvalidArgument) {
  for (const char* text : {"1e309", "[-1e400]", "{\"a\":1E999}"})
    EXPECT_NE(messageOf(text).find("the body has a number out of range"), std::string::npos) << text;
  EXPECT_NE(messageOf("{\"a\":").find("malformed JSON at byte 6"), std::string::npos) << messageOf("{\"a\":");
  EXPECT_TRUE(lib::parseJsonOrDiscarded("1e309").is_discarded());
  EXPECT_EQ(lib::parseJson("18446744073709551615").get<std::uint64_t>(), 18446744073709551615ull);
  EXPECT_DOUBLE_EQ(lib::parseJson("1.7976931348623157e308").get<double>(), 1.7976931348623157e308);
}

TEST(JsonDepth, CountsWithoutRecursion) {
  EXPECT_EQ(lib::jsonDepth(nlohmann::json(1)), 0);
  EXPECT_EQ(lib::jsonDepth(nlohmann::json::array()), 1);
  EXPECT_EQ(lib::jsonDepth(nlohmann::json::parse(R"({"a":[1,{"b":[[]]}],"c":2})")), 5);
}
