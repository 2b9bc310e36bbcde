// The router: a fixed table shaped like the API's (statics, :params,
// trailing wildcards, the same prefix under several methods), plus routes
// whose patterns come from the input; then the input's paths are matched.
// Input lines: "+METHOD /pattern" adds a route (a refusal is std::invalid_argument,
// as documented), "METHOD /path" matches. Oracles: no crash, no exception
// from match(); a matched path has a handler or a non-empty Allow set.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common.hpp"
#include "http/router.hpp"

using namespace m3m;

namespace {

http::Handler noop() {
  return [](http::Request&, http::Respond) {};
}

void addTable(http::Router& r) {
  for (const char* p : {"/api/health", "/api/projects", "/api/projects/:id", "/api/projects/:id/env",
                        "/api/projects/:id/env/:key", "/api/projects/:id/models/:model/records/:record",
                        "/api/projects/:id/storage/download/*path", "/api/projects/:id/storage/*", "/p/:slug/*rest",
                        "/api/users/:id/avatar", "/api/users/me", "/"}) {
    r.get(p, noop());
    r.del(p, noop());
  }
  r.post("/api/projects/:id/models", noop());
  r.put("/api/projects/:id/models/:model", noop());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  http::Router router;
  addTable(router);
  size_t start = 0;
  int lines = 0;
  while (start < input.size() && ++lines < 64) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    bool add = !line.empty() && line.front() == '+';
    if (add) line.remove_prefix(1);
    auto sp = line.find(' ');
    std::string_view method = sp == std::string_view::npos ? "GET" : line.substr(0, sp);
    std::string_view path = sp == std::string_view::npos ? line : line.substr(sp + 1);
    if (add) {
      try {
        router.add(method, path, noop());
      } catch (const std::invalid_argument&) {
      }
      continue;
    }
    fuzz::expectOnlyErrors([&] {
      auto m = router.match(method, path);
      if (m.handler == nullptr && m.pathMatched && m.allowed.empty()) fuzz::fail("405 without an Allow list");
      if (m.handler == nullptr && !m.pathMatched && !m.params.empty()) fuzz::fail("params without a match");
    });
  }
  return 0;
}
