#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "http/middleware/middleware.hpp"
#include "log/batch_sink.hpp"
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

char* copy(char* p, std::string_view s) { return std::copy(s.begin(), s.end(), p); }

// What one access line says.
struct AccessLine {
  const Request& req;
  std::string_view path;  // redacted
  const Response& res;
  std::int64_t us;
};

// "http GET /path 200 12B 0.50ms id=… remote=…", appended straight into the
// buffer (one size check, no format parsing nor per-piece appends).
// Milliseconds with two decimals from integers: a double's formatting costs
// more than the rest of the line.
void textLine(spdlog::memory_buf_t& out, const AccessLine& l) {
  const auto hundredths = (l.us + 5) / 10;
  const auto frac = static_cast<int>(hundredths % 100);
  const auto start = out.size();
  // The strings, the fixed text (31) and three numbers (≤ 20 digits each).
  out.resize(start + l.req.method.size() + l.path.size() + l.req.requestId.size() + l.req.remoteAddress.size() + 31 +
             3 * 20);
  char* p = out.data() + start;
  char* const end = out.data() + out.size();
  p = copy(p, "http ");
  p = copy(p, l.req.method);
  *p++ = ' ';
  p = copy(p, l.path);
  *p++ = ' ';
  p = std::to_chars(p, end, l.res.status).ptr;
  *p++ = ' ';
  p = std::to_chars(p, end, l.res.body.size()).ptr;
  p = copy(p, "B ");
  p = std::to_chars(p, end, hundredths / 100).ptr;
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 10);
  *p++ = static_cast<char>('0' + frac % 10);
  p = copy(p, "ms id=");
  p = copy(p, l.req.requestId);
  p = copy(p, " remote=");
  p = copy(p, l.req.remoteAddress);
  out.resize(static_cast<std::size_t>(p - out.data()));
}

// The JSON access line's fields (logging.format json), without braces, every
// string escaped: the path and the request id come from the client.
void jsonFields(spdlog::memory_buf_t& out, const AccessLine& l) {
  put(out, R"("msg":"http","id":)");
  m3m::log::appendJsonString(out, l.req.requestId);
  put(out, R"(,"method":)");
  m3m::log::appendJsonString(out, l.req.method);
  put(out, R"(,"path":)");
  m3m::log::appendJsonString(out, l.path);
  if (auto project = projectOf(l.path); !project.empty()) {
    put(out, R"(,"project":)");
    m3m::log::appendJsonString(out, project);
  }
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(R"(,"status":{},"bytes":{},"duration_ms":{}.{:03},"remote":)"),
                 l.res.status, l.res.body.size(), l.us / 1000, l.us % 1000);
  m3m::log::appendJsonString(out, l.req.remoteAddress);
}

void writeAccess(spdlog::memory_buf_t& out, bool json, const void* context) {
  const auto& line = *static_cast<const AccessLine*>(context);
  if (json) {
    jsonFields(out, line);
  } else {
    textLine(out, line);
  }
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

// On the answering thread this prints the line into a stack buffer and hands
// it to the server log's sink, which adds the time and level into its batch;
// its own thread writes the batch later (log/batch_sink.hpp). The sink is
// called directly when it is the server log's: spdlog's logger in between
// cost as much as printing the line.
Observer accessLog(std::shared_ptr<spdlog::logger> log, bool json) {
  Observer o;
  std::shared_ptr<m3m::log::BatchSink> sink;
  if (log->sinks().size() == 1) sink = std::dynamic_pointer_cast<m3m::log::BatchSink>(log->sinks().front());
  o.finished = [log = std::move(log), sink = std::move(sink), json](const Request& req, const Response& res) {
    if (!log->should_log(spdlog::level::info)) return;
    const std::int64_t us =
        std::chrono::duration_cast<std::chrono::microseconds>(req.answered - req.received).count();
    withRedactedPath(req.path, [&](std::string_view path) {
      const AccessLine line{req, path, res, us};
      if (sink) return sink->logAccess(&writeAccess, &line, req.answered);
      // Another logger (tests, CLI): an ordinary message.
      spdlog::memory_buf_t text;
      if (json) {
        put(text, m3m::log::kFieldsMark);
        put(text, "{");
        jsonFields(text, line);
        put(text, "}");
      } else {
        textLine(text, line);
      }
      log->log(spdlog::level::info, spdlog::string_view_t(text.data(), text.size()));
    });
  };
  return o;
}

}  // namespace m3m::http::middleware
