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

// RFC 4648 §5: the same vectors in the URL alphabet, without padding.
TEST(Base64, UrlAlphabetWithoutPadding) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},        {"f", "Zg"},          {"fo", "Zm8"},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg"},   {"fooba", "Zm9vYmE"},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64urlEncode(plain), encoded);
    EXPECT_EQ(base64DecodeLenient(encoded, Base64Alphabet::Url), std::optional<std::string>(plain));
    EXPECT_EQ(base64DecodeLenient(base64Encode(plain), Base64Alphabet::Url), std::optional<std::string>(plain));
  }
  const std::string bytes("\xfb\xff\xbf", 3);  // +/+ vs -_-
  EXPECT_EQ(base64Encode(bytes), "+/+/");
  EXPECT_EQ(base64urlEncode(bytes), "-_-_");
  EXPECT_EQ(base64DecodeLenient("-_-_", Base64Alphabet::Url), std::optional<std::string>(bytes));
  EXPECT_FALSE(base64DecodeLenient("-_-_", Base64Alphabet::Standard));
  EXPECT_FALSE(base64DecodeLenient("+/+/", Base64Alphabet::Url));
}

TEST(Base64, LenientPadding) {
  EXPECT_EQ(base64DecodeLenient("Zg", Base64Alphabet::Standard), std::optional<std::string>("f"));
  EXPECT_EQ(base64DecodeLenient("Zg==", Base64Alphabet::Standard), std::optional<std::string>("f"));
  EXPECT_EQ(base64DecodeLenient("Zm8", Base64Alphabet::Standard), std::optional<std::string>("fo"));
  // With '=' the padding must be exact; 4n+1 characters are never base64.
  for (const char* bad : {"Zg=", "Zm8==", "Z", "Zm9vY", "Zg==Zg", "Zm 9v", "Zm9v\n", "=", "===="})
    EXPECT_FALSE(base64DecodeLenient(bad, Base64Alphabet::Standard)) << bad;
}

// WHATWG forgiving-base64 decode (atob).
TEST(Base64, ForgivingDecode) {
  EXPECT_EQ(base64DecodeForgiving(" Zm9v\tYmFy\r\n"), std::optional<std::string>("foobar"));
  EXPECT_EQ(base64DecodeForgiving("Zm9vYg"), std::optional<std::string>("foob"));
  EXPECT_EQ(base64DecodeForgiving("Zm9vYg = ="), std::optional<std::string>("foob"));
  EXPECT_EQ(base64DecodeForgiving(""), std::optional<std::string>(""));
  for (const char* bad : {"Zm9vY", "Zm9vYg=", "Zm9v!", "Zm9v-_", "Zg==Zg==", "\xc3\xa9"})
    EXPECT_FALSE(base64DecodeForgiving(bad)) << bad;
}
