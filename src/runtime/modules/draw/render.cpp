#include "runtime/modules/draw/render.hpp"

#include <m3m/error.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/modules/draw/enums.hpp"
#include "runtime/modules/draw/images.hpp"
#include "runtime/modules/draw/text.hpp"

namespace m3m::draw {

namespace {

constexpr cairo_operator_t kOperators[] = {
    CAIRO_OPERATOR_OVER,        CAIRO_OPERATOR_IN,          CAIRO_OPERATOR_OUT,        CAIRO_OPERATOR_ATOP,
    CAIRO_OPERATOR_DEST_OVER,   CAIRO_OPERATOR_DEST_IN,     CAIRO_OPERATOR_DEST_OUT,   CAIRO_OPERATOR_DEST_ATOP,
    CAIRO_OPERATOR_ADD,         CAIRO_OPERATOR_SOURCE,      CAIRO_OPERATOR_XOR,        CAIRO_OPERATOR_MULTIPLY,
    CAIRO_OPERATOR_SCREEN,      CAIRO_OPERATOR_OVERLAY,     CAIRO_OPERATOR_DARKEN,     CAIRO_OPERATOR_LIGHTEN,
    CAIRO_OPERATOR_COLOR_DODGE, CAIRO_OPERATOR_COLOR_BURN,  CAIRO_OPERATOR_HARD_LIGHT, CAIRO_OPERATOR_SOFT_LIGHT,
    CAIRO_OPERATOR_DIFFERENCE,  CAIRO_OPERATOR_EXCLUSION,   CAIRO_OPERATOR_HSL_HUE,    CAIRO_OPERATOR_HSL_SATURATION,
    CAIRO_OPERATOR_HSL_COLOR,   CAIRO_OPERATOR_HSL_LUMINOSITY};
static_assert(std::size(kOperators) == kComposites.size());

constexpr cairo_line_cap_t kCaps[] = {CAIRO_LINE_CAP_BUTT, CAIRO_LINE_CAP_ROUND, CAIRO_LINE_CAP_SQUARE};
constexpr cairo_line_join_t kJoins[] = {CAIRO_LINE_JOIN_MITER, CAIRO_LINE_JOIN_ROUND, CAIRO_LINE_JOIN_BEVEL};

// What cairo's own save/restore does not keep.
struct State {
  int fill = -1, stroke = -1;  // Document::paints; -1 = black
  double alpha = 1;
  int font = -1;               // Document::fonts; -1 = "10px sans-serif"
  std::uint8_t align = 0, baseline = 0;
  bool smoothing = true;
  bool singular = false;       // a transform made the matrix singular: nothing is drawn
};

bool finite(const Command& c, int n) {
  for (int k = 0; k < n; ++k)
    if (!std::isfinite(c.n[k])) return false;
  return true;
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

class Renderer {
 public:
  Renderer(const Document& doc, PangoFontMap* fonts, const Limits& limits)
      : doc_(doc), limits_(limits), text_(fonts), images_(doc.imageBytes.size()) {
    budget_ = limits.memoryBytes - static_cast<std::uint64_t>(doc.width) * doc.height * 4;
    for (const auto& css : doc.fonts) fonts_.push_back(parseFont(css).value_or(FontSpec{}));
  }

  cairo_surface_t* run(std::stop_token stop) {
    SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, doc_.width, doc_.height));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
      throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: cannot allocate the canvas");
    cr_ = cairo_create(surface.get());
    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> guard(cr_, cairo_destroy);
    if (doc_.background.a > 0) {
      cairo_set_source_rgba(cr_, doc_.background.r, doc_.background.g, doc_.background.b, doc_.background.a);
      cairo_set_operator(cr_, CAIRO_OPERATOR_SOURCE);
      cairo_paint(cr_);
      cairo_set_operator(cr_, CAIRO_OPERATOR_OVER);
    }
    cairo_set_source_rgb(cr_, 0, 0, 0);
    cairo_set_line_width(cr_, 1);
    cairo_set_miter_limit(cr_, 10);
    // Checked before each command: one command may fill the whole canvas.
    const auto deadline = std::chrono::steady_clock::now() + limits_.maxTime;
    for (const auto& c : doc_.commands) {
      if (stop.stop_requested()) throw Error(ErrorCode::UNAVAILABLE, "draw: the run is ending");
      if (std::chrono::steady_clock::now() > deadline)
        throw Error(ErrorCode::TIMEOUT, "draw: the render took longer than " + std::to_string(limits_.maxTime.count()) +
                                            " ms (runtime.timeout)");
      apply(c);
      if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS)
        throw Error(ErrorCode::INTERNAL, std::string("draw: cairo: ") + cairo_status_to_string(cairo_status(cr_)));
    }
    guard.reset();
    cairo_surface_flush(surface.get());
    return surface.release();
  }

