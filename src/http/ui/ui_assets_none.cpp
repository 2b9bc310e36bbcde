// The asset table of a build without the UI (-DM3M_BUILD_UI=OFF: fuzz/bench
// builds). GET / then answers a short note instead of the app.
#include "http/ui/ui_assets.hpp"

namespace m3m::http::ui {

std::span<const Asset> embeddedAssets() { return {}; }

}  // namespace m3m::http::ui
