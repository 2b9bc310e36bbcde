// A JSON string for the log's JSON lines, without building a JSON value:
// quotes, backslashes and control characters escaped, invalid UTF-8 replaced
// by U+FFFD (as nlohmann::json's error_handler_t::replace), so any bytes a
// client sends (a path, an X-Request-Id) still give one valid line.
#pragma once

#include <spdlog/common.h>

#include <string_view>

namespace m3m::log {

// Appends `s` as a quoted JSON string.
void appendJsonString(spdlog::memory_buf_t& out, std::string_view s);

}  // namespace m3m::log
