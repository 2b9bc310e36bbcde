// The storage-driver contract for users, sessions, projects, members,
// environment values, branches, releases, goals and storage links: the same
// suite runs unchanged against SQLite and MongoDB (FerretDB, or
// $M3M_TEST_MONGODB_URI), through the Store interface only. The MongoDB-only
// tests at the end pin what FerretDB can and cannot do that the driver relies on.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <m3m/error.hpp>
#include <memory>
#include <thread>

#include "config/config.hpp"
#include "store/mongo/database.hpp"
#include "store/mongo/repository_util.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"
#include "test_mongodb.hpp"

using namespace m3m;
using nlohmann::json;

namespace {

struct Driver {
  std::string name;
  std::function<std::unique_ptr<store::Store>(const TempDir&)> open;
};

const std::string kNow = "2026-11-24T12:00:00.000Z";

std::string at(int second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-24T12:00:%02d.000Z", second);
  return buf;
}

// Runs fn, expecting m3m::Error with `code` and (when given) `field` in fields.
template <class Fn>
void expectError(ErrorCode code, const std::string& field, Fn&& fn) {
  try {
    fn();
    ADD_FAILURE() << "no error thrown (expected " << static_cast<int>(code) << " on " << field << ")";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    if (!field.empty()) EXPECT_TRUE(e.fields().count(field)) << e.what() << " lacks fields." << field;
  }
}

class RepositoryConformance : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override { store = GetParam().open(dir); }
  store::Repositories& repos() { return store->repos(); }

  domain::User user(const std::string& id, const std::string& email, const std::string& created = kNow,
                    const std::string& name = "") {
    domain::User u;
    u.id = id;
    u.email = email;
    u.name = name.empty() ? id : name;
    u.passwordHash = "hash-" + id;
    u.createdAt = u.updatedAt = created;
    repos().users().create(u);
    return u;
  }
  domain::Project project(const std::string& id, const std::string& slug, const std::string& created = kNow,
                          const std::string& owner = "") {
    domain::Project p;
    p.id = id;
    p.name = "Project " + slug;
    p.slug = slug;
    p.ownerId = owner;
    p.apiKeyHash = "key-" + id;
    p.apiKeyHint = "m3m_…" + id;
    p.createdAt = p.updatedAt = created;
    repos().projects().create(p);
    return p;
  }
  domain::Goal goal(const std::string& id, const std::optional<std::string>& projectId, const std::string& slug,
                    const std::string& fullSlug, std::vector<std::string> allowed = {}) {
    domain::Goal g;
    g.id = id;
    g.projectId = projectId;
    g.name = "Goal " + slug;
    g.slug = slug;
    g.fullSlug = fullSlug;
    g.type = "daily_counter";
    g.allowedProjects = std::move(allowed);
    g.createdAt = g.updatedAt = kNow;
    repos().goals().create(g);
    return g;
  }

  TempDir dir;
  std::unique_ptr<store::Store> store;
};

// ---- users -----------------------------------------------------------------

TEST_P(RepositoryConformance, SettingsSetIfAbsentKeepsTheFirstValue) {
  auto& s = store->repos().settings();
  EXPECT_EQ(s.setIfAbsent("k", "first"), "first");
  EXPECT_EQ(s.setIfAbsent("k", "second"), "first");
  EXPECT_EQ(s.get("k").value_or(""), "first");
  s.set("k", "third");
  EXPECT_EQ(s.setIfAbsent("k", "fourth"), "third");
  // Racing writers all end up with one value.
  std::vector<std::string> got(6);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] { got[i] = store->repos().settings().setIfAbsent("race", "v" + std::to_string(i)); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, got[0]);
  EXPECT_EQ(s.get("race").value_or(""), got[0]);
}

