#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdint>

#include "http/middleware/middleware.hpp"
#include "log/json_string.hpp"
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

void put(spdlog::memory_buf_t& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

// The JSON access line (logging.format json): its fields after kFieldsMark,
// printed directly (every string escaped: the path and the request id come
// from the client).
void jsonLine(spdlog::memory_buf_t& out, const Request& req, std::string_view path, const Response& res,
              std::int64_t us) {
  put(out, m3m::log::kFieldsMark);
  put(out, R"({"msg":"http","id":)");
  m3m::log::appendJsonString(out, req.requestId);
  put(out, R"(,"method":)");
  m3m::log::appendJsonString(out, req.method);
  put(out, R"(,"path":)");
  m3m::log::appendJsonString(out, path);
  if (auto project = projectOf(path); !project.empty()) {
    put(out, R"(,"project":)");
    m3m::log::appendJsonString(out, project);
  }
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(R"(,"status":{},"bytes":{},"duration_ms":{}.{:03},"remote":)"),
                 res.status, res.body.size(), us / 1000, us % 1000);
  m3m::log::appendJsonString(out, req.remoteAddress);
  put(out, "}");
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

// On the answering thread this prints the line into a stack buffer (format
// string compiled, no parsing) and logs it: the server log's sink adds the
// time and level into its batch, its own thread writes the batch later
// (log/batch_sink.hpp).
Observer accessLog(std::shared_ptr<spdlog::logger> log, bool json) {
  Observer o;
  o.finished = [log = std::move(log), json](const Request& req, const Response& res) {
    if (!log->should_log(spdlog::level::info)) return;
    const std::int64_t us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - req.received).count();
    withRedactedPath(req.path, [&](std::string_view path) {
      spdlog::memory_buf_t line;
      if (json) {
        jsonLine(line, req, path, res, us);
      } else {
        // Milliseconds with two decimals from integers: a double's
        // formatting costs more than the rest of the line.
        const auto hundredths = (us + 5) / 10;
        fmt::format_to(std::back_inserter(line), FMT_COMPILE("http {} {} {} {}B {}.{:02}ms id={} remote={}"),
                       req.method, path, res.status, res.body.size(), hundredths / 100, hundredths % 100,
                       req.requestId, req.remoteAddress);
      }
      log->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
    });
  };
  return o;
}

}  // namespace m3m::http::middleware
