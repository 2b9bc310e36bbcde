// Fonts a project registers (draw.registerFont), kept apart from other projects.
//
// Isolation: fontconfig's process configuration (FcConfigGetCurrent) is left
// alone — a font added there would be visible to every project. Instead a
// registered file is stored content-addressed (its SHA-256) in a private
// folder, and a render that uses registered fonts gets a Pango font map over
// its own FcConfig: the system fonts plus exactly the fonts this project
// registered in this run (the JS wrapper keeps the list per run and sends it
// with each render). The maps are cached by (project, font list), at most
// kMaxMaps, each used by one render at a time (a Pango font map is not
// thread-safe). Renders without registered fonts use Pango's per-thread
// default map, with no lock.
#pragma once

#include <pango/pangocairo.h>

#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/modules/draw/document.hpp"

namespace m3m::draw {

class FontRegistry {
 public:
  static constexpr std::size_t kMaxFontBytes = 32u << 20;
  static constexpr std::size_t kMaxMaps = 16;

  explicit FontRegistry(std::filesystem::path dir);
  ~FontRegistry();

  // Checks that `bytes` are a font fontconfig reads (TrueType, OpenType,
  // WOFF, Type 1), stores them, and records that `projectId` may use them.
  // Returns the content id. Throws INVALID_ARGUMENT otherwise.
  std::string add(const std::string& projectId, std::string_view bytes);

  struct Entry;
  // The font map for a render: the thread's default when `fonts` is empty,
  // else the project's own (locked until the lease is dropped). Throws
  // INVALID_ARGUMENT for a font id this project did not register.
  class Lease {
   public:
    PangoFontMap* map() const { return map_; }

   private:
    friend class FontRegistry;
    PangoFontMap* map_ = nullptr;
    std::shared_ptr<Entry> entry_;
    std::unique_lock<std::mutex> lock_;
  };
  Lease acquire(const std::string& projectId, const std::vector<FontRef>& fonts);

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> allowed_;  // (project, font id)
  std::list<std::pair<std::string, std::shared_ptr<Entry>>> maps_;  // most recent first
};

}  // namespace m3m::draw
