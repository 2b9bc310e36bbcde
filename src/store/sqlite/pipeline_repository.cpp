#include "store/sqlite/pipeline_repository.hpp"

#include "store/sqlite/statement.hpp"

namespace m3m::store::sqlite {
namespace {

// withCode: listing leaves the (possibly large) code out.
domain::Branch readBranch(SQLite::Statement& q, bool withCode) {
  domain::Branch b;
  b.projectId = q.getColumn(0).getString();
  b.name = q.getColumn(1).getString();
  if (withCode) b.code = q.getColumn(2).getString();
  b.revision = q.getColumn(3).getInt();
  b.createdFromRelease = optionalText(q.getColumn(4));
  b.parentBranch = optionalText(q.getColumn(5));
  b.createdAt = q.getColumn(6).getString();
  b.updatedAt = q.getColumn(7).getString();
  return b;
}

constexpr const char* kBranchColumns =
    "project_id, name, code, revision, created_from_release, parent_branch, created_at, updated_at";
constexpr const char* kBranchListColumns =
    "project_id, name, '', revision, created_from_release, parent_branch, created_at, updated_at";

domain::Release readRelease(SQLite::Statement& q, bool withCode) {
  domain::Release r;
  r.projectId = q.getColumn(0).getString();
  r.version = {q.getColumn(1).getInt(), q.getColumn(2).getInt()};
  if (withCode) r.code = q.getColumn(3).getString();
  r.comment = q.getColumn(4).getString();
  r.tag = q.getColumn(5).getString();
  r.branch = q.getColumn(6).getString();
  r.createdBy = q.getColumn(7).isNull() ? "" : q.getColumn(7).getString();
  r.createdAt = q.getColumn(8).getString();
  r.codeSize = q.getColumn(9).getInt64();
  return r;
}

constexpr const char* kReleaseColumns =
    "project_id, major, minor, code, comment, tag, branch, created_by, created_at, length(CAST(code AS BLOB))";
constexpr const char* kReleaseListColumns =
    "project_id, major, minor, '', comment, tag, branch, created_by, created_at, length(CAST(code AS BLOB))";

}  // namespace

domain::Page<domain::Branch> SqlitePipelineRepository::listBranches(const std::string& projectId,
                                                                   const domain::PageRequest& page) {
  domain::Page<domain::Branch> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::Branch>(db, page, kBranchListColumns, "branches WHERE project_id = ?1", "name",
                                     [](SQLite::Statement& q) { return readBranch(q, false); }, projectId);
  });
  return out;
}

std::int64_t SqlitePipelineRepository::countBranches(const std::string& projectId) {
  std::int64_t n = 0;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM branches WHERE project_id = ?1");
    bindAll(q, projectId);
    q.executeStep();
    n = q.getColumn(0).getInt64();
  });
  return n;
}

std::optional<domain::Branch> SqlitePipelineRepository::findBranch(const std::string& projectId,
                                                                  const std::string& name) {
  std::optional<domain::Branch> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kBranchColumns + " FROM branches WHERE project_id = ?1 AND name = ?2");
    bindAll(q, projectId, name);
    if (q.executeStep()) out = readBranch(q, true);
  });
  return out;
}

void SqlitePipelineRepository::createBranch(const domain::Branch& b) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("name", "a branch with this name already exists", [&] {
      SQLite::Statement q(db, std::string("INSERT INTO branches(") + kBranchColumns +
                                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      bindAll(q, b.projectId, b.name, b.code, b.revision, b.createdFromRelease, b.parentBranch, b.createdAt,
              b.updatedAt);
      q.exec();
    });
  });
}

bool SqlitePipelineRepository::updateBranchCode(const std::string& projectId, const std::string& name,
                                                const std::string& code, int expectedRevision,
                                                const std::string& updatedAt) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db,
                        "UPDATE branches SET code = ?3, revision = revision + 1, updated_at = ?5 "
                        "WHERE project_id = ?1 AND name = ?2 AND revision = ?4");
    bindAll(q, projectId, name, code, expectedRevision, updatedAt);
    changed = q.exec();
  });
  return changed > 0;
}

