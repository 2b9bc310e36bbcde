#include "lib/mime.hpp"

#include <m3m/error.hpp>

#include <algorithm>
#include <array>
#include <cctype>

#include "lib/base64.hpp"
#include "lib/random.hpp"
#include "lib/text.hpp"

namespace m3m::lib::mime {
namespace {

constexpr size_t kLine = 76;  // soft limit of a line we write (RFC 5322 says 78, MIME bodies 76)

[[noreturn]] void refuse(std::string message) { throw Error(ErrorCode::INVALID_ARGUMENT, std::move(message)); }

std::string quoteForMessage(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 80)) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  if (s.size() > 80) out += "…";
  return out + "\"";
}

// CR/LF anywhere in a header value would end the header and start another one.
void checkHeaderValue(std::string_view value, std::string_view what) {
  if (value.find_first_of("\r\n") != std::string_view::npos)
    refuse(std::string(what) + " must not contain CR or LF (header injection): " + quoteForMessage(value));
  if (auto why = unsafeTextReason(value, TextKind::Line)) refuse(std::string(what) + " " + *why);
}

bool isAtext(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool printableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// Chars after the last CRLF of `s` (the length of its current line).
size_t lastLineLength(std::string_view s) {
  auto nl = s.rfind('\n');
  return nl == std::string_view::npos ? s.size() : s.size() - nl - 1;
}

std::string defaultRandom() { return randomLowerAlnum(24); }

std::string domainOf(std::string_view email) {
  auto at = email.rfind('@');
  return at == std::string_view::npos ? "localhost" : std::string(email.substr(at + 1));
}

void checkAddress(const Address& a, std::string_view what) {
  checkHeaderValue(a.email, what);
  checkHeaderValue(a.name, std::string(what) + " name");
  if (!validEmail(a.email)) refuse(std::string(what) + ": " + quoteForMessage(a.email) + " is not an email address");
}

std::string addressList(const std::vector<Address>& list, std::string_view what, size_t used) {
  std::string out;
  size_t line = used;
  for (size_t i = 0; i < list.size(); ++i) {
    checkAddress(list[i], std::string(what) + "[" + std::to_string(i) + "]");
    std::string one = formatAddress(list[i]);
    if (i) {
      out += ',';
      ++line;
      auto firstLine = one.find("\r\n");
      size_t head = firstLine == std::string::npos ? one.size() : firstLine;
      if (line + 1 + head > kLine) {
        out += "\r\n ";
        line = 1;
      } else {
        out += ' ';
        ++line;
      }
    }
    out += one;
    line = one.find("\r\n") == std::string::npos ? line + one.size() : lastLineLength(one);
  }
  return out;
}

bool tokenChar(char c) {
  return c > 0x20 && c < 0x7f && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// "type/subtype" optionally followed by "; parameters".
bool validContentType(std::string_view ct) {
  auto semi = ct.find(';');
  auto main = ct.substr(0, semi);
  while (!main.empty() && main.back() == ' ') main.remove_suffix(1);
  auto slash = main.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == main.size()) return false;
  for (size_t i = 0; i < main.size(); ++i)
    if (i != slash && !tokenChar(main[i])) return false;
  return true;
}

std::string quotedParam(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// RFC 2231: filename*=UTF-8''%E2%82%AC.pdf
std::string extendedParam(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "UTF-8''";
  for (unsigned char c : s) {
    if (std::isalnum(c) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

struct Entity {
  std::string headers;  // each line ends with CRLF
  std::string body;
};

Entity textEntity(std::string_view subtype, std::string_view content) {
  return {"Content-Type: text/" + std::string(subtype) + "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n",
          quotedPrintable(content)};
}

Entity multipart(std::string_view subtype, const std::vector<Entity>& parts, const std::string& boundary) {
  Entity e;
  e.headers = "Content-Type: multipart/" + std::string(subtype) + ";\r\n boundary=\"" + boundary + "\"\r\n";
  for (const auto& p : parts) e.body += "--" + boundary + "\r\n" + p.headers + "\r\n" + p.body + "\r\n";
  e.body += "--" + boundary + "--";
  return e;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::array<std::string_view, 13> kReserved = {
    "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Sender"};

}  // namespace

bool validEmail(std::string_view email) {
  if (email.empty() || email.size() > 254) return false;
  auto at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return false;
  auto local = email.substr(0, at), domain = email.substr(at + 1);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : local)
    if (!isAtext(c) && c != '.') return false;
  if (domain.front() == '[') {  // address literal: [192.0.2.1], [IPv6:2001:db8::1]
    if (domain.back() != ']' || domain.size() < 3) return false;
    for (unsigned char c : domain.substr(1, domain.size() - 2))
      if (!std::isalnum(c) && c != '.' && c != ':') return false;
    return true;
  }
  size_t label = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      if (label == 0 || label > 63 || domain[i - 1] == '-' || domain[i - label] == '-') return false;
      label = 0;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(domain[i]);
    if (!std::isalnum(c) && c != '-') return false;
    ++label;
  }
  return true;
}

Address parseAddress(std::string_view text, std::string_view what) {
  if (text.find_first_of("\r\n") != std::string_view::npos)
    refuse(std::string(what) + " must not contain CR or LF (header injection): " + quoteForMessage(text));
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  Address a;
  if (!text.empty() && text.back() == '>') {
    auto lt = text.rfind('<');
    if (lt == std::string_view::npos) refuse(std::string(what) + ": " + quoteForMessage(text) + " is not an email address");
    a.email = std::string(trim(text.substr(lt + 1, text.size() - lt - 2)));
    auto name = trim(text.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        a.name += name[i];
      }
    } else {
      a.name = std::string(name);
    }
  } else {
    a.email = std::string(text);
  }
  checkAddress(a, what);
  return a;
}

std::string encodeWords(std::string_view utf8, size_t used) {
  std::string out;
  size_t line = used;
  for (bool first = true; !utf8.empty(); first = false) {
    if (!first) {  // folding: the decoder drops the CRLF + space between two encoded-words
      out += "\r\n ";
      line = 1;
    }
    // Room on this line for "=?UTF-8?B?" + base64 + "?=" (12 characters of framing).
    const size_t room = line + 12 < kLine ? kLine - line - 12 : 0;
    size_t take = std::clamp<size_t>(room / 4 * 3, 12, 45);
    if (take >= utf8.size()) {
      take = utf8.size();
    } else {
      while (take > 0 && (static_cast<unsigned char>(utf8[take]) & 0xC0) == 0x80) --take;  // never split a character
      if (take == 0) take = std::min<size_t>(utf8.size(), 4);
    }
    std::string word = "=?UTF-8?B?" + base64Encode(utf8.substr(0, take)) + "?=";
    out += word;
    line += word.size();
    utf8.remove_prefix(take);
  }
  return out;
}

std::string headerText(std::string_view utf8, size_t used) {
  if (printableAscii(utf8) && utf8.find("=?") == std::string_view::npos && used + utf8.size() <= kLine + 2)
    return std::string(utf8);
  return encodeWords(utf8, used);
}

std::string formatAddress(const Address& a) {
  if (a.name.empty()) return a.email;
  std::string name;
  const bool atoms = std::all_of(a.name.begin(), a.name.end(), [](char c) { return isAtext(static_cast<unsigned char>(c)) || c == ' '; }) &&
                     a.name.front() != ' ' && a.name.back() != ' ' && a.name.find("=?") == std::string::npos;
  if (!printableAscii(a.name) || a.name.size() > 60) name = encodeWords(a.name, 20);
  else if (atoms) name = a.name;
  else name = quotedParam(a.name);
  return name + " <" + a.email + ">";
}

std::string quotedPrintable(std::string_view in) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  size_t line = 0;
  auto put = [&](std::string_view token) {
    if (line + token.size() > kLine - 1) {  // room for the "=" of a soft line break
      out += "=\r\n";
      line = 0;
    }
    out += token;
    line += token.size();
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '\r' || c == '\n') {  // CRLF, LF or a lone CR: one line break
      if (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
      out += "\r\n";
      line = 0;
      continue;
    }
    const bool atLineEnd = i + 1 == in.size() || in[i + 1] == '\r' || in[i + 1] == '\n';
    if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !atLineEnd)) {
      const char ch = static_cast<char>(c);
      put(std::string_view(&ch, 1));
    } else {
      const char enc[3] = {'=', hex[c >> 4], hex[c & 15]};
      put(std::string_view(enc, 3));
    }
  }
  return out;
}

