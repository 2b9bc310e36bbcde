#include "http/ui/static_ui.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>


namespace m3m::http::ui {

namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";
constexpr std::string_view kShortCache = "public, max-age=3600";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// q of one Accept-Encoding element's parameters ("q=0.5"); 1 when absent, 0 when malformed.
double qValue(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    auto p = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string v(trim(p.substr(2)));
      char* end = nullptr;
      double q = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || q < 0 || q > 1) return 0;
      return q;
    }
  }
  return 1;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool etagMatches(std::string_view ifNoneMatch, std::string_view etag) {
  if (ifNoneMatch.empty()) return false;
  while (!ifNoneMatch.empty()) {
    auto comma = ifNoneMatch.find(',');
    auto tag = trim(ifNoneMatch.substr(0, comma));
    ifNoneMatch = comma == std::string_view::npos ? std::string_view{} : ifNoneMatch.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);  // weak comparison, as for GET
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace

Encoding chooseEncoding(std::string_view accept, bool haveGzip, bool haveBrotli) {
  double br = -1, gzip = -1, star = -1;  // -1: not named
  while (!accept.empty()) {
    auto comma = accept.find(',');
    auto item = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    auto semi = item.find(';');
    auto coding = trim(item.substr(0, semi));
    double q = semi == std::string_view::npos ? 1.0 : qValue(item.substr(semi + 1));
    if (iequals(coding, "br")) br = q;
    else if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) gzip = q;
    else if (coding == "*") star = q;
  }
  if (br < 0) br = star < 0 ? 0 : star;
  if (gzip < 0) gzip = star < 0 ? 0 : star;
  if (haveBrotli && br > 0 && br >= gzip) return Encoding::Brotli;
  if (haveGzip && gzip > 0) return Encoding::Gzip;
  if (haveBrotli && br > 0) return Encoding::Brotli;
  return Encoding::Identity;
}

std::string injectAppConfig(std::string_view html, const UiConfig& config) {
  std::string json = nlohmann::json{{"apiURL", config.apiUrl}, {"version", config.version}}.dump();
  // "</script>" or "<!--" inside a string must not end the script element.
  std::string safe;
  safe.reserve(json.size());
  for (char c : json) {
    if (c == '<') safe += "\\u003c";
    else if (c == '>') safe += "\\u003e";
    else if (c == '&') safe += "\\u0026";
    else safe += c;
  }
  std::string script = "<script>window.__APP_CONFIG__=" + safe + ";</script>";
  std::string out(html);
  auto pos = out.find("</head>");
  if (pos == std::string::npos) return script + out;
  out.insert(pos, script);
  return out;
}

bool isApiPath(std::string_view path) {
  for (std::string_view prefix : {"/api", "/r", "/metrics"}) {
    if (path == prefix) return true;
    if (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix && path[prefix.size()] == '/') return true;
  }
  return false;
}

StaticUi::StaticUi(std::span<const Asset> assets, UiConfig config) {
  for (const auto& a : assets) files_.emplace(a.path, &a);
  if (auto it = files_.find("/index.html"); it != files_.end()) {
    index_ = injectAppConfig(it->second->identity, config);
    char buf[24];
    std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(fnv1a(index_)));
    indexEtag_ = buf;
  }
}

Response StaticUi::serve(const Request& req) const {
  if (files_.empty()) {
    // A build without the UI (-DM3M_BUILD_UI=OFF).
    if (req.path == "/" || req.path == "/index.html")
      return Response::text(200, "m3m: this binary was built without the admin UI (-DM3M_BUILD_UI=OFF). The API is at /api/.\n");
    throw Error(ErrorCode::NOT_FOUND, "no route for " + req.path);
  }

  const Asset* asset = nullptr;
  if (req.path != "/index.html") {
    if (auto it = files_.find(req.path); it != files_.end()) asset = it->second;
  }
  if (!asset && req.path.rfind("/assets/", 0) == 0) throw Error(ErrorCode::NOT_FOUND, "no UI asset " + req.path);

  Response res;
  res.setHeader("X-Content-Type-Options", "nosniff");
  if (!asset) {
    // index.html itself, "/", or a client-side route (SPA fallback).
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.setHeader("Cache-Control", std::string(kNoCache));
    res.setHeader("ETag", indexEtag_);
    if (etagMatches(req.header("If-None-Match"), indexEtag_)) {
      res.status = 304;
      return res;
    }
    res.body = index_;
    return res;
  }

  const bool hashed = asset->path.rfind("/assets/", 0) == 0;
  res.setHeader("Content-Type", std::string(asset->contentType));
  res.setHeader("Cache-Control", std::string(hashed ? kImmutable : kShortCache));
  res.setHeader("ETag", std::string(asset->etag));
  const bool variants = !asset->gzip.empty() || !asset->brotli.empty();
  if (variants) res.setHeader("Vary", "Accept-Encoding");
  if (etagMatches(req.header("If-None-Match"), asset->etag)) {
    res.status = 304;
    return res;
  }
  switch (chooseEncoding(req.header("Accept-Encoding"), !asset->gzip.empty(), !asset->brotli.empty())) {
    case Encoding::Brotli:
      res.setHeader("Content-Encoding", "br");
      res.body.assign(asset->brotli);
      break;
    case Encoding::Gzip:
      res.setHeader("Content-Encoding", "gzip");
      res.body.assign(asset->gzip);
      break;
    case Encoding::Identity:
      res.body.assign(asset->identity);
      break;
  }
  return res;
}

Handler withUi(std::shared_ptr<const StaticUi> ui, Handler api) {
  return [ui = std::move(ui), api = std::move(api)](Request& req, Respond respond) {
    if (isApiPath(req.path) || (req.method != "GET" && req.method != "HEAD")) return api(req, std::move(respond));
    respond(ui->serve(req));
  };
}

}  // namespace m3m::http::ui
