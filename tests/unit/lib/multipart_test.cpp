#include "lib/multipart.hpp"

#include <gtest/gtest.h>

using namespace m3m::lib;

TEST(Multipart, ReadsTheBoundary) {
  EXPECT_EQ(multipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(multipartBoundary("Multipart/Form-Data; charset=x; boundary=\"a b\""), "a b");
  EXPECT_FALSE(multipartBoundary("application/json").has_value());
  EXPECT_FALSE(multipartBoundary("multipart/form-data").has_value());
  EXPECT_FALSE(multipartBoundary("multipart/form-data; boundary=").has_value());
  EXPECT_FALSE(multipartBoundary("multipart/form-data; boundary=" + std::string(71, 'x')).has_value());
}

TEST(Multipart, ParsesFieldsAndFiles) {
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
      "hello\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n"
      "Content-Type: image/png\r\n\r\n"
      "\x89PNG\r\n\x1a\n--not-a-boundary\r\n"
      "\r\n--XyZ--\r\n";
  auto parts = parseMultipart(body, "XyZ");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "title");
  EXPECT_EQ((*parts)[0].data, "hello");
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[1].name, "avatar");
  EXPECT_EQ((*parts)[1].filename, "me.png");
  EXPECT_EQ((*parts)[1].contentType, "image/png");
  EXPECT_EQ((*parts)[1].data, "\x89PNG\r\n\x1a\n--not-a-boundary\r\n") << "binary data with CRLF and dashes survives";
}

TEST(Multipart, KeepsBinaryZeros) {
  std::string data("a\0b\0c", 5);
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n" + data + "\r\n--b--";
  auto parts = parseMultipart(body, "b");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ((*parts)[0].data.size(), 5u);
}

TEST(Multipart, RejectsMalformedBodies) {
  for (std::string body : {
           std::string(""),
           std::string("no boundary here"),
           std::string("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nunterminated"),
           std::string("--b\r\nX-Other: 1\r\n\r\ndata\r\n--b--"),                         // no disposition
           std::string("--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--"),  // not form-data
           std::string("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--"),         // no name
           std::string("--b\r\nbroken header line\r\n\r\nx\r\n--b--"),
           std::string("--bXX"),
       })
    EXPECT_FALSE(parseMultipart(body, "b").has_value()) << body;
}

TEST(Multipart, EmptyFormIsValid) {
  auto parts = parseMultipart("--b--\r\n", "b");
  ASSERT_TRUE(parts.has_value());
  EXPECT_TRUE(parts->empty());
}

// Found by fuzz/multipart: a ';' inside a quoted value started a parameter of
// its own, so a field named `a; filename="x"` became a file upload named x.
TEST(Multipart, AQuotedValueIsOneValue) {
  std::string body =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"a; filename=\\\"evil.txt\\\"\"\r\n\r\n"
      "v\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"file(; filename=\"a.txt\"\r\n\r\n"
      "w\r\n"
      "--XyZ--\r\n";
  auto parts = parseMultipart(body, "XyZ");
  ASSERT_TRUE(parts.has_value());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "a; filename=\"evil.txt\"");
  EXPECT_EQ((*parts)[0].filename, "") << "not a file";
  EXPECT_EQ((*parts)[1].name, "file(; filename=");
  EXPECT_EQ((*parts)[1].filename, "");
  EXPECT_EQ(multipartBoundary("multipart/form-data; x=\"; boundary=evil\"; boundary=real"), "real");
  EXPECT_FALSE(multipartBoundary("multipart/form-data; x=\"unterminated; boundary=b").has_value());
}
