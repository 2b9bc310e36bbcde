#include "log/logging.hpp"

#include "log/batch_sink.hpp"
#include "log/chunk_sinks.hpp"
#include "log/line_formatter.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <m3m/error.hpp>

namespace m3m::log {
namespace {

std::unique_ptr<spdlog::formatter> formatterFor(const std::string& format) {
  if (format == "json") return std::make_unique<JsonLineFormatter>();
  return std::make_unique<TextLineFormatter>();
}

// The server logger and its sink (whose log thread writes the lines): the
// logger goes first, then the sink, writing what is pending.
struct ServerLogger {
  std::shared_ptr<BatchSink> sink;
  std::shared_ptr<spdlog::logger> logger;
  ~ServerLogger();
};

// The logger a fatal signal flushes (the last one made; null once it went).
std::atomic<ServerLogger*> crashLogger{nullptr};

ServerLogger::~ServerLogger() {
  ServerLogger* self = this;
  crashLogger.compare_exchange_strong(self, nullptr);
}

// Best effort, in a dying process: names the signal in the log, lets the
// log thread write what is pending (up to 2 s), then dies of the signal as
// it would have (the default action: core dump, exit status). Not
// async-signal-safe, knowingly — losing the last lines is worse.
void onFatalSignal(int sig) {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true)) {
    if (ServerLogger* held = crashLogger.load()) {
      char text[160];
      const auto end = fmt::format_to_n(text, sizeof text, "fatal signal {} ({}): flushing the log and stopping", sig,
                                         strsignal(sig));
      const spdlog::details::log_msg line("m3m", spdlog::level::critical,
                                          spdlog::string_view_t(text, std::min(end.size, sizeof text)));
      held->sink->writeAndWait(std::chrono::milliseconds(2000), &line);
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
  auto held = std::make_shared<ServerLogger>();
  std::vector<BatchOutput> out;
  // Only the log thread writes to these: single-threaded sinks. The access
  // lines go to the console only with logging.console: all — one copy of
  // each (the file's), and the console keeps to what the server says.
  if (cfg.console != "off") out.push_back({std::make_shared<ConsoleSink>(), cfg.console == "all"});
  try {
    out.push_back({std::make_shared<RotatingFileSink>((std::filesystem::path(cfg.path) / "m3m.log").string(),
                                                      cfg.maxSize, static_cast<size_t>(cfg.maxFiles)),
                   true});
  } catch (const spdlog::spdlog_ex& e) {
    throw Error(ErrorCode::UNAVAILABLE, "logging.path: cannot open the log file: " + std::string(e.what()));
  }
  // A line is formatted on the thread that logs it into a bounded batch; the
  // log thread writes the batch in chunks (log/batch_sink.hpp). When the
  // batch is full the oldest chunk of lines is dropped (a flood of access
  // lines never slows requests down nor grows memory); docs/configuration.md.
  BatchOptions opts;
  opts.chunkBytes = kChunkBytes;
  opts.writeBytes = kWriteBytes;
  opts.maxBytes = kPendingBytes;
  opts.flushInterval = kFlushInterval;
  held->sink = std::make_shared<BatchSink>(std::move(out), formatterFor(cfg.format), opts);
  held->logger = std::make_shared<spdlog::logger>("m3m", held->sink);
  held->logger->set_formatter(formatterFor(cfg.format));
  held->logger->set_level(spdlog::level::from_str(cfg.level));
  // The sink itself writes a line at warn and above at once (without waiting).
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
