#include "log/logging.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <m3m/error.hpp>

namespace m3m::log {
namespace {
constexpr const char* kPattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] %v";
}

std::shared_ptr<spdlog::logger> makeServerLogger(const config::LoggingConfig& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.path, ec);
  if (ec) throw Error(ErrorCode::UNAVAILABLE, "logging.path: cannot create " + cfg.path + ": " + ec.message());
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  try {
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        (std::filesystem::path(cfg.path) / "m3m.log").string(), cfg.maxSize, static_cast<size_t>(cfg.maxFiles)));
  } catch (const spdlog::spdlog_ex& e) {
    throw Error(ErrorCode::UNAVAILABLE, "logging.path: cannot open the log file: " + std::string(e.what()));
  }
  auto logger = std::make_shared<spdlog::logger>("m3m", sinks.begin(), sinks.end());
  logger->set_pattern(kPattern);
  logger->set_level(spdlog::level::from_str(cfg.level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("m3m", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern(kPattern);
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

}  // namespace m3m::log
