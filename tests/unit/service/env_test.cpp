#include "service/env.hpp"

#include <gtest/gtest.h>

using m3m::service::EnvService;
using json = nlohmann::json;

namespace {
std::optional<json> coerce(const std::string& type, const json& v) {
  std::string why;
  return EnvService::coerce(type, v, why);
}
}  // namespace

TEST(EnvValues, KeysFollowTheIdentifierRule) {
  for (auto k : {"A", "_x", "API_KEY", "a1_b2"}) EXPECT_TRUE(EnvService::isValidKey(k)) << k;
  for (auto k : {"", "1abc", "a-b", "a b", "ключ", "a.b"}) EXPECT_FALSE(EnvService::isValidKey(k)) << k;
  EXPECT_FALSE(EnvService::isValidKey(std::string(129, 'a')));
}

TEST(EnvValues, CoercesEachType) {
  EXPECT_EQ(coerce("integer", 42), json(42));
  EXPECT_EQ(coerce("integer", "42"), json(42));
  EXPECT_EQ(coerce("integer", 42.0), json(42));
  EXPECT_EQ(coerce("integer", "-9007199254740993"), json(-9007199254740993LL));
  EXPECT_EQ(coerce("float", 1.5), json(1.5));
  EXPECT_EQ(coerce("float", "2.25"), json(2.25));
  EXPECT_EQ(coerce("boolean", true), json(true));
  EXPECT_EQ(coerce("boolean", "false"), json(false));
  EXPECT_EQ(coerce("string", "x"), json("x"));
  EXPECT_EQ(coerce("text", "a\nb"), json("a\nb"));
  json doc = {{"a", json::array({1, nullptr})}, {"b", {{"c", "d"}}}};
  EXPECT_EQ(coerce("json", doc), doc);
  EXPECT_EQ(coerce("json", nullptr), json(nullptr));
}

TEST(EnvValues, RefusesWrongValues) {
  EXPECT_FALSE(coerce("integer", "abc"));
  EXPECT_FALSE(coerce("integer", 1.5));
  EXPECT_FALSE(coerce("integer", "1.5"));
  EXPECT_FALSE(coerce("integer", true));
  EXPECT_FALSE(coerce("float", "nan"));
  EXPECT_FALSE(coerce("float", "1e999"));
  EXPECT_FALSE(coerce("float", json::object()));
  EXPECT_FALSE(coerce("boolean", 1));
  EXPECT_FALSE(coerce("boolean", "yes"));
  EXPECT_FALSE(coerce("string", 5));
  EXPECT_FALSE(coerce("string", "two\nlines"));
  EXPECT_FALSE(coerce("nope", "x"));
}
