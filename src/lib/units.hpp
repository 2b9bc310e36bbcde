// Parsing of human-written durations ("30s", "1h30m", "250ms") and sizes
// ("10MB", "512KiB", "1024"). Domain-free: used by config and by services.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace m3m::lib {

// Go-style duration: a sequence of <number><unit>, units ms, s, m, h, d.
// "0" alone is accepted. Returns nullopt on anything else (negative, empty,
// unknown unit, overflow).
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);
std::string formatDuration(std::chrono::milliseconds d);

// Size in bytes: <number>[unit], units B, KB, MB, GB (powers of 1024, as
// users expect for upload limits), KiB/MiB/GiB as synonyms. Case-insensitive.
std::optional<std::uint64_t> parseSize(std::string_view text);
std::string formatSize(std::uint64_t bytes);

}  // namespace m3m::lib
