// One `image` call as work for the image pool: what it reads (storage paths
// or bytes), the libvips pipeline, and what it gives back (bytes, a written
// file's facts, or an image's info). Everything the work touches is copied
// from the call first: it runs on another thread, after the isolate moved on.
#pragma once

#include <memory>
#include <string>

#include "runtime/image/pipeline.hpp"
#include "runtime/image/plan.hpp"
#include "runtime/modules/builtin_modules.hpp"

namespace m3m::runtime::imaging {

image::Pool::Work makeWork(image::Plan plan, std::shared_ptr<StorageBackend> storage, std::string projectId,
                           std::uint64_t maxPixels);

}  // namespace m3m::runtime::imaging
