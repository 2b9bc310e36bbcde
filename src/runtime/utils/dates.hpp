// utils.formatDate / utils.parseDate (runtime/modules/utils.cpp): Day.js-style
// format tokens over Abseil's time zones (cctz reading tzdata), with no V8, so
// they are unit-tested on their own (tests/unit/utils/dates_test.cpp).
//
// Tokens (docs/runtime.md, "utils"): YYYY YY M MM MMM MMMM D DD d ddd dddd
// H HH h hh A a m mm s ss SSS Z ZZ X x, and z (zone abbreviation, format only).
// Other characters are literal; [text] is literal text (e.g. [at] or [T]).
// English month and day names. Errors are m3m::Error INVALID_ARGUMENT.
//
// Zones: "" or "UTC" is UTC; "+03:00" / "-0530" a fixed offset; anything else
// an IANA name ("Europe/Berlin") from tzdata, as in schedule.cron.
//
// Local times that a DST change skips or repeats are read as JavaScript's
// Date and Temporal ('compatible') do: a skipped time moves forward by the
// length of the gap (Berlin 2026-03-29 02:30 → 03:30 CEST), a repeated one is
// its first occurrence (Berlin 2026-10-25 02:30 → 02:30 CEST, not CET).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace m3m::utils {

// The range of a JavaScript Date: ±100,000,000 days from 1970.
inline constexpr std::int64_t kMaxDateMs = 8'640'000'000'000'000;
// Formats and date texts are short; longer ones are refused.
inline constexpr std::size_t kMaxDateFormat = 256;
inline constexpr std::size_t kMaxDateText = 256;
// The format used when none is given: ISO 8601 with the zone's offset.
inline constexpr std::string_view kIsoFormat = "YYYY-MM-DDTHH:mm:ss.SSSZ";

// `ms` (milliseconds since the epoch, within ±kMaxDateMs) as wall-clock text in `zone`.
std::string formatDate(std::int64_t ms, std::string_view format, std::string_view zone);

// Reads `text` exactly as `format` describes it (the whole text; numbers of
// fixed width where the token is, e.g. MM = 2 digits, M = 1–2). Fields not in
// the format default to 1970-01-01 00:00:00.000. An offset in the text (Z, ZZ)
// wins over `zone`; X or x give the instant directly. Field ranges are checked
// (no February 30th; hour 0–23; h 1–12), and a day name must match the date.
// Returns milliseconds since the epoch.
std::int64_t parseDate(std::string_view text, std::string_view format, std::string_view zone);

// ISO 8601 / RFC 3339: YYYY-MM-DD, optionally followed by T (or t or a space)
// and HH:mm, HH:mm:ss or HH:mm:ss.fraction (1–9 digits, cut to milliseconds),
// optionally followed by Z or an offset ±HH:MM, ±HHMM, ±HH. Without an offset
// the wall-clock time is read in `zone` (also for a date alone).
std::int64_t parseIsoDate(std::string_view text, std::string_view zone);

// Checks a zone argument (the rules above) / a format; throw INVALID_ARGUMENT.
void checkZone(std::string_view zone);
void checkFormat(std::string_view format, bool parsing);

}  // namespace m3m::utils
