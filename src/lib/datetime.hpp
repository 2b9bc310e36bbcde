// ISO-8601 dates and times as data models store them: UTC, fixed width, so
// text order is time order.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

// "YYYY-MM-DD", "YYYY-MM-DD[T| ]HH:MM[:SS[.fff…]]" with an optional "Z" or
// "±HH:MM"/"±HHMM" (none = UTC) → "YYYY-MM-DDTHH:MM:SS.mmmZ"; nullopt when
// it is not a real date and time (years 0001–9999).
std::optional<std::string> normalizeDatetime(std::string_view s);
// Exactly "YYYY-MM-DD", a real calendar date.
bool isValidDate(std::string_view s);

}  // namespace m3m::lib
