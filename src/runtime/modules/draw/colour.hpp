// CSS colours for the `draw` module (CSS Color 4, the forms canvas accepts):
// the 148 named colours and `transparent`, #rgb, #rgba, #rrggbb, #rrggbbaa,
// rgb()/rgba() and hsl()/hsla() in the comma and the space ("/ alpha")
// syntax, with numbers or percentages. Written by hand: no packaged C/C++
// library parses CSS colours short of GTK's gdk_rgba_parse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace m3m::draw {

// Straight (not premultiplied) sRGB, each in [0, 1].
struct Rgba {
  double r = 0, g = 0, b = 0, a = 1;
  bool operator==(const Rgba&) const = default;
};

// nullopt when `text` is not a colour (case-insensitive; surrounding spaces allowed).
std::optional<Rgba> parseColour(std::string_view text);

// "#rrggbb" when opaque, else "rgba(r, g, b, a)" (what a canvas' fillStyle getter returns).
std::string serializeColour(const Rgba& c);

}  // namespace m3m::draw
