// lib::Regex: PCRE2 with limits, in place of std::regex (whose recursive
// backtracking hung the json_body fuzz target on `(a|aa)*b`).
#include "lib/regex.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using m3m::lib::cachedRegex;
using m3m::lib::Regex;
using m3m::lib::RegexError;
using Result = Regex::Result;

TEST(Regex, SearchFindsAnywhereFullMatchNeedsAll) {
  Regex re("[0-9]+");
  EXPECT_EQ(re.search("abc 123 def"), Result::found);
  EXPECT_EQ(re.search("abc"), Result::notFound);
  EXPECT_EQ(re.fullMatch("123"), Result::found);
  EXPECT_EQ(re.fullMatch("123\n"), Result::notFound) << "no `$`-style slack before a final newline";
  EXPECT_EQ(re.fullMatch("x123"), Result::notFound);
  EXPECT_EQ(Regex("^a$").search("b\na"), Result::notFound) << "not multiline by default";
}

TEST(Regex, Utf8AndCaseless) {
  EXPECT_EQ(Regex("^.{3}$").search("ééé"), Result::found) << "a dot is a code point";
  EXPECT_EQ(Regex("abc", Regex::Options::caseless).fullMatch("AbC"), Result::found);
  EXPECT_EQ(Regex("abc").fullMatch("AbC"), Result::notFound);
  EXPECT_EQ(Regex("a").search(std::string("\xff\xfe a", 4)), Result::found) << "invalid UTF-8 does not stop a match";
}

TEST(Regex, BadPatternsThrowWithWhere) {
  for (const char* bad : {"(", "[a-", "a{2,1}", "(?<n>a)(?<n>b)", "\\"}) {
    try {
      Regex re(bad);
      ADD_FAILURE() << bad << " compiled";
    } catch (const RegexError& e) {
      EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
    }
  }
}

// The patterns that hang or crash a recursive backtracker end, quickly, in
// tooComplex (or a plain answer) instead.
TEST(Regex, CatastrophicPatternsAreBounded) {
  const auto start = std::chrono::steady_clock::now();
  const std::string as = std::string(40, 'a') + "bc";
  EXPECT_EQ(Regex("^(a|aa)*c").search(as), Result::tooComplex) << "exponential backtracking hits the match limit";
  EXPECT_EQ(Regex("(a|aa)*b$").search(std::string(40, 'a')), Result::notFound) << "PCRE2 sees no b: no search at all";
  std::string ab;
  for (int i = 0; i < 2000; ++i) ab += "ab";
  EXPECT_EQ(Regex("^(a|b)*$").search(ab), Result::found) << "4 KB through a group";
  for (int i = 0; i < 100000; ++i) ab += "ab";
  EXPECT_NE(Regex("^(a|b)*$").search(ab), Result::found) << "200 KB through a group: bounded heap, no stack overflow";
  EXPECT_EQ(Regex("^[ab]*$").search(ab), Result::found) << "…which a character class does not need";
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(20)) << "limits bound each match (generous under sanitizers)";
  EXPECT_THROW(Regex("((a{1000}){1000}){1000}"), RegexError) << "a pattern too large to compile";
}

TEST(Regex, CachedPatternsAreSharedPerThreadAndBadOnesThrow) {
  const Regex& a = cachedRegex("x+");
  EXPECT_EQ(&a, &cachedRegex("x+"));
  EXPECT_THROW(cachedRegex("("), RegexError);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(cachedRegex("p" + std::to_string(i)).search("p" + std::to_string(i)), Result::found);
}

TEST(Regex, OneCompiledPatternFromManyThreads) {
  const Regex re("^[a-z]+-[0-9]+$");
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) found += re.search("abc-" + std::to_string(i)) == Result::found;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 4000);
}
