#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "service/pipeline.hpp"

namespace m3m::http::handlers {
namespace {

nlohmann::json opt(const std::optional<std::string>& s) { return s ? nlohmann::json(*s) : nlohmann::json(nullptr); }

nlohmann::json branchJson(const domain::Branch& b, bool withCode, bool exists = true) {
  nlohmann::json j = {{"name", b.name},
                      {"revision", b.revision},
                      {"exists", exists},
                      {"created_from_release", opt(b.createdFromRelease)},
                      {"parent_branch", opt(b.parentBranch)},
                      {"created_at", exists ? nlohmann::json(b.createdAt) : nlohmann::json(nullptr)},
                      {"updated_at", exists ? nlohmann::json(b.updatedAt) : nlohmann::json(nullptr)}};
  if (withCode) j["code"] = b.code;
  return j;
}

nlohmann::json releaseJson(const service::ReleaseView& v, bool withCode) {
  const auto& r = v.release;
  nlohmann::json j = {{"version", r.version.toString()},
                      {"major", r.version.major},
                      {"minor", r.version.minor},
                      {"comment", r.comment},
                      {"tag", r.tag},
                      {"branch", r.branch},
                      {"code_size", r.codeSize},
                      {"is_active", v.isActive},
                      {"is_running", v.isRunning},
                      {"created_by", r.createdBy.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.createdBy)},
                      {"created_at", r.createdAt}};
  if (withCode) j["code"] = r.code;
  return j;
}

}  // namespace

void registerPipeline(Router& router, service::AuthService& auth, service::PipelineService& pipeline) {
  const std::string base = "/api/projects/:id/pipeline";
  router.get(base + "/branches", sync([&](Request& req) {
               auto page = pipeline.listBranches(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, [](const domain::Branch& b) { return branchJson(b, false); }));
             }));
  router.post(base + "/branches", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto name = in.string("name", true);
                auto fromRelease = in.string("from_release");
                auto fromBranch = in.string("from_branch");
                in.done();
                auto b = pipeline.createBranch(who, req.params["id"], *name, fromRelease, fromBranch);
                return Response::json(201, branchJson(b, true));
              }));
  router.get(base + "/branches/:name", sync([&](Request& req) {
               auto v = pipeline.getBranch(authenticate(req, auth), req.params["id"], req.params["name"]);
               return Response::json(200, branchJson(v.branch, true, v.exists));
             }));
  router.put(base + "/branches/:name", sync([&](Request& req) {
               auto who = authenticate(req, auth);
               JsonInput in(req);
               auto code = in.string("code", true);
               std::optional<int> revision;
               if (auto r = in.any("revision"); r && !r->is_null()) {
                 if (!r->is_number_integer() || r->get<std::int64_t>() < 0 || r->get<std::int64_t>() > INT32_MAX)
                   throw Error(ErrorCode::INVALID_ARGUMENT, "revision must be a non-negative integer",
                               {{"revision", "must be a non-negative integer"}});
                 revision = r->get<int>();
               }
               in.done();
               auto [b, created] = pipeline.saveDraft(who, req.params["id"], req.params["name"], *code, revision);
               return Response::json(created ? 201 : 200, branchJson(b, true));
             }));
  router.post(base + "/branches/:name/rename", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto newName = in.string("new_name", true);
                in.done();
                return Response::json(200, branchJson(pipeline.renameBranch(who, req.params["id"], req.params["name"], *newName), true));
              }));
  router.post(base + "/branches/:name/reset", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                auto version = in.string("version", true);
                in.done();
                return Response::json(200, branchJson(pipeline.resetBranch(who, req.params["id"], req.params["name"], *version), true));
              }));
  router.del(base + "/branches/:name", sync([&](Request& req) {
               pipeline.deleteBranch(authenticate(req, auth), req.params["id"], req.params["name"]);
               return Response::noContent();
             }));

  router.get(base + "/releases", sync([&](Request& req) {
               auto page = pipeline.listReleases(authenticate(req, auth), req.params["id"], pageRequest(req));
               return Response::json(200, pageJson(page, [](const service::ReleaseView& v) { return releaseJson(v, false); }));
             }));
  router.post(base + "/releases", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                JsonInput in(req);
                service::NewRelease r;
                r.branch = in.string("branch", true).value_or("");
                r.bump = in.string("bump", true).value_or("");
                r.comment = in.string("comment").value_or("");
                r.tag = in.string("tag", true).value_or("");
                in.done();
                return Response::json(201, releaseJson(pipeline.createRelease(who, req.params["id"], r), false));
              }));
  router.get(base + "/releases/:version", sync([&](Request& req) {
               auto v = pipeline.getRelease(authenticate(req, auth), req.params["id"], req.params["version"]);
               return Response::json(200, releaseJson(v, true));
             }));
  router.del(base + "/releases/:version", sync([&](Request& req) {
               pipeline.deleteRelease(authenticate(req, auth), req.params["id"], req.params["version"]);
               return Response::noContent();
             }));
  router.post(base + "/releases/:version/activate", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                auto v = pipeline.activate(who, req.params["id"], req.params["version"]);
                return Response::json(200, releaseJson(v, false));
              }));
}

}  // namespace m3m::http::handlers
