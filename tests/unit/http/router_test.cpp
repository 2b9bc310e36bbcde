#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace m3m;
using namespace m3m::http;

namespace {

Handler tag(std::string name) {
  return [name](Request&, Respond respond) { respond(Response::text(200, name)); };
}

std::string call(const Handler& h) {
  Request req;
  std::string out;
  h(req, [&](Response r) { out = r.body; });
  return out;
}

Router sample() {
  Router r;
  r.get("/api/health", tag("health"));
  r.get("/api/projects", tag("list"));
  r.post("/api/projects", tag("create"));
  r.get("/api/projects/:id", tag("get"));
  r.get("/api/projects/new", tag("static-new"));
  r.del("/api/projects/:id", tag("delete"));
  r.get("/api/projects/:id/env/:key", tag("env"));
  r.get("/api/storage/:id/files/*path", tag("files"));
  r.get("/r/:slug/*", tag("route"));
  return r;
}

}  // namespace

TEST(Router, MatchesStaticRoutes) {
  auto r = sample();
  auto m = r.match("GET", "/api/health");
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(call(*m.handler), "health");
  EXPECT_TRUE(r.match("GET", "/api/health/").handler) << "trailing slash is the same path";
}

TEST(Router, StaticBeatsParam) {
  auto r = sample();
  EXPECT_EQ(call(*r.match("GET", "/api/projects/new").handler), "static-new");
  auto m = r.match("GET", "/api/projects/abc");
  EXPECT_EQ(call(*m.handler), "get");
  EXPECT_EQ(m.params["id"], "abc");
}

TEST(Router, DecodesParams) {
  auto r = sample();
  auto m = r.match("GET", "/api/projects/a%20b/env/K%2FX");
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(m.params["id"], "a b");
  EXPECT_EQ(m.params["key"], "K/X") << "an encoded slash stays inside its segment";
}

TEST(Router, WildcardTakesTheRest) {
  auto r = sample();
  auto m = r.match("GET", "/api/storage/p1/files/a/b/c.txt");
  ASSERT_TRUE(m.handler);
  EXPECT_EQ(m.params["path"], "a/b/c.txt");
  auto root = r.match("GET", "/api/storage/p1/files");
  ASSERT_TRUE(root.handler);
  EXPECT_EQ(root.params["path"], "");
  auto anon = r.match("GET", "/r/shop/orders/42");
  EXPECT_EQ(anon.params["slug"], "shop");
  EXPECT_EQ(anon.params["*"], "orders/42");
}

// Issue 14: "ok//a.txt" reached the storage handler as "ok/a.txt" and was served.
TEST(Router, WildcardKeepsEmptySegmentsAsSent) {
  auto r = sample();
  EXPECT_EQ(r.match("GET", "/api/storage/p1/files/ok//a.txt").params["path"], "ok//a.txt");
  EXPECT_EQ(r.match("GET", "/api/storage/p1/files//ok/a.txt").params["path"], "/ok/a.txt");
  EXPECT_EQ(r.match("GET", "/api/storage/p1//files/a%2Fb/c.txt/").params["path"], "a/b/c.txt");
  EXPECT_EQ(r.match("GET", "/r/shop/a%20b//c").params["*"], "a b//c");
  auto bad = r.match("GET", "/api/storage/p1/files/a/%zz");
  EXPECT_TRUE(bad.badEncoding);
}

TEST(Router, DistinguishesNotFoundFromMethodNotAllowed) {
  auto r = sample();
  auto nf = r.match("GET", "/api/nothing");
  EXPECT_FALSE(nf.pathMatched);
  auto mna = r.match("PUT", "/api/projects");
  EXPECT_TRUE(mna.pathMatched);
  EXPECT_FALSE(mna.handler);
  EXPECT_EQ(mna.allowed, (std::set<std::string>{"GET", "HEAD", "POST"}));
}

TEST(Router, HeadFallsBackToGet) {
  auto r = sample();
  EXPECT_TRUE(r.match("HEAD", "/api/health").handler);
}

TEST(Router, ReportsMalformedEncoding) {
  auto r = sample();
  EXPECT_TRUE(r.match("GET", "/api/projects/%zz").badEncoding);
}

TEST(Router, RejectsBadPatterns) {
  Router r;
  EXPECT_THROW(r.add("GET", "no-slash", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/*/b", tag("x")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/:", tag("x")), std::invalid_argument);
  r.add("GET", "/a/:id", tag("x"));
  EXPECT_THROW(r.add("GET", "/a/:id", tag("y")), std::invalid_argument);
  EXPECT_THROW(r.add("GET", "/a/:other/x", tag("y")), std::invalid_argument);
}

TEST(Router, AsHandlerThrowsNotFoundAndAnswers405WithAllow) {
  auto r = sample();
  auto h = r.asHandler();
  Request req;
  req.method = "GET";
  req.path = "/api/missing";
  try {
    h(req, [](Response) {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NOT_FOUND);
  }
  req.method = "DELETE";
  req.path = "/api/projects";
  Response got;
  h(req, [&](Response res) { got = std::move(res); });
  EXPECT_EQ(got.status, 405);
  EXPECT_EQ(got.header("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(nlohmann::json::parse(got.body)["error"]["code"], "METHOD_NOT_ALLOWED");
}

TEST(Router, BacktracksToAnotherRouteWithTheMethod) {
  Router r;
  r.put("/api/users/me/avatar", tag("put-me"));
  r.get("/api/users/:id/avatar", tag("get-any"));
  auto m = r.match("GET", "/api/users/me/avatar");
  ASSERT_TRUE(m.handler) << "GET falls through to the :id route";
  EXPECT_EQ(call(*m.handler), "get-any");
  EXPECT_EQ(m.params["id"], "me");
  EXPECT_EQ(call(*r.match("PUT", "/api/users/me/avatar").handler), "put-me");
  auto none = r.match("DELETE", "/api/users/me/avatar");
  EXPECT_TRUE(none.pathMatched);
  EXPECT_FALSE(none.handler);
}

// The metrics' route label: the matched node's pattern, never the raw path.
TEST(Router, MatchGivesTheRoutePattern) {
  Router r;
  r.get("/api/projects/:id", tag("get"));
  r.put("/api/projects/:id", tag("put"));
  r.get("/r/:slug/*", tag("route"));
  EXPECT_EQ(r.match("GET", "/api/projects/abc").route, "/api/projects/:id");
  EXPECT_EQ(r.match("POST", "/api/projects/abc").route, "/api/projects/:id");  // 405: still the template
  EXPECT_EQ(r.match("GET", "/r/shop/a/b").route, "/r/:slug/*");
  EXPECT_EQ(r.match("GET", "/nope").route, "");
  Request req;
  req.method = "PUT";
  req.path = "/api/projects/xyz";
  r.asHandler()(req, [](Response) {});
  EXPECT_EQ(req.route, "/api/projects/:id");
}
