// The server log: console + rotating file at logging.path/m3m.log, as text or
// JSON lines, written in chunks by one log thread (log/batch_sink.hpp).
#pragma once

#include <spdlog/logger.h>

#include <chrono>
#include <cstddef>
#include <memory>

#include "config/config.hpp"

namespace m3m::log {

// The log thread writes a line at once when it was idle; lines that keep
// coming are written when kWriteBytes are pending (in chunks of kChunkBytes)
// or every kFlushInterval; a line at warn and above at once.
// Past kPendingBytes pending (the thread fell behind), the oldest chunk is
// dropped: logging is never a request's wait.
inline constexpr std::size_t kChunkBytes = 32 * 1024;
inline constexpr std::size_t kWriteBytes = 256 * 1024;
inline constexpr std::size_t kPendingBytes = 4 * 1024 * 1024;
inline constexpr std::chrono::milliseconds kFlushInterval{50};

// A message starting with this carries its fields as one JSON object: in
// logging.format json they become the line's own fields (the access log).
inline constexpr const char* kFieldsMark = "\x1e";

// Throws m3m::Error(UNAVAILABLE) when the log folder cannot be created.
// Pending lines are written when the last reference goes (at stop).
std::shared_ptr<spdlog::logger> makeServerLogger(const config::LoggingConfig& cfg);

// A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) first writes what the
// server logger has pending, with a line naming the signal, then dies of the
// signal as before. `serve` installs it after makeServerLogger.
void flushOnFatalSignals();

// Console only: for CLI commands that must not touch the log folder.
std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level = "info");

}  // namespace m3m::log
