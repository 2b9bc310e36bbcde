// utils.slugify / truncate / capitalize (runtime/utils/text.cpp): tables.
#include "runtime/utils/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <m3m/error.hpp>

using namespace m3m::utils;

namespace {

struct Case {
  std::string in, out;
};

TEST(Slugify, Table) {
  const std::vector<Case> cases = {
      {"Привет, мир!", "privet-mir"},                    // the example
      {"Щука съешь ёжика", "shchuka-syesh-yezhika"},      // BGN/PCGN: щ→shch, ё→ye; soft/hard signs vanish
      {"Жёлтый Юля Цой Хабр", "zheltyy-yulya-tsoy-khabr"},
      {"Ёлка", "yelka"},
      {"Київ", "kiiv"},                                  // Ukrainian through the Russian table, ї by Any-Latin
      {"Hello World", "hello-world"},
      {"  --Hello---World--  ", "hello-world"},
      {"ABC123def", "abc123def"},
      {"Größe Über Straße", "grosse-uber-strasse"},      // umlauts fold to the base letter, ß → ss
      {"ß ẞ", "ss-ss"},
      {"Łódź Æsir œuvre", "lodz-aesir-oeuvre"},
      {"Ölçü İstanbul", "olcu-istanbul"},
      {"Tiếng Việt", "tieng-viet"},
      {"中文 你好", "zhong-wen-ni-hao"},                  // Han as Mandarin pinyin
      {"日本語", "ri-ben-yu"},
      {"Ελληνικά", "ellenika"},
      {"한국어", "hangug-eo"},
      {"Café №5 ½", "cafe-no5-1-2"},
      {"don't stop", "dont-stop"},                       // apostrophes join
      {"it’s “quoted”", "its-quoted"},
      {"😀 emoji ✓", "emoji"},                           // emoji and symbols separate, never appear
      {"a😀b", "a-b"},
      {"😀🎉", ""},
      {"", ""},
      {"---", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(slugify(c.in), c.out) << "slugify(\"" << c.in << "\")";
}

TEST(Slugify, RefusesInvalidUtf8AndHugeInput) {
  EXPECT_THROW(slugify("ab\xff"), m3m::Error);
  EXPECT_THROW(slugify("\xd0"), m3m::Error);  // cut in the middle of a sequence
  EXPECT_NO_THROW(slugify(std::string(kMaxSlugifyInput, 'a')));
  try {
    slugify(std::string(kMaxSlugifyInput + 1, 'a'));
    FAIL() << "no throw";
  } catch (const m3m::Error& e) {
    EXPECT_EQ(e.code(), m3m::ErrorCode::INVALID_ARGUMENT);
    EXPECT_NE(std::string(e.what()).find("100000"), std::string::npos) << e.what();
  }
}

TEST(Slugify, LongCyrillicTextIsFast) {
  std::string text;
  while (text.size() + 40 < kMaxSlugifyInput) text += "Съешь же ещё этих мягких булок. ";
  const auto slug = slugify(text);
  EXPECT_EQ(slug.rfind("syesh-zhe-yeshche-etikh-myagkikh-bulok-", 0), 0u) << slug.substr(0, 80);
}

struct TruncateCase {
  std::string text;
  size_t length;
  std::string suffix, out;
};

TEST(Truncate, CountsCodePointsNotBytes) {
  const std::vector<TruncateCase> cases = {
      {"Hello, world", 8, "...", "Hello..."},
      {"Hello", 5, "...", "Hello"},
      {"Hello", 10, "...", "Hello"},
      {"Привет, мир", 7, "…", "Привет…"},
      {"Привет, мир", 11, "…", "Привет, мир"},
      {"😀😀😀😀", 3, "", "😀😀😀"},
      {"😀😀😀😀", 3, "…", "😀😀…"},
      {"abcdef", 4, "...", "a..."},
      {"abcdef", 3, "...", "abc"},  // the suffix alone does not fit: cut without it
      {"abcdef", 2, "...", "ab"},
      {"abcdef", 0, "...", ""},
      {"", 0, "...", ""},
  };
  for (const auto& c : cases)
    EXPECT_EQ(truncate(c.text, c.length, c.suffix), c.out) << c.text << " / " << c.length << " / " << c.suffix;
  EXPECT_THROW(truncate("a\xffz", 1, "..."), m3m::Error);
}

TEST(Capitalize, FirstCodePointInTitleCase) {
  const std::vector<Case> cases = {
      {"hello", "Hello"},   {"élan", "Élan"},     {"ёжик", "Ёжик"}, {"ßa", "Ssa"},
      {"ǆemal", "ǅemal"},   {"ﬁne", "Fine"},      {"", ""},         {"1abc", "1abc"},
      {"mcDonald", "McDonald"}, {"😀x", "😀x"}, {"Already", "Already"}, {"i", "I"},
  };
  for (const auto& c : cases) EXPECT_EQ(capitalize(c.in), c.out) << "capitalize(\"" << c.in << "\")";
  EXPECT_THROW(capitalize("\xff"), m3m::Error);
}

TEST(CodePoints, Counts) {
  EXPECT_EQ(codePoints(""), 0u);
  EXPECT_EQ(codePoints("abc"), 3u);
  EXPECT_EQ(codePoints("мир"), 3u);
  EXPECT_EQ(codePoints("😀"), 1u);
}

}  // namespace