TEST_P(RepositoryConformance, UserRoundTripUpdateAndRemove) {
  auto u = user("u1", "a@example.com");
  u.isBlocked = true;
  u.canCreateProjects = true;
  u.tokenVersion = 7;
  u.avatarVersion = 2;
  u.language = "de";
  u.name = "Änne";
  u.updatedAt = at(5);
  EXPECT_TRUE(repos().users().update(u));
  auto got = repos().users().findById("u1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->email, "a@example.com");
  EXPECT_EQ(got->name, "Änne");
  EXPECT_EQ(got->passwordHash, "hash-u1");
  EXPECT_TRUE(got->isBlocked);
  EXPECT_TRUE(got->canCreateProjects);
  EXPECT_FALSE(got->canManageUsers);
  EXPECT_FALSE(got->isRoot);
  EXPECT_EQ(got->tokenVersion, 7);
  EXPECT_EQ(got->avatarVersion, 2);
  EXPECT_EQ(got->language, "de");
  EXPECT_EQ(got->createdAt, kNow);
  EXPECT_EQ(got->updatedAt, at(5));
  EXPECT_EQ(repos().users().findByEmail("a@example.com")->id, "u1");
  EXPECT_FALSE(repos().users().findByEmail("A@example.com"));
  EXPECT_FALSE(repos().users().findRoot());

  domain::User ghost = u;
  ghost.id = "nobody";
  ghost.email = "ghost@example.com";
  EXPECT_FALSE(repos().users().update(ghost));
  EXPECT_TRUE(repos().users().remove("u1"));
  EXPECT_FALSE(repos().users().remove("u1"));
  EXPECT_FALSE(repos().users().findById("u1"));
}

TEST_P(RepositoryConformance, DuplicateEmailIsConflictOnEmail) {
  user("u1", "a@example.com");
  auto b = user("u2", "b@example.com");
  expectError(ErrorCode::CONFLICT, "email", [&] { user("u3", "a@example.com"); });
  b.email = "a@example.com";
  expectError(ErrorCode::CONFLICT, "email", [&] { repos().users().update(b); });
  EXPECT_EQ(repos().users().findById("u2")->email, "b@example.com");
  EXPECT_FALSE(repos().users().findById("u3"));
}

TEST_P(RepositoryConformance, OnlyOneRoot) {
  domain::User r;
  r.id = "root";
  r.email = "root@example.com";
  r.passwordHash = "x";
  r.isRoot = true;
  r.createdAt = r.updatedAt = kNow;
  repos().users().create(r);
  user("u1", "plain1@example.com");
  user("u2", "plain2@example.com");  // many non-root users are fine
  domain::User r2 = r;
  r2.id = "root2";
  r2.email = "root2@example.com";
  expectError(ErrorCode::CONFLICT, "", [&] { repos().users().create(r2); });
  EXPECT_FALSE(repos().users().findById("root2"));
  ASSERT_TRUE(repos().users().findRoot());
  EXPECT_EQ(repos().users().findRoot()->id, "root");
  EXPECT_TRUE(repos().users().findRoot()->isRoot);
  // Once the root is gone another may be created.
  EXPECT_TRUE(repos().users().remove("root"));
  repos().users().create(r2);
  EXPECT_EQ(repos().users().findRoot()->id, "root2");
}

TEST_P(RepositoryConformance, UserListOrderPagingAndEscapedSearch) {
  user("u5", "e@example.com", at(5), "dot.star");
  user("u1", "a@example.com", at(1), "Alice (admin)");
  user("u3", "c@example.com", at(3), "back\\slash");
  user("u2", "b@EXAMPLE.org", at(2), "Bob");
  user("u4", "d@example.com", at(4), "100% _under");
  user("u6", "f@example.com", at(6), "[x]^$|?+{1}");

  auto all = repos().users().list({1, 4, ""});
  EXPECT_EQ(all.totalItems, 6);
  ASSERT_EQ(all.items.size(), 4u);
  EXPECT_EQ(all.items[0].id, "u1");
  EXPECT_EQ(all.items[3].id, "u4");
  auto p2 = repos().users().list({2, 4, ""});
  EXPECT_EQ(p2.totalItems, 6);
  EXPECT_EQ(p2.totalPages(), 2);
  ASSERT_EQ(p2.items.size(), 2u);
  EXPECT_EQ(p2.items[0].id, "u5");
  EXPECT_EQ(p2.items[1].id, "u6");
  auto beyond = repos().users().list({5, 4, ""});
  EXPECT_EQ(beyond.totalItems, 6);
  EXPECT_TRUE(beyond.items.empty());

  auto ids = [&](const std::string& search) {
    std::vector<std::string> out;
    for (auto& u : repos().users().list({1, 50, search}).items) out.push_back(u.id);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids("ALICE"), V({"u1"}));                // name, any case
  EXPECT_EQ(ids("example.org"), V({"u2"}));           // email, any case
  EXPECT_EQ(ids(".*"), V{});                          // a regex would match everyone
  EXPECT_EQ(ids("a.e"), V{});                         // '.' is not any character
  EXPECT_EQ(ids("("), V({"u1"}));                     // an unbalanced group is text
  EXPECT_EQ(ids("\\"), V({"u3"}));                    // a lone backslash is text
  EXPECT_EQ(ids("%"), V({"u4"}));                     // LIKE's wildcards are text too
  EXPECT_EQ(ids("_"), V({"u4"}));
  EXPECT_EQ(ids("[x]^$|?+{1}"), V({"u6"}));
  EXPECT_EQ(ids("example"), V({"u1", "u2", "u3", "u4", "u5", "u6"}));
  auto page = repos().users().list({2, 2, "example.com"});
  EXPECT_EQ(page.totalItems, 5);  // the total counts the search, not the table
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].id, "u4");
}