 private:
  // The paint of a fill or stroke, with globalAlpha folded in.
  void source(int paint) {
    const double a = state_.alpha;
    if (paint < 0) {
      cairo_set_source_rgba(cr_, 0, 0, 0, a);
      return;
    }
    const Paint& p = doc_.paints[paint];
    if (p.kind == Paint::Kind::Colour) {
      cairo_set_source_rgba(cr_, p.colour.r, p.colour.g, p.colour.b, p.colour.a * a);
      return;
    }
    cairo_pattern_t* pat = p.kind == Paint::Kind::Linear
                               ? cairo_pattern_create_linear(p.coords[0], p.coords[1], p.coords[2], p.coords[3])
                               : cairo_pattern_create_radial(p.coords[0], p.coords[1], p.coords[2], p.coords[3],
                                                             p.coords[4], p.coords[5]);
    const bool degenerate = p.stops.empty() || (p.kind == Paint::Kind::Linear && p.coords[0] == p.coords[2] && p.coords[1] == p.coords[3]);
    if (degenerate) cairo_pattern_add_color_stop_rgba(pat, 0, 0, 0, 0, 0);  // a browser paints nothing
    else
      for (const auto& [offset, c] : p.stops) cairo_pattern_add_color_stop_rgba(pat, offset, c.r, c.g, c.b, c.a * a);
    cairo_pattern_set_extend(pat, degenerate ? CAIRO_EXTEND_NONE : CAIRO_EXTEND_PAD);
    cairo_set_source(cr_, pat);
    cairo_pattern_destroy(pat);
  }

  // Runs `fn` on an empty path and puts the current path back (fillRect,
  // text, images do not touch the path being built).
  template <typename Fn>
  void asideFromPath(Fn&& fn) {
    cairo_path_t* saved = cairo_has_current_point(cr_) ? cairo_copy_path(cr_) : nullptr;
    cairo_new_path(cr_);
    fn();
    cairo_new_path(cr_);
    if (saved) {
      cairo_append_path(cr_, saved);
      cairo_path_destroy(saved);
    }
  }

  bool invertible(const cairo_matrix_t& m) {
    const double det = m.xx * m.yy - m.xy * m.yx;
    return std::isfinite(det) && det != 0;
  }

  void transform(const cairo_matrix_t& m, bool replace) {
    cairo_matrix_t next = m;
    if (!replace) {
      cairo_matrix_t cur;
      cairo_get_matrix(cr_, &cur);
      cairo_matrix_multiply(&next, &m, &cur);
    }
    if (!invertible(next)) {
      state_.singular = true;
      return;
    }
    if (replace) state_.singular = false;
    if (!state_.singular) cairo_set_matrix(cr_, &next);
  }

  const FontSpec& font() {
    static const FontSpec kDefault{};
    return state_.font >= 0 ? fonts_[state_.font] : kDefault;
  }

