#include <cctype>
#include <charconv>

#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "http/forwarding.hpp"
#include "lib/random.hpp"
#include "service/models/model_service.hpp"
#include "runtime/typescript/printer.hpp"
#include "service/runtime_service.hpp"

namespace m3m::http::handlers {
namespace {

nlohmann::json isoTime(std::int64_t epochMs) {
  if (epochMs <= 0) return nullptr;
  return lib::isoTime(std::chrono::system_clock::time_point(std::chrono::milliseconds(epochMs)));
}

nlohmann::json jobJson(const runtime::ScheduleJobInfo& j, const std::string& timezone) {
  return {{"id", j.id},
          {"kind", j.kind},
          {"expression", j.expression},
          {"timezone", j.kind == "cron" ? nlohmann::json(timezone) : nlohmann::json(nullptr)},
          {"next_run", isoTime(j.nextRunMs)},
          {"last_run", isoTime(j.lastRunMs)},
          {"last_duration_ms", j.lastDurationMs ? nlohmann::json(*j.lastDurationMs) : nlohmann::json(nullptr)},
          {"runs", j.runs},
          {"skipped", j.skipped},
          {"errors", j.errors},
          {"running", j.running}};
}

nlohmann::json statusJson(const service::RunStatus& s) {
  auto opt = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  auto jobs = nlohmann::json::array();
  for (const auto& j : s.schedules) jobs.push_back(jobJson(j, s.timezone));
  return {{"state", s.state},
          {"release", opt(s.release)},
          {"started_at", opt(s.startedAt)},
          {"last_error", opt(s.lastError)},
          {"heap_used", s.heapUsed},
          {"calls", s.calls},
          {"tasks", {{"running", s.tasks.running}, {"queued", s.tasks.queued}, {"done", s.tasks.done}, {"failed", s.tasks.failed}}},
          {"threads", {{"total", s.threads}, {"waiting", s.waiting}}},
          {"schedules", std::move(jobs)},
          {"http", {{"requests", s.http.requests}, {"errors", s.http.errors}, {"bytes_in", s.http.bytesIn}, {"bytes_out", s.http.bytesOut}}}};
}

nlohmann::json pageJson(const runtime::LogPage& p) {
  return {{"lines", p.lines}, {"next_cursor", p.nextCursor}, {"prev_cursor", p.prevCursor}};
}

std::uint64_t uintValue(const std::string& s, const char* name, std::uint64_t max) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v > max)
    throw Error(ErrorCode::INVALID_ARGUMENT, std::string(name) + " must be an integer from 0 to " + std::to_string(max),
                {{name, "must be an integer 0–" + std::to_string(max)}});
  return v;
}

std::uint64_t uintQuery(const Request& req, const char* name, std::uint64_t def, std::uint64_t max) {
  return req.hasQuery(name) ? uintValue(req.query(name), name, max) : def;
}

