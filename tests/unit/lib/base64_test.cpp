#include "lib/base64.hpp"

#include <gtest/gtest.h>

using namespace m3m::lib;

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64Encode(plain), encoded);
    EXPECT_EQ(base64Decode(encoded), std::optional<std::string>(plain));
  }
}

TEST(Base64, EveryByteValueRoundTrips) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t cut = 0; cut < 4; ++cut) {
    auto bytes = all.substr(cut);
    EXPECT_EQ(base64Decode(base64Encode(bytes)), std::optional<std::string>(bytes));
  }
}

TEST(Base64, RefusesMalformedText) {
  for (const char* bad : {"Zg", "Zg=", "Z===", "=Zg=", "Zm9v!A==", "Zg==Zg==", "Zm 9v"})
    EXPECT_FALSE(base64Decode(bad).has_value()) << bad;
}
