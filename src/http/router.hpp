// In-house router: static segments, ":param" segments and a trailing "*name"
// (or "*") wildcard. Priority static > param > wildcard, with backtracking.
// A path that matches with another method gives 405 with Allow; none gives 404.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "http/pipeline.hpp"

namespace m3m::http {

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Throws std::invalid_argument for a malformed pattern or a duplicate route.
  void add(std::string_view method, std::string_view pattern, Handler handler);
  void get(std::string_view p, Handler h) { add("GET", p, std::move(h)); }
  void post(std::string_view p, Handler h) { add("POST", p, std::move(h)); }
  void put(std::string_view p, Handler h) { add("PUT", p, std::move(h)); }
  void patch(std::string_view p, Handler h) { add("PATCH", p, std::move(h)); }
  void del(std::string_view p, Handler h) { add("DELETE", p, std::move(h)); }

  struct Match {
    const Handler* handler = nullptr;            // null: no route for this method
    std::map<std::string, std::string> params;   // percent-decoded
    std::set<std::string> allowed;               // methods of the matched path; filled only when handler is null (405)
    std::string_view route;                      // the matched node's pattern (owned by the router)
    bool pathMatched = false;
    bool badEncoding = false;                    // a segment had a malformed %XX
  };
  // HEAD falls back to GET.
  Match match(std::string_view method, std::string_view path) const;

  // The terminal handler for a pipeline: dispatches, or throws NOT_FOUND /
  // METHOD_NOT_ALLOWED (with the Allow list in the message and a header).
  Handler asHandler() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
};

}  // namespace m3m::http
