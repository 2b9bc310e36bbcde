#include "http/router.hpp"

#include <stdexcept>
#include <vector>

namespace m3m::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> statics;
  std::unique_ptr<Node> param;
  std::string paramName;
  std::unique_ptr<Node> wildcard;  // terminal
  std::string wildcardName;
  std::map<std::string, Handler, std::less<>> handlers;  // by method
  std::string pattern;  // as first registered (the metrics' route label)
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  out.reserve(8);
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') { ++i; continue; }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  auto segs = split(pattern);
  Node* node = root_.get();
  for (size_t i = 0; i < segs.size(); ++i) {
    std::string_view s = segs[i];
    if (s[0] == ':') {
      std::string name(s.substr(1));
      if (name.empty()) throw std::invalid_argument("empty parameter name in " + std::string(pattern));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->paramName = name;
      } else if (node->paramName != name) {
        throw std::invalid_argument("conflicting parameter names :" + node->paramName + " and :" + name + " in " +
                                    std::string(pattern));
      }
      node = node->param.get();
    } else if (s[0] == '*') {
      if (i + 1 != segs.size()) throw std::invalid_argument("wildcard must be the last segment in " + std::string(pattern));
      std::string name = s.size() > 1 ? std::string(s.substr(1)) : "*";
      if (!node->wildcard) {
        node->wildcard = std::make_unique<Node>();
        node->wildcardName = name;
      }
      node = node->wildcard.get();
    } else {
      auto it = node->statics.find(s);
      if (it == node->statics.end()) it = node->statics.emplace(std::string(s), std::make_unique<Node>()).first;
      node = it->second.get();
    }
  }
  if (node->pattern.empty()) node->pattern = std::string(pattern);
  if (!node->handlers.emplace(std::string(method), std::move(handler)).second)
    throw std::invalid_argument("duplicate route " + std::string(method) + " " + std::string(pattern));
}

namespace {

struct Walker {
  std::string_view path;
  const std::vector<std::string_view>& segs;  // views into path
  std::map<std::string, std::string>& params;
  bool& badEncoding;
  std::string_view method;  // empty: any node with handlers matches (for 405)

  template <class NodeT>
  bool accepts(const NodeT* node) const {
    if (node->handlers.empty()) return false;
    if (method.empty()) return true;
    if (node->handlers.find(method) != node->handlers.end()) return true;
    return method == "HEAD" && node->handlers.find(std::string_view("GET")) != node->handlers.end();
  }

  template <class NodeT>
  const NodeT* walk(const NodeT* node, size_t i) {
    if (i == segs.size()) {
      if (accepts(node)) return node;
      // "/files/*path" also matches "/files" with an empty wildcard
      if (node->wildcard && accepts(node->wildcard.get())) {
        params[node->wildcardName] = "";
        return node->wildcard.get();
      }
      return nullptr;
    }
    std::string_view seg = segs[i];
    if (auto it = node->statics.find(seg); it != node->statics.end()) {
      if (auto found = walk(it->second.get(), i + 1)) return found;
    }
    if (node->param) {
      std::string decoded;
      if (!percentDecode(seg, decoded)) badEncoding = true;
      if (auto found = walk(node->param.get(), i + 1)) {
        params[node->paramName] = decoded;
        return found;
      }
    }
    if (node->wildcard && accepts(node->wildcard.get())) {
      // The rest of the path as sent, empty segments kept: "a//b" must reach
      // the handler (a storage path, a project's route) as such, for its own
      // checks, never silently as "a/b". Only the separator before it and a
      // trailing slash (ignored everywhere) are dropped.
      auto from = i == 0 ? 0 : static_cast<size_t>(segs[i - 1].data() + segs[i - 1].size() - path.data());
      auto raw = path.substr(from);
      if (!raw.empty() && raw.front() == '/') raw.remove_prefix(1);
      if (!raw.empty() && raw.back() == '/') raw.remove_suffix(1);
      std::string rest;
      if (!percentDecode(raw, rest)) badEncoding = true;
      params[node->wildcardName] = std::move(rest);
      return node->wildcard.get();
    }
    return nullptr;
  }
};

}  // namespace

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  auto segs = split(path);
  // First a route for this very method (backtracking past nodes that only
  // have other methods), then any route for the path, to answer 405.
  Walker exact{path, segs, m.params, m.badEncoding, method};
  const Node* node = exact.walk(root_.get(), 0);
  if (!node) {
    m.params.clear();
    Walker any{path, segs, m.params, m.badEncoding, {}};
    node = any.walk(root_.get(), 0);
    if (!node) return m;
  }
  m.pathMatched = true;
  m.route = node->pattern;
  auto it = node->handlers.find(method);
  if (it == node->handlers.end() && method == "HEAD") it = node->handlers.find(std::string_view("GET"));
  if (it != node->handlers.end()) {
    m.handler = &it->second;
    return m;  // `allowed` is only needed for a 405 (and costs allocations per request)
  }
  for (const auto& [meth, _] : node->handlers) m.allowed.insert(meth);
  if (m.allowed.count("GET")) m.allowed.insert("HEAD");
  return m;
}

Handler Router::asHandler() const {
  return [this](Request& req, Respond respond) {
    Match m = match(req.method, req.path);
    if (m.badEncoding) throw Error(ErrorCode::INVALID_ARGUMENT, "malformed percent-encoding in the request path");
    if (!m.pathMatched) throw Error(ErrorCode::NOT_FOUND, "no route for " + req.method + " " + req.path);
    req.route = m.route;
    if (!m.handler) {
      std::string allow;
      for (const auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
      if (req.method == "OPTIONS") {  // plain OPTIONS (not a CORS preflight): list the methods
        Response r = Response::noContent();
        r.setHeader("Allow", allow);
        return respond(std::move(r));
      }
      Response r = Response::error(Error(ErrorCode::METHOD_NOT_ALLOWED,
                                         "method " + req.method + " is not allowed for " + req.path + " (allowed: " +
                                             allow + ")"));
      r.setHeader("Allow", allow);
      return respond(std::move(r));
    }
    req.params = std::move(m.params);
    (*m.handler)(req, std::move(respond));
  };
}

}  // namespace m3m::http