TEST_P(RepositoryConformance, RemovingAUserCascades) {
  user("u1", "a@example.com");
  user("u2", "b@example.com");
  project("p1", "one", kNow, "u1");
  repos().projects().addMember("p1", "u1");
  repos().projects().addMember("p1", "u2");
  repos().sessions().create({"s1", "u1", "h1", "2027-01-01T00:00:00.000Z", false, kNow});
  repos().sessions().create({"s2", "u2", "h2", "2027-01-01T00:00:00.000Z", false, kNow});
  ASSERT_TRUE(repos().sessions().rotate("s1", "h1", "h1b", "2027-01-02T00:00:00.000Z"));

  EXPECT_TRUE(repos().users().remove("u1"));
  EXPECT_FALSE(repos().sessions().findById("s1"));
  EXPECT_FALSE(repos().sessions().findByUsedRefreshHash("h1"));
  EXPECT_TRUE(repos().sessions().findById("s2"));
  EXPECT_FALSE(repos().projects().isMember("p1", "u1"));
  EXPECT_TRUE(repos().projects().isMember("p1", "u2"));
  EXPECT_TRUE(repos().projects().projectIdsOf("u1").empty());
  auto p = repos().projects().findById("p1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ownerId, "");  // SET NULL
  ASSERT_EQ(repos().projects().members("p1").size(), 1u);
  EXPECT_EQ(repos().projects().members("p1")[0].userId, "u2");
}

// ---- sessions --------------------------------------------------------------

TEST_P(RepositoryConformance, SessionRotateIsCompareAndSwap) {
  user("u1", "a@example.com");
  repos().sessions().create({"s1", "u1", "h1", "2027-01-01T00:00:00.000Z", false, kNow});
  auto s = repos().sessions().findByRefreshHash("h1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id, "s1");
  EXPECT_EQ(s->userId, "u1");
  EXPECT_EQ(s->expiresAt, "2027-01-01T00:00:00.000Z");
  EXPECT_FALSE(s->revoked);
  EXPECT_EQ(s->createdAt, kNow);

  EXPECT_TRUE(repos().sessions().rotate("s1", "h1", "h2", "2027-02-01T00:00:00.000Z"));
  EXPECT_FALSE(repos().sessions().rotate("s1", "h1", "h3", "2027-03-01T00:00:00.000Z"));  // lost the race
  EXPECT_FALSE(repos().sessions().rotate("nope", "h2", "h3", "2027-03-01T00:00:00.000Z"));
  EXPECT_FALSE(repos().sessions().findByRefreshHash("h1"));
  EXPECT_FALSE(repos().sessions().findByRefreshHash("h3"));
  EXPECT_EQ(repos().sessions().findByRefreshHash("h2")->expiresAt, "2027-02-01T00:00:00.000Z");
  EXPECT_TRUE(repos().sessions().rotate("s1", "h2", "h3", "2027-03-01T00:00:00.000Z"));
  // Every hash rotated away is remembered (replay detection), the current one is not.
  EXPECT_EQ(repos().sessions().findByUsedRefreshHash("h1")->id, "s1");
  EXPECT_EQ(repos().sessions().findByUsedRefreshHash("h2")->id, "s1");
  EXPECT_FALSE(repos().sessions().findByUsedRefreshHash("h3"));
  EXPECT_EQ(repos().sessions().findByUsedRefreshHash("h2")->refreshHash, "h3");

  repos().sessions().revoke("s1");
  EXPECT_TRUE(repos().sessions().findById("s1")->revoked);
  EXPECT_FALSE(repos().sessions().rotate("s1", "h3", "h4", "2027-04-01T00:00:00.000Z"));  // revoked
}

TEST_P(RepositoryConformance, ConcurrentRotationsHaveOneWinner) {
  user("u1", "a@example.com");
  repos().sessions().create({"s1", "u1", "h0", "2027-01-01T00:00:00.000Z", false, kNow});
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&, i] {
      if (repos().sessions().rotate("s1", "h0", "next" + std::to_string(i), "2027-02-01T00:00:00.000Z")) ++wins;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(repos().sessions().findByUsedRefreshHash("h0")->id, "s1");
}

TEST_P(RepositoryConformance, RevokeAllOfAUser) {
  user("u1", "a@example.com");
  user("u2", "b@example.com");
  repos().sessions().create({"s1", "u1", "h1", "2027-01-01T00:00:00.000Z", false, kNow});
  repos().sessions().create({"s2", "u1", "h2", "2027-01-01T00:00:00.000Z", false, kNow});
  repos().sessions().create({"s3", "u2", "h3", "2027-01-01T00:00:00.000Z", false, kNow});
  repos().sessions().revokeAllOf("u1");
  EXPECT_TRUE(repos().sessions().findById("s1")->revoked);
  EXPECT_TRUE(repos().sessions().findById("s2")->revoked);
  EXPECT_FALSE(repos().sessions().findById("s3")->revoked);
}

// ---- projects and members --------------------------------------------------

TEST_P(RepositoryConformance, ProjectRoundTripAndRunState) {
  user("u1", "a@example.com");
  auto p = project("p1", "one", kNow, "u1");
  auto got = repos().projects().findBySlug("one");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, "p1");
  EXPECT_EQ(got->ownerId, "u1");
  EXPECT_EQ(got->status, "stopped");
  EXPECT_TRUE(got->autoStart);
  EXPECT_FALSE(got->color);
  EXPECT_FALSE(got->activeRelease);
  EXPECT_FALSE(got->runningRelease);
  EXPECT_EQ(repos().projects().findByApiKeyHash("key-p1")->id, "p1");
  EXPECT_FALSE(repos().projects().findByApiKeyHash("key-p2"));

  p.name = "Renamed";
  p.color = "teal";
  p.activeRelease = "1.0";
  p.apiKeyHash = "key-new";
  p.updatedAt = at(9);
  EXPECT_TRUE(repos().projects().update(p));
  got = repos().projects().findById("p1");
  EXPECT_EQ(got->name, "Renamed");
  EXPECT_EQ(got->color, "teal");
  EXPECT_EQ(got->activeRelease, "1.0");
  EXPECT_EQ(got->updatedAt, at(9));
  EXPECT_FALSE(repos().projects().findByApiKeyHash("key-p1"));
  EXPECT_EQ(repos().projects().findByApiKeyHash("key-new")->id, "p1");
  p.color.reset();
  EXPECT_TRUE(repos().projects().update(p));
  EXPECT_FALSE(repos().projects().findById("p1")->color);

  project("p2", "two", at(1));
  project("p3", "three", at(2));
  repos().projects().setRunState("p1", "running", std::string("1.0"));
  repos().projects().setRunState("p3", "running", std::nullopt);
  auto p3 = repos().projects().findById("p3");
  p3->autoStart = false;
  repos().projects().update(*p3);
  auto autostart = repos().projects().listAutoStart();
  ASSERT_EQ(autostart.size(), 1u);
  EXPECT_EQ(autostart[0].id, "p1");
  EXPECT_EQ(autostart[0].runningRelease, "1.0");
  EXPECT_EQ(repos().pipeline().runningRelease("p1"), "1.0");
  repos().projects().setRunState("p1", "stopped", std::nullopt);
  EXPECT_FALSE(repos().pipeline().runningRelease("p1"));
  EXPECT_TRUE(repos().projects().listAutoStart().empty());

  domain::Project ghost = p;
  ghost.id = "nope";
  ghost.slug = "nope";
  ghost.apiKeyHash = "key-nope";
  EXPECT_FALSE(repos().projects().update(ghost));
}

TEST_P(RepositoryConformance, DuplicateSlugIsConflictOnSlug) {
  project("p1", "one");
  auto p2 = project("p2", "two");
  expectError(ErrorCode::CONFLICT, "slug", [&] { project("p3", "one"); });
  EXPECT_FALSE(repos().projects().findById("p3"));
  p2.slug = "one";
  expectError(ErrorCode::CONFLICT, "slug", [&] { repos().projects().update(p2); });
  EXPECT_EQ(repos().projects().findById("p2")->slug, "two");
  // Keeping one's own slug is no conflict.
  p2.slug = "two";
  p2.name = "Two";
  EXPECT_TRUE(repos().projects().update(p2));
}

TEST_P(RepositoryConformance, ProjectListFiltersPagesAndSearches) {
  user("u1", "a@example.com");
  for (int i = 1; i <= 5; ++i) project("p" + std::to_string(i), "slug-" + std::to_string(i), at(i));
  project("p6", "under_score", at(6));
  repos().projects().addMember("p2", "u1");
  repos().projects().addMember("p4", "u1");
  repos().projects().addMember("p4", "u1");  // idempotent
  repos().projects().addMember("p6", "u1");

  auto page = repos().projects().list({1, 4, ""}, std::nullopt);
  EXPECT_EQ(page.totalItems, 6);
  ASSERT_EQ(page.items.size(), 4u);
  EXPECT_EQ(page.items[0].id, "p6");  // newest first
  EXPECT_EQ(page.items[3].id, "p3");
  page = repos().projects().list({2, 4, ""}, std::nullopt);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[1].id, "p1");

  auto mine = repos().projects().list({1, 2, ""}, std::string("u1"));
  EXPECT_EQ(mine.totalItems, 3);
  ASSERT_EQ(mine.items.size(), 2u);
  EXPECT_EQ(mine.items[0].id, "p6");
  EXPECT_EQ(mine.items[1].id, "p4");
  EXPECT_EQ(repos().projects().list({1, 10, ""}, std::string("nobody")).totalItems, 0);

  auto found = repos().projects().list({1, 10, "SLUG-"}, std::string("u1"));
  ASSERT_EQ(found.totalItems, 2);
  EXPECT_EQ(found.items[0].id, "p4");
  EXPECT_EQ(repos().projects().list({1, 10, "project slug-3"}, std::nullopt).totalItems, 1);  // by name
  EXPECT_EQ(repos().projects().list({1, 10, "_"}, std::nullopt).totalItems, 1);
  EXPECT_EQ(repos().projects().list({1, 10, "."}, std::nullopt).totalItems, 0);

  auto ids = repos().projects().projectIdsOf("u1");
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, std::vector<std::string>({"p2", "p4", "p6"}));
}