// A public project route: /r/{slug}/... and /api/r/{slug}/... Another node's
// project is forwarded there (several nodes).
Handler projectRoute(service::RuntimeService& runtime, Forwarding* forwarding) {
  return [&runtime, forwarding](Request& req, Respond respond) {
    const std::string& slug = req.params["slug"];
    if (forwarding && !runtime.servesSlug(slug) && forwarding->route(slug, req, respond)) return;
    runtime::HttpCall call;
    call.method = req.method;
    const std::string& rest = req.params["*"];
    call.path.reserve(rest.size() + 1);
    call.path += '/';
    call.path += rest;
    call.rawQuery = req.rawQuery;
    call.body = std::move(req.body);
    call.requestId = req.requestId;
    call.headers.reserve(req.headers.size());
    for (const auto& [k, v] : req.headers) {
      auto& [name, value] = call.headers.emplace_back(k, v);
      // Header names are ASCII tokens: no locale needed to lower-case them.
      for (auto& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    try {
      runtime.dispatch(slug, std::move(call), [respond](runtime::HttpReply r) {
        Response res;
        res.status = r.status;
        res.headers = std::move(r.headers);
        res.body = std::move(r.body);
        respond(std::move(res));
      });
    } catch (const Error& e) {
      if (e.code() != ErrorCode::UNAVAILABLE && e.code() != ErrorCode::LIMIT_EXCEEDED) throw;
      // Not running, or its queue is full: both are "try again later".
      Response res = Response::error(Error(ErrorCode::UNAVAILABLE, e.what()));
      res.setHeader("Retry-After", e.code() == ErrorCode::LIMIT_EXCEEDED ? "1" : "5");
      respond(std::move(res));
    }
  };
}

using Local = std::function<Response(Request&, const service::Principal&)>;

// A runtime admin call: answered from this node's run, unless another node runs
// the project: then (the caller's access checked here first, so a refused
// caller never causes a call to another node) it is forwarded there with the
// caller's own credentials. `stream`: the answer may be SSE, relayed as it comes.
Handler viaOwner(service::AuthService& auth, service::RuntimeService& runtime, Forwarding* forwarding, bool stream,
                 Local local) {
  return [&auth, &runtime, forwarding, stream, local = std::move(local)](Request& req, Respond respond) {
    auto who = authenticate(req, auth);
    if (forwarding) {
      auto id = runtime.requireAccess(who, req.params["id"]);
      if (!runtime.runsHere(id) && forwarding->admin(id, req, respond, stream)) return;
    }
    respond(local(req, who));
  };
}

}  // namespace

void registerRuntime(Router& router, service::AuthService& auth, service::RuntimeService& runtime,
                     service::ModelService& models, runtime::ModuleSource modules, Forwarding* forwarding) {
  auto owned = [&](bool stream, Local local) { return viaOwner(auth, runtime, forwarding, stream, std::move(local)); };
  router.post("/api/projects/:id/start", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                std::optional<std::string> version;
                if (!req.body.empty()) {
                  JsonInput in(req);
                  version = in.string("version");
                  in.done();
                }
                return Response::json(200, statusJson(runtime.start(who, req.params["id"], version)));
              }));
  router.post("/api/projects/:id/stop", owned(false, [&](Request& req, const service::Principal& who) {
                requireNoFields(req);
                return Response::json(200, statusJson(runtime.stop(who, req.params["id"])));
              }));
  router.post("/api/projects/:id/restart", owned(false, [&](Request& req, const service::Principal& who) {
                requireNoFields(req);
                return Response::json(200, statusJson(runtime.restart(who, req.params["id"])));
              }));
  router.get("/api/projects/:id/status", owned(false, [&](Request& req, const service::Principal& who) {
               return Response::json(200, statusJson(runtime.status(who, req.params["id"])));
             }));
  router.get("/api/projects/:id/schedules", owned(false, [&](Request& req, const service::Principal& who) {
               auto page = runtime.schedules(who, req.params["id"], pageRequest(req));
               const std::string zone = runtime.status(who, req.params["id"]).timezone;
               return Response::json(200, pageJson(page, [&](const runtime::ScheduleJobInfo& j) { return jobJson(j, zone); }));
             }));
  router.get("/api/projects/:id/logs", owned(false, [&](Request& req, const service::Principal& who) {
               const int modes = req.hasQuery("tail") + req.hasQuery("cursor") + req.hasQuery("before");
               if (modes > 1)
                 throw Error(ErrorCode::INVALID_ARGUMENT, "use one of tail, cursor and before",
                             {{"before", "not with tail or cursor"}});
               if (req.hasQuery("tail"))
                 return Response::json(200, pageJson(runtime.logTail(who, req.params["id"], uintQuery(req, "tail", 100, 10'000))));
               auto limit = uintQuery(req, "limit", 200, 1000);
               if (limit == 0) throw Error(ErrorCode::INVALID_ARGUMENT, "limit must be at least 1", {{"limit", "must be 1–1000"}});
               if (req.hasQuery("before"))
                 return Response::json(200, pageJson(runtime.logsBefore(who, req.params["id"], uintQuery(req, "before", 0, UINT64_MAX / 2), limit)));
               auto cursor = uintQuery(req, "cursor", 0, UINT64_MAX / 2);
               return Response::json(200, pageJson(runtime.logs(who, req.params["id"], cursor, limit)));
             }));
  router.get("/api/projects/:id/logs/download", owned(false, [&](Request& req, const service::Principal& who) {
               Response r = Response::text(200, runtime.logText(who, req.params["id"]));
               r.setHeader("Content-Disposition", "attachment; filename=\"run.log\"");
               return r;
             }));
  // Live tail as Server-Sent Events: one `data:` event per log line. EventSource
  // cannot send headers, so the token may also come as ?access_token=.
  auto streamLogs = owned(true, [&](Request& req, const service::Principal& who) {
               // A reconnecting EventSource sends the last event's id: resume after it.
               auto cursor = uintQuery(req, "cursor", 0, UINT64_MAX / 2);
               if (auto last = req.header("Last-Event-ID"); !req.hasQuery("cursor") && !last.empty())
                 cursor = uintValue(std::string(last), "Last-Event-ID", UINT64_MAX / 2);
               runtime.status(who, req.params["id"]);  // access check now, while we can still answer 403/404
               Response r;
               r.status = 200;
               r.setHeader("Content-Type", "text/event-stream");
               r.setHeader("Cache-Control", "no-cache");
               r.setHeader("X-Accel-Buffering", "no");
               r.stream = [&runtime, who, id = req.params["id"], cursor](std::shared_ptr<StreamSink> sink) {
                 try {
                   runtime.followLogs(who, id, cursor, [sink](const std::string& line, std::uint64_t end) {
                     return sink->write("id: " + std::to_string(end) + "\ndata: " + line + "\n\n");
                   });
                 } catch (...) {
                   sink->close();  // the project went away between the check and now
                 }
               };
               return r;
             });
  router.get("/api/projects/:id/logs/stream", [streamLogs](Request& req, Respond respond) {
    if (req.header("Authorization").empty() && req.header("X-API-Key").empty() && req.hasQuery("access_token"))
      req.headers["Authorization"] = "Bearer " + req.query("access_token");
    streamLogs(req, std::move(respond));
  });
  router.get("/api/runtime/types", sync([&, modules](Request& req) {
               auto who = authenticate(req, auth);
               auto types = runtime::printAll(*modules());
               if (auto projectId = req.query("project_id"); !projectId.empty())
                 types += models.declarations(who, projectId);
               return Response::text(200, types, "application/typescript; charset=utf-8");
             }));

  for (const char* prefix : {"/r/:slug/*", "/api/r/:slug/*"})
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
      router.add(method, prefix, projectRoute(runtime, forwarding));
}

}  // namespace m3m::http::handlers
