// The embedded UI's serving rules on a fake asset table: encodings, caching,
// SPA fallback, API paths, __APP_CONFIG__ injection.
#include <gtest/gtest.h>

#include <m3m/error.hpp>

#include "http/ui/static_ui.hpp"

namespace m3m::http::ui {
namespace {

const Asset kFake[] = {
    {"/index.html", "text/html; charset=utf-8", "\"i\"", "<html><head><title>x</title></head><body></body></html>", "", ""},
    {"/assets/app-1234.js", "text/javascript; charset=utf-8", "\"a\"", "console.log(1)", "GZ", "BR"},
    {"/assets/only-gz.css", "text/css; charset=utf-8", "\"c\"", "body{}", "GZ", ""},
    {"/favicon.svg", "image/svg+xml", "\"f\"", "<svg/>", "", ""},
};

Request get(std::string path, Headers headers = {}) {
  Request r;
  r.method = "GET";
  r.path = r.target = std::move(path);
  r.headers = std::move(headers);
  return r;
}

TEST(ChooseEncoding, PrefersBrotliThenGzipThenIdentity) {
  EXPECT_EQ(chooseEncoding("gzip, deflate, br", true, true), Encoding::Brotli);
  EXPECT_EQ(chooseEncoding("gzip, deflate, br", true, false), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("gzip", true, true), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("br", true, true), Encoding::Brotli);
  EXPECT_EQ(chooseEncoding("", true, true), Encoding::Identity);
  EXPECT_EQ(chooseEncoding("identity", true, true), Encoding::Identity);
  EXPECT_EQ(chooseEncoding("deflate", true, true), Encoding::Identity);
}

TEST(ChooseEncoding, HonoursQValuesAndStar) {
  EXPECT_EQ(chooseEncoding("br;q=0, gzip", true, true), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("br;q=0.5, gzip;q=0.9", true, true), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("gzip;q=0, br;q=0", true, true), Encoding::Identity);
  EXPECT_EQ(chooseEncoding("*", true, true), Encoding::Brotli);
  EXPECT_EQ(chooseEncoding("*;q=0, gzip", true, true), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("GZIP", true, false), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding("br;q=bogus, gzip", true, true), Encoding::Gzip);
  EXPECT_EQ(chooseEncoding(" br ; q=1 ", false, true), Encoding::Brotli);
}

TEST(InjectAppConfig, AddsTheScriptBeforeHeadEndAndEscapes) {
  auto html = injectAppConfig("<html><head></head></html>", {"https://x.test", "1.2.3"});
  EXPECT_EQ(html,
            "<html><head><script>window.__APP_CONFIG__={\"apiURL\":\"https://x.test\",\"version\":\"1.2.3\"};"
            "</script></head></html>");
  auto evil = injectAppConfig("<head></head>", {"</script><script>alert(1)</script>", "v"});
  EXPECT_EQ(evil.find("</script><script>alert"), std::string::npos);
  EXPECT_NE(evil.find("\\u003c/script\\u003e"), std::string::npos);
  EXPECT_EQ(injectAppConfig("<p>no head</p>", {"", "v"}).rfind("<script>", 0), 0u);
}

TEST(IsApiPath, CoversApiAndProjectRoutesOnly) {
  for (auto p : {"/api", "/api/", "/api/nope", "/r", "/r/", "/r/slug/x"}) EXPECT_TRUE(isApiPath(p)) << p;
  for (auto p : {"/", "/apix", "/rx", "/projects", "/assets/a.js", "/r2/x", "/login"}) EXPECT_FALSE(isApiPath(p)) << p;
}

TEST(StaticUi, ServesHashedAssetsImmutableAndEncoded) {
  StaticUi ui(kFake, {"", "9.9"});
  auto br = ui.serve(get("/assets/app-1234.js", {{"Accept-Encoding", "gzip, br"}}));
  EXPECT_EQ(br.status, 200);
  EXPECT_EQ(br.body, "BR");
  EXPECT_EQ(br.header("Content-Encoding"), "br");
  EXPECT_EQ(br.header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(br.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(br.header("Content-Type"), "text/javascript; charset=utf-8");
  auto gz = ui.serve(get("/assets/only-gz.css", {{"Accept-Encoding", "br, gzip"}}));
  EXPECT_EQ(gz.body, "GZ");
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  auto plain = ui.serve(get("/assets/app-1234.js"));
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(plain.header("Content-Encoding"), "");
}

TEST(StaticUi, IndexIsNoCacheWithConfigAndIsTheSpaFallback) {
  StaticUi ui(kFake, {"", "9.9"});
  for (auto p : {"/", "/index.html", "/projects/abc", "/login"}) {
    auto r = ui.serve(get(p, {{"Accept-Encoding", "br"}}));
    EXPECT_EQ(r.status, 200) << p;
    EXPECT_EQ(r.header("Cache-Control"), "no-cache") << p;
    EXPECT_EQ(r.header("Content-Encoding"), "") << p;
    EXPECT_NE(r.body.find("window.__APP_CONFIG__={\"apiURL\":\"\",\"version\":\"9.9\"}"), std::string::npos) << p;
  }
  auto fav = ui.serve(get("/favicon.svg"));
  EXPECT_EQ(fav.body, "<svg/>");
  EXPECT_EQ(fav.header("Cache-Control"), "public, max-age=3600");
}

TEST(StaticUi, MissingHashedAssetIs404NotHtml) {
  StaticUi ui(kFake, {"", "v"});
  try {
    ui.serve(get("/assets/gone-0000.js"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NOT_FOUND);
  }
}

TEST(StaticUi, EtagRevalidationGives304) {
  StaticUi ui(kFake, {"", "v"});
  auto first = ui.serve(get("/"));
  auto etag = std::string(first.header("ETag"));
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(ui.serve(get("/projects", {{"If-None-Match", etag}})).status, 304);
  EXPECT_EQ(ui.serve(get("/assets/app-1234.js", {{"If-None-Match", "\"x\", W/\"a\""}})).status, 304);
  EXPECT_EQ(ui.serve(get("/assets/app-1234.js", {{"If-None-Match", "\"other\""}})).status, 200);
}

TEST(StaticUi, WithoutAssetsAnswersANoteAtRootOnly) {
  StaticUi ui({}, {"", "v"});
  EXPECT_TRUE(ui.empty());
  auto r = ui.serve(get("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("without the admin UI"), std::string::npos);
  EXPECT_THROW(ui.serve(get("/projects")), Error);
}

TEST(WithUi, RoutesApiPathsAndOtherMethodsToTheApi) {
  auto ui = std::make_shared<const StaticUi>(std::span<const Asset>(kFake), UiConfig{"", "v"});
  int apiCalls = 0;
  Handler h = withUi(ui, [&](Request&, Respond respond) {
    ++apiCalls;
    respond(Response::text(404, "api"));
  });
  Response last;
  auto run = [&](std::string method, std::string path) {
    auto r = get(path);
    r.method = method;
    h(r, [&](Response res) { last = std::move(res); });
    return last;
  };
  EXPECT_EQ(run("GET", "/api/nope").body, "api");
  EXPECT_EQ(run("GET", "/r/slug").body, "api");
  EXPECT_EQ(run("POST", "/projects").body, "api");
  EXPECT_EQ(apiCalls, 3);
  EXPECT_NE(run("GET", "/projects").body.find("__APP_CONFIG__"), std::string::npos);
  EXPECT_NE(run("HEAD", "/").body.find("__APP_CONFIG__"), std::string::npos);
  EXPECT_EQ(apiCalls, 3);
}

}  // namespace
}  // namespace m3m::http::ui
