#include "lib/hex.hpp"

#include <gtest/gtest.h>

using namespace m3m::lib;

// RFC 4648 §10, BASE16 (upper case there; we write lower case and read both).
TEST(Hex, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},           {"f", "66"},           {"fo", "666F"},
                                                         {"foo", "666F6F"}, {"foob", "666F6F62"}, {"fooba", "666F6F6261"},
                                                         {"foobar", "666F6F626172"}};
  for (const auto& [plain, upper] : vectors) {
    std::string lower = upper;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(hexEncode(plain), lower);
    EXPECT_EQ(hexDecode(upper), std::optional<std::string>(plain));
    EXPECT_EQ(hexDecode(lower), std::optional<std::string>(plain));
  }
}

TEST(Hex, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(hexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(hexDecode(hexEncode(all)), std::optional<std::string>(all));
}

TEST(Hex, RefusesMalformedText) {
  for (const char* bad : {"0", "abc", "0g", "zz", " 00", "00 ", "0x00", "-1"}) EXPECT_FALSE(hexDecode(bad)) << bad;
}