TEST_P(RepositoryConformance, Members) {
  user("u1", "zed@example.com", kNow, "Zed");
  user("u2", "amy@example.com", kNow, "Amy");
  project("p1", "one");
  EXPECT_FALSE(repos().projects().isMember("p1", "u1"));
  repos().projects().addMember("p1", "u1");
  repos().projects().addMember("p1", "u2");
  EXPECT_TRUE(repos().projects().isMember("p1", "u1"));
  auto members = repos().projects().members("p1");
  ASSERT_EQ(members.size(), 2u);
  for (const auto& m : members) {
    EXPECT_FALSE(m.since.empty());
    if (m.userId == "u2") {
      EXPECT_EQ(m.email, "amy@example.com");
      EXPECT_EQ(m.name, "Amy");
    }
  }
  EXPECT_TRUE(repos().projects().removeMember("p1", "u1"));
  EXPECT_FALSE(repos().projects().removeMember("p1", "u1"));
  EXPECT_FALSE(repos().projects().isMember("p1", "u1"));
  ASSERT_EQ(repos().projects().members("p1").size(), 1u);
  EXPECT_TRUE(repos().projects().members("nope").empty());
}

// ---- environment values ----------------------------------------------------

TEST_P(RepositoryConformance, EnvValues) {
  project("p1", "one");
  project("p2", "two");
  auto env = [&](const std::string& p, const std::string& key, const std::string& value) {
    domain::EnvValue v{p, key, "string", value, false, kNow, kNow};
    repos().env().create(v);
    return v;
  };
  env("p1", "B_KEY", "\"b\"");
  auto a = env("p1", "A_KEY", "\"a\"");
  env("p1", "C.KEY", "\"c\"");
  env("p2", "A_KEY", "\"other project\"");
  expectError(ErrorCode::CONFLICT, "key", [&] { env("p1", "A_KEY", "\"again\""); });
  EXPECT_EQ(repos().env().find("p1", "A_KEY")->valueJson, "\"a\"");

  auto page = repos().env().list("p1", {1, 2, ""});
  EXPECT_EQ(page.totalItems, 3);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].key, "A_KEY");
  EXPECT_EQ(page.items[1].key, "B_KEY");
  EXPECT_EQ(repos().env().list("p1", {1, 10, "a_k"}).totalItems, 1);
  EXPECT_EQ(repos().env().list("p1", {1, 10, "."}).totalItems, 1);
  EXPECT_EQ(repos().env().list("p1", {1, 10, "_"}).totalItems, 2);

  a.type = "integer";
  a.valueJson = "42";
  a.secret = true;
  a.updatedAt = at(3);
  EXPECT_TRUE(repos().env().update(a));
  auto got = repos().env().find("p1", "A_KEY");
  EXPECT_EQ(got->type, "integer");
  EXPECT_EQ(got->valueJson, "42");
  EXPECT_TRUE(got->secret);
  EXPECT_EQ(got->createdAt, kNow);
  EXPECT_EQ(got->updatedAt, at(3));
  EXPECT_EQ(repos().env().find("p2", "A_KEY")->valueJson, "\"other project\"");
  a.key = "MISSING";
  EXPECT_FALSE(repos().env().update(a));
  EXPECT_TRUE(repos().env().remove("p1", "A_KEY"));
  EXPECT_FALSE(repos().env().remove("p1", "A_KEY"));
  EXPECT_FALSE(repos().env().find("p1", "A_KEY"));
}

// ---- pipeline --------------------------------------------------------------

TEST_P(RepositoryConformance, BranchesCompareAndSwapAndRename) {
  project("p1", "one");
  auto& pl = repos().pipeline();
  pl.createBranch({"p1", "main", "code v1", 1, std::nullopt, std::nullopt, kNow, kNow});
  pl.createBranch({"p1", "dev", "dev code", 1, std::string("1.0"), std::string("main"), kNow, kNow});
  expectError(ErrorCode::CONFLICT, "name",
              [&] { pl.createBranch({"p1", "main", "x", 1, std::nullopt, std::nullopt, kNow, kNow}); });
  EXPECT_EQ(pl.countBranches("p1"), 2);
  EXPECT_EQ(pl.countBranches("p2"), 0);

  auto list = pl.listBranches("p1", {1, 10, ""});
  EXPECT_EQ(list.totalItems, 2);
  ASSERT_EQ(list.items.size(), 2u);
  EXPECT_EQ(list.items[0].name, "dev");
  EXPECT_EQ(list.items[0].code, "");  // listed without code
  EXPECT_EQ(list.items[0].createdFromRelease, "1.0");
  EXPECT_EQ(list.items[0].parentBranch, "main");
  EXPECT_FALSE(list.items[1].createdFromRelease);

  EXPECT_TRUE(pl.updateBranchCode("p1", "main", "code v2", 1, at(1)));
  EXPECT_FALSE(pl.updateBranchCode("p1", "main", "stale", 1, at(2)));  // revision moved on
  auto b = pl.findBranch("p1", "main");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->code, "code v2");
  EXPECT_EQ(b->revision, 2);
  EXPECT_EQ(b->updatedAt, at(1));

  expectError(ErrorCode::CONFLICT, "new_name", [&] { pl.renameBranch("p1", "main", "dev", at(3)); });
  EXPECT_TRUE(pl.findBranch("p1", "main"));
  EXPECT_TRUE(pl.renameBranch("p1", "main", "trunk", at(3)));
  EXPECT_FALSE(pl.renameBranch("p1", "main", "again", at(4)));
  EXPECT_FALSE(pl.findBranch("p1", "main"));
  EXPECT_EQ(pl.findBranch("p1", "trunk")->revision, 3);
  EXPECT_EQ(pl.findBranch("p1", "trunk")->code, "code v2");
  EXPECT_TRUE(pl.deleteBranch("p1", "trunk"));
  EXPECT_FALSE(pl.deleteBranch("p1", "trunk"));
  EXPECT_EQ(pl.countBranches("p1"), 1);
}

