// Permission rules enforced in the service layer (HTTP only maps errors).
#include <gtest/gtest.h>

#include <fstream>

#include "../store/temp_dir.hpp"
#include "config/config.hpp"
#include "service/auth/auth_service.hpp"
#include "service/env.hpp"
#include "service/projects.hpp"
#include "service/users.hpp"
#include "store/store.hpp"

using namespace m3m;
using namespace m3m::service;

namespace {

struct World {
  TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<UserService> users;
  std::unique_ptr<ProjectService> projects;
  std::unique_ptr<EnvService> env;
  std::unique_ptr<AuthService> auth;
  Principal root;

  World() {
    config::DatabaseConfig db;
    db.path = dir.file("m3m.db");
    store = store::openStore(db);
    users = std::make_unique<UserService>(*store, dir.path / "avatars");
    projects = std::make_unique<ProjectService>(*store, std::vector<std::filesystem::path>{dir.path / "storage"});
    env = std::make_unique<EnvService>(*store, *projects);
    config::JwtConfig jwt;
    jwt.secret = std::string(40, 's');
    auth = std::make_unique<AuthService>(*store, jwt, config::AuthConfig{});
    root = as(users->createRoot("root@example.com", "rootpass123"));
  }

  Principal as(const domain::User& u) {
    Principal p;
    p.user = *store->repos().users().findById(u.id);
    return p;
  }
  Principal as(const UserView& v) { return as(v.user); }
  Principal key(const std::string& projectId) {
    Principal p;
    p.kind = Principal::Kind::ProjectKey;
    p.projectId = projectId;
    return p;
  }
  UserView user(const std::string& email, bool create = false, bool manage = false) {
    NewUser n{email, "password123", "", {create, manage}, {}};
    return users->create(root, n);
  }
};

ErrorCode codeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::INTERNAL;  // "no error" never matches an expectation below
}

}  // namespace

