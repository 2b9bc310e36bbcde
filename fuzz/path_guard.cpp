// The storage PathGuard on a real folder with files, nested folders and
// symlinks (one inside the root, one out of it, one loop). Input:
// "<mode byte><client path>". Oracles: only m3m::Error escapes; an accepted
// path resolves (symlinks followed) inside the root, never to something
// outside it; resolveEntry's parent does too; relative() of an accepted path
// is relative (no "..", no leading '/').
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "common.hpp"
#include "service/storage/path_guard.hpp"

using namespace m3m;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path base, root;
  service::PathGuard* guard = nullptr;

  Fixture() {
    base = fs::temp_directory_path() / ("m3m-fuzz-path-guard-" + std::to_string(::getpid()));
    fs::remove_all(base);
    root = base / "root";
    fs::create_directories(root / "docs" / "deep");
    fs::create_directories(base / "outside");
    std::ofstream(root / "docs" / "a.txt") << "a";
    std::ofstream(base / "outside" / "secret.txt") << "s";
    fs::create_directory_symlink(root / "docs", root / "inlink");
    fs::create_directory_symlink(base / "outside", root / "outlink");
    fs::create_symlink("../../outside/secret.txt", root / "docs" / "rel-out");
    fs::create_symlink("loop", root / "loop");
    guard = new service::PathGuard(root);
    root = guard->root();  // canonical
  }
  ~Fixture() {
    delete guard;
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

bool within(const fs::path& root, const fs::path& p) {
  auto rs = root.generic_string() + "/";
  auto ps = p.generic_string();
  return ps == root.generic_string() || ps.rfind(rs, 0) == 0;
}

void checkInside(const Fixture& f, const fs::path& p, bool mayBeRoot) {
  if (!p.is_absolute()) fuzz::fail("an accepted path is not absolute");
  if (p.lexically_normal() != p) fuzz::fail("an accepted path is not normal");
  if (!within(f.root, p)) fuzz::fail("an accepted path is outside the root");
  if (!mayBeRoot && p == f.root) fuzz::fail("an accepted path is the root itself");
  // Where it really is: every existing symlink on the way followed.
  std::error_code ec;
  auto real = fs::weakly_canonical(p, ec);
  if (!ec && !within(f.root, real)) fuzz::fail("an accepted path resolves outside the root");
  auto rel = f.guard->relative(p);
  if (!rel.empty() && (rel.front() == '/' || rel == ".." || rel.rfind("../", 0) == 0))
    fuzz::fail("relative() of an accepted path leaves the root");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  if (size == 0) return 0;
  const bool allowRoot = data[0] & 1;
  const bool entry = data[0] & 2;
  std::string_view path(reinterpret_cast<const char*>(data) + 1, size - 1);
  fuzz::expectOnlyErrors([&] {
    if (entry) {
      auto p = f.guard->resolveEntry(path);
      // The entry itself may be a link (acted on as a link): its folder must be inside.
      checkInside(f, p.parent_path(), true);
      if (!within(f.root, p) || p == f.root) fuzz::fail("an entry is outside the root or the root");
    } else {
      checkInside(f, f.guard->resolve(path, allowRoot), allowRoot);
    }
  });
  return 0;
}
