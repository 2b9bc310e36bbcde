// The SMTP exchange of smtp.send: libcurl's SMTP client inside a waiting
// call (the isolate is left for the whole exchange).
#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <set>

#include "lib/units.hpp"
#include "runtime/http/extra_trust.hpp"
#include "runtime/modules/smtp_parts.hpp"

namespace m3m::runtime::smtp {
namespace {


struct Exchange {
  const std::string* data = nullptr;
  size_t offset = 0;
  std::stop_token stop;
  const std::vector<std::string>* recipients = nullptr;
  size_t rcptSent = 0;     // RCPT commands seen
  bool awaitingRcpt = false;
  std::vector<std::string> accepted, rejected;
  std::string rejectedReasons;
  std::string lastReply;    // the last complete reply line ("550 5.1.1 no such user")
  std::string lastCommand;  // its command's verb only (AUTH arguments carry credentials)
};

size_t readBody(char* buffer, size_t size, size_t nitems, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t n = std::min(size * nitems, x->data->size() - x->offset);
  std::memcpy(buffer, x->data->data() + x->offset, n);
  x->offset += n;
  return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(user)->stop.stop_requested() ? 1 : 0;
}

std::string trimLine(const char* p, size_t n) {
  std::string s(p, n);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.pop_back();
  return s;
}

// libcurl reports every command it sends and every reply line it reads here:
// which recipients the server accepted, and what it answered last.
int onDebug(CURL*, curl_infotype type, char* p, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    std::string line = trimLine(p, n);
    x->lastCommand = line.substr(0, line.find(' '));
    if (line.rfind("RCPT TO:", 0) == 0) {
      x->lastCommand = "RCPT TO";
      x->awaitingRcpt = true;
    } else if (line.rfind("MAIL FROM:", 0) == 0) {
      x->lastCommand = "MAIL FROM";
    }
  } else if (type == CURLINFO_HEADER_IN) {
    std::string line = trimLine(p, n);
    if (line.size() < 3 || (line.size() > 3 && line[3] == '-')) return 0;  // a continuation line
    x->lastReply = line;
    if (x->awaitingRcpt) {
      x->awaitingRcpt = false;
      const size_t i = x->rcptSent++;
      if (i < x->recipients->size()) {
        const std::string& who = (*x->recipients)[i];
        if (line[0] == '2') {
          x->accepted.push_back(who);
        } else {
          x->rejected.push_back(who);
          x->rejectedReasons += (x->rejectedReasons.empty() ? "" : "; ") + who + " (" + line + ")";
        }
      }
    }
  }
  return 0;
}

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string hostPort(const SmtpSettings& cfg, int port) {
  const bool v6 = cfg.host.find(':') != std::string::npos && cfg.host.front() != '[';
  return (v6 ? "[" + cfg.host + "]" : cfg.host) + ":" + std::to_string(port);
}

int portOf(const SmtpSettings& cfg) {
  if (cfg.port) return cfg.port;
  return cfg.security == "tls" ? 465 : cfg.security == "none" ? 25 : 587;
}

}  // namespace

