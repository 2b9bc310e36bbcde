// The keyword values of canvas properties, in the order of their cairo / pango
// equivalents used by render.cpp and text.cpp.
#pragma once

#include <array>
#include <span>
#include <string_view>

namespace m3m::draw {

inline constexpr std::array<std::string_view, 3> kLineCaps = {"butt", "round", "square"};
inline constexpr std::array<std::string_view, 3> kLineJoins = {"miter", "round", "bevel"};
inline constexpr std::array<std::string_view, 5> kTextAligns = {"start", "end", "left", "right", "center"};
inline constexpr std::array<std::string_view, 6> kTextBaselines = {"alphabetic", "top",         "hanging",
                                                                    "middle",     "ideographic", "bottom"};
// globalCompositeOperation names; render.cpp maps each to a cairo operator.
inline constexpr std::array<std::string_view, 26> kComposites = {
    "source-over", "source-in",   "source-out", "source-atop", "destination-over", "destination-in",
    "destination-out", "destination-atop", "lighter", "copy", "xor", "multiply", "screen", "overlay",
    "darken", "lighten", "color-dodge", "color-burn", "hard-light", "soft-light", "difference",
    "exclusion", "hue", "saturation", "color", "luminosity"};

}  // namespace m3m::draw
