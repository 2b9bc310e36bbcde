#include "runtime/utils/text.hpp"

#include <unicode/locid.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <memory>

#include <m3m/error.hpp>

namespace m3m::utils {
namespace {

[[noreturn]] void notUtf8() { throw Error(ErrorCode::INVALID_ARGUMENT, "is not valid UTF-8"); }

// Byte offset just past `n` code points of `text` (or its size), validating as it goes.
std::size_t offsetAfter(std::string_view text, std::size_t n, std::size_t* counted = nullptr) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto len = static_cast<int32_t>(text.size());
  int32_t i = 0;
  std::size_t k = 0;
  while (i < len && k < n) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) notUtf8();
    ++k;
  }
  if (counted) *counted = k;
  return static_cast<std::size_t>(i);
}

// Russian Cyrillic by BGN/PCGN (readable: щ → shch, ю → yu); what it leaves
// (other Cyrillic, other scripts) by Any-Latin; then accents and ligatures
// folded to ASCII. A Transliterator is not safe to share between threads:
// one per thread (the runtime's pool threads), built on first use.
icu::Transliterator& transliterator() {
  thread_local std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parseError;
    std::unique_ptr<icu::Transliterator> made(icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8("Russian-Latin/BGN; Any-Latin; Latin-ASCII"), UTRANS_FORWARD, parseError, status));
    if (U_FAILURE(status) || !made)
      throw Error(ErrorCode::INTERNAL, std::string("ICU transliterator unavailable: ") + u_errorName(status));
    return made;
  }();
  return *t;
}

bool isAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Apostrophes and quotes (ASCII, typographic, and BGN's soft/hard signs ʹ ʺ,
// which Latin-ASCII already turned into ' and "): dropped without a break.
bool isQuote(UChar32 c) {
  return c == '\'' || c == '"' || c == '`' || c == 0x2019 || c == 0x2018 || c == 0x02B9 || c == 0x02BA ||
         c == 0x02BC || c == 0x201C || c == 0x201D;
}

}  // namespace

std::size_t codePoints(std::string_view text) {
  std::size_t n = 0;
  offsetAfter(text, text.size(), &n);
  return n;
}

std::string slugify(std::string_view text) {
  if (text.size() > kMaxSlugifyInput)
    throw Error(ErrorCode::INVALID_ARGUMENT,
                "is longer than " + std::to_string(kMaxSlugifyInput) + " bytes (" + std::to_string(text.size()) + ")");
  offsetAfter(text, text.size());  // validates
  std::string latin;
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    latin.assign(text);
  } else {
    auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    transliterator().transliterate(u);
    u.toUTF8String(latin);
  }
  std::string out;
  out.reserve(latin.size());
  bool gap = false;
  const auto* s = reinterpret_cast<const uint8_t*>(latin.data());
  const auto len = static_cast<int32_t>(latin.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c >= 0 && c < 0x80 && isAsciiAlnum(static_cast<char>(c))) {
      if (gap && !out.empty()) out += '-';
      gap = false;
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else if (!isQuote(c)) {
      gap = true;
    }
  }
  return out;
}

std::string truncate(std::string_view text, std::size_t length, std::string_view suffix) {
  std::size_t total = 0;
  offsetAfter(text, text.size(), &total);
  std::size_t suffixLength = 0;
  offsetAfter(suffix, suffix.size(), &suffixLength);
  if (total <= length) return std::string(text);
  if (suffixLength >= length) return std::string(text.substr(0, offsetAfter(text, length)));
  std::string out(text.substr(0, offsetAfter(text, length - suffixLength)));
  out += suffix;
  return out;
}

std::string capitalize(std::string_view text) {
  const std::size_t first = offsetAfter(text, 1);
  offsetAfter(text, text.size());  // validates the rest
  if (first == 0) return {};
  auto head = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(first)));
  head.toTitle(nullptr, icu::Locale::getRoot());
  std::string out;
  head.toUTF8String(out);
  out.append(text.substr(first));
  return out;
}

}  // namespace m3m::utils