Value send(CallContext& ctx, const SmtpSettings& cfg, Prepared mail) {
  const int port = portOf(cfg);
  const std::string where = hostPort(cfg, port);
  Exchange x;
  x.data = &mail.data;
  x.recipients = &mail.recipients;
  CURLcode rc = CURLE_OK;
  char errbuf[CURL_ERROR_SIZE] = {0};
  bool setupFailed = false;
  std::shared_ptr<const http::ExtraTrust> trust;
  if (!cfg.caFile.empty()) try {
      trust = http::ExtraTrust::load(cfg.caFile);
    } catch (const std::exception& e) {
      throw Error(ErrorCode::UNAVAILABLE, std::string("smtp.send: ") + e.what() + " (smtp.ca_file)");
    }

  ctx.blocking([&](std::stop_token stop) {
    x.stop = stop;
    std::unique_ptr<CURL, CurlEasyDeleter> curl(curl_easy_init());
    if (!curl) {
      setupFailed = true;
      return;
    }
    std::unique_ptr<curl_slist, SlistDeleter> rcpt;
    for (const auto& r : mail.recipients) {
      curl_slist* next = curl_slist_append(rcpt.get(), ("<" + r + ">").c_str());
      if (!next) {
        setupFailed = true;
        return;
      }
      rcpt.release();
      rcpt.reset(next);
    }
    CURL* c = curl.get();
    const std::string url = std::string(cfg.security == "tls" ? "smtps://" : "smtp://") + where;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USE_SSL, cfg.security == "starttls" ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
    if (trust) trust->apply(c);  // smtp.ca_file: trusted besides the system CAs
    if (!cfg.username.empty()) {
      curl_easy_setopt(c, CURLOPT_USERNAME, cfg.username.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, cfg.password.c_str());
    }
    const std::string mailFrom = "<" + mail.mailFrom + ">";
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, mailFrom.c_str());
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
    // Go on when some recipients are refused (they are reported in `rejected`).
#if LIBCURL_VERSION_NUM >= 0x080200
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, readBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &x);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mail.data.size()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg.timeout.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(cfg.timeout.count()));
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // to onDebug only, never to stderr
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, onDebug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &x);
    rc = curl_easy_perform(c);
    // Cleanup says QUIT and waits for the answer; a server still busy with
    // the message (we stopped or gave up on it) would hold the stop until it
    // answers. Shut the socket first, so that QUIT fails at once.
    curl_socket_t sock = CURL_SOCKET_BAD;
    if ((rc == CURLE_ABORTED_BY_CALLBACK || rc == CURLE_OPERATION_TIMEDOUT) &&
        curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &sock) == CURLE_OK && sock != CURL_SOCKET_BAD)
      ::shutdown(sock, SHUT_RDWR);
  });

  const std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  if (setupFailed) throw Error(ErrorCode::INTERNAL, "smtp.send: cannot set up the SMTP client");
  switch (rc) {
    case CURLE_OK:
      if (x.accepted.empty() && x.rejected.empty()) x.accepted = mail.recipients;  // no RCPT replies seen: all went
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: cannot resolve the SMTP server " + cfg.host + " (" + detail + ")");
    case CURLE_COULDNT_CONNECT:
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: cannot connect to the SMTP server " + where + " (" + detail + ")");
    case CURLE_OPERATION_TIMEDOUT:
      throw Error(ErrorCode::TIMEOUT, "smtp.send: the SMTP server " + where + " did not finish within smtp.timeout (" +
                                          lib::formatDuration(cfg.timeout) + ")");
    case CURLE_LOGIN_DENIED:
      throw Error(ErrorCode::UNAUTHENTICATED, "smtp.send: the SMTP server " + where + " refused the login of smtp.username" +
                                                  (x.lastReply.empty() ? "" : " (" + x.lastReply + ")"));
    case CURLE_USE_SSL_FAILED:
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the SMTP server " + where +
                                              " does not offer STARTTLS (smtp.security: starttls; use tls or none)");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: TLS with the SMTP server " + where + " failed (" + detail + ")" +
                                              (rc == CURLE_SSL_CACERT_BADFILE ? " (smtp.ca_file " + cfg.caFile + ")" : ""));
    case CURLE_ABORTED_BY_CALLBACK:
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: stopped (the run is ending)");
    default:
      if (x.lastCommand == "RCPT TO" || (!x.rejected.empty() && x.accepted.empty()))
        throw Error(ErrorCode::INVALID_ARGUMENT, "smtp.send: the SMTP server " + where + " refused every recipient: " +
                                                     (x.rejectedReasons.empty() ? x.lastReply : x.rejectedReasons));
      if (!x.lastReply.empty() && (x.lastReply[0] == '4' || x.lastReply[0] == '5'))
        throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the SMTP server " + where + " answered \"" + x.lastReply + "\" to " +
                                                x.lastCommand);
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: sending through " + where + " failed (" + detail + ")");
  }
  ctx.log("INFO", "smtp: sent " + mail.messageId + " to " + std::to_string(x.accepted.size()) + " recipient(s)" +
                      (x.rejected.empty() ? "" : "; refused: " + x.rejectedReasons));
  return Value{{"messageId", mail.messageId}, {"accepted", x.accepted}, {"rejected", x.rejected}};
}


}  // namespace m3m::runtime::smtp
