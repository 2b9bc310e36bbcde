// Image bytes in and out of the `draw` module: drawImage's sources (PNG,
// JPEG, WebP, GIF — decoded by libvips, whose header is read first so that an
// image bomb is refused before a pixel is decoded) and the canvas' encodings
// (PNG by cairo, JPEG by libvips).
#pragma once

#include <cairo.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/modules/draw/colour.hpp"

namespace m3m::draw {

// Once per process (VIPS_INIT, untrusted loaders off); safe to call again.
void initImageCodecs();

// A cairo ARGB32 surface of the image (EXIF orientation applied). Throws
// Error INVALID_ARGUMENT for bytes that are no image, PAYLOAD_TOO_LARGE when
// the image has more than maxPixels pixels or its pixels would exceed `budget`
// bytes (which is then reduced by what the image takes). The caller destroys it.
cairo_surface_t* decodeImage(std::string_view bytes, std::uint64_t maxPixels, std::uint64_t& budget);

std::string encodePng(cairo_surface_t* surface);
// quality 1–100; transparent pixels over `background`.
std::string encodeJpeg(cairo_surface_t* surface, int quality, const Rgba& background);

}  // namespace m3m::draw
