#include "service/storage/path_guard.hpp"

#include <m3m/error.hpp>

#include "lib/text.hpp"

namespace m3m::service {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const std::string& field, const std::string& why) {
  throw Error(ErrorCode::INVALID_ARGUMENT, "invalid path: " + why, {{field, why}});
}

bool within(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), i = p.begin();
  for (; r != root.end(); ++r, ++i)
    if (i == p.end() || *r != *i) return false;
  return true;
}

}  // namespace

PathGuard::PathGuard(fs::path root) {
  fs::create_directories(root);
  root_ = fs::canonical(root);
}

std::string PathGuard::check(std::string_view clientPath, bool allowRoot, const std::string& field) {
  std::string_view p = clientPath;
  // The root is spelled one way, "", in REST and runtime alike: "/" and "." are
  // refused like any leading / or . segment, so no caller guesses at two meanings.
  if (p.empty()) {
    if (!allowRoot) refuse(field, "a path inside the storage is required");
    return {};
  }
  if (p.size() > 1024) refuse(field, "longer than 1024 bytes");
  if (p.find('\0') != std::string_view::npos) refuse(field, "contains a NUL byte");
  if (p.find('\\') != std::string_view::npos) refuse(field, "contains a backslash");
  if (p.front() == '/') refuse(field, "must be relative to the storage (no leading /; the root is \"\")");
  if (p.back() == '/') p.remove_suffix(1);
  size_t start = 0;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    auto seg = p.substr(start, end - start);
    if (seg.empty()) refuse(field, "has an empty segment (//)");
    if (seg == "." || seg == "..") refuse(field, "must not contain . or .. segments");
    if (seg.size() > 255) refuse(field, "has a name longer than 255 bytes");
    if (auto bad = lib::unsafeTextReason(seg)) refuse(field, *bad);
    start = end + 1;
  }
  return std::string(p);
}

fs::path PathGuard::resolve(std::string_view clientPath, bool allowRoot, const std::string& field) const {
  auto rel = check(clientPath, allowRoot, field);
  if (rel.empty()) return root_;
  // Symlinks anywhere on the way are followed: the real location decides.
  // A link loop (or a too-deep chain) on the way makes weakly_canonical throw
  // filesystem_error: such a path leads nowhere, so it is refused, not a 500.
  std::error_code ec;
  auto location = fs::weakly_canonical(root_ / rel, ec);
  if (ec) refuse(field, "cannot be resolved (" + ec.message() + ")");
  if (!within(root_, location) || location == root_) refuse(field, "leaves the project's storage");
  return location;
}

fs::path PathGuard::resolveEntry(std::string_view clientPath, const std::string& field) const {
  auto target = resolve(clientPath, false, field);
  std::string_view p = clientPath;
  if (p.back() == '/') p.remove_suffix(1);  // resolve refused "" and "/"
  const auto slash = p.rfind('/');
  if (slash == std::string_view::npos) return root_ / std::string(p);
  return resolve(p.substr(0, slash), false, field) / std::string(p.substr(slash + 1));
}

std::string PathGuard::relative(const fs::path& inside) const { return inside.lexically_relative(root_).generic_string(); }

}  // namespace m3m::service