std::string base64Lines(std::string_view bytes) {
  const std::string b64 = base64Encode(bytes);
  std::string out;
  out.reserve(b64.size() + b64.size() / kLine * 2 + 2);
  for (size_t i = 0; i < b64.size(); i += kLine) {
    if (i) out += "\r\n";
    out.append(b64, i, kLine);
  }
  return out;
}

std::string rfc5322Date(std::time_t when) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&when, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string contentTypeFor(std::string_view filename) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {"txt", "text/plain; charset=utf-8"}, {"csv", "text/csv; charset=utf-8"}, {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},  {"ics", "text/calendar"},            {"json", "application/json"},
      {"xml", "application/xml"},           {"pdf", "application/pdf"},          {"zip", "application/zip"},
      {"png", "image/png"},                 {"jpg", "image/jpeg"},               {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},                 {"webp", "image/webp"},              {"svg", "image/svg+xml"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}};
  auto dot = filename.rfind('.');
  if (dot != std::string_view::npos) {
    auto ext = filename.substr(dot + 1);
    for (const auto& [e, type] : types)
      if (iequals(e, ext)) return std::string(type);
  }
  return "application/octet-stream";
}

Built build(const Message& m, std::string (*random)()) {
  if (!random) random = defaultRandom;
  checkAddress(m.from, "from");

  Built built;
  built.messageId = m.messageId.empty() ? "<" + random() + "@" + domainOf(m.from.email) + ">" : m.messageId;
  checkHeaderValue(built.messageId, "messageId");
  checkHeaderValue(m.subject, "subject");

  std::string h;
  h += "Date: " + rfc5322Date(m.date ? m.date : std::time(nullptr)) + "\r\n";
  h += "From: " + addressList({m.from}, "from", 6) + "\r\n";
  if (!m.replyTo.empty()) h += "Reply-To: " + addressList(m.replyTo, "replyTo", 10) + "\r\n";
  if (!m.to.empty()) h += "To: " + addressList(m.to, "to", 4) + "\r\n";
  if (!m.cc.empty()) h += "Cc: " + addressList(m.cc, "cc", 4) + "\r\n";
  h += "Message-ID: " + built.messageId + "\r\n";
  h += "Subject: " + headerText(m.subject, 9) + "\r\n";
  h += "MIME-Version: 1.0\r\n";
  for (const auto& [name, value] : m.headers) {
    const std::string what = "headers[" + quoteForMessage(name) + "]";
    if (name.empty() || name.size() > 76 || !std::all_of(name.begin(), name.end(), [](char c) { return c > 32 && c < 127 && c != ':'; }))
      refuse(what + ": a header name is 1–76 printable ASCII characters without ':' or spaces");
    for (auto r : kReserved)
      if (iequals(name, r)) refuse(what + ": set by smtp.send itself (use its own field)");
    checkHeaderValue(value, what);
    h += name + ": " + headerText(value, name.size() + 2) + "\r\n";
  }

  // The body: text, HTML or both (alternative), then attachments (mixed).
  const std::string boundaryBase = "=_m3m_" + random();
  Entity body;
  if (m.text && m.html)
    body = multipart("alternative", {textEntity("plain", *m.text), textEntity("html", *m.html)}, boundaryBase + "_alt");
  else if (m.html)
    body = textEntity("html", *m.html);
  else
    body = textEntity("plain", m.text.value_or(""));
  if (!m.attachments.empty()) {
    std::vector<Entity> parts{std::move(body)};
    for (size_t i = 0; i < m.attachments.size(); ++i) {
      const auto& a = m.attachments[i];
      const std::string what = "attachments[" + std::to_string(i) + "]";
      checkHeaderValue(a.filename, what + ".filename");
      checkHeaderValue(a.contentType, what + ".contentType");
      if (a.filename.empty()) refuse(what + ".filename must not be empty");
      if (!a.contentType.empty() && !validContentType(a.contentType))
        refuse(what + ".contentType: " + quoteForMessage(a.contentType) + " is not a type/subtype");
      const std::string type = a.contentType.empty() ? contentTypeFor(a.filename) : a.contentType;
      Entity e;
      if (printableAscii(a.filename)) {
        e.headers = "Content-Type: " + type + ";\r\n name=" + quotedParam(a.filename) + "\r\n" +
                    "Content-Disposition: attachment;\r\n filename=" + quotedParam(a.filename) + "\r\n";
      } else {
        e.headers = "Content-Type: " + type + "\r\nContent-Disposition: attachment;\r\n filename*=" + extendedParam(a.filename) + "\r\n";
      }
      e.headers += "Content-Transfer-Encoding: base64\r\n";
      e.body = base64Lines(a.bytes);
      parts.push_back(std::move(e));
    }
    body = multipart("mixed", parts, boundaryBase + "_mix");
  }
  built.data = h + body.headers + "\r\n" + body.body + "\r\n";
  return built;
}

}  // namespace m3m::lib::mime
