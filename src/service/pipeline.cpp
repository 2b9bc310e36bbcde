#include "service/pipeline.hpp"

#include "lib/random.hpp"
#include "lib/units.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

Error notFoundBranch(const std::string& name) {
  return Error(ErrorCode::NOT_FOUND, "branch " + name + " does not exist");
}
Error notFoundRelease(const std::string& v) { return Error(ErrorCode::NOT_FOUND, "release " + v + " does not exist"); }

bool isTag(const std::string& t) { return t == "stable" || t == "hot-fix" || t == "night-build" || t == "develop"; }

void validateBranchName(const std::string& name, const std::string& field) {
  if (!PipelineService::isValidBranchName(name))
    throw Error(ErrorCode::INVALID_ARGUMENT, "invalid branch name \"" + name + "\"",
                {{field, "must match [a-z0-9][a-z0-9._/-]{0,62}"}});
}

}  // namespace

const std::string& PipelineService::serviceTemplate() {
  static const std::string code = R"js(// The service's code. Lifecycle: boot → start → (serve) → shutdown.
// Routes are served at /r/{project-slug}/... (see the runtime API in the editor).

service.boot(() => {
  // Read configuration, open connections.
  logger.info('booting')
})

service.start(() => {
  router.get('/health', (ctx) => router.response(200, { ok: true }))

  router.get('/hello/:name', (ctx) => {
    return { hello: ctx.params.name }
  })
})

service.shutdown(() => {
  // Close connections, flush buffers (bounded by a timeout).
  logger.info('shutting down')
})
)js";
  return code;
}

PipelineService::PipelineService(store::Store& store, ProjectService& projects, std::uint64_t maxCodeSize)
    : store_(store), projects_(projects), maxCodeSize_(maxCodeSize) {}

bool PipelineService::isValidBranchName(std::string_view n) {
  if (n.empty() || n.size() > 63) return false;
  auto ok = [](char c, bool first) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return !first && (c == '.' || c == '_' || c == '/' || c == '-');
  };
  for (size_t i = 0; i < n.size(); ++i)
    if (!ok(n[i], i == 0)) return false;
  return true;
}

domain::Version PipelineService::parseVersion(const std::string& text) {
  auto v = domain::Version::parse(text);
  if (!v) throw Error(ErrorCode::INVALID_ARGUMENT, "\"" + text + "\" is not a version (major.minor, e.g. 1.10)",
                      {{"version", "must be major.minor"}});
  return *v;
}

void PipelineService::checkSize(const std::string& code) const {
  if (code.size() > maxCodeSize_)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE,
                "the code is " + std::to_string(code.size()) + " bytes; the limit is " + lib::formatSize(maxCodeSize_) +
                    " (pipeline.max_code_size)",
                {{"code", "too large"}});
}

domain::Page<domain::Branch> PipelineService::listBranches(const Principal& who, const std::string& projectId,
                                                           const domain::PageRequest& page) {
  auto p = projects_.requireAccess(who, projectId);
  return store_.repos().pipeline().listBranches(p.id, page);
}

BranchView PipelineService::getBranch(const Principal& who, const std::string& projectId, const std::string& name) {
  auto p = projects_.requireAccess(who, projectId);
  auto& repo = store_.repos().pipeline();
  if (auto b = repo.findBranch(p.id, name)) return {*b, true};
  if (name == DEFAULT_BRANCH && repo.countBranches(p.id) == 0) {
    domain::Branch t;
    t.projectId = p.id;
    t.name = DEFAULT_BRANCH;
    t.code = serviceTemplate();
    t.revision = 0;
    return {t, false};
  }
  throw notFoundBranch(name);
}

std::pair<domain::Branch, bool> PipelineService::saveDraft(const Principal& who, const std::string& projectId,
                                                           const std::string& name, const std::string& code,
                                                           std::optional<int> revision) {
  auto p = projects_.requireAccess(who, projectId);
  checkSize(code);
  if (!revision)
    throw Error(ErrorCode::INVALID_ARGUMENT,
                "revision is required: send the revision you read, so concurrent edits are not overwritten",
                {{"revision", "is required"}});
  bool created = false;
  domain::Branch out;
  store_.transaction([&](store::Repositories& repos) {
    auto& repo = repos.pipeline();
    auto existing = repo.findBranch(p.id, name);
    const auto now = lib::nowIso();
    if (!existing) {
      // The first save of a project creates its first branch.
      if (repo.countBranches(p.id) > 0) throw notFoundBranch(name);
      validateBranchName(name, "name");
      if (*revision != 0)
        throw Error(ErrorCode::CONFLICT, "branch " + name + " does not exist yet; save it with revision 0",
                    {{"revision", "must be 0 for the first save"}});
      out = domain::Branch{p.id, name, code, 1, std::nullopt, std::nullopt, now, now};
      repo.createBranch(out);
      created = true;
      return;
    }
    if (!repo.updateBranchCode(p.id, name, code, *revision, now))
      throw Error(ErrorCode::CONFLICT,
                  "the draft was changed by someone else (revision " + std::to_string(existing->revision) +
                      ", you sent " + std::to_string(*revision) + "); reload it before saving",
                  {{"revision", "is stale"}});
    out = *repo.findBranch(p.id, name);
  });
  return {out, created};
}

