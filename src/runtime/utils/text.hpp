// The text helpers of the `utils` runtime module (runtime/modules/utils.cpp):
// plain C++ over ICU, no V8, so they are unit-tested on their own
// (tests/unit/utils/text_test.cpp). Strings are UTF-8; invalid UTF-8 is
// refused with m3m::Error INVALID_ARGUMENT.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace m3m::utils {

// slugify() refuses longer input (bytes of UTF-8): slugs are short, and the
// transliteration runs outside the CPU watchdog.
inline constexpr std::size_t kMaxSlugifyInput = 100'000;

// A URL slug: [a-z0-9] runs joined by single '-', no leading or trailing '-'.
// Other scripts are transliterated with ICU: Russian Cyrillic by BGN/PCGN
// ("Щука" → "shchuka", "Юля" → "yulya"), everything else by Any-Latin
// (Chinese as pinyin, Greek, Arabic, …), then Latin-ASCII folds accents and
// ligatures ("Größe" → "grosse", "Łódź" → "lodz", "Æ" → "ae"). Apostrophes and
// quotes vanish without a break ("don't" → "dont", the soft and hard signs of
// BGN); every other character that is not a letter or digit after that (space,
// punctuation, emoji, symbols, scripts ICU cannot romanize) separates words.
// "Привет, мир!" → "privet-mir"; "" or only emoji → "".
std::string slugify(std::string_view text);

// At most `length` code points. Text that fits is returned as is; longer text
// is cut to `length - len(suffix)` code points followed by `suffix`. When the
// suffix alone does not fit (len(suffix) >= length), the text is cut to
// `length` code points without a suffix, so the result never exceeds `length`.
std::string truncate(std::string_view text, std::size_t length, std::string_view suffix);

// The first code point in title case (full Unicode mapping: "ß" → "Ss",
// "ǆ" → "ǅ", "ёж" → "Ёж"); the rest unchanged ("mcDonald" → "McDonald").
std::string capitalize(std::string_view text);

// Number of code points of valid UTF-8 (throws INVALID_ARGUMENT otherwise).
std::size_t codePoints(std::string_view text);

}  // namespace m3m::utils
