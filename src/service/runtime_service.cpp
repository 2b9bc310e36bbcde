#include "service/runtime_service.hpp"

#include <spdlog/spdlog.h>

#include "lib/random.hpp"
#include "service/pipeline.hpp"

namespace m3m::service {

RuntimeService::RuntimeService(store::Store& store, ProjectService& projects, const config::Config& cfg,
                               runtime::ModuleSource modules, std::shared_ptr<spdlog::logger> log)
    : store_(store), projects_(projects), cfg_(cfg), modules_(std::move(modules)), log_(std::move(log)) {
  limits_.cpuTimeout = cfg.runtime.timeout;
  limits_.heapMb = static_cast<size_t>(cfg.runtime.memoryLimitMb);
  limits_.maxQueue = static_cast<size_t>(cfg.runtime.maxQueue);
  limits_.shutdownTimeout = cfg.runtime.shutdownTimeout;
  limits_.phaseTimeout = cfg.runtime.startTimeout;
  limits_.requestTimeout = cfg.runtime.requestTimeout;
  limits_.maxResponse = static_cast<size_t>(cfg.runtime.maxResponse);
  limits_.wasm = cfg.runtime.wasm;
  limits_.poolSize = static_cast<size_t>(cfg.runtime.workerPoolSize);
  limits_.maxWait = cfg.runtime.maxWait;
  limits_.timezone = cfg.runtime.timezone;
  logRoot_ = std::filesystem::path(cfg.logging.path) / "projects";
}

RuntimeService::~RuntimeService() { stopAll(); }

std::shared_ptr<std::mutex> RuntimeService::controlOf(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  auto& m = controls_[projectId];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

std::shared_ptr<runtime::RunLog> RuntimeService::logOf(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  auto& l = logs_[projectId];
  if (!l) l = std::make_shared<runtime::RunLog>(logRoot_ / projectId, cfg_.runtime.logMaxSize);
  return l;
}

RunStatus RuntimeService::statusOf(const std::string& projectId) {
  std::shared_ptr<runtime::ProjectRuntime> rt;
  RunStatus s;
  if (httpStats_) s.http = httpStats_->of(projectId);
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(projectId);
    if (it == running_.end()) {
      s.state = "stopped";
      return s;
    }
    rt = it->second.runtime;
    s.release = it->second.release;
    s.startedAt = it->second.startedAt;
    if (auto l = launches_.find(projectId); l != launches_.end() && l->second > 0) s.restarts = l->second - 1;
  }
  s.projectId = projectId;
  auto snap = rt->snapshot();
  s.state = runtime::runStateName(snap.state);
  if (!snap.lastError.empty()) s.lastError = snap.lastError;
  s.heapUsed = snap.heapUsed;
  s.calls = snap.calls;
  s.errors = snap.errors;
  s.tasks = snap.tasks;
  s.threads = snap.threads;
  s.waiting = snap.waiting;
  s.jsSeconds = snap.jsSeconds;
  s.waits = snap.waits;
  s.waitSeconds = snap.waitSeconds;
  s.heapLimit = snap.heapLimit;
  s.queuedRequests = snap.queuedRequests;
  s.timezone = snap.timezone;
  s.schedules = std::move(snap.schedules);
  return s;
}

std::vector<std::pair<std::string, RunStatus>> RuntimeService::overview() {
  std::vector<std::pair<std::string, std::string>> ids;  // slug, id
  {
    std::lock_guard lock(mutex_);
    ids.reserve(slugs_.size());
    for (const auto& [slug, id] : slugs_) ids.emplace_back(slug, id);
  }
  std::vector<std::pair<std::string, RunStatus>> out;
  out.reserve(ids.size());
  for (const auto& [slug, id] : ids) {
    auto s = statusOf(id);
    if (s.state != "stopped") out.emplace_back(slug, std::move(s));
  }
  return out;
}

void RuntimeService::end(const std::string& projectId) {
  std::shared_ptr<runtime::ProjectRuntime> rt;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(projectId);
    if (it == running_.end()) return;
    rt = it->second.runtime;
    running_.erase(it);
    for (auto s = slugs_.begin(); s != slugs_.end();) s = s->second == projectId ? slugs_.erase(s) : std::next(s);
  }
  rt->stop();  // outside the lock: it may take up to the shutdown timeout
}

