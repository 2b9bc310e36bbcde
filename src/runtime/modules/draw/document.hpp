// A canvas' display list as the module's JS wrapper records it, parsed into
// plain C++ (no JS value is touched while rendering: the render runs in a
// waiting call, off the isolate). The wire format (one JSON array per
// command, ["fillRect", x, y, w, h]…) is the wrapper's (module.cpp) and is
// checked here: a malformed list is an INVALID_ARGUMENT, never a crash.
#pragma once

#include <m3m/module.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/modules/draw/colour.hpp"

namespace m3m::draw {

// runtime.draw.* and the project's memory budget.
struct Limits {
  std::uint64_t maxPixels = 40'000'000;     // one canvas (width × height), one decoded image
  std::uint64_t memoryBytes = 128ull << 20;  // canvas + decoded images of one render
  std::size_t maxOps = 1'000'000;            // commands in one display list
  std::chrono::milliseconds maxTime{30'000};  // one render (runtime.timeout): past it TIMEOUT
};

// A fill or stroke style: a colour or a gradient (coordinates in the user
// space at the time of the paint, as in a browser).
struct Paint {
  enum class Kind : std::uint8_t { Colour, Linear, Radial } kind = Kind::Colour;
  Rgba colour{0, 0, 0, 1};
  double coords[6] = {0, 0, 0, 0, 0, 0};  // linear: x0 y0 x1 y1; radial: x0 y0 r0 x1 y1 r1
  std::vector<std::pair<double, Rgba>> stops;
};

enum class Op : std::uint8_t {
  Save, Restore, Translate, Rotate, Scale, Transform, SetTransform, ResetTransform,
  FillStyle, StrokeStyle, LineWidth, LineCap, LineJoin, MiterLimit, GlobalAlpha, LineDash, LineDashOffset,
  Font, TextAlign, TextBaseline, ImageSmoothing, Composite,
  BeginPath, ClosePath, MoveTo, LineTo, BezierCurveTo, QuadraticCurveTo, Arc, ArcTo, Ellipse, Rect, RoundRect,
  Fill, Stroke, Clip, FillRect, StrokeRect, ClearRect, FillText, StrokeText, TextBox, DrawImage,
};

struct Command {
  Op op;
  std::uint8_t flag = 0;   // anticlockwise, evenodd, enum values (cap, join, align…), has-maxWidth
  int index = -1;          // a paint, an image or a font (Document's vectors)
  double n[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::string text;        // fillText / strokeText / textBox
  std::vector<double> dash;
};

// A font the project registered (draw.registerFont): its content id and family.
struct FontRef {
  std::string id;      // sha-256 of the file (hex)
  std::string family;  // the name `font` uses
};

struct Document {
  int width = 0, height = 0;
  Rgba background{0, 0, 0, 0};
  std::vector<Command> commands;
  std::vector<Paint> paints;
  std::vector<std::string> fonts;   // CSS font strings ("bold 20px DejaVu Sans")
  std::vector<Value> images;        // bytes (binary Value) or {path} until the module resolves them
  std::vector<std::string> imageBytes;  // encoded images, by index
  std::vector<FontRef> registered;
};

// Throws Error(INVALID_ARGUMENT) naming `where` ("draw: …"), or
// PAYLOAD_TOO_LARGE for a canvas past the limits (before anything is allocated).
Document parseDocument(const Value& v, const Limits& limits);

// The canvas size check shared by createCanvas and the render.
void checkCanvasSize(double width, double height, const Limits& limits, const std::string& where);

}  // namespace m3m::draw
