#include "lib/json.hpp"

#include <string>
#include <utility>
#include <vector>

#include "m3m/error.hpp"

namespace m3m::lib {
namespace {

struct TooDeep {
  std::size_t byte;
};

// nlohmann reports each array/object start with the depth it opens at (0 for
// the top level); throwing from the callback stops the parse before the
// document grows further.
bool limitDepth(int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
  if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
      depth >= JSON_MAX_DEPTH)
    throw TooDeep{0};
  return true;
}

std::string detail(const std::exception& e) {
  std::string s = e.what();
  auto colon = s.find(": ");
  // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..." → after the first ": "
  return colon == std::string::npos ? s : s.substr(colon + 2);
}

}  // namespace

nlohmann::json parseJson(std::string_view text, std::string_view what) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), limitDepth);
  } catch (const TooDeep&) {
    throw Error(ErrorCode::INVALID_ARGUMENT, std::string(what) + " nests arrays/objects deeper than " +
                                                 std::to_string(JSON_MAX_DEPTH) + " levels (the limit)");
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorCode::INVALID_ARGUMENT,
                "malformed JSON at byte " + std::to_string(e.byte) + ": " + detail(e));
  } catch (const nlohmann::json::out_of_range& e) {
    // 1e309: strtod overflows to infinity, which JSON cannot carry.
    throw Error(ErrorCode::INVALID_ARGUMENT, std::string(what) + " has a number out of range: " + detail(e));
  }
}

nlohmann::json parseJsonOrDiscarded(std::string_view text) noexcept {
  try {
    return nlohmann::json::parse(text.begin(), text.end(), limitDepth);
  } catch (...) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

int jsonDepth(const nlohmann::json& v) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> todo{{&v, 0}};
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const auto& child : *node) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

}  // namespace m3m::lib
