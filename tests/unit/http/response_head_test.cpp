#include "http/response_head.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace m3m::http;

namespace {
std::string head(const Response& res, unsigned version = 11, bool close = false) {
  std::string out = "left over from the last response";
  formatResponseHead(res, version, close, out);
  return out;
}
}  // namespace

TEST(ResponseHead, StatusLineHeadersLengthAndTheBlankLine) {
  Response res;
  res.status = 201;
  res.headers = {{"Content-Type", "application/json"}, {"X-Request-Id", "abc"}};
  res.body = "{\"ok\":true}";
  EXPECT_EQ(head(res),
            "HTTP/1.1 201 Created\r\nServer: m3m\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\n"
            "Content-Length: 11\r\n\r\n");
}

// A script must not be able to split the response or frame it itself.
TEST(ResponseHead, DropsHeadersThatCouldSplitTheResponseAndTheHandlersFraming) {
  Response res;
  res.headers = {{"X-Evil", "a\r\nSet-Cookie: pwned=1"}, {"X-Lf", "a\nb"}, {"Bad:Name", "v"}, {"Bad\rName", "v"},
                 {"content-LENGTH", "999"}, {"Transfer-Encoding", "chunked"}, {"CONNECTION", "upgrade"},
                 {"server", "other"}, {"X-Ok", "yes: with a colon is fine in a value"}};
  res.body = "body";
  EXPECT_EQ(head(res), "HTTP/1.1 200 OK\r\nServer: m3m\r\nX-Ok: yes: with a colon is fine in a value\r\n"
                       "Content-Length: 4\r\n\r\n");
}

TEST(ResponseHead, NoLengthWhereNoBodyIsAllowed) {
  for (int status : {204, 304, 101}) {
    Response res;
    res.status = status;
    EXPECT_EQ(head(res).find("Content-Length"), std::string::npos) << status;
  }
}

TEST(ResponseHead, ConnectionHeaderByVersionAndClose) {
  Response res;
  EXPECT_NE(head(res, 11, true).find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_EQ(head(res, 11, false).find("Connection"), std::string::npos) << "HTTP/1.1 keeps alive by default";
  const auto old = head(res, 10, false);
  EXPECT_EQ(old.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(old.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
}
