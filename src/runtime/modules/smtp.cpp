// The `smtp` module: mail through the server's SMTP relay (config `smtp.*`).
// smtp.send(message) builds the MIME message (lib/mime.hpp) while it holds
// the isolate — arguments, storage files and Mustache templates are read then
// — and sends it with libcurl's SMTP client in a waiting call: the isolate is
// left for the whole exchange, so other tasks of the project run meanwhile.
// smtp.sendAsync(message) is the same send started from a timer task (so its
// wait leaves the isolate too) and answered as a Promise.
#include <curl/curl.h>
#include <sys/socket.h>
#include <mstch/mstch.hpp>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>

#include "lib/base64.hpp"
#include "lib/mime.hpp"
#include "lib/units.hpp"
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {
namespace {

constexpr size_t kMaxRecipients = 100;          // to + cc + bcc
constexpr size_t kMaxAttachments = 50;
constexpr size_t kMaxHeaders = 50;
constexpr size_t kMaxMessageBytes = 25u << 20;  // the message as sent (base64 included)
constexpr size_t kMaxTemplateBytes = 1u << 20;  // one template file
constexpr size_t kMaxSubjectBytes = 998;        // after rendering

[[noreturn]] void invalid(const std::string& message) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "smtp.send: " + message);
}

// ---- Mustache (mstch) ------------------------------------------------------

// mstch escapes {{x}} through one process-wide function; HTML templates want
// HTML escaping, subjects and text templates want none. A thread-local switch
// chooses per render (renders never interleave on one thread).
thread_local bool tlsHtmlEscape = true;

std::string htmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void installEscape() {
  static std::once_flag once;
  std::call_once(once, [] {
    mstch::config::escape = [](const std::string& s) { return tlsHtmlEscape ? htmlEscape(s) : s; };
  });
}

mstch::node toNode(const Value& v) {
  switch (v.type()) {
    case Value::value_t::boolean: return v.get<bool>();
    case Value::value_t::number_integer:
    case Value::value_t::number_unsigned: {
      if (v.is_number_integer() && v.get<long long>() >= INT_MIN && v.get<long long>() <= INT_MAX)
        return static_cast<int>(v.get<long long>());
      return std::string(v.dump());
    }
    case Value::value_t::number_float: return std::string(v.dump());  // 1.5, not "1.500000"
    case Value::value_t::string: return v.get<std::string>();
    case Value::value_t::array: {
      mstch::array a;
      for (const auto& item : v) a.push_back(toNode(item));
      return a;
    }
    case Value::value_t::object: {
      mstch::map m;
      for (const auto& [k, item] : v.items()) m.emplace(k, toNode(item));
      return m;
    }
    default: return std::string();
  }
}

// mstch renders sections recursively: bound their nesting so that a hostile
// template ("{{#a}}" × 100,000) cannot exhaust the stack. Custom delimiters
// ({{=<% %>=}}) would hide sections from this check, so they are refused.
constexpr int kMaxSectionDepth = 50;

void checkTemplate(const std::string& tmpl, const std::string& what) {
  if (tmpl.find("{{=") != std::string::npos) invalid(what + ": set-delimiter tags ({{=…=}}) are not supported");
  int depth = 0;
  for (size_t i = tmpl.find("{{"); i != std::string::npos; i = tmpl.find("{{", i + 2)) {
    const char kind = i + 2 < tmpl.size() ? tmpl[i + 2] : '\0';
    if (kind == '#' || kind == '^') {
      if (++depth > kMaxSectionDepth)
        invalid(what + ": sections nest deeper than " + std::to_string(kMaxSectionDepth) + " levels");
    } else if (kind == '/' && depth > 0) {
      --depth;
    }
  }
}

std::string render(const std::string& tmpl, const mstch::node& data, bool html, const std::string& what) {
  checkTemplate(tmpl, what);
  installEscape();
  tlsHtmlEscape = html;
  try {
    std::string out = mstch::render(tmpl, data);
    tlsHtmlEscape = true;
    return out;
  } catch (const std::exception& e) {
    tlsHtmlEscape = true;
    invalid(what + ": cannot render the Mustache template (" + e.what() + ")");
  }
}

