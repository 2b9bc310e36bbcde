// Text for the `draw` module: the CSS `font` shorthand, and Pango layouts
// (shaping, font fallback — Cyrillic, emoji — and wrapping) drawn by cairo.
#pragma once

#include <pango/pangocairo.h>

#include <optional>
#include <string>
#include <string_view>

namespace m3m::draw {

// "italic bold 20px/1.2 'DejaVu Sans', sans-serif" → its parts. Sizes in
// px, pt, em/rem (of 16px) or %; weights 1–1000, normal, bold, lighter, bolder.
struct FontSpec {
  std::string families = "sans-serif";  // comma-separated, unquoted (what Pango takes)
  int weight = 400;
  bool italic = false;
  bool smallCaps = false;
  double sizePx = 10;
};

// nullopt when `css` is not a font shorthand (a canvas then keeps its font).
std::optional<FontSpec> parseFont(std::string_view css);
// The normalized shorthand ("bold 20px DejaVu Sans"), what the `font` getter returns.
std::string serializeFont(const FontSpec& f);

struct TextMetrics {
  double width = 0;
  double actualBoundingBoxLeft = 0, actualBoundingBoxRight = 0;
  double actualBoundingBoxAscent = 0, actualBoundingBoxDescent = 0;
  double fontBoundingBoxAscent = 0, fontBoundingBoxDescent = 0;
};

struct BoxMetrics {
  double width = 0, height = 0;
  int lines = 0;
};

// A Pango context over one font map, with the font options every render
// uses (no hinting, so a measure made here matches the render at any scale).
// Layouts are made in user space and never told the cairo transform
// (pango_cairo_update_layout): cairo then applies the whole transform to the
// glyphs — a non-uniform scale(2, 1) or fillText's maxWidth stretch them, as
// in a browser, where Pango would otherwise ignore the non-uniform part.
class TextEngine {
 public:
  explicit TextEngine(PangoFontMap* map);
  ~TextEngine();
  TextEngine(const TextEngine&) = delete;
  TextEngine& operator=(const TextEngine&) = delete;

  // One line (newlines are spaces, as in canvas fillText). The caller unrefs.
  PangoLayout* line(const FontSpec& font, std::string_view text);
  // A wrapped box `width` px wide; `lineHeight` in multiples of the font size
  // (CSS unitless line-height), `align` 0 left, 1 right, 2 center; maxLines 0 = all.
  PangoLayout* box(const FontSpec& font, std::string_view text, double width, double lineHeight, int align, int maxLines);

  TextMetrics measure(const FontSpec& font, std::string_view text);
  BoxMetrics measureBox(const FontSpec& font, std::string_view text, double width, double lineHeight, int align,
                        int maxLines);

  PangoContext* context() const { return context_; }

 private:
  PangoContext* context_;
};

// The offset from (x, y) to the layout's top-left corner for a canvas
// textAlign / textBaseline (enums.hpp order).
void textOrigin(PangoLayout* layout, int align, int baseline, double& dx, double& dy);

}  // namespace m3m::draw
