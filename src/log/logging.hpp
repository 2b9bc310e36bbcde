// The server log: console + rotating file at logging.path/m3m.log.
#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "config/config.hpp"

namespace m3m::log {

// Throws m3m::Error(UNAVAILABLE) when the log folder cannot be created.
std::shared_ptr<spdlog::logger> makeServerLogger(const config::LoggingConfig& cfg);

// Console only: for CLI commands that must not touch the log folder.
std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level = "info");

}  // namespace m3m::log