std::shared_ptr<runtime::ProjectRuntime> RuntimeService::prepare(const domain::Project& p,
                                                                 const domain::Release& release) {
  end(p.id);
  auto runLog = logOf(p.id);
  const auto version = release.version.toString();
  if (runLog->release() != version) {
    runLog->clear();  // a new version starts with an empty log
    runLog->setRelease(version);
  }
  runLog->write("INFO", "starting release " + version);
  runtime::ProjectInfo info{p.id, p.slug, cfg_.server.uri + "/r/" + p.slug};
  auto rt = std::make_shared<runtime::ProjectRuntime>(info, release.code, limits_, runLog, modules_());
  if (ownership_ != &singleNode_) rt->setFence([own = ownership_, id = p.id] { return own->holds(id); });
  std::lock_guard lock(mutex_);
  running_[p.id] = Entry{rt, version, lib::nowIso()};
  ++launches_[p.id];
  slugs_[p.slug] = p.id;
  return rt;
}

RunStatus RuntimeService::launch(const domain::Project& p, const domain::Release& release) {
  auto rt = prepare(p, release);
  // Desired state is what the user asked for: a failing project is retried at the next server start.
  store_.repos().projects().setRunState(p.id, "running", release.version.toString());
  auto booted = rt->boot();
  if (booted.ok) {
    auto started = rt->start();
    if (started.ok) logOf(p.id)->write("INFO", "running");
  }
  return statusOf(p.id);  // "stopped" when a stop interrupted this start
}

RunStatus RuntimeService::start(const Principal& who, const std::string& projectId,
                                const std::optional<std::string>& version) {
  auto p = projects_.requireAccess(who, projectId);
  auto control = controlOf(p.id);
  std::lock_guard serialized(*control);
  std::optional<domain::Version> v;
  if (version) v = PipelineService::parseVersion(*version);
  else if (p.activeRelease) v = domain::Version::parse(*p.activeRelease);
  if (!v) throw Error(ErrorCode::CONFLICT, "the project has no release to run; create one in the pipeline first");
  auto release = store_.repos().pipeline().findRelease(p.id, *v);
  if (!release) throw Error(ErrorCode::NOT_FOUND, "release " + v->toString() + " does not exist");
  ownership_->claim(p.id);  // CONFLICT when another node runs it
  if (version) store_.repos().pipeline().setActiveRelease(p.id, v->toString());
  log_->info("runtime: starting project {} release {}", p.slug, v->toString());
  return launch(p, *release);
}

RunStatus RuntimeService::stop(const Principal& who, const std::string& projectId) {
  auto p = projects_.requireAccess(who, projectId);
  if (auto where = ownership_->runsElsewhere(p.id))
    throw Error(ErrorCode::CONFLICT, "the project runs on " + *where + "; stop it there");
  end(p.id);  // first, without waiting: this interrupts a start that is still booting
  auto control = controlOf(p.id);
  std::lock_guard serialized(*control);
  end(p.id);  // a start that slipped in before the lock
  store_.repos().projects().setRunState(p.id, "stopped", std::nullopt);
  ownership_->release(p.id);
  logOf(p.id)->write("INFO", "stopped");
  log_->info("runtime: stopped project {}", p.slug);
  return statusOf(p.id);
}

