#include "service/users.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "lib/random.hpp"
#include "service/auth/passwords.hpp"
#include "service/images.hpp"
#include "service/users_reach.hpp"
#include "service/validation.hpp"

namespace m3m::service {
namespace {

Error forbidden(const std::string& why) { return Error(ErrorCode::PERMISSION_DENIED, why); }

void validateEmail(Validation& v, const std::string& email, const std::string& field = "email") {
  v.check(isValidEmail(email), field, "must be a valid email address");
}

void validateName(Validation& v, const std::string& name) {
  v.check(name.size() <= 100, "name", "must be at most 100 characters");
  v.text("name", name);
}

}  // namespace

UserService::UserService(store::Store& store, std::filesystem::path avatarDir, ImageService* images)
    : store_(store), avatarDir_(std::move(avatarDir)), images_(images) {}

const domain::User& UserService::requireUser(const Principal& who) const {
  if (!who.isUser()) throw forbidden("an API key acts on its project only, not on users");
  return who.user;
}

void UserService::requireManager(const Principal& who) const {
  if (!requireUser(who).managesUsers()) throw forbidden("managing users needs the manage_users permission");
}

domain::User UserService::load(const std::string& id) {
  auto u = store_.repos().users().findById(id);
  if (!u) throw Error(ErrorCode::NOT_FOUND, "user " + id + " does not exist");
  return *u;
}

UserView UserService::view(const domain::User& u) { return UserView{u, store_.repos().projects().projectIdsOf(u.id)}; }

domain::User UserService::createRoot(const std::string& emailIn, const std::string& password) {
  std::string email = toLower(trim(emailIn));
  Validation v;
  validateEmail(v, email);
  v.throwIfAny("invalid email address");
  validatePassword(password, "password");
  domain::User u;
  store_.transaction([&](store::Repositories& repos) {
    if (repos.users().findByEmail(email))
      throw Error(ErrorCode::CONFLICT, "a user with the email " + email + " already exists", {{"email", "already in use"}});
    if (auto root = repos.users().findRoot())
      throw Error(ErrorCode::CONFLICT, "the root administrator already exists (" + root->email +
                                           "); add more users through the API or the UI");
    u.id = lib::uuid4();
    u.email = email;
    u.name = email.substr(0, email.find('@'));
    u.passwordHash = hashPassword(password);
    u.isRoot = true;
    u.canCreateProjects = true;
    u.canManageUsers = true;
    u.createdAt = u.updatedAt = lib::nowIso();
    repos.users().create(u);
  });
  return u;
}

domain::Page<UserView> UserService::list(const Principal& who, const domain::PageRequest& page) {
  requireManager(who);
  auto users = store_.repos().users().list(page);
  domain::Page<UserView> out;
  out.page = users.page;
  out.perPage = users.perPage;
  out.totalItems = users.totalItems;
  for (auto& u : users.items) out.items.push_back(view(u));
  return out;
}

void UserService::applyProjectIds(const Principal& who, const std::string& userId,
                                  const std::vector<std::string>& wanted, store::Repositories& repos) {
  const auto& actor = who.user;
  auto canGrant = [&](const std::string& projectId) {
    return actor.isRoot || repos.projects().isMember(projectId, actor.id);
  };
  Validation v;
  for (size_t i = 0; i < wanted.size(); ++i)
    if (!repos.projects().findById(wanted[i]))
      v.fail("project_ids." + std::to_string(i), "project " + wanted[i] + " does not exist");
  v.throwIfAny("unknown project in project_ids");
  auto current = repos.projects().projectIdsOf(userId);
  std::set<std::string> want(wanted.begin(), wanted.end()), have(current.begin(), current.end());
  for (const auto& p : want) {
    if (have.count(p)) continue;
    if (!canGrant(p)) throw forbidden("you cannot grant access to project " + p + ": you have no access to it");
    repos.projects().addMember(p, userId);
  }
  for (const auto& p : have) {
    if (want.count(p)) continue;
    // Access the actor cannot see is left as it is.
    if (canGrant(p)) repos.projects().removeMember(p, userId);
  }
}

UserView UserService::create(const Principal& who, const NewUser& in) {
  requireManager(who);
  std::string email = toLower(trim(in.email));
  Validation v;
  validateEmail(v, email);
  validateName(v, in.name);
  if (in.password.size() < 8) v.fail("password", "must be at least 8 characters");
  if (in.password.size() > 256) v.fail("password", "must be at most 256 characters");
  v.throwIfAny();
  domain::User u;
  u.id = lib::uuid4();
  u.email = email;
  u.name = trim(in.name);
  u.passwordHash = hashPassword(in.password);
  u.canCreateProjects = in.permissions.createProjects.value_or(false);
  u.canManageUsers = in.permissions.manageUsers.value_or(false);
  u.createdAt = u.updatedAt = lib::nowIso();
  store_.transaction([&](store::Repositories& repos) {
    // Permissions here; projects in applyProjectIds (after their existence check).
    if (auto why = whyCannotGrant(reachOf(repos, who.user), u.canCreateProjects, u.canManageUsers, {}))
      throw forbidden(*why);
    if (repos.users().findByEmail(email))
      throw Error(ErrorCode::CONFLICT, "a user with this email already exists", {{"email", "already in use"}});
    repos.users().create(u);
    applyProjectIds(who, u.id, in.projectIds, repos);
  });
  return view(u);
}

UserView UserService::get(const Principal& who, const std::string& id) {
  const auto& actor = requireUser(who);
  if (actor.id != id && !actor.managesUsers()) throw forbidden("viewing other users needs the manage_users permission");
  return view(load(id));
}

UserView UserService::update(const Principal& who, const std::string& id, const UserPatch& patch) {
  requireManager(who);
  const auto& actor = who.user;
  const domain::User before = load(id);
  domain::User u = before;
  if (u.isRoot && !actor.isRoot) throw forbidden("only root can edit root");
  const bool self = !actor.isRoot && u.id == actor.id;
  if (self) {
    // Raising one's own reach would defeat the rule below; lowering it is left to
    // another administrator too, so "own permissions" never change here.
    if ((patch.permissions.createProjects && *patch.permissions.createProjects != u.canCreateProjects) ||
        (patch.permissions.manageUsers && *patch.permissions.manageUsers != u.canManageUsers))
      throw forbidden("you cannot change your own permissions");
    // The admin route asks for no current password; /api/users/me/password does.
    if (patch.password)
      throw forbidden("change your own password with PUT /api/users/me/password (it asks for the current one)");
  }
  Validation v;
  if (patch.email) validateEmail(v, toLower(trim(*patch.email)));
  if (patch.name) validateName(v, *patch.name);
  if (patch.password && (patch.password->size() < 8 || patch.password->size() > 256))
    v.fail("password", "must be 8 to 256 characters");
  if (u.isRoot && (patch.permissions.createProjects == false || patch.permissions.manageUsers == false))
    v.fail("permissions", "root always has every permission");
  v.throwIfAny();
  if (patch.email) u.email = toLower(trim(*patch.email));
  if (patch.name) u.name = trim(*patch.name);
  if (patch.password) {
    u.passwordHash = hashPassword(*patch.password);
    ++u.tokenVersion;  // their tokens die now
  }
  if (!u.isRoot) {
    if (patch.permissions.createProjects) u.canCreateProjects = *patch.permissions.createProjects;
    if (patch.permissions.manageUsers) u.canManageUsers = *patch.permissions.manageUsers;
  }
  u.updatedAt = lib::nowIso();
  store_.transaction([&](store::Repositories& repos) {
    if (!actor.isRoot) {
      if (!self) requireWithinReach(repos, actor, before);
      auto reach = reachOf(repos, actor);
      if (auto why = whyCannotGrant(reach, patch.permissions.createProjects.value_or(false),
                                    patch.permissions.manageUsers.value_or(false), {}))
        throw forbidden(*why);
      if (self && patch.projectIds) {
        std::set<std::string> want(patch.projectIds->begin(), patch.projectIds->end());
        if (want != std::set<std::string>(reach.projectIds.begin(), reach.projectIds.end()))
          throw forbidden("you cannot change your own project access");
      }
    }
    if (patch.email) {
      auto other = repos.users().findByEmail(u.email);
      if (other && other->id != u.id)
        throw Error(ErrorCode::CONFLICT, "a user with this email already exists", {{"email", "already in use"}});
    }
    if (!repos.users().update(u)) throw Error(ErrorCode::NOT_FOUND, "user " + id + " does not exist");
    if (patch.password) repos.sessions().revokeAllOf(u.id);
    if (patch.projectIds) applyProjectIds(who, u.id, *patch.projectIds, repos);
  });
  return view(u);
}

void UserService::remove(const Principal& who, const std::string& id) {
  requireManager(who);
  domain::User u = load(id);
  if (u.isRoot) throw forbidden("the root administrator cannot be deleted");
  if (u.id == who.user.id) throw Error(ErrorCode::INVALID_ARGUMENT, "you cannot delete yourself");
  store_.transaction([&](store::Repositories& repos) {
    requireWithinReach(repos, who.user, u);
    repos.users().remove(id);  // sessions and memberships cascade
  });
  std::error_code ec;
  std::filesystem::remove(avatarDir_ / (id + ".png"), ec);
}

UserView UserService::setBlocked(const Principal& who, const std::string& id, bool blocked) {
  requireManager(who);
  domain::User u = load(id);
  if (u.isRoot) throw forbidden("the root administrator cannot be blocked");
  if (u.id == who.user.id && blocked) throw Error(ErrorCode::INVALID_ARGUMENT, "you cannot block yourself");
  requireWithinReach(store_.repos(), who.user, u);
  if (u.isBlocked != blocked) {
    u.isBlocked = blocked;
    if (blocked) ++u.tokenVersion;
    u.updatedAt = lib::nowIso();
    store_.transaction([&](store::Repositories& repos) {
      repos.users().update(u);
      if (blocked) repos.sessions().revokeAllOf(u.id);
    });
  }
  return view(u);
}

UserView UserService::me(const Principal& who) { return view(requireUser(who)); }

UserView UserService::updateMe(const Principal& who, const std::optional<std::string>& email,
                               const std::optional<std::string>& name, const std::optional<std::string>& language) {
  domain::User u = requireUser(who);
  Validation v;
  if (email) validateEmail(v, toLower(trim(*email)));
  if (name) validateName(v, *name);
  // The languages the admin UI is translated into (ui/src/i18n).
  static constexpr std::string_view kUiLanguages[] = {"en", "ru"};
  if (language && !language->empty() && std::ranges::find(kUiLanguages, *language) == std::end(kUiLanguages))
    v.fail("language", "must be \"en\", \"ru\" or null");
  v.throwIfAny();
  if (email) u.email = toLower(trim(*email));
  if (name) u.name = trim(*name);
  if (language) u.language = *language;
  u.updatedAt = lib::nowIso();
  store_.transaction([&](store::Repositories& repos) {
    if (email) {
      auto other = repos.users().findByEmail(u.email);
      if (other && other->id != u.id)
        throw Error(ErrorCode::CONFLICT, "a user with this email already exists", {{"email", "already in use"}});
    }
    repos.users().update(u);
  });
  return view(u);
}

domain::User UserService::changeMyPassword(const Principal& who, const std::string& current, const std::string& next) {
  domain::User u = requireUser(who);
  if (!verifyPassword(u.passwordHash, current))
    throw Error(ErrorCode::INVALID_ARGUMENT, "the current password is wrong", {{"current_password", "is wrong"}});
  validatePassword(next, "new_password");
  u.passwordHash = hashPassword(next);
  ++u.tokenVersion;
  u.updatedAt = lib::nowIso();
  store_.transaction([&](store::Repositories& repos) {
    repos.users().update(u);
    repos.sessions().revokeAllOf(u.id);
  });
  return u;
}

void UserService::setMyAvatar(const Principal& who, std::string imageBytes, AvatarDone done) {
  const std::string id = requireUser(who).id;
  if (!images_) throw Error(ErrorCode::UNAVAILABLE, "image processing is not available here");
  auto stored = std::make_shared<UserView>();
  ImageService::SquarePng work;
  work.read = [bytes = std::make_shared<std::string>(std::move(imageBytes))] { return std::move(*bytes); };
  work.size = 256;
  work.input = {"avatar", "the uploaded file", ErrorCode::INVALID_ARGUMENT};
  work.commit = [this, id, stored](const std::string& png) { *stored = storeAvatar(id, png); };
  images_->squarePng(std::move(work), [stored, done = std::move(done)](std::exception_ptr e, std::string) {
    done(e, e ? UserView{} : std::move(*stored));
  });
}

UserView UserService::storeAvatar(const std::string& userId, const std::string& png) {
  domain::User u = load(userId);  // as stored now: the decode took a while
  std::filesystem::create_directories(avatarDir_);
  auto final = avatarDir_ / (u.id + ".png");
  auto tmp = avatarDir_ / (u.id + ".png.tmp" + lib::randomToken(6));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
    if (!out) throw Error(ErrorCode::UNAVAILABLE, "cannot store the avatar");
  }
  std::filesystem::rename(tmp, final);  // atomic replace: never a half-written avatar
  ++u.avatarVersion;
  u.updatedAt = lib::nowIso();
  store_.repos().users().update(u);
  return view(u);
}

UserView UserService::removeMyAvatar(const Principal& who) {
  domain::User u = requireUser(who);
  std::error_code ec;
  std::filesystem::remove(avatarDir_ / (u.id + ".png"), ec);
  u.avatarVersion = 0;
  u.updatedAt = lib::nowIso();
  store_.repos().users().update(u);
  return view(u);
}

std::optional<std::filesystem::path> UserService::avatarFile(const std::string& userId) const {
  // ids are UUIDs; anything else never touches the file system
  if (userId.size() != 36 || userId.find_first_not_of("0123456789abcdef-") != std::string::npos) return std::nullopt;
  auto p = avatarDir_ / (userId + ".png");
  if (!std::filesystem::is_regular_file(p)) return std::nullopt;
  return p;
}

}  // namespace m3m::service
