#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "http/middleware/middleware.hpp"
#include "log/logging.hpp"

namespace m3m::http::middleware {

namespace {
constexpr std::string_view kPublic = "/api/storage/public/";

// redactedPath without a copy when there is nothing to redact (every request
// but a public link's).
template <class Fn>
void withRedactedPath(std::string_view path, Fn&& use) {
  if (!path.starts_with(kPublic)) return use(path);
  const std::string redacted = redactedPath(path);
  use(std::string_view(redacted));
}

// The project a /r/<slug>/… request is for; empty for the rest.
std::string_view projectOf(std::string_view path) {
  if (!path.starts_with("/r/")) return {};
  path.remove_prefix(3);
  return path.substr(0, path.find('/'));
}

std::string jsonLine(const Request& req, std::string_view path, const Response& res, double ms) {
  nlohmann::json line = {{"msg", "http"},        {"id", req.requestId},   {"method", req.method},
                         {"path", path},         {"status", res.status},  {"bytes", res.body.size()},
                         {"duration_ms", ms},    {"remote", req.remoteAddress}};
  if (auto project = projectOf(path); !project.empty()) line["project"] = project;
  return m3m::log::kFieldsMark + line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string redactedPath(std::string_view path) {
  if (!path.starts_with(kPublic)) return std::string(path);
  auto rest = path.substr(kPublic.size());
  auto token = rest.substr(0, rest.find('/'));
  std::string out(kPublic);
  out += "…";
  if (token.size() > 12) out += token.substr(token.size() - 6);
  out += rest.substr(token.size());
  return out;
}

// On the request's thread this only prints the line into a stack buffer
// (format string compiled, no parsing) and queues it; the log thread adds the
// time and level and writes it (log/line_formatter.hpp). `req` lives as long
// as the server's Respond, so the callback reads it instead of copying.
Middleware accessLog(std::shared_ptr<spdlog::logger> log, bool json) {
  return [log = std::move(log), json](Request& req, Respond respond, const Handler& next) {
    if (!log->should_log(spdlog::level::info)) return next(req, std::move(respond));
    next(req, [log, json, &req, respond = std::move(respond)](Response res) {
      const auto us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - req.received).count();
      const double ms = static_cast<double>(us) / 1000.0;
      withRedactedPath(req.path, [&](std::string_view path) {
        if (json) return log->log(spdlog::level::info, jsonLine(req, path, res, ms));
        // Milliseconds with two decimals from integers: a double's formatting
        // costs more than the rest of the line.
        const auto hundredths = (us + 5) / 10;
        fmt::memory_buffer line;
        fmt::format_to(std::back_inserter(line), FMT_COMPILE("http {} {} {} {}B {}.{:02}ms id={} remote={}"),
                       req.method, path, res.status, res.body.size(), hundredths / 100, hundredths % 100,
                       req.requestId, req.remoteAddress);
        log->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
      });
      respond(std::move(res));
    });
  };
}

}  // namespace m3m::http::middleware
