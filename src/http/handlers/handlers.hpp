// Registration of every endpoint group on the router. One function per feature
// (handlers/<feature>.cpp); handlers only translate HTTP ↔ service calls.
#pragma once

#include <m3m/module.hpp>
#include <spdlog/logger.h>
#include <vector>

#include "http/forwarding.hpp"
#include "http/router.hpp"
#include "runtime/module_source.hpp"

namespace m3m::service {
class ClusterService;
class HealthService;
class AuthService;
class UserService;
class ProjectService;
class EnvService;
class PipelineService;
class RuntimeService;
class PluginService;
class ModelService;
class RecordService;
class GoalService;
class StorageService;
}  // namespace m3m::service

namespace m3m::metrics {
class Metrics;
class AccessPolicy;
}  // namespace m3m::metrics

namespace m3m::http::handlers {

void registerHealth(Router& router, const service::HealthService& health);
void registerOpenApi(Router& router);
// GET /metrics (Prometheus text), behind `access` (404 when it is off).
void registerMetrics(Router& router, const metrics::Metrics& metrics, metrics::AccessPolicy access);
void registerAuth(Router& router, service::AuthService& auth);
void registerUsers(Router& router, service::AuthService& auth, service::UserService& users,
                   std::uint64_t avatarMaxSize, spdlog::logger& log);
void registerProjects(Router& router, service::AuthService& auth, service::ProjectService& projects);
void registerEnv(Router& router, service::AuthService& auth, service::EnvService& env);
void registerPipeline(Router& router, service::AuthService& auth, service::PipelineService& pipeline);
void registerPlugins(Router& router, service::AuthService& auth, service::PluginService& plugins);
void registerCluster(Router& router, service::AuthService& auth, service::ClusterService& cluster);
// forwarding: null on one node; otherwise calls for a project another node runs go there.
void registerRuntime(Router& router, service::AuthService& auth, service::RuntimeService& runtime,
                     service::ModelService& models, runtime::ModuleSource modules, Forwarding* forwarding = nullptr);
void registerStorage(Router& router, service::AuthService& auth, service::StorageService& storage,
                     spdlog::logger& log);
void registerGoals(Router& router, service::AuthService& auth, service::GoalService& goals);
void registerModels(Router& router, service::AuthService& auth, service::ModelService& models,
                    service::RecordService& records, spdlog::logger& log);

}  // namespace m3m::http::handlers