TEST_P(RepositoryConformance, ReleasesNewestFirstAndVersionsNeverReused) {
  user("u1", "a@example.com");
  project("p1", "one");
  auto& pl = repos().pipeline();
  EXPECT_FALSE(pl.latestVersion("p1"));
  auto rel = [&](int major, int minor, const std::string& code) {
    domain::Release r;
    r.projectId = "p1";
    r.version = {major, minor};
    r.code = code;
    r.comment = "c";
    r.tag = "stable";
    r.branch = "main";
    r.createdBy = major == 1 && minor == 2 ? "u1" : "";
    r.createdAt = kNow;
    pl.createRelease(r);
  };
  rel(1, 2, "ünïcode");
  rel(1, 10, "b");
  rel(1, 9, "c");  // lower than the highest: latestVersion stays
  rel(2, 0, "d");
  expectError(ErrorCode::CONFLICT, "version", [&] { rel(1, 10, "again"); });
  EXPECT_EQ(pl.findRelease("p1", {1, 10})->code, "b");

  auto list = pl.listReleases("p1", {1, 3, ""});
  EXPECT_EQ(list.totalItems, 4);
  ASSERT_EQ(list.items.size(), 3u);
  EXPECT_EQ(list.items[0].version, (domain::Version{2, 0}));
  EXPECT_EQ(list.items[1].version, (domain::Version{1, 10}));  // numerically, not as text
  EXPECT_EQ(list.items[2].version, (domain::Version{1, 9}));
  EXPECT_EQ(list.items[0].code, "");
  auto r = pl.findRelease("p1", {1, 2});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, "ünïcode");
  EXPECT_EQ(r->codeSize, 9);  // bytes
  EXPECT_EQ(r->createdBy, "u1");
  EXPECT_EQ(r->tag, "stable");
  EXPECT_EQ(pl.findRelease("p1", {1, 10})->createdBy, "");
  EXPECT_FALSE(pl.findRelease("p1", {3, 0}));

  EXPECT_EQ(pl.latestVersion("p1"), (domain::Version{2, 0}));
  EXPECT_TRUE(pl.deleteRelease("p1", {2, 0}));
  EXPECT_FALSE(pl.deleteRelease("p1", {2, 0}));
  EXPECT_EQ(pl.latestVersion("p1"), (domain::Version{2, 0}));  // never reused

  pl.setActiveRelease("p1", std::string("1.10"));
  EXPECT_EQ(repos().projects().findById("p1")->activeRelease, "1.10");
  pl.setActiveRelease("p1", std::nullopt);
  EXPECT_FALSE(repos().projects().findById("p1")->activeRelease);
}

// ---- goals -----------------------------------------------------------------

TEST_P(RepositoryConformance, GoalsSlugsAllowedProjectsAndSearch) {
  project("p1", "shop");
  project("p2", "blog");
  goal("g1", std::string("p1"), "signup", "shop-signup");
  goal("g2", std::nullopt, "visits", "visits", {"p2", "p1", "p2"});
  goal("g3", std::nullopt, "a.b", "a.b");
  expectError(ErrorCode::CONFLICT, "slug", [&] { goal("g4", std::nullopt, "visits", "visits"); });
  expectError(ErrorCode::CONFLICT, "slug", [&] { goal("g5", std::string("p2"), "signup", "shop-signup"); });

  auto g2 = repos().goals().find("g2");
  ASSERT_TRUE(g2);
  EXPECT_FALSE(g2->projectId);
  EXPECT_EQ(g2->allowedProjects, std::vector<std::string>({"p1", "p2"}));
  EXPECT_EQ(g2->type, "daily_counter");
  EXPECT_EQ(repos().goals().findBySlug("shop-signup")->id, "g1");
  EXPECT_EQ(repos().goals().findBySlug("shop-signup")->projectId, "p1");

  auto global = repos().goals().list(std::nullopt, {1, 10, ""});
  EXPECT_EQ(global.totalItems, 2);
  ASSERT_EQ(global.items.size(), 2u);
  EXPECT_EQ(global.items[0].id, "g3");  // by full slug
  EXPECT_EQ(global.items[1].allowedProjects.size(), 2u);
  EXPECT_EQ(repos().goals().list(std::string("p1"), {1, 10, ""}).totalItems, 1);
  EXPECT_EQ(repos().goals().list(std::string("p2"), {1, 10, ""}).totalItems, 0);
  EXPECT_EQ(repos().goals().list(std::nullopt, {1, 10, "VISITS"}).totalItems, 1);
  EXPECT_EQ(repos().goals().list(std::nullopt, {1, 10, "."}).totalItems, 1);  // only "a.b"
  EXPECT_EQ(repos().goals().list(std::nullopt, {1, 10, "Goal"}).totalItems, 2);  // by name

  g2->allowedProjects = {"p1"};
  g2->name = "Visits!";
  g2->updatedAt = at(1);
  EXPECT_TRUE(repos().goals().update(*g2));
  EXPECT_EQ(repos().goals().find("g2")->allowedProjects, std::vector<std::string>({"p1"}));
  EXPECT_EQ(repos().goals().find("g2")->name, "Visits!");
  g2->fullSlug = "shop-signup";
  expectError(ErrorCode::CONFLICT, "slug", [&] { repos().goals().update(*g2); });
  EXPECT_EQ(repos().goals().find("g2")->fullSlug, "visits");
  g2->id = "missing";
  g2->fullSlug = "missing";
  g2->allowedProjects.clear();  // (SQLite would refuse the rows for a missing goal)
  EXPECT_FALSE(repos().goals().update(*g2));
}

TEST_P(RepositoryConformance, RenameProjectSlugsFollowsOrRefusesWhole) {
  project("p1", "shop");
  goal("g1", std::string("p1"), "signup", "shop-signup");
  goal("g2", std::string("p1"), "buy", "shop-buy");
  goal("g3", std::nullopt, "store-buy", "store-buy");
  repos().goals().renameProjectSlugs("p1", "market");
  EXPECT_EQ(repos().goals().find("g1")->fullSlug, "market-signup");
  EXPECT_EQ(repos().goals().find("g2")->fullSlug, "market-buy");
  EXPECT_EQ(repos().goals().find("g1")->slug, "signup");
  // "store-buy" is taken by a global goal: nothing is renamed.
  expectError(ErrorCode::CONFLICT, "slug", [&] { repos().goals().renameProjectSlugs("p1", "store"); });
  EXPECT_EQ(repos().goals().find("g1")->fullSlug, "market-signup");
  EXPECT_EQ(repos().goals().find("g2")->fullSlug, "market-buy");
  EXPECT_EQ(repos().goals().find("g3")->fullSlug, "store-buy");
}

