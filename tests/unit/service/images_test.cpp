// Image decoding: the declared size is checked before a pixel is decoded, and
// libvips' log is rate-limited.
#include "service/images.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <m3m/error.hpp>
#include <string>

#include "service/images_log.hpp"

using namespace m3m;
using namespace m3m::service;
using namespace std::chrono_literals;

namespace {

std::uint32_t crc32(const std::string& s) {
  std::uint32_t c = 0xffffffffu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffu;
}

void put32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  put32(out, static_cast<std::uint32_t>(data.size()));
  out += type + data;
  put32(out, crc32(type + data));
  return out;
}

// zlib stream of stored (uncompressed) blocks.
std::string zlibStored(const std::string& raw) {
  std::string out = "\x78\x01";
  size_t pos = 0;
  do {
    size_t n = std::min<size_t>(65535, raw.size() - pos);
    bool last = pos + n == raw.size();
    out += static_cast<char>(last ? 1 : 0);
    out += static_cast<char>(n & 0xff);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(~n & 0xff);
    out += static_cast<char>((~n >> 8) & 0xff);
    out += raw.substr(pos, n);
    pos += n;
  } while (pos < raw.size());
  std::uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  put32(out, (b << 16) | a);
  return out;
}

// A greyscale 8-bit PNG; `idat` empty → pixels of a gradient.
std::string png(std::uint32_t width, std::uint32_t height, bool withPixels = true) {
  std::string ihdr;
  put32(ihdr, width);
  put32(ihdr, height);
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);
  std::string out = "\x89PNG\r\n\x1a\n";
  out += chunk("IHDR", ihdr);
  if (withPixels) {
    std::string raw;
    for (std::uint32_t y = 0; y < height; ++y) {
      raw += '\0';
      for (std::uint32_t x = 0; x < width; ++x) raw += static_cast<char>((x + y) & 0xff);
    }
    out += chunk("IDAT", zlibStored(raw));
  } else {
    out += chunk("IDAT", zlibStored(std::string(16, '\0')));  // a few bytes of a huge image
  }
  out += chunk("IEND", "");
  return out;
}

std::pair<std::uint32_t, std::uint32_t> sizeOf(const std::string& p) {
  auto rd = [&](size_t at) {
    return (std::uint32_t(std::uint8_t(p[at])) << 24) | (std::uint32_t(std::uint8_t(p[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(p[at + 2])) << 8) | std::uint32_t(std::uint8_t(p[at + 3]));
  };
  return {rd(16), rd(20)};
}

Error refusal(const std::string& bytes, std::uint64_t maxPixels, const ImageInput& input = {}) {
  try {
    makeSquarePng(bytes, 50, maxPixels, input);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a refusal";
  return Error(ErrorCode::INTERNAL, "none");
}

}  // namespace

TEST(Images, ASmallImageBecomesASquarePng) {
  auto out = makeSquarePng(png(60, 40), 50, 40'000'000, {});
  ASSERT_GE(out.size(), 24u);
  EXPECT_EQ(out.substr(1, 3), "PNG");
  EXPECT_EQ(sizeOf(out), std::make_pair(50u, 50u));
}

TEST(Images, ADeclaredBombIsRefusedFromItsHeaderAtOnce) {
  auto bomb = png(1'000'000, 1'000'000, false);
  EXPECT_LT(bomb.size(), 100u);
  auto t0 = std::chrono::steady_clock::now();
  auto e = refusal(bomb, 40'000'000, {"avatar", "the uploaded file", ErrorCode::INVALID_ARGUMENT});
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  EXPECT_EQ(e.code(), ErrorCode::PAYLOAD_TOO_LARGE);
  std::string msg = e.what();
  EXPECT_NE(msg.find("1000000 × 1000000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("40,000,000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("storage.max_image_pixels"), std::string::npos) << msg;
  EXPECT_EQ(e.fields().count("avatar"), 1u);
}

TEST(Images, TheLimitIsOnDeclaredPixels) {
  EXPECT_NO_THROW(makeSquarePng(png(100, 100), 50, 10'000, {}));
  EXPECT_EQ(refusal(png(101, 100), 10'000).code(), ErrorCode::PAYLOAD_TOO_LARGE);
}

TEST(Images, UndecodableInputGetsTheCallersCode) {
  ImageInput avatar{"avatar", "the uploaded file", ErrorCode::INVALID_ARGUMENT};
  auto e = refusal("this is not an image", 40'000'000, avatar);
  EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
  EXPECT_EQ(e.fields().count("avatar"), 1u);
  EXPECT_EQ(refusal("", 40'000'000, avatar).code(), ErrorCode::INVALID_ARGUMENT);
  auto truncated = png(64, 64).substr(0, 60);
  EXPECT_EQ(refusal(truncated, 40'000'000).code(), ErrorCode::UNSUPPORTED_MEDIA_TYPE);
}

TEST(VipsLogLimiter, AllowsAFewLinesASecondAndCountsTheRest) {
  LogRateLimiter limiter(3);
  auto t = LogRateLimiter::Clock::now();
  std::uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.allow(t, suppressed));
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.allow(t + 500ms, suppressed));
  EXPECT_TRUE(limiter.allow(t + 1001ms, suppressed));
  EXPECT_EQ(suppressed, 1000u) << "the first line of a new second reports what was dropped";
  EXPECT_FALSE(limiter.allow(t + 1002ms, suppressed) && limiter.allow(t + 1003ms, suppressed) &&
               limiter.allow(t + 1004ms, suppressed));
  EXPECT_EQ(limiter.takeSuppressed(), 1u);
  EXPECT_EQ(limiter.takeSuppressed(), 0u);
}
