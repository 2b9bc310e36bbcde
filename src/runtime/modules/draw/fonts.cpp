#include "runtime/modules/draw/fonts.hpp"

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>
#include <unistd.h>

#include <m3m/error.hpp>

#include <fstream>
#include <system_error>

#include "lib/digest.hpp"
#include "lib/hex.hpp"

namespace m3m::draw {

struct FontRegistry::Entry {
  std::mutex mutex;
  PangoFontMap* map = nullptr;
  ~Entry() {
    if (map) g_object_unref(map);
  }
};

FontRegistry::FontRegistry(std::filesystem::path dir) : dir_(std::move(dir)) {}

FontRegistry::~FontRegistry() = default;

std::string FontRegistry::add(const std::string& projectId, std::string_view bytes) {
  if (bytes.size() > kMaxFontBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw.registerFont: a font file is at most 32 MiB");
  const std::string id = lib::hexEncode(lib::digest(lib::DigestAlgorithm::Sha256, bytes));
  const auto file = dir_ / (id + ".font");
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    std::filesystem::create_directories(dir_, ec);
    const auto tmp = dir_ / (id + ".tmp" + std::to_string(::getpid()) + "-" +
                             std::to_string(std::hash<std::string>{}(projectId)));
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) throw Error(ErrorCode::INTERNAL, "draw.registerFont: cannot store the font");
    }
    std::filesystem::rename(tmp, file, ec);
    if (ec) {
      std::filesystem::remove(tmp, ec);
      throw Error(ErrorCode::INTERNAL, "draw.registerFont: cannot store the font");
    }
  }
  int count = 0;
  FcPattern* p = FcFreeTypeQuery(reinterpret_cast<const FcChar8*>(file.c_str()), 0, nullptr, &count);
  if (!p) throw Error(ErrorCode::INVALID_ARGUMENT, "draw.registerFont: not a font file (TrueType, OpenType, WOFF or Type 1)");
  FcPatternDestroy(p);
  std::lock_guard lock(mutex_);
  allowed_.emplace(projectId, id);
  return id;
}

FontRegistry::Lease FontRegistry::acquire(const std::string& projectId, const std::vector<FontRef>& fonts) {
  Lease lease;
  if (fonts.empty()) {
    lease.map_ = pango_cairo_font_map_get_default();  // per thread
    return lease;
  }
  std::string key = projectId;
  for (const auto& f : fonts) key += "\n" + f.id + "\t" + f.family;
  std::shared_ptr<Entry> entry;
  {
    std::lock_guard lock(mutex_);
    for (const auto& f : fonts)
      if (!allowed_.contains({projectId, f.id}))
        throw Error(ErrorCode::INVALID_ARGUMENT, "draw: font \"" + f.family + "\" was not registered by this project");
    for (auto it = maps_.begin(); it != maps_.end(); ++it)
      if (it->first == key) {
        entry = it->second;
        maps_.splice(maps_.begin(), maps_, it);
        break;
      }
    if (!entry) {
      entry = std::make_shared<Entry>();
      // The system fonts (fontconfig's own cache files make this fast) plus this project's.
      FcConfig* cfg = FcInitLoadConfigAndFonts();
      if (!cfg) throw Error(ErrorCode::INTERNAL, "draw: fontconfig failed to load");
      for (const auto& f : fonts) {
        const auto file = (dir_ / (f.id + ".font")).string();
        const auto* name = reinterpret_cast<const FcChar8*>(file.c_str());
        FcConfigAppFontAddFile(cfg, name);  // under the family names in the file
        int count = 0;
        if (FcPattern* p = FcFreeTypeQuery(name, 0, nullptr, &count)) {  // and under the name given
          FcPatternDel(p, FC_FAMILY);
          FcPatternDel(p, FC_FAMILYLANG);
          FcPatternAddString(p, FC_FAMILY, reinterpret_cast<const FcChar8*>(f.family.c_str()));
          if (FcFontSet* set = FcConfigGetFonts(cfg, FcSetApplication); !set || !FcFontSetAdd(set, p)) FcPatternDestroy(p);
        }
      }
      entry->map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
      pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(entry->map), cfg);
      FcConfigDestroy(cfg);  // the map holds its own reference
      maps_.emplace_front(key, entry);
      // Drop the least recently used maps (a render still holding one keeps it alive).
      while (maps_.size() > kMaxMaps) maps_.pop_back();
    }
  }
  lease.lock_ = std::unique_lock(entry->mutex);
  lease.map_ = entry->map;
  lease.entry_ = std::move(entry);
  return lease;
}

}  // namespace m3m::draw
