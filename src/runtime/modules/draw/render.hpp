// Replays a display list (document.hpp) with cairo — in order, with the
// canvas' state rules (save/restore, the transform at each path point, clip,
// globalAlpha) — and encodes the result. Touches no JS value: it runs in a
// waiting call, off the isolate.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <stop_token>
#include <string>

#include "runtime/modules/draw/document.hpp"

namespace m3m::draw {

struct Encoding {
  enum class Format : std::uint8_t { Png, Jpeg } format = Format::Png;
  int quality = 90;                // JPEG, 1–100
  Rgba background{1, 1, 1, 1};     // JPEG: what transparent pixels become
};

// `doc.imageBytes` must hold every image's bytes. The caller destroys the surface.
// Throws Error (INVALID_ARGUMENT for a bad image, PAYLOAD_TOO_LARGE past the
// limits) or, when `stop` is signalled, Error(UNAVAILABLE).
cairo_surface_t* renderSurface(const Document& doc, PangoFontMap* fonts, const Limits& limits, std::stop_token stop);
std::string render(const Document& doc, const Encoding& encoding, PangoFontMap* fonts, const Limits& limits,
                   std::stop_token stop);

}  // namespace m3m::draw