  void text(const Command& c, bool stroke) {
    if (!finite(c, c.flag ? 3 : 2) || state_.singular) return;
    if (c.flag && c.n[2] <= 0) return;
    asideFromPath([&] {
      PangoLayout* l = text_.line(font(), c.text);
      double dx, dy;
      textOrigin(l, state_.align, state_.baseline, dx, dy);
      PangoRectangle logical;
      pango_layout_get_extents(l, nullptr, &logical);
      const double w = logical.width / double(PANGO_SCALE);
      cairo_save(cr_);
      cairo_translate(cr_, c.n[0], c.n[1]);
      if (c.flag && w > c.n[2]) cairo_scale(cr_, c.n[2] / w, 1);  // maxWidth: condensed, as browsers do
      cairo_move_to(cr_, dx, dy);
      if (stroke) {
        pango_cairo_layout_path(cr_, l);
        cairo_restore(cr_);  // the line width in the caller's space
        source(state_.stroke);
        cairo_stroke(cr_);
      } else {
        source(state_.fill);
        pango_cairo_show_layout(cr_, l);
        cairo_restore(cr_);
      }
      g_object_unref(l);
    });
  }

  void textBox(const Command& c) {
    if (!finite(c, 5) || state_.singular || c.n[2] <= 0) return;
    // textAlign within the box: start/left, end/right, center.
    const int align = state_.align == 1 || state_.align == 3 ? 1 : state_.align == 4 ? 2 : 0;
    asideFromPath([&] {
      PangoLayout* l = text_.box(font(), c.text, c.n[2], c.n[3], align, static_cast<int>(std::max(0.0, c.n[4])));
      cairo_move_to(cr_, c.n[0], c.n[1]);
      source(state_.fill);
      pango_cairo_show_layout(cr_, l);
      g_object_unref(l);
    });
  }

  cairo_surface_t* image(int index) {
    if (index < 0 || static_cast<size_t>(index) >= images_.size()) throw Error(ErrorCode::INTERNAL, "draw: image not loaded");
    if (!images_[index]) {
      images_[index].reset(decodeImage(doc_.imageBytes[index], limits_.maxPixels, budget_));
    }
    return images_[index].get();
  }

  void drawImage(const Command& c) {
    cairo_surface_t* img = image(c.index);  // decoded (and checked) even when nothing is drawn
    if (!finite(c, 8) || state_.singular) return;
    const double iw = cairo_image_surface_get_width(img), ih = cairo_image_surface_get_height(img);
    double sx = c.n[0], sy = c.n[1], sw = c.n[2], sh = c.n[3], dx = c.n[4], dy = c.n[5], dw = c.n[6], dh = c.n[7];
    if (sw < 0 && sh < 0 && sx == 0 && sy == 0) sw = iw, sh = ih;  // the whole image
    if (dw < 0 && dh < 0) dw = sw, dh = sh;
    if (sw == 0 || sh == 0 || dw == 0 || dh == 0) return;
    asideFromPath([&] {
      cairo_save(cr_);
      cairo_rectangle(cr_, dx, dy, dw, dh);
      cairo_clip(cr_);
      cairo_translate(cr_, dx, dy);
      cairo_scale(cr_, dw / sw, dh / sh);
      cairo_set_source_surface(cr_, img, -sx, -sy);
      cairo_pattern_set_filter(cairo_get_source(cr_), state_.smoothing ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST);
      cairo_pattern_set_extend(cairo_get_source(cr_), CAIRO_EXTEND_PAD);  // keeps the edges from fading
      cairo_paint_with_alpha(cr_, state_.alpha);
      cairo_restore(cr_);
    });
  }

