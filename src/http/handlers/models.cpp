#include "domain/model_json.hpp"
#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "http/middleware/middleware.hpp"
#include "service/models/model_service.hpp"
#include "service/models/record_service.hpp"

namespace m3m::http::handlers {
namespace {

bool flag(const Request& req, const char* name) {
  auto v = req.query(name);
  if (v.empty() || v == "false" || v == "0") return false;
  if (v == "true" || v == "1") return true;
  throw Error(ErrorCode::INVALID_ARGUMENT, std::string(name) + " must be true or false", {{name, "must be true or false"}});
}

nlohmann::json listJson(const service::RecordList& list) {
  const std::int64_t pages =
      list.totalItems < 0 ? -1 : (list.perPage > 0 ? (list.totalItems + list.perPage - 1) / list.perPage : 0);
  return {{"items", list.items},           {"page", list.page},       {"per_page", list.perPage},
          {"total_items", list.totalItems}, {"total_pages", pages}};
}

// The completion of a grouped record write: `ok` makes the response from the
// result; an error becomes the response the errors middleware would make.
service::RecordService::Done answer(const Request& req, Respond respond, spdlog::logger& log,
                                    Response (*ok)(nlohmann::json)) {
  // The request is kept alive by `respond`, but only what the error log line
  // needs is copied: this does not rely on that.
  auto origin = std::make_shared<Request>();
  origin->method = req.method;
  origin->path = req.path;
  origin->requestId = req.requestId;
  return [origin, respond = std::move(respond), &log, ok](std::exception_ptr e, nlohmann::json result) {
    respond(e ? middleware::errorResponse(e, *origin, log) : ok(std::move(result)));
  };
}

Response created(nlohmann::json r) { return Response::json(201, r); }
Response updated(nlohmann::json r) { return Response::json(200, r); }
Response deleted(nlohmann::json) { return Response::noContent(); }

}  // namespace

void registerModels(Router& router, service::AuthService& auth, service::ModelService& models,
                    service::RecordService& records, spdlog::logger& log) {
  router.get("/api/projects/:id/models", sync([&](Request& req) {
               auto page = models.list(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, domain::modelToJson));
             }));
  router.post("/api/projects/:id/models", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                return Response::json(201, domain::modelToJson(models.create(who, req.params["id"], req.jsonObject())));
              }));
  router.get("/api/projects/:id/models/:model", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(200, domain::modelToJson(models.get(who, req.params["id"], req.params["model"])));
             }));
  router.put("/api/projects/:id/models/:model", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(
                   200, domain::modelToJson(models.update(who, req.params["id"], req.params["model"], req.jsonObject())));
             }));
  router.del("/api/projects/:id/models/:model", sync([&](Request& req) {
               models.remove(authenticate(req, auth), req.params["id"], req.params["model"]);
               return Response::noContent();
             }));

  router.get("/api/projects/:id/models/:model/data", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               auto page = pageRequest(req);
               service::RecordListParams p;
               if (req.hasQuery("filter")) p.filter = req.query("filter");
               p.sort = req.query("sort");
               p.page = page.page;
               p.perPage = page.perPage;
               p.skipTotal = flag(req, "skipTotal") || flag(req, "skip_total");
               p.fields = commaList(req.query("fields"));
               p.expand = commaList(req.query("expand"));
               return Response::json(200, listJson(records.list(who, req.params["id"], req.params["model"], p)));
             }));
  router.post("/api/projects/:id/models/:model/data", [&](Request& req, Respond respond) {
    auto who = authenticate(req, auth);
    records.create(who, req.params["id"], req.params["model"], req.jsonObject(),
                   answer(req, std::move(respond), log, created));
  });
  router.get("/api/projects/:id/models/:model/data/:record", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               return Response::json(200, records.get(who, req.params["id"], req.params["model"], req.params["record"],
                                                      commaList(req.query("expand")), commaList(req.query("fields"))));
             }));
  Handler update = [&](Request& req, Respond respond) {
    auto who = authenticate(req, auth);
    records.update(who, req.params["id"], req.params["model"], req.params["record"], req.jsonObject(),
                   answer(req, std::move(respond), log, updated));
  };
  router.put("/api/projects/:id/models/:model/data/:record", update);
  router.add("PATCH", "/api/projects/:id/models/:model/data/:record", update);
  router.del("/api/projects/:id/models/:model/data/:record", [&](Request& req, Respond respond) {
    auto who = authenticate(req, auth);
    records.remove(who, req.params["id"], req.params["model"], req.params["record"],
                   answer(req, std::move(respond), log, deleted));
  });
}

}  // namespace m3m::http::handlers
