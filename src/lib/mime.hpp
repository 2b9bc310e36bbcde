// A small Internet Message Format (RFC 5322) + MIME (RFC 2045–2047, 2231)
// builder for the runtime's `smtp` module: UTF-8 headers as RFC 2047
// encoded-words, text bodies quoted-printable, multipart/alternative for
// text + HTML, multipart/mixed with base64 attachments (76-character lines),
// CRLF line endings. Dot-stuffing is left to the SMTP client (libcurl).
// Every header value and address is checked: CR or LF anywhere (header
// injection) is refused with INVALID_ARGUMENT, as are other control characters.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace m3m::lib::mime {

struct Address {
  std::string name;   // display name, UTF-8, may be empty
  std::string email;  // local@domain (ASCII)
};

struct Attachment {
  std::string filename;     // UTF-8
  std::string contentType;  // "application/pdf"; empty = from the filename's extension
  std::string bytes;
};

struct Message {
  Address from;
  std::vector<Address> to, cc, replyTo;  // Bcc is never written into the headers
  std::string subject;                   // UTF-8
  std::optional<std::string> text, html;
  std::vector<Attachment> attachments;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
  std::string messageId;  // "<…@…>"; empty = generated from the sender's domain
  std::time_t date = 0;   // 0 = now
};

struct Built {
  std::string messageId;  // as written in the Message-ID header, with <>
  std::string data;       // the whole message, CRLF line endings
};

// Throws m3m::Error(INVALID_ARGUMENT) naming `what` when the message cannot be
// written safely (CR/LF or control characters in a header, a bad address,
// a header name that is not a token or one the builder writes itself).
// `random` yields fresh random hex text (boundaries, Message-ID); injectable for tests.
Built build(const Message& message, std::string (*random)() = nullptr);

// "Name <a@b.c>", "\"Doe, John\" <j@d.e>", "a@b.c" or "<a@b.c>" → Address.
// Throws INVALID_ARGUMENT ("`what`: …") when it is not one valid address.
Address parseAddress(std::string_view text, std::string_view what);
// true when `email` is local@domain with no spaces, quotes, brackets or control characters.
bool validEmail(std::string_view email);

// The pieces, exposed for tests.
// RFC 2047 "B" encoded-words (UTF-8), each at most 75 characters, never splitting a
// UTF-8 sequence; joined by CRLF + space (folding). `used` = characters already on the line.
std::string encodeWords(std::string_view utf8, size_t used = 0);
// A header value: as-is when it is short printable ASCII, else encoded-words.
std::string headerText(std::string_view utf8, size_t used);
// "Name <a@b>" with the name as an atom, a quoted string or encoded-words.
std::string formatAddress(const Address& a);
// Quoted-printable (RFC 2045 §6.7): lines ≤ 76 characters, line breaks normalised to CRLF.
std::string quotedPrintable(std::string_view bytes);
// Base64 in lines of 76 characters, each ending in CRLF.
std::string base64Lines(std::string_view bytes);
// "Sat, 05 Dec 2026 05:09:36 +0000"
std::string rfc5322Date(std::time_t when);
// A content type from a file name's extension; application/octet-stream when unknown.
std::string contentTypeFor(std::string_view filename);

}  // namespace m3m::lib::mime