// ---- reading the message ---------------------------------------------------

std::optional<std::string> optionalString(const Value& msg, const char* key) {
  auto it = msg.find(key);
  if (it == msg.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) invalid(std::string(key) + " must be a string");
  return it->get<std::string>();
}

lib::mime::Address addressOf(const Value& v, const std::string& what) {
  if (v.is_string()) return lib::mime::parseAddress(v.get<std::string>(), what);
  if (v.is_object()) {
    auto addr = v.find("address");
    if (addr == v.end() || !addr->is_string()) invalid(what + ".address must be a string");
    lib::mime::Address a;
    a.email = addr->get<std::string>();
    if (auto name = v.find("name"); name != v.end() && !name->is_null()) {
      if (!name->is_string()) invalid(what + ".name must be a string");
      a.name = name->get<std::string>();
    }
    lib::mime::parseAddress(a.email, what);  // checks the address alone (no "Name <…>" inside)
    if (a.email.find('<') != std::string::npos) invalid(what + ".address must be a bare address");
    return a;
  }
  invalid(what + " must be an address string or {name, address}");
}

std::vector<lib::mime::Address> addressesOf(const Value& msg, const char* key) {
  std::vector<lib::mime::Address> out;
  auto it = msg.find(key);
  if (it == msg.end() || it->is_null()) return out;
  if (it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) out.push_back(addressOf((*it)[i], std::string(key) + "[" + std::to_string(i) + "]"));
  } else {
    out.push_back(addressOf(*it, key));
  }
  return out;
}

