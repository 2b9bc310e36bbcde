#include "http/handlers/handlers.hpp"
#include "http/handlers/support.hpp"
#include "service/plugin_service.hpp"

namespace m3m::http::handlers {
namespace {

std::string kindOf(std::uint32_t flags) {
  if (flags & M3M_FN_ASYNC) return "async";
  if (flags & M3M_FN_WAITING) return "waiting";
  return "sync";
}

nlohmann::json pluginJson(const plugin::PluginInfo& p) {
  auto modules = nlohmann::json::array();
  for (const auto& m : p.modules) {
    auto functions = nlohmann::json::array();
    for (const auto& f : m.functions) {
      auto params = nlohmann::json::array();
      for (const auto& a : f.params) params.push_back({{"name", a.name}, {"type", a.type}, {"optional", a.optional}});
      functions.push_back({{"name", f.name}, {"doc", f.doc}, {"params", std::move(params)}, {"returns", f.returns},
                           {"kind", kindOf(f.flags)}});
    }
    modules.push_back({{"name", m.name}, {"doc", m.doc}, {"functions", std::move(functions)}});
  }
  const bool knownAbi = p.meta.abiMajor != 0;
  return {{"name", p.meta.name},
          {"version", p.meta.version},
          {"description", p.meta.description},
          {"author", p.meta.author},
          {"url", p.meta.url},
          {"file", p.file},
          {"abi", knownAbi ? nlohmann::json(std::to_string(p.meta.abiMajor) + "." + std::to_string(p.meta.abiMinor))
                           : nlohmann::json()},
          {"state", std::string(plugin::stateName(p.state))},
          {"error", p.error.empty() ? nlohmann::json() : nlohmann::json(p.error)},
          {"loaded_at", p.loadedAt.empty() ? nlohmann::json() : nlohmann::json(p.loadedAt)},
          {"modules", std::move(modules)}};
}

}  // namespace

void registerPlugins(Router& router, service::AuthService& auth, service::PluginService& plugins) {
  router.get("/api/plugins", sync([&](Request& req) {
               auto items = nlohmann::json::array();
               for (const auto& p : plugins.list(authenticate(req, auth))) items.push_back(pluginJson(p));
               const auto total = items.size();
               return Response::json(200, {{"items", std::move(items)}, {"total", total}});
             }));
  router.get("/api/plugins/:name", sync([&](Request& req) {
               return Response::json(200, pluginJson(plugins.get(authenticate(req, auth), req.params["name"])));
             }));
  router.post("/api/plugins/:name/reload", sync([&](Request& req) {
                auto who = authenticate(req, auth);
                requireNoFields(req);
                return Response::json(200, pluginJson(plugins.reload(who, req.params["name"])));
              }));
}

}  // namespace m3m::http::handlers
