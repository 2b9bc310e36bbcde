// What one `image` call asks for, checked before any work starts: the
// operations the JS wrapper recorded (image.open(src).resize(…).crop(…)) and
// the output. Pure data and parsing, no libvips: pipeline.cpp executes a Plan
// as one libvips pipeline. Parse errors are INVALID_ARGUMENT naming the public
// function ("image.resize: width must be …").
#pragma once

#include <m3m/module.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace m3m::image {

// An image's bytes, or a path in the project's storage (read on a worker).
struct Source {
  std::string path;   // set: read from storage
  std::string bytes;  // else: these bytes
};

// RGBA, 0–255 each.
using Colour = std::array<int, 4>;

enum class Fit { Cover, Contain, Fill, Inside };

struct Op {
  enum class Kind { Resize, Crop, Rotate, Thumbnail, Composite };
  Kind kind = Kind::Resize;
  int width = 0, height = 0;  // Resize: 0 = from the other side and the aspect ratio; Crop: the area
  int x = 0, y = 0;           // Crop: the corner; Composite: where the overlay goes
  Fit fit = Fit::Cover;
  std::optional<Colour> background;  // Resize contain, Rotate by other angles
  double degrees = 0;                // Rotate, clockwise
  int size = 0;                      // Thumbnail: the box side
  double opacity = 1;                // Composite
  Source overlay;                    // Composite
};

enum class Format { Png, Jpeg, Webp, Gif, Avif };

struct Output {
  enum class Kind { Bytes, File, Info };
  Kind kind = Kind::Bytes;
  std::optional<Format> format;  // none: the `to` extension, else the input's format (or PNG)
  int quality = 0;               // 0: the format's default
  std::string to;                // File: a path in the project's storage
};

struct Plan {
  std::string where;  // the public function, for messages: "image.resize"
  Source source;
  std::vector<Op> ops;
  Output output;
};

// The spec the JS wrapper passes to the native run: {where, source, ops, output}.
Plan parsePlan(const Value& spec);

// "png" → Png ("jpg" too); nullopt when unknown.
std::optional<Format> formatNamed(const std::string& name);
std::string formatName(Format f);
// The format a file name asks for by its extension ("a/b.JPG" → Jpeg).
std::optional<Format> formatOfPath(const std::string& path);
// "#rgb", "#rgba", "#rrggbb", "#rrggbbaa" or [r, g, b(, a)]; throws INVALID_ARGUMENT naming `what`.
Colour parseColour(const Value& v, const std::string& what);

// The format the output is written in, given the input's format name (from
// the loader: "png", "tiff", …).
Format outputFormat(const Plan& plan, const std::string& inputFormat);

}  // namespace m3m::image