TEST(Permissions, OnlyManagersSeeOtherUsers) {
  World w;
  auto plain = w.as(w.user("plain@example.com"));
  auto other = w.user("other@example.com");
  EXPECT_EQ(codeOf([&] { w.users->list(plain, {}); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->get(plain, other.user.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_NO_THROW(w.users->get(plain, plain.user.id));
  auto manager = w.as(w.user("boss@example.com", false, true));
  EXPECT_NO_THROW(w.users->list(manager, {}));
}

TEST(Permissions, RootIsUntouchableExceptByRoot) {
  World w;
  auto manager = w.as(w.user("boss@example.com", false, true));
  UserPatch rename;
  rename.name = "x";
  EXPECT_EQ(codeOf([&] { w.users->update(manager, w.root.user.id, rename); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->remove(manager, w.root.user.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->setBlocked(manager, w.root.user.id, true); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->remove(w.root, w.root.user.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_NO_THROW(w.users->update(w.root, w.root.user.id, rename));
  EXPECT_EQ(codeOf([&] { w.users->createRoot("second@example.com", "password123"); }), ErrorCode::CONFLICT);
}

TEST(Permissions, ApiKeysNeverReachUsers) {
  World w;
  auto created = w.projects->create(w.root, {"A", "proj-a", std::nullopt});
  auto key = w.key(created.project.id);
  EXPECT_EQ(codeOf([&] { w.users->list(key, {}); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->me(key); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.projects->create(key, {"B", "proj-b", std::nullopt}); }), ErrorCode::PERMISSION_DENIED);
}

TEST(Permissions, ProjectAccessIsMembershipOrRootOrItsOwnKey) {
  World w;
  auto a = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto b = w.projects->create(w.root, {"B", "proj-b", "red"}).project;
  auto member = w.as(w.user("member@example.com"));
  EXPECT_EQ(codeOf([&] { w.projects->get(member, a.id); }), ErrorCode::PERMISSION_DENIED);
  w.projects->addMember(w.root, a.id, member.user.id);
  EXPECT_NO_THROW(w.projects->get(member, a.id));
  EXPECT_EQ(codeOf([&] { w.projects->get(member, b.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.projects->get(member, "no-such-id"); }), ErrorCode::NOT_FOUND);
  EXPECT_NO_THROW(w.projects->get(w.key(a.id), a.id));
  EXPECT_EQ(codeOf([&] { w.projects->get(w.key(a.id), b.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.env->list(w.key(a.id), b.id, {}); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.projects->remove(w.key(a.id), a.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(w.projects->list(member, {}).totalItems, 1);
  EXPECT_EQ(w.projects->list(w.root, {}).totalItems, 2);
}

TEST(Permissions, CreatingProjectsNeedsThePermission) {
  World w;
  auto plain = w.as(w.user("plain@example.com"));
  EXPECT_EQ(codeOf([&] { w.projects->create(plain, {"X", "xx", std::nullopt}); }), ErrorCode::PERMISSION_DENIED);
  auto creator = w.as(w.user("creator@example.com", true));
  auto p = w.projects->create(creator, {"X", "xx", std::nullopt});
  EXPECT_NO_THROW(w.projects->get(creator, p.project.id)) << "the creator becomes a member";
}

TEST(Permissions, GrantingAccessNeedsAccessToThatProject) {
  World w;
  auto a = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto manager = w.as(w.user("boss@example.com", false, true));
  auto target = w.user("target@example.com");
  UserPatch grant;
  grant.projectIds = std::vector<std::string>{a.id};
  EXPECT_EQ(codeOf([&] { w.users->update(manager, target.user.id, grant); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(w.users->update(w.root, target.user.id, grant).projectIds, std::vector<std::string>{a.id});
  UserPatch unknown;
  unknown.projectIds = std::vector<std::string>{"missing"};
  EXPECT_EQ(codeOf([&] { w.users->update(w.root, target.user.id, unknown); }), ErrorCode::INVALID_ARGUMENT);
}

TEST(Permissions, BlockingAndPasswordChangesEndSessions) {
  World w;
  auto u = w.user("victim@example.com");
  auto tokens = w.auth->login("victim@example.com", "password123", "127.0.0.1");
  EXPECT_NO_THROW(w.auth->authenticateBearer(tokens.accessToken));
  w.users->setBlocked(w.root, u.user.id, true);
  EXPECT_EQ(codeOf([&] { w.auth->authenticateBearer(tokens.accessToken); }), ErrorCode::UNAUTHENTICATED);
  EXPECT_EQ(codeOf([&] { w.auth->refresh(tokens.refreshToken); }), ErrorCode::UNAUTHENTICATED);
  EXPECT_EQ(codeOf([&] { w.auth->login("victim@example.com", "password123", "127.0.0.1"); }),
            ErrorCode::PERMISSION_DENIED);
  w.users->setBlocked(w.root, u.user.id, false);
  auto again = w.auth->login("victim@example.com", "password123", "127.0.0.1");
  auto me = w.auth->authenticateBearer(again.accessToken);
  w.users->changeMyPassword(me, "password123", "newpassword1");
  EXPECT_EQ(codeOf([&] { w.auth->authenticateBearer(again.accessToken); }), ErrorCode::UNAUTHENTICATED);
}

TEST(Permissions, RefreshTokenReuseRevokesTheSession) {
  World w;
  w.user("u@example.com");
  auto t1 = w.auth->login("u@example.com", "password123", "ip");
  auto t2 = w.auth->refresh(t1.refreshToken);
  EXPECT_NE(t2.refreshToken, t1.refreshToken);
  EXPECT_EQ(codeOf([&] { w.auth->refresh(t1.refreshToken); }), ErrorCode::UNAUTHENTICATED);
  EXPECT_EQ(codeOf([&] { w.auth->refresh(t2.refreshToken); }), ErrorCode::UNAUTHENTICATED)
      << "replaying a rotated token kills the whole session";
  EXPECT_EQ(codeOf([&] { w.auth->authenticateBearer(t2.accessToken); }), ErrorCode::UNAUTHENTICATED);
}

TEST(Permissions, DeletingAProjectRemovesItsFilesAndValues) {
  World w;
  auto p = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  EnvInput in;
  in.key = "K";
  in.type = "integer";
  in.value = 1;
  w.env->create(w.root, p.id, in);
  auto files = w.dir.path / "storage" / p.id / "storage";
  std::filesystem::create_directories(files);
  std::ofstream(files / "x.txt") << "x";
  bool hookRan = false;
  w.projects->onDelete([&](const domain::Project& gone) { hookRan = gone.id == p.id; });
  w.projects->remove(w.root, p.id);
  EXPECT_TRUE(hookRan);
  EXPECT_FALSE(std::filesystem::exists(w.dir.path / "storage" / p.id));
  EXPECT_FALSE(w.env->runtimeValue(p.id, "K").has_value());
  EXPECT_EQ(codeOf([&] { w.projects->get(w.root, p.id); }), ErrorCode::NOT_FOUND);
}

TEST(Permissions, SecretsAreMaskedForTheApiButTypedForTheRuntime) {
  World w;
  auto p = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  EnvInput in;
  in.key = "PORT";
  in.type = "integer";
  in.value = "8080";
  in.secret = true;
  EXPECT_EQ(w.env->create(w.root, p.id, in).value, SECRET_MASK);
  EXPECT_EQ(w.env->get(w.root, p.id, "PORT").value, SECRET_MASK);
  EXPECT_EQ(w.env->runtimeValue(p.id, "PORT"), nlohmann::json(8080));
  EnvInput unmask;
  unmask.secret = false;
  EXPECT_EQ(codeOf([&] { w.env->update(w.root, p.id, "PORT", unmask); }), ErrorCode::INVALID_ARGUMENT);
}

// --- user administration stays within the administrator's own reach --------

namespace {

UserView userIn(World& w, const std::string& email, std::vector<std::string> projects, bool create = false,
                bool manage = false) {
  NewUser n{email, "password123", "", {create, manage}, std::move(projects)};
  return w.users->create(w.root, n);
}

UserPatch passwordPatch(const std::string& pw) {
  UserPatch p;
  p.password = pw;
  return p;
}

}  // namespace

TEST(Permissions, AManagerCannotTakeOverAMemberOfAProjectItLacks) {
  // The attack: refused project pb, the manager resets the password of
  // pb's member carol to log in as her.
  World w;
  auto pa = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto pb = w.projects->create(w.root, {"B", "proj-b", std::nullopt}).project;
  auto mgr = w.as(userIn(w, "mgr@example.com", {pa.id}, false, true));
  auto carol = userIn(w, "carol@example.com", {pb.id});
  UserPatch grantB;
  grantB.projectIds = std::vector<std::string>{pa.id, pb.id};
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, mgr.user.id, grantB); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, carol.user.id, passwordPatch("taken-over-1")); }),
            ErrorCode::PERMISSION_DENIED);
  UserPatch rename;
  rename.name = "x";
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, carol.user.id, rename); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->setBlocked(mgr, carol.user.id, true); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->remove(mgr, carol.user.id); }), ErrorCode::PERMISSION_DENIED);
  // Nothing changed: carol's password, name, state and access are hers.
  EXPECT_NO_THROW(w.auth->login("carol@example.com", "password123", "ip"));
  EXPECT_EQ(codeOf([&] { w.auth->login("carol@example.com", "taken-over-1", "ip"); }), ErrorCode::UNAUTHENTICATED);
  auto after = w.users->get(w.root, carol.user.id);
  EXPECT_EQ(after.user.name, "");
  EXPECT_FALSE(after.user.isBlocked);
  EXPECT_EQ(after.projectIds, std::vector<std::string>{pb.id});
  EXPECT_EQ(w.users->get(w.root, mgr.user.id).projectIds, std::vector<std::string>{pa.id});
  // A member of pa only (and of nothing) is within the manager's reach.
  auto dave = userIn(w, "dave@example.com", {pa.id});
  EXPECT_NO_THROW(w.users->update(mgr, dave.user.id, passwordPatch("reset-by-mgr")));
  EXPECT_NO_THROW(w.auth->login("dave@example.com", "reset-by-mgr", "ip"));
  auto erin = userIn(w, "erin@example.com", {});
  EXPECT_NO_THROW(w.users->setBlocked(mgr, erin.user.id, true));
  EXPECT_NO_THROW(w.users->setBlocked(mgr, erin.user.id, false));
  EXPECT_NO_THROW(w.users->remove(mgr, erin.user.id));
  // Root is not bound by the rule.
  EXPECT_NO_THROW(w.users->update(w.root, carol.user.id, passwordPatch("root-reset-1")));
}

TEST(Permissions, AManagerGrantsOnlyWhatItHolds) {
  World w;
  auto pa = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto pb = w.projects->create(w.root, {"B", "proj-b", std::nullopt}).project;
  auto mgr = w.as(userIn(w, "mgr@example.com", {pa.id}, false, true));
  NewUser creator{"c@example.com", "password123", "", {true, false}, {}};
  EXPECT_EQ(codeOf([&] { w.users->create(mgr, creator); }), ErrorCode::PERMISSION_DENIED);
  NewUser inB{"b@example.com", "password123", "", {}, {pb.id}};
  EXPECT_EQ(codeOf([&] { w.users->create(mgr, inB); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_FALSE(w.store->repos().users().findByEmail("c@example.com"));
  EXPECT_FALSE(w.store->repos().users().findByEmail("b@example.com"));
  // What it holds: manage_users and pa.
  NewUser helper{"h@example.com", "password123", "", {false, true}, {pa.id}};
  auto h = w.users->create(mgr, helper);
  EXPECT_TRUE(h.user.canManageUsers);
  EXPECT_EQ(h.projectIds, std::vector<std::string>{pa.id});
  UserPatch raise;
  raise.permissions.createProjects = true;
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, h.user.id, raise); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_FALSE(w.users->get(w.root, h.user.id).user.canCreateProjects);
  UserPatch toB;
  toB.projectIds = std::vector<std::string>{pa.id, pb.id};
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, h.user.id, toB); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(w.users->get(w.root, h.user.id).projectIds, std::vector<std::string>{pa.id});
  // Revoking is within reach.
  UserPatch lower;
  lower.permissions.manageUsers = false;
  lower.projectIds = std::vector<std::string>{};
  auto lowered = w.users->update(mgr, h.user.id, lower);
  EXPECT_FALSE(lowered.user.canManageUsers);
  EXPECT_TRUE(lowered.projectIds.empty());
  // A manager that holds create_projects may grant it.
  auto big = w.as(userIn(w, "big@example.com", {}, true, true));
  EXPECT_TRUE(w.users->update(big, h.user.id, raise).user.canCreateProjects);
}

TEST(Permissions, AManagerNeverChangesItsOwnPermissionsOrAccess) {
  World w;
  auto pa = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto mgr = w.as(userIn(w, "mgr@example.com", {pa.id}, false, true));
  UserPatch selfCreate;
  selfCreate.permissions.createProjects = true;
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, mgr.user.id, selfCreate); }), ErrorCode::PERMISSION_DENIED);
  UserPatch selfDrop;
  selfDrop.permissions.manageUsers = false;
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, mgr.user.id, selfDrop); }), ErrorCode::PERMISSION_DENIED);
  UserPatch selfLeave;
  selfLeave.projectIds = std::vector<std::string>{};
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, mgr.user.id, selfLeave); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, mgr.user.id, passwordPatch("no-current-1")); }),
            ErrorCode::PERMISSION_DENIED);
  auto now = w.users->get(w.root, mgr.user.id);
  EXPECT_FALSE(now.user.canCreateProjects);
  EXPECT_TRUE(now.user.canManageUsers);
  EXPECT_EQ(now.projectIds, std::vector<std::string>{pa.id});
  // Unchanged values (a form sent back whole) and the name are fine.
  UserPatch same;
  same.name = "Manager";
  same.permissions.createProjects = false;
  same.permissions.manageUsers = true;
  same.projectIds = std::vector<std::string>{pa.id};
  EXPECT_EQ(w.users->update(mgr, mgr.user.id, same).user.name, "Manager");
  // A user without manage_users cannot reach the admin route at all.
  auto plain = w.as(userIn(w, "plain@example.com", {}));
  EXPECT_EQ(codeOf([&] { w.users->update(plain, plain.user.id, selfCreate); }), ErrorCode::PERMISSION_DENIED);
}

