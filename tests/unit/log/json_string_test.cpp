#include "log/json_string.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

using m3m::log::appendJsonString;

namespace {

std::string json(std::string_view s) {
  spdlog::memory_buf_t out;
  appendJsonString(out, s);
  return {out.data(), out.size()};
}

}  // namespace

TEST(JsonString, PlainTextIsQuotedAsItIs) {
  EXPECT_EQ(json(""), R"("")");
  EXPECT_EQ(json("/r/shop/items?x=1"), R"("/r/shop/items?x=1")");
  EXPECT_EQ(json("ünï €𝄞"), "\"ünï €𝄞\"");  // valid UTF-8 stays
}

TEST(JsonString, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(json(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(json("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(json(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
  // Every control character round-trips through a JSON parser.
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all += "\"\\";
  EXPECT_EQ(nlohmann::json::parse(json(all)).get<std::string>(), all);
}

TEST(JsonString, InvalidUtf8BecomesTheReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(json("a\xff" "b"), "\"a" + r + "b\"");           // a byte that starts nothing
  EXPECT_EQ(json("\x80"), "\"" + r + "\"");                   // a lone continuation byte
  EXPECT_EQ(json("\xC3"), "\"" + r + "\"");                   // cut at the end
  EXPECT_EQ(json("\xE2\x82" "x"), "\"" + r + r + "x\"");      // cut in the middle
  EXPECT_EQ(json("\xC0\xAF"), "\"" + r + r + "\"");           // overlong '/'
  EXPECT_EQ(json("\xE0\x80\xAF"), "\"" + r + r + r + "\"");   // overlong, 3 bytes
  EXPECT_EQ(json("\xED\xA0\x80"), "\"" + r + r + r + "\"");   // a surrogate
  EXPECT_EQ(json("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // past U+10FFFF
  // Always a valid JSON string, whatever the bytes.
  std::string bytes;
  for (int c = 0; c < 256; ++c) bytes.push_back(static_cast<char>(c));
  EXPECT_NO_THROW(nlohmann::json::parse(json(bytes)));
  EXPECT_NO_THROW(nlohmann::json::parse(json(bytes + "\xF0\x9F")));
}
