// The MIME builder of the smtp module (lib/mime.hpp): RFC 2047 encoded-words,
// quoted-printable, base64 lines, dates, addresses, the message structure, and
// header injection refused.
#include "lib/mime.hpp"

#include <gtest/gtest.h>
#include <m3m/error.hpp>

#include <functional>

#include "lib/base64.hpp"

using namespace m3m::lib::mime;

namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    auto nl = s.find("\r\n", start);
    if (nl == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, nl - start));
    start = nl + 2;
  }
}

// Decodes a run of folded "=?UTF-8?B?…?=" words (what a mail reader does).
std::string decodeWords(const std::string& s) {
  std::string out;
  size_t pos = 0;
  while ((pos = s.find("=?UTF-8?B?", pos)) != std::string::npos) {
    auto end = s.find("?=", pos + 10);
    auto bytes = m3m::lib::base64Decode(s.substr(pos + 10, end - pos - 10));
    EXPECT_TRUE(bytes.has_value());
    out += bytes.value_or("");
    pos = end + 2;
  }
  return out;
}

std::string decodeQp(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=' && i + 2 < s.size() + 1 && s.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else if (s[i] == '=') {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool validUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::string fixedRandom() { return "r4nd0m"; }

Message basic() {
  Message m;
  m.from = {"Shop", "shop@example.com"};
  m.to = {{"", "ada@example.com"}};
  m.subject = "Hello";
  m.text = "Hi there";
  m.date = 1700000000;
  return m;
}

void expectInvalid(const std::function<void()>& fn, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one containing: " << fragment;
  } catch (const m3m::Error& e) {
    EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Mime, EncodedWordsForUtf8) {
  EXPECT_EQ(encodeWords("Привет", 9), "=?UTF-8?B?0J/RgNC40LLQtdGC?=");
  EXPECT_EQ(headerText("Привет", 9), "=?UTF-8?B?0J/RgNC40LLQtdGC?=");
  EXPECT_EQ(headerText("Plain ASCII", 9), "Plain ASCII");
  // "=?" in plain text would be read as an encoded-word: encoded, so it stays literal.
  EXPECT_EQ(decodeWords(headerText("a =?x?= b", 9)), "a =?x?= b");
}

TEST(Mime, LongUtf8SubjectFoldsWithoutSplittingCharacters) {
  std::string subject;
  for (int i = 0; i < 40; ++i) subject += "Съешь же ещё 🍰 ";
  const std::string enc = encodeWords(subject, 9);
  EXPECT_EQ(decodeWords(enc), subject);
  auto ls = lines(enc);
  ASSERT_GT(ls.size(), 5u);
  for (size_t i = 0; i < ls.size(); ++i) {
    EXPECT_LE(ls[i].size() + (i == 0 ? 9 : 0), 76u) << ls[i];
    if (i) {
      EXPECT_EQ(ls[i][0], ' ') << "continuation lines are folded with a space";
    }
    // Each word alone is valid UTF-8: no character is cut between two words.
    EXPECT_TRUE(validUtf8(decodeWords(ls[i]))) << ls[i];
  }
  // A long ASCII subject is folded the same way (no line over 78).
  const std::string ascii(300, 'x');
  for (const auto& l : lines(headerText(ascii, 9))) EXPECT_LE(l.size(), 78u);
  EXPECT_EQ(decodeWords(headerText(ascii, 9)), ascii);
}

TEST(Mime, QuotedPrintable) {
  EXPECT_EQ(quotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(quotedPrintable("é"), "=C3=A9");
  EXPECT_EQ(quotedPrintable("trailing \nspace\t"), "trailing=20\r\nspace=09");
  EXPECT_EQ(quotedPrintable("one\ntwo\r\nthree\rfour"), "one\r\ntwo\r\nthree\r\nfour");
  EXPECT_EQ(quotedPrintable("in the middle"), "in the middle");
  const std::string longLine = std::string(200, 'a') + "é" + std::string(100, '=');
  const std::string qp = quotedPrintable(longLine);
  for (const auto& l : lines(qp)) EXPECT_LE(l.size(), 76u) << l;
  EXPECT_EQ(decodeQp(qp), longLine);
  // Never a soft break inside an =XX triple.
  for (const auto& l : lines(qp)) {
    auto eq = l.rfind('=');
    if (eq != std::string::npos) {
      EXPECT_TRUE(eq == l.size() - 1 || eq + 3 <= l.size()) << l;
    }
  }
}

TEST(Mime, Base64InLinesOf76) {
  EXPECT_EQ(base64Lines("foobar"), "Zm9vYmFy");  // RFC 4648 §10
  EXPECT_EQ(base64Lines(""), "");
  std::string bytes;
  for (int i = 0; i < 1000; ++i) bytes += static_cast<char>(i * 7);
  const std::string b = base64Lines(bytes);
  auto ls = lines(b);
  ASSERT_EQ(ls.size(), (m3m::lib::base64Encode(bytes).size() + 75) / 76);
  for (size_t i = 0; i + 1 < ls.size(); ++i) EXPECT_EQ(ls[i].size(), 76u);
  std::string joined;
  for (const auto& l : ls) joined += l;
  EXPECT_EQ(m3m::lib::base64Decode(joined).value(), bytes);
}

TEST(Mime, Dates) {
  EXPECT_EQ(rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322Date(1700000000), "Tue, 14 Nov 2023 22:13:20 +0000");
}

TEST(Mime, Addresses) {
  EXPECT_EQ(formatAddress({"", "a@b.co"}), "a@b.co");
  EXPECT_EQ(formatAddress({"Ada Lovelace", "a@b.co"}), "Ada Lovelace <a@b.co>");
  EXPECT_EQ(formatAddress({"Doe, John", "j@d.co"}), "\"Doe, John\" <j@d.co>");
  EXPECT_EQ(formatAddress({"Say \"hi\"", "j@d.co"}), "\"Say \\\"hi\\\"\" <j@d.co>");
  EXPECT_EQ(formatAddress({"Иван", "i@d.co"}), "=?UTF-8?B?0JjQstCw0L0=?= <i@d.co>");

  auto a = parseAddress("  Ada Lovelace <ada@example.com> ", "to");
  EXPECT_EQ(a.name, "Ada Lovelace");
  EXPECT_EQ(a.email, "ada@example.com");
  a = parseAddress("\"Doe, \\\"J\\\"\" <j@d.co>", "to");
  EXPECT_EQ(a.name, "Doe, \"J\"");
  EXPECT_EQ(parseAddress("<x@y.z>", "to").email, "x@y.z");
  EXPECT_EQ(parseAddress("x@y.z", "to").email, "x@y.z");
  expectInvalid([] { parseAddress("x@y.z\r\nBcc: evil@x.y", "to"); }, "header injection");
  expectInvalid([] { parseAddress("Name\n <x@y.z>", "to"); }, "header injection");
  expectInvalid([] { parseAddress("not an address", "to[1]"); }, "to[1]");
  expectInvalid([] { parseAddress("a@b.c, d@e.f", "to"); }, "not an email address");

  for (const char* good : {"a@b.co", "first.last+tag@sub.example.org", "x@localhost", "o'neil@x.io", "u@[192.0.2.1]"})
    EXPECT_TRUE(validEmail(good)) << good;
  for (const char* bad : {"", "@b.co", "a@", "a b@c.d", "a@b..c", ".a@b.c", "a.@b.c", "a..b@c.d", "a@-b.c", "a@b-.c",
                          "a<b@c.d", "a@b@c.d", "ä@b.c", "a@b.c>", "a,b@c.d"})
    EXPECT_FALSE(validEmail(bad)) << bad;
}

TEST(Mime, TextOnlyMessage) {
  Message m = basic();
  m.cc = {{"Bob", "bob@example.com"}};
  m.replyTo = {{"", "help@example.com"}};
  m.headers = {{"X-Campaign", "spring"}};
  auto b = build(m, fixedRandom);
  EXPECT_EQ(b.messageId, "<r4nd0m@example.com>");
  const std::string& d = b.data;
  auto headerEnd = d.find("\r\n\r\n");
  ASSERT_NE(headerEnd, std::string::npos);
  const std::string head = d.substr(0, headerEnd + 2);
  EXPECT_NE(head.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("From: Shop <shop@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("To: ada@example.com\r\n"), std::string::npos);
  EXPECT_NE(head.find("Cc: Bob <bob@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("Reply-To: help@example.com\r\n"), std::string::npos);
  EXPECT_NE(head.find("Subject: Hello\r\n"), std::string::npos);
  EXPECT_NE(head.find("Message-ID: <r4nd0m@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Campaign: spring\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_EQ(d.substr(headerEnd + 4), "Hi there\r\n");
}

TEST(Mime, AlternativeAndMixedStructure) {
  Message m = basic();
  m.subject = "Заказ №5";
  m.html = "<p>Hi</p>";
  m.attachments = {{"report.pdf", "", std::string("%PDF\0\1\2", 7)}, {"счёт.txt", "", "plain"}};
  const std::string d = build(m, fixedRandom).data;
  EXPECT_NE(d.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(d.find("Content-Type: multipart/mixed;\r\n boundary=\"=_m3m_r4nd0m_mix\""), std::string::npos) << d;
  EXPECT_NE(d.find("Content-Type: multipart/alternative;\r\n boundary=\"=_m3m_r4nd0m_alt\""), std::string::npos);
  // Order: mixed → alternative (text, html) → attachments.
  const auto alt = d.find("--=_m3m_r4nd0m_alt\r\nContent-Type: text/plain");
  const auto html = d.find("--=_m3m_r4nd0m_alt\r\nContent-Type: text/html");
  const auto altEnd = d.find("--=_m3m_r4nd0m_alt--");
  const auto pdf = d.find("Content-Type: application/pdf;\r\n name=\"report.pdf\"");
  const auto mixEnd = d.find("--=_m3m_r4nd0m_mix--");
  ASSERT_NE(alt, std::string::npos);
  ASSERT_NE(pdf, std::string::npos);
  EXPECT_LT(alt, html);
  EXPECT_LT(html, altEnd);
  EXPECT_LT(altEnd, pdf);
  EXPECT_LT(pdf, mixEnd);
  EXPECT_NE(d.find("Content-Disposition: attachment;\r\n filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                   m3m::lib::base64Encode(std::string("%PDF\0\1\2", 7)) + "\r\n"),
            std::string::npos);
  // A UTF-8 file name: RFC 2231 extended parameter; the type from its extension.
  EXPECT_NE(d.find("Content-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment;\r\n filename*=UTF-8''%D1%81%D1%87%D1%91%D1%82.txt"),
            std::string::npos);
  // CRLF only, and no line longer than 998 characters.
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] == '\n') {
      ASSERT_TRUE(i > 0 && d[i - 1] == '\r') << "bare LF at " << i;
    }
  for (const auto& l : lines(d)) EXPECT_LE(l.size(), 998u);
}

TEST(Mime, BccNeverInHeaders) {
  // The builder has no Bcc field at all; a Bcc passed as an extra header is refused.
  Message m = basic();
  m.headers = {{"bcc", "spy@example.com"}};
  expectInvalid([&] { build(m, fixedRandom); }, "set by smtp.send");
}

TEST(Mime, HeaderInjectionRefused) {
  auto with = [](const std::function<void(Message&)>& change) {
    Message m = basic();
    change(m);
    return [m] { build(m, fixedRandom); };
  };
  expectInvalid(with([](Message& m) { m.subject = "Hi\r\nBcc: evil@x.y"; }), "subject must not contain CR or LF");
  expectInvalid(with([](Message& m) { m.subject = "Hi\nthere"; }), "header injection");
  expectInvalid(with([](Message& m) { m.to[0].name = "Ada\r\nX-Evil: 1"; }), "to[0] name must not contain CR or LF");
  expectInvalid(with([](Message& m) { m.to[0].email = "a@b.c\r\nX: y"; }), "to[0] must not contain CR or LF");
  expectInvalid(with([](Message& m) { m.from.email = "a@b.c\nX: y"; }), "from must not contain CR or LF");
  expectInvalid(with([](Message& m) { m.headers = {{"X-Ok", "v\r\nBcc: e@x.y"}}; }), "header injection");
  expectInvalid(with([](Message& m) { m.headers = {{"X-Bad\r\nBcc", "v"}}; }), "header name");
  expectInvalid(with([](Message& m) { m.headers = {{"Bad Name", "v"}}; }), "header name");
  expectInvalid(with([](Message& m) { m.attachments = {{"a.txt\r\nX: y", "", "x"}}; }), "attachments[0].filename must not contain CR or LF");
  expectInvalid(with([](Message& m) { m.attachments = {{"a.txt", "text/plain\r\nX: y", "x"}}; }), "attachments[0].contentType");
  expectInvalid(with([](Message& m) { m.attachments = {{"a.txt", "nonsense", "x"}}; }), "not a type/subtype");
  expectInvalid(with([](Message& m) { m.subject = std::string("a\0b", 3); }), "subject");
  expectInvalid(with([](Message& m) { m.to[0].email = "nobody"; }), "not an email address");
}
