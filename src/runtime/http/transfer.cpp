#include "runtime/http/transfer.hpp"

#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace m3m::runtime::http {

namespace {

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->response.body.size() + len > t->request.maxBytes) {
    t->tooLarge = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response (after 100 Continue, or the next one): start over.
    t->response.headers.clear();
    auto sp = line.find(' ');
    auto sp2 = sp == std::string_view::npos ? sp : line.find(' ', sp + 1);
    t->response.statusText = sp2 == std::string_view::npos ? "" : std::string(line.substr(sp2 + 1));
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size * n;
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return size * n;
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

bool named(const std::pair<std::string, std::string>& h, const char* name) { return strcasecmp(h.first.c_str(), name) == 0; }

}  // namespace

void prepareHop(Transfer& t, const OutboundPolicy& policy, const ExtraTrust* trust, CURLSH* share) {
  Request& req = t.request;
  const std::string scheme = schemeOf(req.url);
  if (scheme != "http" && scheme != "https")
    throw Failure("INVALID", "only http:// and https:// URLs can be fetched: " + req.url);
  t.host = hostOf(req.url);
  if (t.host.empty()) throw Failure("INVALID", "not a valid URL: " + req.url);
  if (auto why = policy.checkHost(t.host)) throw Failure("DENIED", *why + ": " + req.url);
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t.deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    throw Failure("TIMEOUT", "no answer within " + std::to_string(req.timeout.count()) + " ms: " + req.url);

  t.policy = &policy;
  t.response = Response{};
  t.tooLarge = false;
  t.denied.clear();
  t.errorText[0] = '\0';
  if (t.easy) curl_easy_reset(t.easy.get());
  else t.easy.reset(curl_easy_init());
  if (!t.easy) throw Failure("CONNECT", "out of memory starting a transfer: " + req.url);

  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
  if (req.hasBody && std::none_of(req.headers.begin(), req.headers.end(), [](const auto& h) { return named(h, "expect"); }))
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  t.headerList.reset(headers);

  CURL* c = t.easy.get();
  curl_easy_setopt(c, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SHARE, share);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(left.count(), 15'000)));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every decoding libcurl has (gzip, deflate, br)
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  // Over TLS, ALPN tells at the handshake whether a connection multiplexes:
  // wait for one being set up rather than open another. Never for http://,
  // where it is only known from the first answer — a slow server would hold
  // every transfer to it in line.
  if (scheme == "https") curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, t.headerList.get());
  if (trust) trust->apply(c);
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
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &onOpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t.errorText);
}

Failure failureOf(const Transfer& t, CURLcode rc) {
  const std::string& url = t.request.url;
  const std::string detail = (t.errorText[0] ? std::string(t.errorText) : curl_easy_strerror(rc)) + ": " + url;
  if (!t.denied.empty()) return Failure("DENIED", t.denied + ": " + url);
  if (t.tooLarge)
    return Failure("TOO_LARGE", "the response is larger than " + std::to_string(t.request.maxBytes) + " bytes (maxBytes): " + url);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return Failure("DNS", detail);
    case CURLE_OPERATION_TIMEDOUT: return Failure("TIMEOUT", detail);
    case CURLE_ABORTED_BY_CALLBACK: return Failure("ABORTED", "aborted: " + url);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: return Failure("TLS", detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return Failure("INVALID", detail);
    default: return Failure("CONNECT", detail);
  }
}

bool followRedirect(Transfer& t, const ClientOptions& options) {
  CURL* c = t.easy.get();
  Request& req = t.request;
  long status = 0, version = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &version);
  curl_off_t sent = 0;
  curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &sent);
  t.response.status = static_cast<int>(status);
  t.response.url = req.url;
  t.response.bytesOut = static_cast<std::uint64_t>(sent);
  t.response.httpVersion = version == CURL_HTTP_VERSION_2_0 ? 2 : version == CURL_HTTP_VERSION_3 ? 3 : version == CURL_HTTP_VERSION_1_0 ? 10 : 11;
  char* location = nullptr;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
  const bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  if (!req.followRedirects || !redirect || !location) return false;
  if (t.hop >= options.maxRedirects)
    throw Failure("REDIRECTS", "more than " + std::to_string(options.maxRedirects) + " redirects: " + req.url);
  const std::string next = location;
  // 303 (and 301/302 after a POST, as browsers do) continue as a GET without the body.
  if (status == 303 || ((status == 301 || status == 302) && req.method == "POST")) {
    req.method = req.method == "HEAD" ? "HEAD" : "GET";
    req.hasBody = false;
    req.body.clear();
    std::erase_if(req.headers, [](const auto& h) { return named(h, "content-type") || named(h, "content-length"); });
  }
  // Credentials never follow a redirect to another origin (as fetch).
  if (!sameOrigin(req.url, next))
    std::erase_if(req.headers, [](const auto& h) { return named(h, "authorization") || named(h, "cookie"); });
  req.url = next;
  ++t.hop;
  return true;
}

}  // namespace m3m::runtime::http
