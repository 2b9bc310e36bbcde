// The one way JSON text becomes a value anywhere in the server (request
// bodies, stored documents read back, values crossing from JavaScript, config).
// nlohmann's dump, copy and comparison recurse once per nesting level, so a
// value nested 100,000 deep overflows whichever thread touches it next; the
// depth is bounded here, at the only door, and every consumer can recurse safely.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace m3m::lib {

// Arrays and objects nested deeper than this are refused (documented in docs/api.md).
inline constexpr int JSON_MAX_DEPTH = 256;

// Parses `text`. Malformed text, nesting deeper than JSON_MAX_DEPTH and numbers
// outside a double's range (1e309) throw m3m::Error INVALID_ARGUMENT; `what`
// names the document in the message ("request body", "the stored value").
nlohmann::json parseJson(std::string_view text, std::string_view what = "JSON");

// The same checks without throwing: a discarded value when `text` is refused.
nlohmann::json parseJsonOrDiscarded(std::string_view text) noexcept;

// Deepest nesting of arrays/objects in `v` (0 for a scalar), without recursion.
int jsonDepth(const nlohmann::json& v);

}  // namespace m3m::lib
