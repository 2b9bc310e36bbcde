#include "service/goals/goal_service.hpp"

#include <chrono>
#include <set>

#include "lib/datetime.hpp"
#include "lib/random.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

bool isGoalSlug(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return s.front() != '-' && s.back() != '-';
}

std::string today() { return lib::nowIso().substr(0, 10); }

std::string daysAgo(int n) {
  using namespace std::chrono;
  auto d = floor<days>(system_clock::now()) - days{n};
  year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string nextDay(const std::string& date) {
  using namespace std::chrono;
  int y = std::stoi(date.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(date.substr(5, 2))), d = static_cast<unsigned>(std::stoi(date.substr(8, 2)));
  year_month_day next{sys_days{year{y} / month{m} / day{d}} + days{1}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(next.year()), static_cast<unsigned>(next.month()),
                static_cast<unsigned>(next.day()));
  return buf;
}

bool isRoot(const Principal& who) { return who.isUser() && who.user.isRoot; }

}  // namespace

GoalService::GoalService(store::Store& store, ProjectService& projects, std::chrono::milliseconds flushInterval)
    : store_(store), projects_(projects), flushInterval_(flushInterval) {
  projects_.onSlugChange([this](const domain::Project& p, const std::string&) {
    store_.repos().goals().renameProjectSlugs(p.id, p.slug);
    forgetResolved();
  });
  projects_.onDelete([this](const domain::Project&) { forgetResolved(); });
  writer_ = std::thread([this] { writerLoop(); });
}

GoalService::~GoalService() { stop(); }

void GoalService::stop() {
  {
    std::lock_guard lock(wakeMutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  flush();
}

void GoalService::writerLoop() {
  std::unique_lock lock(wakeMutex_);
  while (!stopping_) {
    wake_.wait_for(lock, flushInterval_, [&] { return stopping_; });
    lock.unlock();
    try {
      flush();
    } catch (...) {
      // Kept in pending_ (flush re-adds on failure); retried next round.
    }
    lock.lock();
  }
}

void GoalService::flush() {
  std::lock_guard one(flushMutex_);
  decltype(pending_) batch;
  {
    std::lock_guard lock(pendingMutex_);
    batch.swap(pending_);
  }
  if (batch.empty()) return;
  std::vector<domain::GoalStat> rows;
  rows.reserve(batch.size());
  for (const auto& [key, value] : batch) rows.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), value});
  try {
    store_.transaction([&](store::Repositories& repos) { repos.goals().addStats(rows, lib::nowIso()); });
  } catch (...) {
    std::lock_guard lock(pendingMutex_);
    for (const auto& [key, value] : batch) pending_[key] += value;  // nothing is lost; retried
    throw;
  }
}

void GoalService::forgetResolved() {
  std::lock_guard lock(resolveMutex_);
  resolved_.clear();
  ++resolveGeneration_;
}

GoalService::Resolved GoalService::resolve(const std::string& projectId, const std::string& slug) {
  const auto key = projectId + '\n' + slug;
  std::uint64_t generation;
  {
    std::lock_guard lock(resolveMutex_);
    if (auto it = resolved_.find(key); it != resolved_.end()) return it->second;
    generation = resolveGeneration_;
  }
  auto project = store_.repos().projects().findById(projectId);
  if (!project) throw Error(ErrorCode::NOT_FOUND, "goals.increment: the project is gone");
  auto goal = store_.repos().goals().findBySlug(project->slug + "-" + slug);
  if (!goal || goal->projectId != projectId) {
    goal = store_.repos().goals().findBySlug(slug);
    if (!goal) throw Error(ErrorCode::NOT_FOUND, "goals.increment: no goal \"" + slug + "\" (neither this project's nor a global one)");
    if (goal->projectId && *goal->projectId != projectId)
      throw Error(ErrorCode::PERMISSION_DENIED, "goals.increment: goal \"" + slug + "\" belongs to another project");
    if (!goal->projectId &&
        std::find(goal->allowedProjects.begin(), goal->allowedProjects.end(), projectId) == goal->allowedProjects.end())
      throw Error(ErrorCode::PERMISSION_DENIED,
                  "goals.increment: this project may not write to the global goal \"" + slug + "\" (see its allowed projects)");
  }
  Resolved r{goal->id, goal->type == "daily_counter"};
  std::lock_guard lock(resolveMutex_);
  if (generation == resolveGeneration_) resolved_[key] = r;
  return r;
}

