// Standard base64 (RFC 4648 §4, with padding; OpenSSL's block coder): how the runtime's `storage`
// module moves bytes across the JSON-valued module boundary — one string
// instead of an array with one JSON number per byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

std::string base64Encode(std::string_view bytes);
// nullopt when `text` is not padded base64 (length % 4 != 0, a
// character outside the alphabet, padding anywhere but the end).
std::optional<std::string> base64Decode(std::string_view text);

enum class Base64Alphabet {
  Standard,  // RFC 4648 §4: + and /
  Url,       // RFC 4648 §5: - and _ (URL and file name safe)
};
// Base64url without padding (the JWT form).
std::string base64urlEncode(std::string_view bytes);
// Padding optional: text without '=' is padded before decoding (a length of
// 4n+1 is refused); text with '=' must be padded exactly. No whitespace, no
// character of the other alphabet.
std::optional<std::string> base64DecodeLenient(std::string_view text, Base64Alphabet alphabet);
// WHATWG "forgiving-base64 decode" (atob): ASCII whitespace is skipped, then
// as base64DecodeLenient(…, Standard).
std::optional<std::string> base64DecodeForgiving(std::string_view text);

}  // namespace m3m::lib