domain::Branch PipelineService::createBranch(const Principal& who, const std::string& projectId,
                                             const std::string& name, const std::optional<std::string>& fromRelease,
                                             const std::optional<std::string>& fromBranch) {
  auto p = projects_.requireAccess(who, projectId);
  validateBranchName(name, "name");
  if (fromRelease && fromBranch)
    throw Error(ErrorCode::INVALID_ARGUMENT, "give either from_release or from_branch, not both",
                {{"from_release", "conflicts with from_branch"}});
  domain::Branch b;
  store_.transaction([&](store::Repositories& repos) {
    auto& repo = repos.pipeline();
    const auto now = lib::nowIso();
    b = domain::Branch{p.id, name, "", 1, std::nullopt, std::nullopt, now, now};
    if (fromRelease) {
      auto v = parseVersion(*fromRelease);
      auto r = repo.findRelease(p.id, v);
      if (!r) throw notFoundRelease(*fromRelease);
      b.code = r->code;
      b.createdFromRelease = v.toString();
    } else if (fromBranch) {
      auto src = repo.findBranch(p.id, *fromBranch);
      if (!src) throw notFoundBranch(*fromBranch);
      b.code = src->code;
      b.parentBranch = src->name;
    } else if (repo.countBranches(p.id) == 0) {
      b.code = serviceTemplate();
    } else {
      throw Error(ErrorCode::INVALID_ARGUMENT, "a new branch starts from a release or another branch",
                  {{"from_release", "or from_branch is required"}});
    }
    repo.createBranch(b);
  });
  return b;
}

domain::Branch PipelineService::renameBranch(const Principal& who, const std::string& projectId,
                                             const std::string& name, const std::string& newName) {
  auto p = projects_.requireAccess(who, projectId);
  validateBranchName(newName, "new_name");
  auto& repo = store_.repos().pipeline();
  if (name == newName) {
    if (auto b = repo.findBranch(p.id, name)) return *b;
    throw notFoundBranch(name);
  }
  if (!repo.renameBranch(p.id, name, newName, lib::nowIso())) throw notFoundBranch(name);
  return *repo.findBranch(p.id, newName);
}

domain::Branch PipelineService::resetBranch(const Principal& who, const std::string& projectId,
                                            const std::string& name, const std::string& version) {
  auto p = projects_.requireAccess(who, projectId);
  auto v = parseVersion(version);
  domain::Branch out;
  store_.transaction([&](store::Repositories& repos) {
    auto& repo = repos.pipeline();
    auto b = repo.findBranch(p.id, name);
    if (!b) throw notFoundBranch(name);
    auto r = repo.findRelease(p.id, v);
    if (!r) throw notFoundRelease(version);
    if (!repo.updateBranchCode(p.id, name, r->code, b->revision, lib::nowIso()))
      throw Error(ErrorCode::CONFLICT, "the draft changed while it was being reset; try again");
    out = *repo.findBranch(p.id, name);
  });
  return out;
}

void PipelineService::deleteBranch(const Principal& who, const std::string& projectId, const std::string& name) {
  auto p = projects_.requireAccess(who, projectId);
  store_.transaction([&](store::Repositories& repos) {
    auto& repo = repos.pipeline();
    if (!repo.findBranch(p.id, name)) throw notFoundBranch(name);
    if (repo.countBranches(p.id) <= 1)
      throw Error(ErrorCode::CONFLICT, "branch " + name + " is the project's last branch and cannot be deleted");
    repo.deleteBranch(p.id, name);
  });
}