TEST(Permissions, AUserWithABroaderPermissionIsOutOfAManagersReach) {
  World w;
  auto mgr = w.as(w.user("mgr@example.com", false, true));
  auto creator = w.user("creator@example.com", true, false);
  UserPatch rename;
  rename.name = "renamed";
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, creator.user.id, rename); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->update(mgr, creator.user.id, passwordPatch("taken-over-1")); }),
            ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->setBlocked(mgr, creator.user.id, true); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.users->remove(mgr, creator.user.id); }), ErrorCode::PERMISSION_DENIED);
  auto still = w.users->get(w.root, creator.user.id);
  EXPECT_EQ(still.user.name, "");
  EXPECT_FALSE(still.user.isBlocked);
  // An equal reach is within: another manager with the same (no) projects.
  auto peer = w.user("peer@example.com", false, true);
  EXPECT_EQ(w.users->update(mgr, peer.user.id, rename).user.name, "renamed");
  EXPECT_NO_THROW(w.users->setBlocked(mgr, peer.user.id, true));
  EXPECT_NO_THROW(w.users->remove(mgr, peer.user.id));
  // A manager holding create_projects reaches the creator.
  auto big = w.as(w.user("big@example.com", true, true));
  EXPECT_NO_THROW(w.users->setBlocked(big, creator.user.id, true));
  EXPECT_NO_THROW(w.users->remove(big, creator.user.id));
}

