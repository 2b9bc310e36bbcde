// Serves the embedded admin UI at "/" (transport layer; no service involved):
//  - /api and /api/*, /r and /r/* always go to the API (never the UI), so an
//    unknown API path keeps its JSON 404;
//  - other GET/HEAD paths: an embedded file, else index.html (SPA fallback)
//    except under /assets/ (a missing hashed file is a 404, not HTML);
//  - /assets/* are immutable for a year; index.html is no-cache (it carries
//    window.__APP_CONFIG__ = {apiURL, version}, injected once at start);
//  - the body is the precompressed brotli or gzip variant when Accept-Encoding
//    allows it (Vary: Accept-Encoding), else identity; ETag + If-None-Match → 304.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/pipeline.hpp"
#include "http/ui/ui_assets.hpp"

namespace m3m::http::ui {

struct UiConfig {
  std::string apiUrl;   // "" = the page's own origin
  std::string version;
};

enum class Encoding { Identity, Gzip, Brotli };

// The best encoding Accept-Encoding allows among those available (br > gzip >
// identity); q=0 refuses a coding, "*" stands for any coding not named.
Encoding chooseEncoding(std::string_view acceptEncoding, bool haveGzip, bool haveBrotli);

// index.html with <script>window.__APP_CONFIG__=…</script> before </head>
// (or prepended when there is no </head>); the JSON cannot close the script.
std::string injectAppConfig(std::string_view html, const UiConfig& config);

// True for paths the UI never answers: /api, /api/*, /r, /r/*, /metrics, /metrics/*.
bool isApiPath(std::string_view path);

class StaticUi {
 public:
  StaticUi(std::span<const Asset> assets, UiConfig config);

  bool empty() const { return files_.empty(); }
  // A GET/HEAD of a non-API path.
  Response serve(const Request& req) const;

 private:
  std::unordered_map<std::string_view, const Asset*> files_;
  std::string index_;      // with the injected config
  std::string indexEtag_;
};

// The terminal handler: API paths (and non-GET methods) go to `api`, the rest to the UI.
Handler withUi(std::shared_ptr<const StaticUi> ui, Handler api);

}  // namespace m3m::http::ui
