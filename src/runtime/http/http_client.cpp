#include "runtime/http/http_client.hpp"

#include <curl/curl.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace m3m::runtime::http {

namespace {

// curl_global_init once per process, before any handle.
void globalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct Transfer {
  const OutboundPolicy* policy;
  std::string host;
  std::stop_token stop;
  std::size_t maxBytes;
  Response* response;
  bool tooLarge = false;
  std::string denied;
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->response->body.size() + len > t->maxBytes) {
    t->tooLarge = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->response->body.append(data, len);
  return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after 100 Continue, or the next one): start over.
    t->response->headers.clear();
    auto sp = line.find(' ');
    auto sp2 = sp == std::string_view::npos ? sp : line.find(' ', sp + 1);
    t->response->statusText = sp2 == std::string_view::npos ? "" : std::string(line.substr(sp2 + 1));
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size * n;
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return size * n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->stop.stop_requested() ? 1 : 0;
}

// Every connection's address passes the policy (after DNS, on redirects too).
curl_socket_t onOpenSocket(void* user, curlsocktype, struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (auto why = t->policy->checkAddress(&address->addr, t->host)) {
    t->denied = *why;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::string hostOf(const std::string& url) {
  CURLU* u = curl_url();
  std::string host;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* h = nullptr;
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK && h) host = h;
    curl_free(h);
  }
  curl_url_cleanup(u);
  return host;
}

std::string schemeOf(const std::string& url) {
  auto colon = url.find("://");
  std::string s = colon == std::string::npos ? "" : url.substr(0, colon);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool sameOrigin(const std::string& a, const std::string& b) { return hostOf(a) == hostOf(b) && schemeOf(a) == schemeOf(b); }

}  // namespace

// Connections and DNS answers shared by every transfer, with the locks curl asks for.
struct Client::Shared {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks;

  Shared() {
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* self) {
      static_cast<Shared*>(self)->locks[static_cast<size_t>(data)].lock();
    });
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* self) {
      static_cast<Shared*>(self)->locks[static_cast<size_t>(data)].unlock();
    });
  }
  ~Shared() { curl_share_cleanup(share); }
};

Client::Client(OutboundPolicy policy, ClientOptions options)
    : policy_(std::move(policy)), options_(std::move(options)) {
  globalInit();
  shared_ = std::make_unique<Shared>();
}

Client::~Client() = default;

Response Client::perform(Request req, std::stop_token stop) const {
  const auto deadline = std::chrono::steady_clock::now() + req.timeout;
  for (int hop = 0;; ++hop) {
    const std::string scheme = schemeOf(req.url);
    if (scheme != "http" && scheme != "https")
      throw Failure("INVALID", "only http:// and https:// URLs can be fetched: " + req.url);
    const std::string host = hostOf(req.url);
    if (host.empty()) throw Failure("INVALID", "not a valid URL: " + req.url);
    if (auto why = policy_.checkHost(host)) throw Failure("DENIED", *why + ": " + req.url);

    Response res;
    Transfer t{&policy_, host, stop, req.maxBytes, &res, false, {}};
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
    CURL* c = easy.get();
    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
    if (req.hasBody && std::none_of(req.headers.begin(), req.headers.end(), [](const auto& h) {
          return strcasecmp(h.first.c_str(), "expect") == 0;
        }))
      headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headerList(headers, &curl_slist_free_all);

    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw Failure("TIMEOUT", "no answer within " + std::to_string(req.timeout.count()) + " ms: " + req.url);
    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SHARE, shared_->share);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(left.count(), 15'000)));
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every decoding libcurl has (gzip, deflate, br)
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headerList.get());
    if (!options_.caFile.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.caFile.c_str());
    if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (req.hasBody) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &onHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &onOpenSocket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
    char errorText[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
      const std::string detail = (errorText[0] ? std::string(errorText) : curl_easy_strerror(rc)) + ": " + req.url;
      if (!t.denied.empty()) throw Failure("DENIED", t.denied + ": " + req.url);
      if (t.tooLarge)
        throw Failure("TOO_LARGE", "the response is larger than " + std::to_string(req.maxBytes) + " bytes (maxBytes): " + req.url);
      switch (rc) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY: throw Failure("DNS", detail);
        case CURLE_OPERATION_TIMEDOUT: throw Failure("TIMEOUT", detail);
        case CURLE_ABORTED_BY_CALLBACK: throw Failure("ABORTED", "aborted: " + req.url);
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS: throw Failure("TLS", detail);
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL: throw Failure("INVALID", detail);
        default: throw Failure("CONNECT", detail);
      }
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t sent = 0;
    curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &sent);
    res.status = static_cast<int>(status);
    res.url = req.url;
    res.bytesOut = static_cast<std::uint64_t>(sent);
    char* location = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
    const bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    if (!req.followRedirects || !redirect || !location) return res;
    if (hop >= options_.maxRedirects)
      throw Failure("REDIRECTS", "more than " + std::to_string(options_.maxRedirects) + " redirects: " + req.url);
    const std::string next = location;
    // 303 (and 301/302 after a POST, as browsers do) continue as a GET without the body.
    if (status == 303 || ((status == 301 || status == 302) && req.method == "POST")) {
      req.method = req.method == "HEAD" ? "HEAD" : "GET";
      req.hasBody = false;
      req.body.clear();
      std::erase_if(req.headers, [](const auto& h) {
        return strcasecmp(h.first.c_str(), "content-type") == 0 || strcasecmp(h.first.c_str(), "content-length") == 0;
      });
    }
    // Credentials never follow a redirect to another origin (as fetch).
    if (!sameOrigin(req.url, next))
      std::erase_if(req.headers, [](const auto& h) {
        return strcasecmp(h.first.c_str(), "authorization") == 0 || strcasecmp(h.first.c_str(), "cookie") == 0;
      });
    req.url = next;
  }
}

}  // namespace m3m::runtime::http