TEST(Permissions, ProjectMembershipChangesFollowTheSameReach) {
  World w;
  auto pa = w.projects->create(w.root, {"A", "proj-a", std::nullopt}).project;
  auto pb = w.projects->create(w.root, {"B", "proj-b", std::nullopt}).project;
  auto mgr = w.as(userIn(w, "mgr@example.com", {pa.id}, false, true));
  auto carol = userIn(w, "carol@example.com", {pb.id});
  auto both = userIn(w, "both@example.com", {pa.id, pb.id});
  EXPECT_EQ(codeOf([&] { w.projects->addMember(mgr, pa.id, carol.user.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(codeOf([&] { w.projects->removeMember(mgr, pa.id, both.user.id); }), ErrorCode::PERMISSION_DENIED);
  EXPECT_EQ(w.users->get(w.root, carol.user.id).projectIds, std::vector<std::string>{pb.id});
  EXPECT_EQ(w.users->get(w.root, both.user.id).projectIds.size(), 2u);
  auto dave = userIn(w, "dave@example.com", {});
  EXPECT_NO_THROW(w.projects->addMember(mgr, pa.id, dave.user.id));
  EXPECT_NO_THROW(w.projects->removeMember(mgr, pa.id, dave.user.id));
  EXPECT_NO_THROW(w.projects->addMember(w.root, pa.id, carol.user.id));
}
