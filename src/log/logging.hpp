// The server log: console + rotating file at logging.path/m3m.log, written by
// an async logger (a bounded queue and one thread), as text or JSON lines.
#pragma once

#include <spdlog/logger.h>

#include <cstddef>
#include <memory>

#include "config/config.hpp"

namespace m3m::log {

// Lines queued before the oldest is dropped (logging is never a request's wait).
inline constexpr std::size_t kQueueLines = 8192;

// A message starting with this carries its fields as one JSON object: in
// logging.format json they become the line's own fields (the access log).
inline constexpr const char* kFieldsMark = "\x1e";

// Throws m3m::Error(UNAVAILABLE) when the log folder cannot be created.
// Queued lines are written when the last reference goes (at stop).
std::shared_ptr<spdlog::logger> makeServerLogger(const config::LoggingConfig& cfg);

// A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) first writes what the
// server logger has queued, with a line naming the signal, then dies of the
// signal as before. `serve` installs it after makeServerLogger.
void flushOnFatalSignals();

// Console only: for CLI commands that must not touch the log folder.
std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level = "info");

}  // namespace m3m::log