std::string readTemplate(StorageBackend* storage, const std::string& projectId, const Value& path, const std::string& what) {
  if (!path.is_string() || path.get<std::string>().empty()) invalid(what + " must be a path in the project's storage");
  if (!storage) throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the project's storage is not available in this runtime");
  std::string text;
  try {
    text = storage->read(projectId, path.get<std::string>());
  } catch (const Error& e) {
    throw Error(e.code(), "smtp.send: " + what + " (" + path.get<std::string>() + "): " + e.what(), e.fields());
  }
  if (text.size() > kMaxTemplateBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: " + what + " is larger than " + lib::formatSize(kMaxTemplateBytes));
  return text;
}

bool isHtmlPath(const std::string& p) {
  auto dot = p.rfind('.');
  if (dot == std::string::npos) return false;
  std::string ext = p.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == "html" || ext == "htm" || ext == "mustache" || ext == "hbs";
}

struct Prepared {
  std::string mailFrom;                 // envelope sender
  std::vector<std::string> recipients;  // envelope: to + cc + bcc, each once
  std::string messageId;
  std::string data;
};

Prepared prepare(const Value& msg, const SmtpSettings& cfg, StorageBackend* storage, const std::string& projectId) {
  if (!msg.is_object()) invalid("argument 1 (message) must be an object");
  static const std::set<std::string> known = {"to", "cc", "bcc", "from", "replyTo", "subject", "text", "html",
                                              "template", "data", "attachments", "headers"};
  for (const auto& [k, v] : msg.items())
    if (!known.count(k)) invalid("unknown field \"" + k + "\" (fields: to, cc, bcc, from, replyTo, subject, text, html, template, data, attachments, headers)");

  lib::mime::Message m;
  if (auto from = msg.find("from"); from != msg.end() && !from->is_null()) m.from = addressOf(*from, "from");
  else if (!cfg.from.empty()) m.from = lib::mime::parseAddress(cfg.from, "smtp.from (server config)");
  else invalid("no sender: give `from` or set smtp.from in the server config");
  m.to = addressesOf(msg, "to");
  m.cc = addressesOf(msg, "cc");
  const auto bcc = addressesOf(msg, "bcc");
  m.replyTo = addressesOf(msg, "replyTo");

  Prepared out;
  out.mailFrom = m.from.email;
  std::set<std::string> seen;
  const std::vector<lib::mime::Address>* lists[] = {&m.to, &m.cc, &bcc};
  for (const auto* list : lists)
    for (const auto& a : *list) {
      std::string key = a.email;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      if (seen.insert(key).second) out.recipients.push_back(a.email);
    }
  if (out.recipients.empty()) invalid("no recipient: give at least one of to, cc, bcc");
  if (out.recipients.size() > kMaxRecipients)
    invalid("at most " + std::to_string(kMaxRecipients) + " recipients per message (to + cc + bcc), got " +
            std::to_string(out.recipients.size()));

  // Subject, text and HTML: templates when `data` is given; `template` names files in storage.
  auto subject = optionalString(msg, "subject");
  m.text = optionalString(msg, "text");
  m.html = optionalString(msg, "html");
  const auto dataIt = msg.find("data");
  const bool templated = dataIt != msg.end() && !dataIt->is_null();
  if (templated && !dataIt->is_object()) invalid("data must be an object");
  const mstch::node data = templated ? toNode(*dataIt) : mstch::node(mstch::map{});

  if (auto t = msg.find("template"); t != msg.end() && !t->is_null()) {
    Value files = Value::object();
    if (t->is_string()) files[isHtmlPath(t->get<std::string>()) ? "html" : "text"] = *t;
    else if (t->is_object()) files = *t;
    else invalid("template must be a storage path or {html?, text?}");
    for (const auto& [k, v] : files.items()) {
      if (k != "html" && k != "text") invalid("template." + k + ": only html and text templates exist");
      auto& slot = k == "html" ? m.html : m.text;
      if (slot) invalid("give either " + k + " or template." + k + ", not both");
      slot = render(readTemplate(storage, projectId, v, "template." + k), data, k == "html", "template." + k);
    }
  } else if (templated) {
    if (m.text) m.text = render(*m.text, data, false, "text");
    if (m.html) m.html = render(*m.html, data, true, "html");
  }
  if (subject) {
    if (templated) subject = render(*subject, data, false, "subject");
    if (subject->size() > kMaxSubjectBytes) invalid("subject is longer than " + std::to_string(kMaxSubjectBytes) + " bytes");
    m.subject = *subject;
  }

  size_t total = m.subject.size() + (m.text ? m.text->size() : 0) + (m.html ? m.html->size() : 0);
  auto tooLarge = [&] {
    if (total > kMaxMessageBytes)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: the message is larger than " + lib::formatSize(kMaxMessageBytes));
  };

  if (auto h = msg.find("headers"); h != msg.end() && !h->is_null()) {
    if (!h->is_object()) invalid("headers must be an object of name → string");
    if (h->size() > kMaxHeaders) invalid("at most " + std::to_string(kMaxHeaders) + " headers");
    for (const auto& [k, v] : h->items()) {
      if (!v.is_string()) invalid("headers[\"" + k + "\"] must be a string");
      m.headers.emplace_back(k, v.get<std::string>());
    }
  }

  if (auto list = msg.find("attachments"); list != msg.end() && !list->is_null()) {
    if (!list->is_array()) invalid("attachments must be an array");
    if (list->size() > kMaxAttachments) invalid("at most " + std::to_string(kMaxAttachments) + " attachments");
    for (size_t i = 0; i < list->size(); ++i) {
      const auto& a = (*list)[i];
      const std::string what = "attachments[" + std::to_string(i) + "]";
      if (!a.is_object()) invalid(what + " must be {filename, content, contentType?}");
      lib::mime::Attachment att;
      auto content = a.find("content");
      if (content == a.end() || content->is_null()) invalid(what + ".content is required");
      if (content->is_string()) {
        att.bytes = content->get<std::string>();
      } else if (content->is_object() && content->contains("base64") && content->at("base64").is_string()) {
        auto bytes = lib::base64Decode(content->at("base64").get<std::string>());
        if (!bytes) invalid(what + ".content.base64 is not base64");
        att.bytes = std::move(*bytes);
      } else if (content->is_object() && content->contains("path") && content->at("path").is_string()) {
        const std::string path = content->at("path").get<std::string>();
        if (!storage) throw Error(ErrorCode::UNAVAILABLE, "smtp.send: the project's storage is not available in this runtime");
        try {
          att.bytes = storage->read(projectId, path);
        } catch (const Error& e) {
          throw Error(e.code(), "smtp.send: " + what + ".content.path (" + path + "): " + e.what(), e.fields());
        }
      } else {
        invalid(what + ".content must be a string, a Uint8Array, an ArrayBuffer or {path}");
      }
      if (auto fn = a.find("filename"); fn != a.end() && fn->is_string()) att.filename = fn->get<std::string>();
      else if (content->is_object() && content->contains("path")) {
        const std::string p = content->at("path").get<std::string>();
        att.filename = p.substr(p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/') + 1);
      } else invalid(what + ".filename must be a string");
      if (att.filename.size() > 255) invalid(what + ".filename is longer than 255 bytes");
      if (auto ct = a.find("contentType"); ct != a.end() && !ct->is_null()) {
        if (!ct->is_string()) invalid(what + ".contentType must be a string");
        att.contentType = ct->get<std::string>();
      }
      total += att.bytes.size();
      tooLarge();
      m.attachments.push_back(std::move(att));
    }
  }
  tooLarge();

  try {
    auto built = lib::mime::build(m);
    out.messageId = std::move(built.messageId);
    out.data = std::move(built.data);
  } catch (const Error& e) {
    invalid(e.what());
  }
  if (out.data.size() > kMaxMessageBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "smtp.send: the encoded message is larger than " + lib::formatSize(kMaxMessageBytes));
  return out;
}

// ---- the SMTP exchange (libcurl, inside the waiting call) -------------------

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

Value send(CallContext& ctx, const SmtpSettings& cfg, Prepared mail) {
  const int port = portOf(cfg);
  const std::string where = hostPort(cfg, port);
  Exchange x;
  x.data = &mail.data;
  x.recipients = &mail.recipients;
  CURLcode rc = CURLE_OK;
  char errbuf[CURL_ERROR_SIZE] = {0};
  bool setupFailed = false;

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
      throw Error(ErrorCode::UNAVAILABLE, "smtp.send: TLS with the SMTP server " + where + " failed (" + detail + ")");
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

constexpr const char* kWrapper = R"js((native) => {
  'use strict';
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const toBase64 = (u8) => {
    const parts = [];
    let s = '';
    const n = u8.length, full = n - (n % 3);
    for (let i = 0; i < full; i += 3) {
      const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
      s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + A[v & 63];
      if (s.length >= 16384) { parts.push(s); s = ''; }
    }
    if (n - full === 1) { const v = u8[full] << 16; s += A[v >> 18] + A[(v >> 12) & 63] + '=='; }
    else if (n - full === 2) { const v = (u8[full] << 16) | (u8[full + 1] << 8); s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + '='; }
    parts.push(s);
    return parts.join('');
  };
  const bytesOf = (content) => {
    if (content instanceof ArrayBuffer) return new Uint8Array(content);
    if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
    return null;
  };
  // Bytes cross into the host as {base64} (module values are JSON).
  const prepare = (message) => {
    if (message === null || typeof message !== 'object') return message;  // the host says what is wrong
    const list = message.attachments;
    if (list === undefined || list === null || !Array.isArray(list)) return message;
    return Object.assign({}, message, {
      attachments: list.map((a) => {
        const bytes = a && typeof a === 'object' ? bytesOf(a.content) : null;
        return bytes ? Object.assign({}, a, { content: { base64: toBase64(bytes) } }) : a;
      }),
    });
  };
  const send = (message) => native.send(prepare(message));
  const sendAsync = (message) => {
    let prepared;
    try { prepared = prepare(message); } catch (e) { return Promise.reject(e); }  // e.g. a throwing getter
    // From a timer task, the send's wait leaves the isolate (docs/runtime.md, "Concurrency").
    return new Promise((resolve, reject) => {
      setTimeout(() => { try { resolve(native.send(prepared)); } catch (e) { reject(e); } }, 0);
    });
  };
  return Object.freeze({ send, sendAsync });
})js";

constexpr const char* kDeclarations = R"ts(/** "Ada <ada@example.com>", "ada@example.com" or {name, address}. */
type M3MMailAddress = string | { name?: string; address: string };
interface M3MMailAttachment {
  /** Defaults to the file name of `content.path`. */
  filename?: string;
  /** Text (sent as UTF-8), bytes, or a file of the project's storage. */
  content: string | Uint8Array | ArrayBuffer | { path: string };
  /** Defaults from the filename's extension, else application/octet-stream. */
  contentType?: string;
}
interface M3MMailMessage {
  to?: M3MMailAddress | M3MMailAddress[];
  cc?: M3MMailAddress | M3MMailAddress[];
  /** In the envelope only, never in the headers. */
  bcc?: M3MMailAddress | M3MMailAddress[];
  /** Defaults to smtp.from of the server config. */
  from?: M3MMailAddress;
  replyTo?: M3MMailAddress | M3MMailAddress[];
  subject?: string;
  text?: string;
  html?: string;
  /** A Mustache template in the project's storage: "mail/welcome.html" is the HTML body (other extensions: the text body), or {html, text}. */
  template?: string | { html?: string; text?: string };
  /** Values for the templates: with `data`, subject, text and html are Mustache templates too. */
  data?: Record<string, unknown>;
  attachments?: M3MMailAttachment[];
  /** Extra headers ("X-Campaign": "spring"); CR/LF refused. */
  headers?: Record<string, string>;
}
interface M3MMailResult {
  /** "<…@sender.domain>" */
  messageId: string;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused (the message went to the others). */
  rejected: string[];
}
/** Mail through the server's SMTP relay (config smtp.*). Failures throw an Error with .code. */
declare const smtp: {
  /**
   * Sends one message; a waiting call (other tasks of the project run meanwhile).
   * @example smtp.send({to: 'ada@example.com', subject: 'Hi', text: 'Hello!'})
   */
  send(message: M3MMailMessage): M3MMailResult;
  /**
   * The same as a Promise.
   * @example const r = await smtp.sendAsync({to: 'ada@example.com', subject: 'Hi', text: 'Hello!'})
   */
  sendAsync(message: M3MMailMessage): Promise<M3MMailResult>;
};
)ts";

}  // namespace

