// Regular expressions for patterns users write (model field `pattern`) and
// for fixed ones of our own, through PCRE2. Not std::regex: libstdc++'s
// engine backtracks recursively with no limit, so a pattern like `(a|aa)*b`
// against 40 characters hangs a thread and a long value overflows the stack
// (found by the json_body fuzz target). PCRE2 matches on the heap with a
// match limit and a heap limit: a pathological pattern ends in `tooComplex`.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace m3m::lib {

// A pattern that does not compile; what() says why and where.
class RegexError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Regex {
 public:
  enum class Options { none = 0, caseless = 1 };
  enum class Result { found, notFound, tooComplex };

  // UTF-8, Perl/ECMAScript-like syntax (PCRE2). Throws RegexError.
  explicit Regex(std::string_view pattern, Options options = Options::none);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  // Whether the pattern matches somewhere in `subject` (anchor it with ^…$
  // for the whole text). Invalid UTF-8 in the subject simply does not match.
  // Safe to call from several threads at once.
  Result search(std::string_view subject) const;
  // The whole subject matches.
  Result fullMatch(std::string_view subject) const;

 private:
  Result run(std::string_view subject, bool whole) const;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The compiled form of a user's pattern, reused across calls (per thread, a
// bounded cache): a record write checks the same field pattern again and again.
// The reference holds until the next call on the same thread. Throws RegexError.
const Regex& cachedRegex(const std::string& pattern);

}  // namespace m3m::lib