TEST_P(RepositoryConformance, GoalStatsAddUpAndFilter) {
  project("p1", "shop");
  goal("g1", std::nullopt, "visits", "visits", {"p1"});
  goal("g2", std::nullopt, "total", "total");
  auto& g = repos().goals();
  g.addStats({{"g1", "p1", "2026-11-01", 2}, {"g1", "p1", "2026-11-01", 3}, {"g1", "p2", "2026-11-01", 1},
              {"g1", "p1", "2026-11-05", 7}, {"g2", "p1", "", 10}, {"gone", "p1", "", 99}},
             kNow);
  g.addStats({{"g2", "p1", "", 5}, {"g1", "p1", "2026-10-31", 1}}, at(1));
  g.addStats({}, at(2));

  auto all = g.stats({"g1", "g2", "gone"}, "2026-11-01", "2026-11-30", std::nullopt);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].goalId, "g1");
  EXPECT_EQ(all[0].date, "2026-11-01");
  EXPECT_EQ(all[0].projectId, "p1");
  EXPECT_EQ(all[0].value, 5);
  EXPECT_EQ(all[1].projectId, "p2");
  EXPECT_EQ(all[1].value, 1);
  EXPECT_EQ(all[2].date, "2026-11-05");
  EXPECT_EQ(all[2].value, 7);
  EXPECT_EQ(all[3].goalId, "g2");
  EXPECT_EQ(all[3].date, "");  // counters always, whatever the range
  EXPECT_EQ(all[3].value, 15);

  auto p2 = g.stats({"g1"}, "2026-10-01", "2026-11-30", std::string("p2"));
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_EQ(p2[0].value, 1);
  EXPECT_EQ(g.stats({"g1"}, "2026-10-31", "2026-10-31", std::nullopt).size(), 1u);  // inclusive
  EXPECT_TRUE(g.stats({}, "2026-01-01", "2026-12-31", std::nullopt).empty());

  EXPECT_TRUE(g.remove("g1"));
  EXPECT_FALSE(g.remove("g1"));
  EXPECT_TRUE(g.stats({"g1"}, "2026-01-01", "2026-12-31", std::nullopt).empty());
  EXPECT_EQ(g.stats({"g2"}, "2026-01-01", "2026-12-31", std::nullopt).size(), 1u);
}

TEST_P(RepositoryConformance, ConcurrentStatIncrementsAllCount) {
  project("p1", "shop");
  goal("g1", std::nullopt, "visits", "visits");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) repos().goals().addStats({{"g1", "p1", "", 1}, {"g1", "p1", "2026-11-01", 2}}, kNow);
    });
  for (auto& t : threads) t.join();
  auto s = repos().goals().stats({"g1"}, "2026-11-01", "2026-11-01", std::nullopt);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].value, 40);
  EXPECT_EQ(s[1].value, 80);
}

// ---- storage links ---------------------------------------------------------

TEST_P(RepositoryConformance, StorageLinksMoveAndRemoveUnder) {
  project("p1", "one");
  project("p2", "two");
  auto& l = repos().storageLinks();
  auto link = [&](const std::string& hash, const std::string& project, const std::string& path, int second) {
    l.create({hash, project, path, "hint" + hash.substr(0, 2), at(second)});
  };
  link("aaaaaaaaaaaaaaaa0001", "p1", "docs/a.txt", 1);
  link("bbbbbbbbbbbbbbbb0002", "p1", "docs/sub/b.txt", 2);
  link("cccccccccccccccc0003", "p1", "docs", 3);
  link("dddddddddddddddd0004", "p1", "docsx/c.txt", 4);  // not under "docs"
  link("eeeeeeeeeeeeeeee0005", "p1", "d.cs/e.txt", 5);   // '.' is no wildcard
  link("ffffffffffffffff0006", "p2", "docs/a.txt", 6);   // another project

  auto page = l.list("p1", {1, 3, ""});
  EXPECT_EQ(page.totalItems, 5);
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].tokenHash, "aaaaaaaaaaaaaaaa0001");
  EXPECT_EQ(page.items[0].tokenHint, "hintaa");
  EXPECT_EQ(page.items[0].createdAt, at(1));
  EXPECT_EQ(l.findByHash("ffffffffffffffff0006")->projectId, "p2");
  EXPECT_FALSE(l.findByHash("nope"));

  l.move("p1", "docs", "archive/docs");
  EXPECT_EQ(l.findByHash("aaaaaaaaaaaaaaaa0001")->path, "archive/docs/a.txt");
  EXPECT_EQ(l.findByHash("bbbbbbbbbbbbbbbb0002")->path, "archive/docs/sub/b.txt");
  EXPECT_EQ(l.findByHash("cccccccccccccccc0003")->path, "archive/docs");
  EXPECT_EQ(l.findByHash("dddddddddddddddd0004")->path, "docsx/c.txt");
  EXPECT_EQ(l.findByHash("ffffffffffffffff0006")->path, "docs/a.txt");
  l.move("p1", "d*cs", "x");  // matches nothing
  EXPECT_EQ(l.findByHash("eeeeeeeeeeeeeeee0005")->path, "d.cs/e.txt");

  l.removeUnder("p1", "archive/docs/sub");
  EXPECT_FALSE(l.findByHash("bbbbbbbbbbbbbbbb0002"));
  EXPECT_TRUE(l.findByHash("aaaaaaaaaaaaaaaa0001"));
  l.removeUnder("p1", "d.c");  // neither "d.cs/…" nor a prefix match
  EXPECT_TRUE(l.findByHash("eeeeeeeeeeeeeeee0005"));

  EXPECT_FALSE(l.remove("p2", "aaaaaaaaaaaaaaaa0001"));  // another project's link
  EXPECT_TRUE(l.remove("p1", "aaaaaaaaaaaaaaaa0001"));
  EXPECT_FALSE(l.remove("p1", "aaaaaaaaaaaaaaaa0001"));
  EXPECT_FALSE(l.removeById("p1", "cccc"));  // a short id is not a prefix search
  EXPECT_FALSE(l.removeById("p1", ".*"));
  EXPECT_FALSE(l.removeById("p2", "cccccccccccccccc"));
  EXPECT_TRUE(l.removeById("p1", "cccccccccccccccc"));
  EXPECT_FALSE(l.findByHash("cccccccccccccccc0003"));
  EXPECT_EQ(l.list("p1", {1, 10, ""}).totalItems, 2);
}

