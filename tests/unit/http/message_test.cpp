#include "http/message.hpp"

#include <gtest/gtest.h>

using namespace m3m;
using namespace m3m::http;

TEST(Message, PercentDecodes) {
  std::string out;
  EXPECT_TRUE(percentDecode("a%20b%2Fc", out));
  EXPECT_EQ(out, "a b/c");
  EXPECT_TRUE(percentDecode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_TRUE(percentDecode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(percentDecode("%", out));
  EXPECT_FALSE(percentDecode("%2", out));
  EXPECT_FALSE(percentDecode("%zz", out));
}

TEST(Message, ReadsQueryParameters) {
  Request r;
  r.rawQuery = "page=2&q=hello+world&empty=&flag&x=%E2%9C%93&page=9";
  EXPECT_EQ(r.query("page"), "2");
  EXPECT_EQ(r.query("q"), "hello world");
  EXPECT_EQ(r.query("x"), "\u2713");
  EXPECT_TRUE(r.hasQuery("flag"));
  EXPECT_TRUE(r.hasQuery("empty"));
  EXPECT_FALSE(r.hasQuery("missing"));
  EXPECT_EQ(r.query("missing"), "");
}

TEST(Message, HeadersAreCaseInsensitive) {
  Request r;
  r.headers.emplace("Content-Type", "application/json");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.header("X-Missing"), "");
}

TEST(Message, MalformedJsonIsInvalidArgumentWithPosition) {
  Request r;
  r.headers.emplace("Content-Type", "application/json");
  r.body = "{\"a\": 1,,}";
  try {
    r.json();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("malformed JSON at byte 9"), std::string::npos) << e.what();
  }
}

TEST(Message, JsonRequiresJsonContentType) {
  Request r;
  r.headers.emplace("Content-Type", "text/plain");
  r.body = "{}";
  try {
    r.json();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::UNSUPPORTED_MEDIA_TYPE);
    EXPECT_EQ(e.httpStatus(), 415);
  }
  r.headers["Content-Type"] = "application/json; charset=utf-8";
  EXPECT_TRUE(r.json().is_object());
}

TEST(Message, EmptyBodyAndNonObjectAreRejected) {
  Request r;
  EXPECT_THROW(r.json(), Error);
  r.body = "[1,2]";
  EXPECT_NO_THROW(r.json());
  EXPECT_THROW(r.jsonObject(), Error);
}

TEST(Message, ErrorResponseHasTheAgreedShape) {
  auto res = Response::error(Error(ErrorCode::INVALID_ARGUMENT, "bad input", {{"email", "must be an email"}}));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.header("content-type"), "application/json");
  auto j = nlohmann::json::parse(res.body);
  EXPECT_EQ(j["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(j["error"]["message"], "bad input");
  EXPECT_EQ(j["error"]["fields"]["email"], "must be an email");
  auto nf = nlohmann::json::parse(Response::error(Error(ErrorCode::NOT_FOUND, "x")).body);
  EXPECT_TRUE(nf["error"]["fields"].is_object());
}

TEST(Message, ErrorTableMapsCodesToStatuses) {
  EXPECT_EQ(errorHttpStatus(ErrorCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(errorHttpStatus(ErrorCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(errorHttpStatus(ErrorCode::CONFLICT), 409);
  EXPECT_EQ(errorHttpStatus(ErrorCode::LIMIT_EXCEEDED), 429);
  EXPECT_EQ(errorHttpStatus(ErrorCode::INTERNAL), 500);
  EXPECT_EQ(errorCodeName(ErrorCode::PAYLOAD_TOO_LARGE), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(errorJsClass(ErrorCode::INVALID_ARGUMENT), "TypeError");
}

TEST(Message, SetHeaderReplacesCaseInsensitively) {
  Response r;
  r.setHeader("X-A", "1");
  r.setHeader("x-a", "2");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.header("X-A"), "2");
}