  void arcTo(const Command& c) {
    const double x1 = c.n[0], y1 = c.n[1], x2 = c.n[2], y2 = c.n[3], r = c.n[4];
    if (!cairo_has_current_point(cr_)) cairo_move_to(cr_, x1, y1);
    double x0, y0;
    cairo_get_current_point(cr_, &x0, &y0);
    const double ax = x0 - x1, ay = y0 - y1, bx = x2 - x1, by = y2 - y1;
    const double la = std::hypot(ax, ay), lb = std::hypot(bx, by);
    const double cross = ax * by - ay * bx;
    if (la == 0 || lb == 0 || r == 0 || std::abs(cross) < 1e-9 * la * lb) {
      cairo_line_to(cr_, x1, y1);
      return;
    }
    const double cosTheta = (ax * bx + ay * by) / (la * lb);
    const double theta = std::acos(std::clamp(cosTheta, -1.0, 1.0));
    const double d = r / std::tan(theta / 2);  // from (x1, y1) to each tangent point
    const double t0x = x1 + ax / la * d, t0y = y1 + ay / la * d;
    const double t1x = x1 + bx / lb * d, t1y = y1 + by / lb * d;
    // The centre: along the bisector, r / sin(θ/2) from (x1, y1).
    const double mx = ax / la + bx / lb, my = ay / la + by / lb, ml = std::hypot(mx, my);
    const double h = r / std::sin(theta / 2);
    const double cx = x1 + mx / ml * h, cy = y1 + my / ml * h;
    const double a0 = std::atan2(t0y - cy, t0x - cx), a1 = std::atan2(t1y - cy, t1x - cx);
    cairo_line_to(cr_, t0x, t0y);
    if (cross > 0) cairo_arc_negative(cr_, cx, cy, r, a0, a1);
    else cairo_arc(cr_, cx, cy, r, a0, a1);
  }

  void roundRect(const Command& c) {
    double x = c.n[0], y = c.n[1], w = c.n[2], h = c.n[3];
    if (w < 0) x += w, w = -w;
    if (h < 0) y += h, h = -h;
    const double r = std::clamp(c.n[4], 0.0, std::min(w, h) / 2);
    cairo_new_sub_path(cr_);
    cairo_arc(cr_, x + w - r, y + r, r, -M_PI / 2, 0);
    cairo_arc(cr_, x + w - r, y + h - r, r, 0, M_PI / 2);
    cairo_arc(cr_, x + r, y + h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr_, x + r, y + r, r, M_PI, 3 * M_PI / 2);
    cairo_close_path(cr_);
    cairo_move_to(cr_, x, y);
  }

