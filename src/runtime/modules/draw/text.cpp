#include "runtime/modules/draw/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace m3m::draw {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// "20px", "12pt", "1.5em", "150%", "medium" → px; nullopt when not a size.
std::optional<double> sizeOf(std::string_view token) {
  static const std::pair<std::string_view, double> kKeywords[] = {
      {"xx-small", 9}, {"x-small", 10}, {"small", 13}, {"medium", 16}, {"large", 18}, {"x-large", 24}, {"xx-large", 32}};
  const auto t = lower(token);
  for (const auto& [k, px] : kKeywords)
    if (t == k) return px;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end == t.c_str() || !std::isfinite(v) || v < 0) return std::nullopt;
  const std::string_view unit(end);
  double px;
  if (unit == "px") px = v;
  else if (unit == "pt") px = v * 4 / 3;
  else if (unit == "em" || unit == "rem") px = v * 16;
  else if (unit == "%") px = v * 16 / 100;
  else return std::nullopt;
  if (px > 10'000) return std::nullopt;
  return px;
}

std::optional<int> weightOf(const std::string& t) {
  if (t == "bold" || t == "bolder") return 700;
  if (t == "lighter") return 300;
  if (!t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    const int w = std::atoi(t.c_str());
    if (w >= 1 && w <= 1000 && t.size() <= 4) return w;
  }
  return std::nullopt;
}

}  // namespace

