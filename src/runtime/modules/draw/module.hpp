// The `draw` runtime module: canvases drawn with cairo + Pango (docs/runtime.md, "draw").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime {

struct DrawSettings {
  std::uint64_t maxPixels = 40'000'000;        // runtime.draw.max_pixels
  std::uint64_t memoryBytes = 128ull << 20;    // runtime.memory_limit_mb: one render's canvas + images
  std::filesystem::path fontDir;               // registered fonts, content-addressed (empty: a temp folder)
  std::chrono::milliseconds maxTime{30'000};   // runtime.timeout: one render
};

ModuleSchema drawModule(DrawSettings settings, std::shared_ptr<StorageBackend> storage);

}  // namespace m3m::runtime