RunStatus RuntimeService::restart(const Principal& who, const std::string& projectId) {
  auto p = projects_.requireAccess(who, projectId);
  std::optional<std::string> version;
  {
    std::lock_guard lock(mutex_);
    if (auto it = running_.find(p.id); it != running_.end()) version = it->second.release;
  }
  if (!version) version = p.runningRelease ? p.runningRelease : p.activeRelease;
  if (!version) throw Error(ErrorCode::CONFLICT, "the project has no release to run; create one in the pipeline first");
  auto control = controlOf(p.id);
  std::lock_guard serialized(*control);
  auto release = store_.repos().pipeline().findRelease(p.id, PipelineService::parseVersion(*version));
  if (!release) throw Error(ErrorCode::NOT_FOUND, "release " + *version + " does not exist");
  ownership_->claim(p.id);
  log_->info("runtime: restarting project {} release {}", p.slug, *version);
  return launch(p, *release);
}

RunStatus RuntimeService::status(const Principal& who, const std::string& projectId) {
  auto p = projects_.requireAccess(who, projectId);
  return statusOf(p.id);
}

domain::Page<runtime::ScheduleJobInfo> RuntimeService::schedules(const Principal& who, const std::string& projectId,
                                                                const domain::PageRequest& page) {
  auto jobs = status(who, projectId).schedules;
  domain::Page<runtime::ScheduleJobInfo> out;
  out.page = page.page;
  out.perPage = page.perPage;
  out.totalItems = static_cast<std::int64_t>(jobs.size());
  for (std::int64_t i = page.offset(); i < out.totalItems && i < page.offset() + page.perPage; ++i)
    out.items.push_back(std::move(jobs[static_cast<size_t>(i)]));
  return out;
}

runtime::LogPage RuntimeService::logs(const Principal& who, const std::string& projectId, std::uint64_t cursor,
                                      size_t limit) {
  auto p = projects_.requireAccess(who, projectId);
  return logOf(p.id)->read(cursor, limit);
}

runtime::LogPage RuntimeService::logTail(const Principal& who, const std::string& projectId, size_t lines) {
  auto p = projects_.requireAccess(who, projectId);
  return logOf(p.id)->tail(lines);
}

runtime::LogPage RuntimeService::logsBefore(const Principal& who, const std::string& projectId, std::uint64_t end,
                                            size_t limit) {
  auto p = projects_.requireAccess(who, projectId);
  return logOf(p.id)->before(end, limit);
}

std::string RuntimeService::logText(const Principal& who, const std::string& projectId) {
  auto p = projects_.requireAccess(who, projectId);
  return logOf(p.id)->download();
}

void RuntimeService::followLogs(const Principal& who, const std::string& projectId, std::uint64_t cursor,
                                runtime::RunLog::Follower deliver) {
  auto p = projects_.requireAccess(who, projectId);
  logOf(p.id)->follow(cursor, std::move(deliver));
}

std::string RuntimeService::requireAccess(const Principal& who, const std::string& projectId) {
  return projects_.requireAccess(who, projectId).id;
}

bool RuntimeService::runsHere(const std::string& projectId) {
  std::lock_guard lock(mutex_);
  return running_.count(projectId) > 0;
}

bool RuntimeService::servesSlug(const std::string& slug) {
  std::lock_guard lock(mutex_);
  return slugs_.count(slug) > 0;
}

void RuntimeService::dispatch(const std::string& slug, runtime::HttpCall call,
                              std::function<void(runtime::HttpReply)> done) {
  std::shared_ptr<runtime::ProjectRuntime> rt;
  {
    std::lock_guard lock(mutex_);
    if (auto s = slugs_.find(slug); s != slugs_.end())
      if (auto it = running_.find(s->second); it != running_.end()) rt = it->second.runtime;
  }
  if (!rt) {
    if (!store_.repos().projects().findBySlug(slug))
      throw Error(ErrorCode::NOT_FOUND, "no project with the slug \"" + slug + "\"");
    throw Error(ErrorCode::UNAVAILABLE, "the project " + slug + " is not running");
  }
  auto state = rt->state();
  if (state != runtime::RunState::Running)
    throw Error(ErrorCode::UNAVAILABLE,
                "the project " + slug + " is not running (" + runtime::runStateName(state) + ")");
  if (!rt->dispatch(std::move(call), std::move(done)))
    throw Error(ErrorCode::LIMIT_EXCEEDED, "the project " + slug + " has too many requests waiting; retry shortly");
}

