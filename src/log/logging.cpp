#include "log/logging.hpp"

#include "log/line_formatter.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <m3m/error.hpp>

namespace m3m::log {
namespace {

std::unique_ptr<spdlog::formatter> formatterFor(const std::string& format) {
  if (format == "json") return std::make_unique<JsonLineFormatter>();
  return std::make_unique<TextLineFormatter>();
}

// The async logger keeps only a weak reference to its thread pool: the pool
// lives beside it, and goes (draining its queue into the sinks) after it.
struct AsyncServerLogger {
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
};

}  // namespace

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
  // Formatting and writing happen on the log's own thread: a request only
  // queues its line. The queue is bounded; when it is full the oldest
  // queued line is dropped (a flood of access lines never slows requests
  // down nor grows memory); docs/configuration.md.
  auto held = std::make_shared<AsyncServerLogger>();
  held->pool = std::make_shared<spdlog::details::thread_pool>(kQueueLines, 1);
  held->logger = std::make_shared<spdlog::async_logger>("m3m", sinks.begin(), sinks.end(), held->pool,
                                                        spdlog::async_overflow_policy::overrun_oldest);
  held->logger->set_formatter(formatterFor(cfg.format));
  held->logger->set_level(spdlog::level::from_str(cfg.level));
  held->logger->flush_on(spdlog::level::warn);
  return std::shared_ptr<spdlog::logger>(held, held->logger.get());
}

std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("m3m", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_formatter(std::make_unique<TextLineFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

}  // namespace m3m::log
