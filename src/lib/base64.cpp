#include "lib/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace m3m::lib {

std::string base64Encode(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 1, '\0');  // EVP_EncodeBlock writes a NUL
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  // EVP_DecodeBlock skips blanks and ignores where '=' stands; we accept only
  // canonical padded text, so check that first.
  if (text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const auto body = text.substr(0, text.size() - pad);
  const bool alphabet = std::all_of(body.begin(), body.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  });
  if (!alphabet) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);  // the block decoder counts padding as zero bytes
  return out;
}

std::string base64urlEncode(std::string_view bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64DecodeLenient(std::string_view text, Base64Alphabet alphabet) {
  std::string padded(text);
  for (char& c : padded) {
    // Each alphabet refuses the other's two characters; base64Decode checks the rest.
    if (alphabet == Base64Alphabet::Url) {
      if (c == '+' || c == '/') return std::nullopt;
      if (c == '-') c = '+';
      else if (c == '_') c = '/';
    } else if (c == '-' || c == '_') {
      return std::nullopt;
    }
  }
  if (padded.find('=') == std::string::npos) {
    if (padded.size() % 4 == 1) return std::nullopt;
    padded.append((4 - padded.size() % 4) % 4, '=');
  }
  return base64Decode(padded);
}

std::optional<std::string> base64DecodeForgiving(std::string_view text) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r') compact += c;
  return base64DecodeLenient(compact, Base64Alphabet::Standard);
}

}  // namespace m3m::lib