  void apply(const Command& c) {
    switch (c.op) {
      case Op::Save:
        cairo_save(cr_);
        stack_.push_back(state_);
        break;
      case Op::Restore:
        if (stack_.empty()) break;  // unbalanced: ignored, as in a browser
        cairo_restore(cr_);
        state_ = stack_.back();
        stack_.pop_back();
        break;
      case Op::Translate: {
        if (!finite(c, 2)) break;
        cairo_matrix_t m;
        cairo_matrix_init_translate(&m, c.n[0], c.n[1]);
        transform(m, false);
        break;
      }
      case Op::Rotate: {
        if (!finite(c, 1)) break;
        cairo_matrix_t m;
        cairo_matrix_init_rotate(&m, c.n[0]);
        transform(m, false);
        break;
      }
      case Op::Scale: {
        if (!finite(c, 2)) break;
        cairo_matrix_t m;
        cairo_matrix_init_scale(&m, c.n[0], c.n[1]);
        transform(m, false);
        break;
      }
      case Op::Transform:
      case Op::SetTransform: {
        if (!finite(c, 6)) break;
        cairo_matrix_t m;
        cairo_matrix_init(&m, c.n[0], c.n[1], c.n[2], c.n[3], c.n[4], c.n[5]);
        transform(m, c.op == Op::SetTransform);
        break;
      }
      case Op::ResetTransform:
        cairo_identity_matrix(cr_);
        state_.singular = false;
        break;
      case Op::FillStyle: state_.fill = c.index; break;
      case Op::StrokeStyle: state_.stroke = c.index; break;
      case Op::LineWidth:
        if (std::isfinite(c.n[0]) && c.n[0] > 0) cairo_set_line_width(cr_, c.n[0]);
        break;
      case Op::LineCap: cairo_set_line_cap(cr_, kCaps[c.flag % 3]); break;
      case Op::LineJoin: cairo_set_line_join(cr_, kJoins[c.flag % 3]); break;
      case Op::MiterLimit:
        if (std::isfinite(c.n[0]) && c.n[0] > 0) cairo_set_miter_limit(cr_, c.n[0]);
        break;
      case Op::GlobalAlpha:
        if (std::isfinite(c.n[0]) && c.n[0] >= 0 && c.n[0] <= 1) state_.alpha = c.n[0];
        break;
      case Op::LineDash: {
        std::vector<double> d = c.dash;
        if (d.size() % 2) d.insert(d.end(), c.dash.begin(), c.dash.end());  // odd: repeated, as a browser does
        double sum = 0;
        for (double x : d) sum += x;
        double offset = 0;
        cairo_get_dash(cr_, nullptr, &offset);
        if (sum > 0) cairo_set_dash(cr_, d.data(), static_cast<int>(d.size()), offset);
        else cairo_set_dash(cr_, nullptr, 0, 0);
        break;
      }
      case Op::LineDashOffset: {
        if (!std::isfinite(c.n[0])) break;
        const int n = cairo_get_dash_count(cr_);
        std::vector<double> d(n);
        if (n) {
          cairo_get_dash(cr_, d.data(), nullptr);
          cairo_set_dash(cr_, d.data(), n, c.n[0]);
        }
        break;
      }
      case Op::Font: state_.font = c.index; break;
      case Op::TextAlign: state_.align = c.flag; break;
      case Op::TextBaseline: state_.baseline = c.flag; break;
      case Op::ImageSmoothing: state_.smoothing = c.flag != 0; break;
      case Op::Composite: cairo_set_operator(cr_, kOperators[c.flag % std::size(kOperators)]); break;
      case Op::BeginPath: cairo_new_path(cr_); break;
      case Op::ClosePath:
        if (cairo_has_current_point(cr_)) cairo_close_path(cr_);
        break;
      case Op::MoveTo:
        if (finite(c, 2) && !state_.singular) cairo_move_to(cr_, c.n[0], c.n[1]);
        break;
      case Op::LineTo:
        if (finite(c, 2) && !state_.singular) cairo_line_to(cr_, c.n[0], c.n[1]);
        break;
      case Op::BezierCurveTo:
        if (!finite(c, 6) || state_.singular) break;
        if (!cairo_has_current_point(cr_)) cairo_move_to(cr_, c.n[0], c.n[1]);
        cairo_curve_to(cr_, c.n[0], c.n[1], c.n[2], c.n[3], c.n[4], c.n[5]);
        break;
      case Op::QuadraticCurveTo: {
        if (!finite(c, 4) || state_.singular) break;
        if (!cairo_has_current_point(cr_)) cairo_move_to(cr_, c.n[0], c.n[1]);
        double x0, y0;
        cairo_get_current_point(cr_, &x0, &y0);
        const double cx = c.n[0], cy = c.n[1], x = c.n[2], y = c.n[3];
        cairo_curve_to(cr_, x0 + 2.0 / 3 * (cx - x0), y0 + 2.0 / 3 * (cy - y0), x + 2.0 / 3 * (cx - x),
                       y + 2.0 / 3 * (cy - y), x, y);
        break;
      }
      case Op::Arc: {
        if (!finite(c, 5) || state_.singular || c.n[2] < 0) break;
        double a0 = c.n[3], a1 = c.n[4];
        if (!c.flag && a1 - a0 >= 2 * M_PI) a1 = a0 + 2 * M_PI;
        if (c.flag && a0 - a1 >= 2 * M_PI) a1 = a0 - 2 * M_PI;
        if (c.flag) cairo_arc_negative(cr_, c.n[0], c.n[1], c.n[2], a0, a1);
        else cairo_arc(cr_, c.n[0], c.n[1], c.n[2], a0, a1);
        break;
      }
      case Op::ArcTo:
        if (finite(c, 5) && !state_.singular && c.n[4] >= 0) arcTo(c);
        break;
      case Op::Ellipse: {
        if (!finite(c, 7) || state_.singular || c.n[2] <= 0 || c.n[3] <= 0) break;
        double a0 = c.n[5], a1 = c.n[6];
        if (!c.flag && a1 - a0 >= 2 * M_PI) a1 = a0 + 2 * M_PI;
        if (c.flag && a0 - a1 >= 2 * M_PI) a1 = a0 - 2 * M_PI;
        cairo_save(cr_);
        cairo_translate(cr_, c.n[0], c.n[1]);
        cairo_rotate(cr_, c.n[4]);
        cairo_scale(cr_, c.n[2], c.n[3]);
        if (c.flag) cairo_arc_negative(cr_, 0, 0, 1, a0, a1);
        else cairo_arc(cr_, 0, 0, 1, a0, a1);
        cairo_restore(cr_);
        break;
      }
      case Op::Rect:
        if (finite(c, 4) && !state_.singular) cairo_rectangle(cr_, c.n[0], c.n[1], c.n[2], c.n[3]);
        break;
      case Op::RoundRect:
        if (finite(c, 5) && !state_.singular) roundRect(c);
        break;
      case Op::Fill:
        if (state_.singular) break;
        cairo_set_fill_rule(cr_, c.flag ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
        source(state_.fill);
        cairo_fill_preserve(cr_);
        break;
      case Op::Stroke:
        if (state_.singular) break;
        source(state_.stroke);
        cairo_stroke_preserve(cr_);
        break;
      case Op::Clip:
        cairo_set_fill_rule(cr_, c.flag ? CAIRO_FILL_RULE_EVEN_ODD : CAIRO_FILL_RULE_WINDING);
        cairo_clip_preserve(cr_);
        break;
      case Op::FillRect:
      case Op::StrokeRect:
      case Op::ClearRect:
        if (!finite(c, 4) || state_.singular) break;
        asideFromPath([&] {
          cairo_rectangle(cr_, c.n[0], c.n[1], c.n[2], c.n[3]);
          if (c.op == Op::FillRect) {
            cairo_set_fill_rule(cr_, CAIRO_FILL_RULE_WINDING);
            source(state_.fill);
            cairo_fill(cr_);
          } else if (c.op == Op::StrokeRect) {
            source(state_.stroke);
            cairo_stroke(cr_);
          } else {
            cairo_save(cr_);
            cairo_set_operator(cr_, CAIRO_OPERATOR_CLEAR);
            cairo_fill(cr_);
            cairo_restore(cr_);
          }
        });
        break;
      case Op::FillText: text(c, false); break;
      case Op::StrokeText: text(c, true); break;
      case Op::TextBox: textBox(c); break;
      case Op::DrawImage: drawImage(c); break;
    }
  }

  const Document& doc_;
  const Limits& limits_;
  TextEngine text_;
  std::vector<SurfacePtr> images_;
  std::vector<FontSpec> fonts_;
  std::uint64_t budget_ = 0;
  cairo_t* cr_ = nullptr;
  State state_;
  std::vector<State> stack_;
};

}  // namespace

cairo_surface_t* renderSurface(const Document& doc, PangoFontMap* fonts, const Limits& limits, std::stop_token stop) {
  Renderer r(doc, fonts, limits);
  return r.run(stop);
}

std::string render(const Document& doc, const Encoding& encoding, PangoFontMap* fonts, const Limits& limits,
                   std::stop_token stop) {
  SurfacePtr surface(renderSurface(doc, fonts, limits, stop));
  if (encoding.format == Encoding::Format::Jpeg) return encodeJpeg(surface.get(), encoding.quality, encoding.background);
  return encodePng(surface.get());
}

}  // namespace m3m::draw