void RuntimeService::autoStart() {
  auto candidates = store_.repos().projects().listAutoStart();
  if (candidates.empty()) return;
  log_->info("auto-start: {} project(s) were running before the restart", candidates.size());
  // Phase 1: every project's boot. Phase 2: every start. A failure is logged
  // and never blocks the others.
  std::vector<std::pair<domain::Project, std::shared_ptr<runtime::ProjectRuntime>>> booted;
  for (const auto& p : candidates) {
    try {
      auto version = p.runningRelease ? p.runningRelease : p.activeRelease;
      auto v = version ? domain::Version::parse(*version) : std::nullopt;
      auto release = v ? store_.repos().pipeline().findRelease(p.id, *v) : std::nullopt;
      if (!release) {
        log_->warn("auto-start: project {} has no release {} to run; skipped", p.slug, version.value_or("(none)"));
        continue;
      }
      try {
        ownership_->claim(p.id);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::CONFLICT) throw;
        log_->info("auto-start: project {} is not started here: {}", p.slug, e.what());
        continue;
      }
      auto rt = prepare(p, *release);
      auto outcome = rt->boot();
      if (!outcome.ok) {
        log_->warn("auto-start: project {} failed to boot: {}", p.slug, outcome.error);
        continue;
      }
      booted.emplace_back(p, rt);
    } catch (const std::exception& e) {
      log_->error("auto-start: project {}: {}", p.slug, e.what());
    }
  }
  for (auto& [p, rt] : booted) {
    auto outcome = rt->start();
    if (outcome.ok) {
      logOf(p.id)->write("INFO", "running (auto-start)");
      log_->info("auto-start: project {} is running", p.slug);
    } else {
      log_->warn("auto-start: project {} failed to start: {}", p.slug, outcome.error);
    }
  }
}

void RuntimeService::stopAll() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, _] : running_) ids.push_back(id);
  }
  for (const auto& id : ids) {
    end(id);
    ownership_->release(id);
  }
}

bool RuntimeService::adopt(const std::string& projectId) {
  auto p = store_.repos().projects().findById(projectId);
  if (!p || p->status != "running") return false;
  auto control = controlOf(p->id);
  std::lock_guard serialized(*control);
  auto version = p->runningRelease ? p->runningRelease : p->activeRelease;
  auto v = version ? domain::Version::parse(*version) : std::nullopt;
  auto release = v ? store_.repos().pipeline().findRelease(p->id, *v) : std::nullopt;
  if (!release) {
    log_->warn("cluster: project {} has no release {} to run; not taken over", p->slug, version.value_or("(none)"));
    return false;
  }
  try {
    ownership_->claim(p->id);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::CONFLICT) throw;
    return false;  // another node was faster
  }
  log_->info("cluster: taking project {} release {} over", p->slug, *version);
  auto rt = prepare(*p, *release);
  auto booted = rt->boot();
  if (booted.ok) {
    auto started = rt->start();
    if (started.ok) logOf(p->id)->write("INFO", "running (taken over from another node)");
  }
  return true;  // ours, even when its boot failed (as after a start by hand)
}

void RuntimeService::lost(const std::string& projectId) {
  end(projectId);
  logOf(projectId)->write("WARN", "stopped: another node runs the project now (its lease was lost)");
}

void RuntimeService::rerouted(const std::string& projectId, const std::string& oldSlug, const std::string& newSlug) {
  std::lock_guard lock(mutex_);
  auto it = slugs_.find(oldSlug);
  if (it == slugs_.end() || it->second != projectId) return;
  slugs_.erase(it);
  slugs_[newSlug] = projectId;
}

void RuntimeService::forget(const std::string& projectId) {
  end(projectId);
  ownership_->deleted(projectId);
  std::lock_guard lock(mutex_);
  logs_.erase(projectId);
  launches_.erase(projectId);
}

}  // namespace m3m::service