void GoalService::increment(const std::string& projectId, const std::string& slug, std::int64_t value) {
  auto r = resolve(projectId, slug);
  std::lock_guard lock(pendingMutex_);
  pending_[{r.goalId, projectId, r.daily ? today() : std::string()}] += value;
  ++increments_[projectId];  // under the lock this call takes anyway
}

std::uint64_t GoalService::incrementsOf(const std::string& projectId) {
  std::lock_guard lock(pendingMutex_);
  auto it = increments_.find(projectId);
  return it == increments_.end() ? 0 : it->second;
}

// --- CRUD --------------------------------------------------------------------

domain::Goal GoalService::requireGoal(const Principal& who, const std::optional<std::string>& projectId,
                                      const std::string& goalId, bool write) {
  auto g = store_.repos().goals().find(goalId);
  if (!g) throw Error(ErrorCode::NOT_FOUND, "no such goal");
  if (projectId) {
    projects_.requireAccess(who, *projectId);
    if (g->projectId != projectId) throw Error(ErrorCode::NOT_FOUND, "no such goal in this project");
  } else if (g->projectId) {
    projects_.requireAccess(who, *g->projectId);
  } else {
    if (!who.isUser()) throw Error(ErrorCode::PERMISSION_DENIED, "global goals are managed by users, not API keys");
    if (write && !isRoot(who)) throw Error(ErrorCode::PERMISSION_DENIED, "only the root administrator manages global goals");
  }
  return *g;
}

domain::Page<domain::Goal> GoalService::list(const Principal& who, const std::optional<std::string>& projectId,
                                             const domain::PageRequest& page) {
  if (projectId) projects_.requireAccess(who, *projectId);
  else if (!who.isUser()) throw Error(ErrorCode::PERMISSION_DENIED, "global goals are listed for users, not API keys");
  return store_.repos().goals().list(projectId, page);
}

domain::Goal GoalService::get(const Principal& who, const std::string& goalId) {
  return requireGoal(who, std::nullopt, goalId, false);
}

namespace {

void applyInput(domain::Goal& g, const GoalInput& in, bool creating, Validation& v) {
  if (creating && !in.name) v.fail("name", "required");
  if (creating && !in.slug) v.fail("slug", "required");
  if (in.name) {
    auto n = trim(*in.name);
    if (n.empty() || n.size() > 100) v.fail("name", "1–100 characters");
    else g.name = n;
    v.text("name", n);
  }
  if (in.slug) {
    if (!isGoalSlug(*in.slug)) v.fail("slug", "lower-case letters, digits, - and _ (1–64), not starting or ending with -");
    else g.slug = *in.slug;
  }
  if (in.type) {
    if (*in.type != "counter" && *in.type != "daily_counter") v.fail("type", "counter or daily_counter");
    else if (!creating && *in.type != g.type) v.fail("type", "cannot change once created (statistics are kept per type)");
    else g.type = *in.type;
  }
  if (in.description) {
    if (in.description->size() > 2000) v.fail("description", "at most 2000 characters");
    else g.description = *in.description;
  }
  if (in.color) {
    if (*in.color && !ProjectService::isValidColor(**in.color)) v.fail("color", "must be null or one of the 16 system colors");
    else g.color = *in.color;
  }
}

}  // namespace

void GoalService::readAllowedProjects(domain::Goal& g, const GoalInput& in, Validation& v) {
  if (!in.allowedProjects) return;
  if (g.projectId) return v.fail("allowed_projects", "only global goals have allowed projects");
  std::set<std::string> unique(in.allowedProjects->begin(), in.allowedProjects->end());
  for (const auto& p : unique)
    if (!store_.repos().projects().findById(p)) v.fail("allowed_projects", "no project " + p);
  g.allowedProjects.assign(unique.begin(), unique.end());
}

