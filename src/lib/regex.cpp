#include "lib/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <unordered_map>

namespace m3m::lib {
namespace {

// Bounds on one match: steps of the matcher (about 1/10 s of work) and heap
// for its backtracking frames. Past either, the answer is `tooComplex`.
constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kHeapLimitKiB = 8 * 1024;
constexpr size_t kCacheEntries = 64;

struct MatchContextDeleter {
  void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
};

// One match context for every pattern: only limits, no per-pattern state.
pcre2_match_context* limits() {
  static const std::unique_ptr<pcre2_match_context, MatchContextDeleter> ctx = [] {
    std::unique_ptr<pcre2_match_context, MatchContextDeleter> c(pcre2_match_context_create(nullptr));
    pcre2_set_match_limit(c.get(), kMatchLimit);
    pcre2_set_heap_limit(c.get(), kHeapLimitKiB);
    return c;
  }();
  return ctx.get();
}

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

Regex::Regex(std::string_view pattern, Options options) : impl_(std::make_unique<Impl>()) {
  uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (options == Options::caseless) flags |= PCRE2_CASELESS;
  int err = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &err, &offset,
                              nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(err, message, sizeof message);
    throw RegexError(std::string(reinterpret_cast<const char*>(message)) + " at offset " + std::to_string(offset));
  }
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

Regex::Result Regex::search(std::string_view subject) const { return run(subject, false); }
Regex::Result Regex::fullMatch(std::string_view subject) const { return run(subject, true); }

Regex::Result Regex::run(std::string_view subject, bool whole) const {
  // Match data per call: a Regex is shared between threads.
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (!data) throw std::bad_alloc();
  const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                             whole ? PCRE2_ANCHORED | PCRE2_ENDANCHORED : 0, data, limits());
  pcre2_match_data_free(data);
  if (rc >= 0) return Result::found;
  if (rc == PCRE2_ERROR_NOMATCH) return Result::notFound;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
      rc == PCRE2_ERROR_NOMEMORY)
    return Result::tooComplex;
  return Result::notFound;  // e.g. a UTF error in the subject: not a match
}

const Regex& cachedRegex(const std::string& pattern) {
  thread_local std::unordered_map<std::string, Regex> cache;
  if (auto it = cache.find(pattern); it != cache.end()) return it->second;
  if (cache.size() >= kCacheEntries) cache.clear();  // patterns are few; a flood of new ones just recompiles
  return cache.try_emplace(pattern, pattern).first->second;
}

}  // namespace m3m::lib
