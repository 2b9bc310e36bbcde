// Every client path of the file storage goes through here: checked as text
// (no "..", no absolute paths, no NUL or backslash, bounded lengths) and then
// as a location (its canonical form, symlinks followed, must stay inside the
// root) — so no path, however spelled or linked, leaves the project's folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace m3m::service {

class PathGuard {
 public:
  explicit PathGuard(std::filesystem::path root);

  // The absolute location of `clientPath` inside the root. "" is the root
  // itself, only when allowRoot ("/" and "." are refused). INVALID_ARGUMENT
  // (fields.<field>) when the path is refused.
  std::filesystem::path resolve(std::string_view clientPath, bool allowRoot = false,
                                const std::string& field = "path") const;
  // The textual rules of resolve alone (no disk involved): `clientPath` as a
  // relative path without a trailing "/" ("" = the root, only when allowRoot).
  // Every storage backend gets its paths through here.
  static std::string check(std::string_view clientPath, bool allowRoot = false, const std::string& field = "path");
  // Like resolve (every rule applies, link targets included), but a final
  // symlink is not followed: deleting or renaming a link acts on the link,
  // never on what it points to.
  std::filesystem::path resolveEntry(std::string_view clientPath, const std::string& field = "path") const;
  // "a/b.txt" for a location inside the root.
  std::string relative(const std::filesystem::path& inside) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;  // canonical
};

}  // namespace m3m::service