domain::Goal GoalService::create(const Principal& who, const std::optional<std::string>& projectId, const GoalInput& in) {
  domain::Goal g;
  std::string projectSlug;
  if (projectId) {
    projectSlug = projects_.requireAccess(who, *projectId).slug;
    g.projectId = projectId;
  } else if (!isRoot(who)) {
    throw Error(ErrorCode::PERMISSION_DENIED, "only the root administrator manages global goals");
  }
  Validation v;
  applyInput(g, in, true, v);
  readAllowedProjects(g, in, v);
  v.throwIfAny("invalid goal");
  g.fullSlug = projectId ? projectSlug + "-" + g.slug : g.slug;
  g.id = lib::uuid4();
  g.createdAt = g.updatedAt = lib::nowIso();
  store_.repos().goals().create(g);
  forgetResolved();
  return g;
}

domain::Goal GoalService::update(const Principal& who, const std::optional<std::string>& projectId,
                                 const std::string& goalId, const GoalInput& in) {
  auto g = requireGoal(who, projectId, goalId, true);
  if (projectId && !g.projectId) throw Error(ErrorCode::NOT_FOUND, "no such goal in this project");
  Validation v;
  applyInput(g, in, false, v);
  readAllowedProjects(g, in, v);
  v.throwIfAny("invalid goal");
  if (g.projectId) g.fullSlug = store_.repos().projects().findById(*g.projectId)->slug + "-" + g.slug;
  else g.fullSlug = g.slug;
  g.updatedAt = lib::nowIso();
  store_.repos().goals().update(g);
  forgetResolved();
  return g;
}

void GoalService::remove(const Principal& who, const std::optional<std::string>& projectId, const std::string& goalId) {
  requireGoal(who, projectId, goalId, true);
  flush();  // pending increments of this goal are dropped with it, not written after
  store_.repos().goals().remove(goalId);
  forgetResolved();
}

nlohmann::json GoalService::stats(const Principal& who, GoalStatsQuery q) {
  Validation v;
  if (q.to.empty()) q.to = today();
  if (q.from.empty()) q.from = daysAgo(29);
  if (!lib::isValidDate(q.from)) v.fail("from", "a date YYYY-MM-DD");
  if (!lib::isValidDate(q.to)) v.fail("to", "a date YYYY-MM-DD");
  if (!v.has("from") && !v.has("to") && q.from > q.to) v.fail("from", "must not be after to");
  if (q.goalIds.size() > 100) v.fail("goals", "at most 100 goals");
  v.throwIfAny("invalid statistics query");
  // Every goal named must be visible to the caller.
  std::vector<domain::Goal> goals;
  if (q.goalIds.empty()) {
    domain::PageRequest all;
    all.perPage = 500;
    goals = list(who, q.projectId, all).items;
  } else {
    for (const auto& id : q.goalIds) goals.push_back(requireGoal(who, std::nullopt, id, false));
  }
  if (q.projectId) projects_.requireAccess(who, *q.projectId);
  // Days in the period (bounded so a typo cannot ask for a million rows).
  std::vector<std::string> days;
  for (auto d = q.from; d <= q.to; d = nextDay(d)) {
    days.push_back(d);
    if (days.size() > 3660) throw Error(ErrorCode::INVALID_ARGUMENT, "the period is too long", {{"from", "at most 10 years"}});
  }
  flush();  // what was incremented before this call is in the answer
  std::vector<std::string> ids;
  for (const auto& g : goals) ids.push_back(g.id);
  auto rows = store_.repos().goals().stats(ids, q.from, q.to, q.projectId);
  nlohmann::json out = {{"from", q.from}, {"to", q.to}, {"goals", nlohmann::json::array()}};
  for (const auto& g : goals) {
    std::map<std::string, std::int64_t> perDay;
    std::int64_t total = 0;
    for (const auto& r : rows) {
      if (r.goalId != g.id) continue;
      total += r.value;
      if (!r.date.empty()) perDay[r.date] += r.value;
    }
    nlohmann::json item = {{"id", g.id},     {"slug", g.fullSlug}, {"name", g.name},
                           {"type", g.type}, {"color", g.color ? nlohmann::json(*g.color) : nlohmann::json()},
                           {"total", total}};
    if (g.type == "daily_counter") {
      auto list = nlohmann::json::array();
      for (const auto& d : days) list.push_back({{"date", d}, {"value", perDay.count(d) ? perDay[d] : 0}});
      item["days"] = list;
    }
    out["goals"].push_back(item);
  }
  return out;
}

}  // namespace m3m::service