std::optional<FontSpec> parseFont(std::string_view css) {
  if (css.size() > 1000) return std::nullopt;
  FontSpec f;
  size_t i = 0;
  bool haveSize = false;
  int prefix = 0;
  while (i < css.size()) {
    while (i < css.size() && std::isspace(static_cast<unsigned char>(css[i]))) ++i;
    size_t st = i;
    while (i < css.size() && !std::isspace(static_cast<unsigned char>(css[i]))) ++i;
    if (st == i) break;
    std::string_view token = css.substr(st, i - st);
    // A size, maybe with "/line-height" attached ("20px/1.2"), ends the prefix.
    const auto slash = token.find('/');
    if (auto px = sizeOf(token.substr(0, slash))) {
      f.sizePx = *px;
      haveSize = true;
      if (slash == std::string_view::npos) {
        // "20px / 1.2": skip a detached line height.
        size_t j = i;
        while (j < css.size() && std::isspace(static_cast<unsigned char>(css[j]))) ++j;
        if (j < css.size() && css[j] == '/') {
          ++j;
          while (j < css.size() && std::isspace(static_cast<unsigned char>(css[j]))) ++j;
          while (j < css.size() && !std::isspace(static_cast<unsigned char>(css[j]))) ++j;
          i = j;
        }
      }
      break;
    }
    if (++prefix > 4) return std::nullopt;
    const auto t = lower(token);
    if (t == "normal") continue;
    if (t == "italic" || t == "oblique") f.italic = true;
    else if (t == "small-caps") f.smallCaps = true;
    else if (auto w = weightOf(t)) f.weight = *w;
    else if (t == "condensed" || t == "expanded" || t == "semi-condensed" || t == "semi-expanded") continue;
    else return std::nullopt;
  }
  if (!haveSize) return std::nullopt;
  // The families: comma-separated, each quoted or a run of identifiers.
  std::vector<std::string> families;
  std::string rest(css.substr(i));
  size_t start = 0;
  while (start <= rest.size()) {
    auto comma = rest.find(',', start);
    std::string fam = trim(std::string_view(rest).substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (fam.size() >= 2 && (fam.front() == '"' || fam.front() == '\'') && fam.back() == fam.front())
      fam = fam.substr(1, fam.size() - 2);
    if (fam.empty() || fam.find_first_of("\"';{}") != std::string::npos) return std::nullopt;
    families.push_back(fam);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (families.empty()) return std::nullopt;
  f.families.clear();
  for (size_t k = 0; k < families.size(); ++k) f.families += (k ? "," : "") + families[k];
  return f;
}

std::string serializeFont(const FontSpec& f) {
  std::string s;
  if (f.italic) s += "italic ";
  if (f.smallCaps) s += "small-caps ";
  if (f.weight == 700) s += "bold ";
  else if (f.weight != 400) s += std::to_string(f.weight) + " ";
  char size[32];
  std::snprintf(size, sizeof size, "%gpx ", f.sizePx);
  s += size;
  std::string fams = f.families;
  std::string out;
  size_t start = 0;
  while (true) {
    auto comma = fams.find(',', start);
    auto fam = fams.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!out.empty()) out += ", ";
    out += fam.find(' ') != std::string::npos ? "\"" + fam + "\"" : fam;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return s + out;
}

namespace {

PangoFontDescription* describe(const FontSpec& f) {
  PangoFontDescription* d = pango_font_description_new();
  pango_font_description_set_family(d, f.families.c_str());
  pango_font_description_set_weight(d, static_cast<PangoWeight>(std::clamp(f.weight, 100, 1000)));
  pango_font_description_set_style(d, f.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  if (f.smallCaps) pango_font_description_set_variant(d, PANGO_VARIANT_SMALL_CAPS);
  pango_font_description_set_absolute_size(d, std::max(f.sizePx, 0.0) * PANGO_SCALE);
  return d;
}

std::string oneLine(std::string_view text) {
  std::string s(text);
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t' || c == '\f') c = ' ';
  return s;
}

}  // namespace

TextEngine::TextEngine(PangoFontMap* map) : context_(pango_font_map_create_context(map)) {
  cairo_font_options_t* o = cairo_font_options_create();
  cairo_font_options_set_hint_style(o, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(o, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(o, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(context_, o);
  cairo_font_options_destroy(o);
  pango_context_set_round_glyph_positions(context_, FALSE);
}

TextEngine::~TextEngine() { g_object_unref(context_); }

PangoLayout* TextEngine::line(const FontSpec& font, std::string_view text) {
  PangoLayout* l = pango_layout_new(context_);
  PangoFontDescription* d = describe(font);
  pango_layout_set_font_description(l, d);
  pango_font_description_free(d);
  const auto s = oneLine(text);
  pango_layout_set_text(l, s.data(), static_cast<int>(s.size()));
  return l;
}

PangoLayout* TextEngine::box(const FontSpec& font, std::string_view text, double width, double lineHeight, int align,
                             int maxLines) {
  PangoLayout* l = pango_layout_new(context_);
  PangoFontDescription* d = describe(font);
  pango_layout_set_font_description(l, d);
  // Line height as CSS says it: lineHeight × the font size between baselines.
  PangoFontMetrics* m = pango_context_get_metrics(context_, d, nullptr);
  const double fontHeight = (pango_font_metrics_get_ascent(m) + pango_font_metrics_get_descent(m)) / double(PANGO_SCALE);
  pango_font_metrics_unref(m);
  pango_font_description_free(d);
  if (lineHeight > 0 && fontHeight > 0) pango_layout_set_line_spacing(l, static_cast<float>(lineHeight * font.sizePx / fontHeight));
  pango_layout_set_width(l, static_cast<int>(std::max(width, 1.0) * PANGO_SCALE));
  pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(l, align == 1 ? PANGO_ALIGN_RIGHT : align == 2 ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
  if (maxLines > 0) {
    pango_layout_set_height(l, -maxLines);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
  }
  pango_layout_set_text(l, text.data(), static_cast<int>(text.size()));
  return l;
}

TextMetrics TextEngine::measure(const FontSpec& font, std::string_view text) {
  PangoLayout* l = line(font, text);
  PangoRectangle ink, logical;
  pango_layout_get_extents(l, &ink, &logical);
  const double baseline = pango_layout_get_baseline(l) / double(PANGO_SCALE);
  TextMetrics t;
  t.width = logical.width / double(PANGO_SCALE);
  t.actualBoundingBoxLeft = -ink.x / double(PANGO_SCALE);
  t.actualBoundingBoxRight = (ink.x + ink.width) / double(PANGO_SCALE);
  t.actualBoundingBoxAscent = baseline - ink.y / double(PANGO_SCALE);
  t.actualBoundingBoxDescent = (ink.y + ink.height) / double(PANGO_SCALE) - baseline;
  t.fontBoundingBoxAscent = baseline - logical.y / double(PANGO_SCALE);
  t.fontBoundingBoxDescent = (logical.y + logical.height) / double(PANGO_SCALE) - baseline;
  g_object_unref(l);
  return t;
}

BoxMetrics TextEngine::measureBox(const FontSpec& font, std::string_view text, double width, double lineHeight,
                                  int align, int maxLines) {
  PangoLayout* l = box(font, text, width, lineHeight, align, maxLines);
  PangoRectangle logical;
  pango_layout_get_extents(l, nullptr, &logical);
  BoxMetrics b{logical.width / double(PANGO_SCALE), logical.height / double(PANGO_SCALE), pango_layout_get_line_count(l)};
  g_object_unref(l);
  return b;
}

void textOrigin(PangoLayout* layout, int align, int baseline, double& dx, double& dy) {
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  const double w = logical.width / double(PANGO_SCALE);
  const double h = logical.height / double(PANGO_SCALE);
  const double base = pango_layout_get_baseline(layout) / double(PANGO_SCALE);
  // align: start, end, left, right, center (left-to-right text: start = left).
  switch (align) {
    case 1:
    case 3: dx = -w; break;
    case 4: dx = -w / 2; break;
    default: dx = 0;
  }
  // baseline: alphabetic, top, hanging, middle, ideographic, bottom — the
  // others than alphabetic relative to the em square, as browsers place it:
  // the font's ascent : descent ratio over one em (the font size).
  const PangoFontDescription* d = pango_layout_get_font_description(layout);
  const double em = d ? pango_font_description_get_size(d) / double(PANGO_SCALE) : 10;
  const double emAscent = h > 0 ? em * base / h : em * 0.8;
  switch (baseline) {
    case 1:
    case 2: dy = emAscent - base; break;
    case 3: dy = emAscent - em / 2 - base; break;
    case 4:
    case 5: dy = emAscent - em - base; break;
    default: dy = -base;
  }
}

}  // namespace m3m::draw