bool SqlitePipelineRepository::renameBranch(const std::string& projectId, const std::string& name,
                                            const std::string& newName, const std::string& updatedAt) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    mapUnique("new_name", "a branch with this name already exists", [&] {
      SQLite::Statement q(db,
                          "UPDATE branches SET name = ?3, revision = revision + 1, updated_at = ?4 "
                          "WHERE project_id = ?1 AND name = ?2");
      bindAll(q, projectId, name, newName, updatedAt);
      changed = q.exec();
    });
  });
  return changed > 0;
}

bool SqlitePipelineRepository::deleteBranch(const std::string& projectId, const std::string& name) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM branches WHERE project_id = ?1 AND name = ?2");
    bindAll(q, projectId, name);
    changed = q.exec();
  });
  return changed > 0;
}

domain::Page<domain::Release> SqlitePipelineRepository::listReleases(const std::string& projectId,
                                                                    const domain::PageRequest& page) {
  domain::Page<domain::Release> out;
  db_.read([&](SQLite::Database& db) {
    out = pagedQuery<domain::Release>(db, page, kReleaseListColumns, "releases WHERE project_id = ?1",
                                      "major DESC, minor DESC",
                                      [](SQLite::Statement& q) { return readRelease(q, false); }, projectId);
  });
  return out;
}

std::optional<domain::Release> SqlitePipelineRepository::findRelease(const std::string& projectId,
                                                                    const domain::Version& v) {
  std::optional<domain::Release> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, std::string("SELECT ") + kReleaseColumns +
                                " FROM releases WHERE project_id = ?1 AND major = ?2 AND minor = ?3");
    bindAll(q, projectId, v.major, v.minor);
    if (q.executeStep()) out = readRelease(q, true);
  });
  return out;
}

std::optional<domain::Version> SqlitePipelineRepository::latestVersion(const std::string& projectId) {
  std::optional<domain::Version> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT last_release_major, last_release_minor FROM projects WHERE id = ?1");
    bindAll(q, projectId);
    if (q.executeStep() && q.getColumn(0).getInt() > 0)
      out = domain::Version{q.getColumn(0).getInt(), q.getColumn(1).getInt()};
  });
  return out;
}

void SqlitePipelineRepository::createRelease(const domain::Release& r) {
  db_.write([&](SQLite::Database& db) {
    mapUnique("version", "release " + r.version.toString() + " already exists", [&] {
      SQLite::Statement q(db,
                          "INSERT INTO releases(project_id, major, minor, code, comment, tag, branch, created_by, "
                          "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      std::optional<std::string> by;
      if (!r.createdBy.empty()) by = r.createdBy;
      bindAll(q, r.projectId, r.version.major, r.version.minor, r.code, r.comment, r.tag, r.branch, by, r.createdAt);
      q.exec();
      SQLite::Statement issued(db,
                               "UPDATE projects SET last_release_major = ?2, last_release_minor = ?3 WHERE id = ?1 "
                               "AND (last_release_major < ?2 OR (last_release_major = ?2 AND last_release_minor < ?3))");
      bindAll(issued, r.projectId, r.version.major, r.version.minor);
      issued.exec();
    });
  });
}

bool SqlitePipelineRepository::deleteRelease(const std::string& projectId, const domain::Version& v) {
  int changed = 0;
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "DELETE FROM releases WHERE project_id = ?1 AND major = ?2 AND minor = ?3");
    bindAll(q, projectId, v.major, v.minor);
    changed = q.exec();
  });
  return changed > 0;
}

void SqlitePipelineRepository::setActiveRelease(const std::string& projectId,
                                                const std::optional<std::string>& version) {
  db_.write([&](SQLite::Database& db) {
    SQLite::Statement q(db, "UPDATE projects SET active_release = ?2 WHERE id = ?1");
    bindAll(q, projectId, version);
    q.exec();
  });
}

std::optional<std::string> SqlitePipelineRepository::runningRelease(const std::string& projectId) {
  std::optional<std::string> out;
  db_.read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT running_release FROM projects WHERE id = ?1");
    bindAll(q, projectId);
    if (q.executeStep()) out = optionalText(q.getColumn(0));
  });
  return out;
}

}  // namespace m3m::store::sqlite