ReleaseView PipelineService::view(const domain::Project& p, domain::Release r) {
  ReleaseView v;
  const auto version = r.version.toString();
  v.isActive = p.activeRelease && *p.activeRelease == version;
  auto running = store_.repos().pipeline().runningRelease(p.id);
  v.isRunning = running && *running == version;
  v.release = std::move(r);
  return v;
}

domain::Page<ReleaseView> PipelineService::listReleases(const Principal& who, const std::string& projectId,
                                                        const domain::PageRequest& page) {
  auto p = projects_.requireAccess(who, projectId);
  auto rows = store_.repos().pipeline().listReleases(p.id, page);
  auto running = store_.repos().pipeline().runningRelease(p.id);
  domain::Page<ReleaseView> out;
  out.page = rows.page;
  out.perPage = rows.perPage;
  out.totalItems = rows.totalItems;
  for (auto& r : rows.items) {
    const auto version = r.version.toString();
    out.items.push_back({std::move(r), p.activeRelease && *p.activeRelease == version, running && *running == version});
  }
  return out;
}

ReleaseView PipelineService::getRelease(const Principal& who, const std::string& projectId, const std::string& version) {
  auto p = projects_.requireAccess(who, projectId);
  auto r = store_.repos().pipeline().findRelease(p.id, parseVersion(version));
  if (!r) throw notFoundRelease(version);
  return view(p, std::move(*r));
}

ReleaseView PipelineService::createRelease(const Principal& who, const std::string& projectId, const NewRelease& in) {
  auto p = projects_.requireAccess(who, projectId);
  Validation v;
  v.check(in.bump == "major" || in.bump == "minor", "bump", "must be major or minor");
  v.check(isTag(in.tag), "tag", "must be one of stable, hot-fix, night-build, develop");
  v.check(in.comment.size() <= 2000, "comment", "must be at most 2000 characters");
  v.check(!in.branch.empty(), "branch", "is required");
  v.throwIfAny();
  domain::Release r;
  // The version is computed and inserted in one transaction; the primary key
  // (project, major, minor) makes a duplicate impossible, and a lost race
  // (possible with drivers without a global writer lock) is retried.
  for (int attempt = 0;; ++attempt) {
    try {
      store_.transaction([&](store::Repositories& repos) {
        auto& repo = repos.pipeline();
        auto b = repo.findBranch(p.id, in.branch);
        if (!b) throw notFoundBranch(in.branch);
        auto latest = repo.latestVersion(p.id);
        domain::Version next{1, 0};
        if (latest) next = in.bump == "major" ? domain::Version{latest->major + 1, 0}
                                              : domain::Version{latest->major, latest->minor + 1};
        r = domain::Release{p.id, next, b->code, in.comment, in.tag, b->name,
                            who.isUser() ? who.user.id : "", lib::nowIso(), static_cast<std::int64_t>(b->code.size())};
        repo.createRelease(r);
        if (!latest || !p.activeRelease) repo.setActiveRelease(p.id, next.toString());  // the first becomes active
      });
      break;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::CONFLICT || attempt >= 4) throw;
    }
  }
  auto fresh = projects_.requireAccess(who, projectId);
  return view(fresh, r);
}

void PipelineService::deleteRelease(const Principal& who, const std::string& projectId, const std::string& version) {
  auto p = projects_.requireAccess(who, projectId);
  auto v = parseVersion(version);
  store_.transaction([&](store::Repositories& repos) {
    auto& repo = repos.pipeline();
    if (!repo.findRelease(p.id, v)) throw notFoundRelease(version);
    auto current = repos.projects().findById(p.id);
    if (current && current->activeRelease == v.toString())
      throw Error(ErrorCode::CONFLICT, "release " + version + " is active; activate another release first");
    if (repo.runningRelease(p.id) == v.toString())
      throw Error(ErrorCode::CONFLICT, "release " + version + " is running; stop or restart the project first");
    repo.deleteRelease(p.id, v);
  });
}

ReleaseView PipelineService::activate(const Principal& who, const std::string& projectId, const std::string& version) {
  auto p = projects_.requireAccess(who, projectId);
  auto v = parseVersion(version);
  std::optional<domain::Release> r;
  // Check and set in one transaction: a concurrent delete of this release
  // must not leave a deleted version active.
  store_.transaction([&](store::Repositories& repos) {
    r = repos.pipeline().findRelease(p.id, v);
    if (!r) throw notFoundRelease(version);
    repos.pipeline().setActiveRelease(p.id, v.toString());
  });
  p.activeRelease = v.toString();
  return view(p, std::move(*r));
}

}  // namespace m3m::service
