#include "log/logging.hpp"

#include "log/console_sink.hpp"
#include "log/line_formatter.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <ctime>
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
  ~AsyncServerLogger();
};

// The logger a fatal signal flushes (the last one made; null once it went).
std::atomic<AsyncServerLogger*> crashLogger{nullptr};

AsyncServerLogger::~AsyncServerLogger() {
  AsyncServerLogger* self = this;
  crashLogger.compare_exchange_strong(self, nullptr);
}

// Best effort, in a dying process: names the signal in the log, lets the
// log thread write what is queued (up to 2 s), then dies of the signal as
// it would have (the default action: core dump, exit status). Not
// async-signal-safe, knowingly — losing the last lines is worse.
void onFatalSignal(int sig) {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true)) {
    if (AsyncServerLogger* held = crashLogger.load()) {
      held->logger->critical("fatal signal {} ({}): flushing the log and stopping", sig, strsignal(sig));
      held->logger->flush();
      const timespec pause{0, 1'000'000};
      for (int i = 0; i < 2000 && held->pool->queue_size() > 0; ++i) nanosleep(&pause, nullptr);
      const timespec last{0, 20'000'000};  // the flush message itself, taken off the queue last
      nanosleep(&last, nullptr);
    }
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

std::shared_ptr<spdlog::logger> makeServerLogger(const config::LoggingConfig& cfg) {
  std::error_code ec;
  std::filesystem::create_directories(cfg.path, ec);
  if (ec) throw Error(ErrorCode::UNAVAILABLE, "logging.path: cannot create " + cfg.path + ": " + ec.message());
  auto held = std::make_shared<AsyncServerLogger>();
  held->pool = std::make_shared<spdlog::details::thread_pool>(kQueueLines, 1);
  std::vector<spdlog::sink_ptr> sinks;
  // The console sink asks the pool whether more lines wait; the pool outlives
  // the sinks (its destructor drains the queue into them, then it goes).
  sinks.push_back(std::make_shared<ConsoleSink>([pool = held->pool.get()] { return pool->queue_size() == 0; }));
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
  held->logger = std::make_shared<spdlog::async_logger>("m3m", sinks.begin(), sinks.end(), held->pool,
                                                        spdlog::async_overflow_policy::overrun_oldest);
  held->logger->set_formatter(formatterFor(cfg.format));
  held->logger->set_level(spdlog::level::from_str(cfg.level));
  held->logger->flush_on(spdlog::level::warn);
  crashLogger.store(held.get());
  return std::shared_ptr<spdlog::logger>(held, held->logger.get());
}

void flushOnFatalSignals() {
  struct sigaction sa {};
  sa.sa_handler = onFatalSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &sa, nullptr);
}

std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("m3m", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_formatter(std::make_unique<TextLineFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

}  // namespace m3m::log
