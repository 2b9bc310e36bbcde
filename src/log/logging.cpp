#include "log/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <m3m/error.hpp>
#include <nlohmann/json.hpp>

namespace m3m::log {
namespace {
constexpr const char* kPattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] %v";

// logging.format json: one JSON object per line. A message that starts with
// kFieldsMark carries its own fields as a JSON object (the access log's);
// any other message becomes "msg", escaped.
class JsonLine final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (payload.starts_with(kFieldsMark) && payload.size() > 2 && payload.back() == '}') {
      payload.remove_prefix(std::string_view(kFieldsMark).size());
      dest.push_back(',');
      dest.append(payload.data() + 1, payload.data() + payload.size());  // its fields, after the '{'
      return;
    }
    const std::string text = nlohmann::json(std::string(payload)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    static constexpr std::string_view kMsg = ",\"msg\":";
    dest.append(kMsg.data(), kMsg.data() + kMsg.size());
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('}');
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonLine>(); }
};

void applyFormat(spdlog::logger& logger, const std::string& format) {
  if (format != "json") return logger.set_pattern(kPattern);
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonLine>('*').set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l"%*)");
  logger.set_formatter(std::move(formatter));
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
  applyFormat(*held->logger, cfg.format);
  held->logger->set_level(spdlog::level::from_str(cfg.level));
  held->logger->flush_on(spdlog::level::warn);
  return std::shared_ptr<spdlog::logger>(held, held->logger.get());
}

std::shared_ptr<spdlog::logger> makeConsoleLogger(const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>("m3m", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_pattern(kPattern);
  logger->set_level(spdlog::level::from_str(level));
  return logger;
}

}  // namespace m3m::log
