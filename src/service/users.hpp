// Users: the root created by the CLI, administration by users with
// manage_users, and each user's own profile, password and avatar.
#pragma once

#include <exception>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/page.hpp"
#include "domain/user.hpp"
#include "service/auth/principal.hpp"
#include "store/store.hpp"

namespace m3m::service {

class ImageService;

struct Permissions {
  std::optional<bool> createProjects;
  std::optional<bool> manageUsers;
};

struct NewUser {
  std::string email;
  std::string password;
  std::string name;
  Permissions permissions;
  std::vector<std::string> projectIds;
};

struct UserPatch {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<std::string> password;
  Permissions permissions;
  std::optional<std::vector<std::string>> projectIds;
};

struct UserView {
  domain::User user;
  std::vector<std::string> projectIds;
};

class UserService {
 public:
  // `images` does the avatars' image work; without it (the CLI) avatars are refused.
  UserService(store::Store& store, std::filesystem::path avatarDir, ImageService* images = nullptr);

  // CLI: the first administrator. CONFLICT when the email or a root exists.
  domain::User createRoot(const std::string& email, const std::string& password);

  domain::Page<UserView> list(const Principal& who, const domain::PageRequest& page);
  UserView create(const Principal& who, const NewUser& input);
  UserView get(const Principal& who, const std::string& id);
  UserView update(const Principal& who, const std::string& id, const UserPatch& patch);
  void remove(const Principal& who, const std::string& id);
  UserView setBlocked(const Principal& who, const std::string& id, bool blocked);

  UserView me(const Principal& who);
  // language: "" = follow the browser, else one of kUiLanguages.
  UserView updateMe(const Principal& who, const std::optional<std::string>& email,
                    const std::optional<std::string>& name, const std::optional<std::string>& language = std::nullopt);
  // Checks the current password, stores the new one and ends every session of
  // the user (the caller starts a fresh one). Returns the updated user.
  domain::User changeMyPassword(const Principal& who, const std::string& current, const std::string& next);

  // Avatar: decoded and re-encoded as a 256×256 PNG on an image worker;
  // anything else is refused (400 undecodable, 413 over
  // storage.max_image_pixels, 504 past storage.image_timeout), through `done`.
  // Throws at once when the caller is not a user or the workers are busy (503).
  using AvatarDone = std::function<void(std::exception_ptr, UserView)>;
  void setMyAvatar(const Principal& who, std::string imageBytes, AvatarDone done);
  UserView removeMyAvatar(const Principal& who);
  std::optional<std::filesystem::path> avatarFile(const std::string& userId) const;

 private:
  const domain::User& requireUser(const Principal& who) const;
  void requireManager(const Principal& who) const;
  domain::User load(const std::string& id);
  UserView view(const domain::User& u);
  UserView storeAvatar(const std::string& userId, const std::string& png);
  void applyProjectIds(const Principal& who, const std::string& userId, const std::vector<std::string>& wanted,
                       store::Repositories& repos);

  store::Store& store_;
  std::filesystem::path avatarDir_;
  ImageService* images_;
};

}  // namespace m3m::service
