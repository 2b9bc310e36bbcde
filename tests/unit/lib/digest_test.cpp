#include "lib/digest.hpp"

#include <gtest/gtest.h>

#include "lib/hex.hpp"

using namespace m3m::lib;

namespace {
std::string hexDigest(DigestAlgorithm a, std::string_view data) { return hexEncode(digest(a, data)); }
std::string hexHmac(DigestAlgorithm a, std::string_view key, std::string_view data) { return hexEncode(hmac(a, key, data)); }
}  // namespace

TEST(Digest, AlgorithmNames) {
  EXPECT_EQ(digestAlgorithm("md5"), DigestAlgorithm::Md5);
  EXPECT_EQ(digestAlgorithm("sha1"), DigestAlgorithm::Sha1);
  EXPECT_EQ(digestAlgorithm("sha256"), DigestAlgorithm::Sha256);
  EXPECT_EQ(digestAlgorithm("sha512"), DigestAlgorithm::Sha512);
  for (const char* bad : {"", "SHA256", "sha-256", "sha384", "md4"}) EXPECT_FALSE(digestAlgorithm(bad)) << bad;
}

// FIPS 180-2, appendices A-C (one block, two blocks, one million 'a').
TEST(Digest, Fips180Examples) {
  const std::string million(1000000, 'a');
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha1, million), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha256, million),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha512, "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha512,
                      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsm"
                      "nopqrstnopqrstu"),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
            "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha512, million),
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
            "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Sha256, ""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 1321, appendix A.5.
TEST(Digest, Rfc1321Md5Suite) {
  EXPECT_EQ(hexDigest(DigestAlgorithm::Md5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Md5, "a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Md5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Md5, "message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hexDigest(DigestAlgorithm::Md5, "abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
}

TEST(Digest, BinaryInputWithNulBytes) {
  const std::string bytes("\x00\xff\x00", 3);
  EXPECT_EQ(digest(DigestAlgorithm::Sha256, bytes).size(), 32u);
  EXPECT_NE(digest(DigestAlgorithm::Sha256, bytes), digest(DigestAlgorithm::Sha256, std::string("\x00\xff", 2)));
}

// RFC 4231, test cases 1-4, 6 and 7 (5 is a truncated MAC, which this API does not make).
TEST(Hmac, Rfc4231) {
  struct Case {
    std::string key, data, sha256, sha512;
  };
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  const std::string big(131, '\xaa');
  const Case cases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
       "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {"Jefe", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
       "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
       "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
      {key4, std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
       "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
      {big, "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
       "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
      {big,
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
       "hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
       "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(hexHmac(DigestAlgorithm::Sha256, c.key, c.data), c.sha256) << c.data;
    EXPECT_EQ(hexHmac(DigestAlgorithm::Sha512, c.key, c.data), c.sha512) << c.data;
  }
}

TEST(Hmac, EmptyKeyAndData) {
  // Known value (Python: hmac.new(b'', b'', 'sha256')).
  EXPECT_EQ(hexHmac(DigestAlgorithm::Sha256, "", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(TimingSafeEqual, ComparesBytes) {
  EXPECT_TRUE(timingSafeEqual("", ""));
  EXPECT_TRUE(timingSafeEqual("abc", "abc"));
  EXPECT_FALSE(timingSafeEqual("abc", "abd"));
  EXPECT_FALSE(timingSafeEqual("abc", "ab"));
  EXPECT_FALSE(timingSafeEqual("", "a"));
  EXPECT_TRUE(timingSafeEqual(std::string("\x00\x01", 2), std::string("\x00\x01", 2)));
  EXPECT_FALSE(timingSafeEqual(std::string("\x00\x01", 2), std::string("\x00\x02", 2)));
}