// ---- the project cascade ---------------------------------------------------

TEST_P(RepositoryConformance, RemovingAProjectLeavesNothingBehind) {
  user("u1", "a@example.com");
  project("p1", "shop", kNow, "u1");
  project("p2", "blog", kNow, "u1");
  repos().projects().addMember("p1", "u1");
  repos().projects().addMember("p2", "u1");
  repos().env().create({"p1", "K", "string", "\"v\"", false, kNow, kNow});
  repos().env().create({"p2", "K", "string", "\"v\"", false, kNow, kNow});
  auto& pl = repos().pipeline();
  pl.createBranch({"p1", "main", "c", 1, std::nullopt, std::nullopt, kNow, kNow});
  pl.createBranch({"p2", "main", "c", 1, std::nullopt, std::nullopt, kNow, kNow});
  domain::Release r;
  r.projectId = "p1";
  r.version = {1, 0};
  r.code = "c";
  r.tag = "stable";
  r.branch = "main";
  r.createdAt = kNow;
  pl.createRelease(r);
  r.projectId = "p2";
  pl.createRelease(r);
  goal("g1", std::string("p1"), "signup", "shop-signup");
  goal("g2", std::string("p2"), "signup", "blog-signup");
  goal("g3", std::nullopt, "visits", "visits", {"p1", "p2"});
  repos().goals().addStats({{"g1", "p1", "", 1}, {"g2", "p2", "", 1}, {"g3", "p1", "", 1}}, kNow);
  repos().storageLinks().create({"aaaaaaaaaaaaaaaa01", "p1", "f.txt", "hint01", kNow});
  repos().storageLinks().create({"bbbbbbbbbbbbbbbb02", "p2", "f.txt", "hint02", kNow});
  domain::Model m;
  m.id = "0b1c2d3e-0000-4000-8000-0000000000a1";
  m.projectId = "p1";
  m.name = "orders";
  domain::ModelField title;
  title.key = "title";
  title.type = "string";
  title.column = "c1";
  m.fields = {title};
  m.nextColumn = 2;
  m.createdAt = m.updatedAt = kNow;
  repos().models().create(m);
  repos().records().insert(m, {{"id", "aaaaaaaaaaaaaa1"}, {"created", kNow}, {"updated", kNow}, {"title", "x"}});

  EXPECT_TRUE(repos().projects().remove("p1"));
  EXPECT_TRUE(repos().models().all("p1").empty());
  EXPECT_FALSE(repos().projects().remove("p1"));
  EXPECT_FALSE(repos().projects().findById("p1"));
  EXPECT_FALSE(repos().projects().findBySlug("shop"));
  EXPECT_FALSE(repos().projects().isMember("p1", "u1"));
  EXPECT_EQ(repos().projects().projectIdsOf("u1"), std::vector<std::string>({"p2"}));
  EXPECT_FALSE(repos().env().find("p1", "K"));
  EXPECT_EQ(repos().env().list("p1", {1, 10, ""}).totalItems, 0);
  EXPECT_EQ(pl.countBranches("p1"), 0);
  EXPECT_EQ(pl.listReleases("p1", {1, 10, ""}).totalItems, 0);
  EXPECT_FALSE(repos().goals().find("g1"));
  EXPECT_FALSE(repos().goals().findBySlug("shop-signup"));
  EXPECT_TRUE(repos().goals().stats({"g1"}, "2026-01-01", "2026-12-31", std::nullopt).empty());
  EXPECT_EQ(repos().goals().find("g3")->allowedProjects, std::vector<std::string>({"p2"}));
  EXPECT_EQ(repos().storageLinks().list("p1", {1, 10, ""}).totalItems, 0);
  EXPECT_FALSE(repos().storageLinks().findByHash("aaaaaaaaaaaaaaaa01"));

  // The other project is untouched.
  EXPECT_TRUE(repos().projects().isMember("p2", "u1"));
  EXPECT_TRUE(repos().env().find("p2", "K"));
  EXPECT_EQ(pl.countBranches("p2"), 1);
  EXPECT_TRUE(pl.findRelease("p2", {1, 0}));
  EXPECT_TRUE(repos().goals().find("g2"));
  EXPECT_EQ(repos().goals().stats({"g2"}, "2026-01-01", "2026-12-31", std::nullopt).size(), 1u);
  EXPECT_TRUE(repos().storageLinks().findByHash("bbbbbbbbbbbbbbbb02"));
  // The slug is free again.
  project("p3", "shop");
  EXPECT_EQ(repos().goals().list(std::string("p3"), {1, 10, ""}).totalItems, 0);
  // The model's records went with it: a model under the same id starts empty.
  m.projectId = "p3";
  repos().models().create(m);
  EXPECT_FALSE(repos().records().get(m, "aaaaaaaaaaaaaa1"));
}

std::unique_ptr<store::Store> openSqlite(const TempDir& d) {
  config::DatabaseConfig c;
  c.path = d.file("m3m.db");
  return store::openStore(c);
}

std::unique_ptr<store::Store> openMongo(const TempDir&) {
  const auto mongo = m3m::testing::testMongoConfig();
  store::mongo::Database(mongo).dropDatabase();
  config::DatabaseConfig c;
  c.driver = "mongodb";
  return store::openStore(c, mongo);
}

INSTANTIATE_TEST_SUITE_P(Drivers, RepositoryConformance,
                         ::testing::Values(Driver{"sqlite", openSqlite}, Driver{"mongodb", openMongo}),
                         [](const auto& info) { return info.param.name; });

// ---- MongoDB only ----------------------------------------------------------

using namespace m3m::store::mongo;

class MongoRepositories : public ::testing::Test {
 protected:
  void SetUp() override {
    db = std::make_unique<Database>(m3m::testing::testMongoConfig());
    db->dropDatabase();
  }
  std::unique_ptr<Database> db;
};

