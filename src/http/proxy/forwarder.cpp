#include "http/proxy/forwarder.hpp"

#include <boost/beast/core/string.hpp>

namespace m3m::http::proxy {

namespace {

using Clock = std::chrono::steady_clock;

// "203.0.113.7:51234" / "::1:51234" → the address alone.
std::string addressOf(const std::string& remote) {
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

Response unavailable(std::string message, const char* retryAfter) {
  Response res = Response::error(Error(ErrorCode::UNAVAILABLE, std::move(message)));
  res.setHeader("Retry-After", retryAfter);
  return res;
}

}  // namespace

Forwarder::Forwarder(ForwarderOptions opts, OwnerOf ownerOf, ProjectOfSlug projectOfSlug,
                     std::shared_ptr<spdlog::logger> log)
    : opts_(opts), ownerOf_(std::move(ownerOf)), projectOfSlug_(std::move(projectOfSlug)), log_(std::move(log)) {}

void Forwarder::attach(boost::asio::io_context& ioc) { client_ = Client::create(ioc, opts_.client); }

void Forwarder::identify(std::string nodeId) {
  std::lock_guard lock(mutex_);
  nodeId_ = std::move(nodeId);
}

void Forwarder::close() {
  if (client_) client_->close();
}

std::optional<OwnerNode> Forwarder::ownerOf(const std::string& cacheKey,
                                            const std::function<std::optional<std::string>()>& projectId) {
  const auto now = Clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(cacheKey); it != cache_.end() && it->second.until > now) return it->second.owner;
  }
  Cached entry;
  entry.projectId = projectId();
  if (entry.projectId) entry.owner = ownerOf_(*entry.projectId);
  entry.until = now + opts_.cacheTtl;
  std::lock_guard lock(mutex_);
  if (cache_.size() > 10'000) cache_.clear();  // slugs that do not exist must not grow it without bound
  cache_[cacheKey] = entry;
  return entry.owner;
}

void Forwarder::forget(const std::string& cacheKey) {
  std::lock_guard lock(mutex_);
  cache_.erase(cacheKey);
}

bool Forwarder::route(const std::string& slug, Request& req, Respond& respond) {
  if (!client_) return false;
  const std::string key = "s:" + slug;
  auto owner = ownerOf(key, [&] { return projectOfSlug_(slug); });
  if (!owner) return false;
  if (auto by = req.header(kMarker); !by.empty()) {
    // Forwarded here by a node that took this one for the owner: never a second hop.
    respond(unavailable("the project " + slug + " does not run on this node (the request was already forwarded by node " +
                            std::string(by) + "; it runs on node " + owner->id + ")",
                        "1"));
    return true;
  }
  send(key, *owner, req, respond, false);
  return true;
}

bool Forwarder::admin(const std::string& projectId, Request& req, Respond& respond, bool stream) {
  if (!client_ || !req.header(kMarker).empty()) return false;
  const std::string key = "p:" + projectId;
  auto owner = ownerOf(key, [&] { return std::optional<std::string>(projectId); });
  if (!owner) return false;
  send(key, *owner, req, respond, stream);
  return true;
}

void Forwarder::send(const std::string& cacheKey, const OwnerNode& owner, Request& req, Respond& respond, bool stream) {
  auto origin = parseOrigin(owner.url);
  if (!origin) {
    respond(unavailable("the project runs on node " + owner.id + ", whose URL " + owner.url +
                            " cannot be forwarded to (only http:// URLs are; see cluster.advertise_url)",
                        "5"));
    return;
  }
  Outgoing out;
  out.method = req.method;
  out.target = req.target;
  out.body = std::move(req.body);
  out.headers.reserve(req.headers.size() + 4);
  std::string forwardedFor;
  for (const auto& [k, v] : req.headers) {
    if (boost::beast::iequals(k, "x-forwarded-for")) forwardedFor = v;
    else if (boost::beast::iequals(k, kMarker) || boost::beast::iequals(k, "x-request-id")) continue;
    else out.headers.emplace_back(k, v);
  }
  const auto address = addressOf(req.remoteAddress);
  if (!address.empty()) forwardedFor = forwardedFor.empty() ? address : forwardedFor + ", " + address;
  if (!forwardedFor.empty()) out.headers.emplace_back("X-Forwarded-For", forwardedFor);
  if (req.header("X-Forwarded-Host").empty() && !req.header("Host").empty())
    out.headers.emplace_back("X-Forwarded-Host", std::string(req.header("Host")));
  if (req.header("X-Forwarded-Proto").empty()) out.headers.emplace_back("X-Forwarded-Proto", "http");
  // The same request id on both nodes: their access lines can be matched.
  if (!req.requestId.empty()) out.headers.emplace_back("X-Request-Id", req.requestId);
  {
    std::lock_guard lock(mutex_);
    out.headers.emplace_back(std::string(kMarker), nodeId_.empty() ? "?" : nodeId_);
  }
  client_->send(*origin, std::move(out), stream,
                [this, respond, cacheKey, owner, timeout = opts_.client.timeout](Outcome o) {
                  if (o.failure == Failure::None) return respond(std::move(o.response));
                  forget(cacheKey);  // the next request looks the owner up again
                  const std::string where = "node " + owner.id + " (" + owner.url + ")";
                  std::string message;
                  switch (o.failure) {
                    case Failure::Connect:
                      message = "the project runs on " + where + ", which cannot be reached: " + o.detail;
                      break;
                    case Failure::Timeout:
                      message = "the project runs on " + where + ", which did not answer within " +
                                std::to_string(timeout.count()) + " ms; the request may have been handled there";
                      break;
                    case Failure::TooLarge:
                      message = "the answer of " + where + " is too large to forward: " + o.detail;
                      break;
                    default:
                      message = "the connection to " + where + " failed: " + o.detail +
                                "; the request may have been handled there";
                  }
                  log_->warn("cluster: forwarding failed: {}", message);
                  respond(unavailable(std::move(message), "2"));
                });
}

}  // namespace m3m::http::proxy