ModuleSchema smtpModule(const BuiltinDeps& deps) {
  curl_global_init(CURL_GLOBAL_DEFAULT);  // once, before any thread sends (idempotent, counted)
  const SmtpSettings cfg = deps.smtp;
  auto storage = deps.storage;
  return ModuleBuilder("smtp", "Mail through the server's SMTP relay.")
      .function("send", {{"message", "object"}}, "object", "The wrapper's send: attachments' bytes as {base64}.",
                [cfg, storage](CallContext& ctx, const Args& a) -> Value {
                  if (cfg.host.empty())
                    throw Error(ErrorCode::UNAVAILABLE,
                                "smtp.send: no SMTP server configured (set smtp.host, or M3M_SMTP_HOST, in the server config)");
                  // Everything is read while the isolate is held; the wait touches no JS value.
                  Prepared mail;
                  try {
                    mail = prepare(a.at(0), cfg, storage.get(), ctx.projectId());
                  } catch (const Error& e) {
                    if (std::string_view(e.what()).rfind("smtp.send:", 0) == 0) throw;
                    throw Error(e.code(), std::string("smtp.send: ") + e.what(), e.fields());
                  }
                  return send(ctx, cfg, std::move(mail));
                })
      .wrapper(kWrapper, kDeclarations)
      .build();
}

}  // namespace m3m::runtime