TEST(MongoRegexEscape, EveryMetacharacterIsLiteral) {
  EXPECT_EQ(util::regexEscape("a.b*c"), "a\\.b\\*c");
  EXPECT_EQ(util::regexEscape("(\\)"), "\\(\\\\\\)");
  EXPECT_EQ(util::regexEscape(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(util::regexEscape("ünï code-1"), "ünï code\\-1");
}

TEST_F(MongoRepositories, RegexSearchOnTheServerIsLiteralAndCaseInsensitive) {
  Collection c(*db, "t");
  for (std::string s : {"a.b", "axb", "A(B", "back\\slash", "Ünï"})
    c.insertOne(toBson({{"s", s}}));
  c.insertOne(toBson({{"s", std::string("nul\0here", 8)}}));
  auto count = [&](const std::string& search) { return c.count(toBson(util::containsAny({"s"}, search))); };
  EXPECT_EQ(count("."), 1);
  EXPECT_EQ(count(".*"), 0);
  EXPECT_EQ(count("a(b"), 1);
  EXPECT_EQ(count("\\"), 1);
  EXPECT_EQ(count("["), 0);
  EXPECT_EQ(count(std::string("l\0h", 3)), 1);
  EXPECT_EQ(count("ünï"), 1);  // beyond ASCII too (SQLite's LIKE folds ASCII only)
}

TEST_F(MongoRepositories, WhatTheServerSupports) {
  // The driver relies on: compound unique indexes, $setOnInsert and $inc with
  // upsert, $addToSet/$pull, and multikey equality on arrays.
  Collection c(*db, "probe");
  c.createIndex(util::ordered({{"a", 1}, {"b", 1}}), "ab", true);
  c.insertOne(toBson({{"a", 1}, {"b", 1}}));
  c.insertOne(toBson({{"a", 1}, {"b", 2}}));
  EXPECT_THROW(c.insertOne(toBson({{"a", 1}, {"b", 2}})), DuplicateKey);
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$inc", {{"n", 2}}}, {"$setOnInsert", {{"x", "first"}}}}), true);
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$inc", {{"n", 3}}}, {"$setOnInsert", {{"x", "second"}}}}), true);
  auto k = c.findOne(toBson({{"_id", "k"}}));
  ASSERT_TRUE(k);
  EXPECT_EQ((*k)["n"], 5);
  EXPECT_EQ((*k)["x"], "first");
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$addToSet", {{"tags", "t1"}}}}));
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$addToSet", {{"tags", "t1"}}}}));
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$addToSet", {{"tags", "t2"}}}}));
  EXPECT_EQ(c.findOne(toBson({{"_id", "k"}}))->at("tags"), json({"t1", "t2"}));
  EXPECT_EQ(c.count(toBson({{"tags", "t2"}})), 1);
  c.updateOne(toBson({{"_id", "k"}}), toBson({{"$pull", {{"tags", "t1"}}}}));
  EXPECT_EQ(c.findOne(toBson({{"_id", "k"}}))->at("tags"), json({"t2"}));
}

TEST_F(MongoRepositories, PartialIndexesAreWhyRootKeyExists) {
  // SQLite's users_single_root is a partial unique index. Whether this server
  // has partial indexes is recorded here; the driver does not depend on it
  // (users carry root_key: "root" for the root, their own id otherwise).
  Collection c(*db, "partial");
  Bson cmd = toBson({{"createIndexes", "partial"},
                     {"indexes", json::array({{{"key", {{"is_root", 1}}},
                                               {"name", "single_root"},
                                               {"unique", true},
                                               {"partialFilterExpression", {{"is_root", true}}}}})}});
  bson_error_t err;
  Bson opts = c.options();
  const bool ok = mongoc_collection_write_command_with_opts(c.get(), cmd.get(), opts.get(), nullptr, &err);
  if (!ok) {
    std::printf("partial indexes unsupported by this server: %s\n", err.message);
    SUCCEED();
    return;
  }
  c.insertOne(toBson({{"is_root", false}}));
  c.insertOne(toBson({{"is_root", false}}));
  c.insertOne(toBson({{"is_root", true}}));
  bool refused = false;
  try {
    c.insertOne(toBson({{"is_root", true}}));
  } catch (const DuplicateKey&) {
    refused = true;
  }
  std::printf("partial unique index %s\n", refused ? "enforced" : "accepted but NOT enforced");
}

TEST_F(MongoRepositories, UniqueViolationOnUpdateIsDuplicateKey) {
  // FerretDB answers an update refused by a unique index with an internal
  // error (its SQLite backend's message), MongoDB with 11000: both DuplicateKey.
  Collection c(*db, "dupupdate");
  c.createIndex(util::ordered({{"email", 1}}), "dupupdate_email", true);
  c.insertOne(toBson({{"_id", "a"}, {"email", "x"}}));
  c.insertOne(toBson({{"_id", "b"}, {"email", "y"}}));
  EXPECT_THROW(c.updateOne(toBson({{"_id", "b"}}), toBson({{"$set", {{"email", "x"}}}})), DuplicateKey);
  EXPECT_EQ(c.findOne(toBson({{"_id", "b"}}))->at("email"), "y");
}

TEST_F(MongoRepositories, UpdateLockSerializesOnlyOnFerretDb) {
  util::UpdateLock updates(*db);
  auto lock = updates();
  EXPECT_EQ(lock.owns_lock(), util::isFerretDb(*db));
  auto nested = updates();  // recursive: a guarded update may call another
  EXPECT_EQ(nested.owns_lock(), lock.owns_lock());
}

TEST_F(MongoRepositories, DuplicateKeyMessageNamesTheIndexOrNot) {
  // violated() reads the index name from MongoDB's message and falls back to
  // a lookup on FerretDB: both must yield the right field (covered by the
  // conformance tests); this records which path this server takes.
  Collection c(*db, "dup");
  c.createIndex(util::ordered({{"email", 1}}), "dup_email", true);
  c.insertOne(toBson({{"email", "x"}}));
  try {
    c.insertOne(toBson({{"email", "x"}}));
    FAIL() << "no duplicate key";
  } catch (const DuplicateKey& e) {
    std::printf("duplicate key message: %s\n", e.what());
    EXPECT_TRUE(util::violated(e, "dup_email", c, {{"email", "x"}}));
    EXPECT_FALSE(util::violated(e, "other_index", c, {{"other", "y"}}));
  }
}

}  // namespace
