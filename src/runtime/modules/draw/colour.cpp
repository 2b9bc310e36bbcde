#include "runtime/modules/draw/colour.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace m3m::draw {

namespace {

// CSS Color 4 named colours (sorted, for binary search).
constexpr std::array<std::pair<std::string_view, std::uint32_t>, 148> kNamed = {{
    {"aliceblue", 0xf0f8ff}, {"antiquewhite", 0xfaebd7}, {"aqua", 0x00ffff}, {"aquamarine", 0x7fffd4},
    {"azure", 0xf0ffff}, {"beige", 0xf5f5dc}, {"bisque", 0xffe4c4}, {"black", 0x000000},
    {"blanchedalmond", 0xffebcd}, {"blue", 0x0000ff}, {"blueviolet", 0x8a2be2}, {"brown", 0xa52a2a},
    {"burlywood", 0xdeb887}, {"cadetblue", 0x5f9ea0}, {"chartreuse", 0x7fff00}, {"chocolate", 0xd2691e},
    {"coral", 0xff7f50}, {"cornflowerblue", 0x6495ed}, {"cornsilk", 0xfff8dc}, {"crimson", 0xdc143c},
    {"cyan", 0x00ffff}, {"darkblue", 0x00008b}, {"darkcyan", 0x008b8b}, {"darkgoldenrod", 0xb8860b},
    {"darkgray", 0xa9a9a9}, {"darkgreen", 0x006400}, {"darkgrey", 0xa9a9a9}, {"darkkhaki", 0xbdb76b},
    {"darkmagenta", 0x8b008b}, {"darkolivegreen", 0x556b2f}, {"darkorange", 0xff8c00}, {"darkorchid", 0x9932cc},
    {"darkred", 0x8b0000}, {"darksalmon", 0xe9967a}, {"darkseagreen", 0x8fbc8f}, {"darkslateblue", 0x483d8b},
    {"darkslategray", 0x2f4f4f}, {"darkslategrey", 0x2f4f4f}, {"darkturquoise", 0x00ced1}, {"darkviolet", 0x9400d3},
    {"deeppink", 0xff1493}, {"deepskyblue", 0x00bfff}, {"dimgray", 0x696969}, {"dimgrey", 0x696969},
    {"dodgerblue", 0x1e90ff}, {"firebrick", 0xb22222}, {"floralwhite", 0xfffaf0}, {"forestgreen", 0x228b22},
    {"fuchsia", 0xff00ff}, {"gainsboro", 0xdcdcdc}, {"ghostwhite", 0xf8f8ff}, {"gold", 0xffd700},
    {"goldenrod", 0xdaa520}, {"gray", 0x808080}, {"green", 0x008000}, {"greenyellow", 0xadff2f},
    {"grey", 0x808080}, {"honeydew", 0xf0fff0}, {"hotpink", 0xff69b4}, {"indianred", 0xcd5c5c},
    {"indigo", 0x4b0082}, {"ivory", 0xfffff0}, {"khaki", 0xf0e68c}, {"lavender", 0xe6e6fa},
    {"lavenderblush", 0xfff0f5}, {"lawngreen", 0x7cfc00}, {"lemonchiffon", 0xfffacd}, {"lightblue", 0xadd8e6},
    {"lightcoral", 0xf08080}, {"lightcyan", 0xe0ffff}, {"lightgoldenrodyellow", 0xfafad2}, {"lightgray", 0xd3d3d3},
    {"lightgreen", 0x90ee90}, {"lightgrey", 0xd3d3d3}, {"lightpink", 0xffb6c1}, {"lightsalmon", 0xffa07a},
    {"lightseagreen", 0x20b2aa}, {"lightskyblue", 0x87cefa}, {"lightslategray", 0x778899}, {"lightslategrey", 0x778899},
    {"lightsteelblue", 0xb0c4de}, {"lightyellow", 0xffffe0}, {"lime", 0x00ff00}, {"limegreen", 0x32cd32},
    {"linen", 0xfaf0e6}, {"magenta", 0xff00ff}, {"maroon", 0x800000}, {"mediumaquamarine", 0x66cdaa},
    {"mediumblue", 0x0000cd}, {"mediumorchid", 0xba55d3}, {"mediumpurple", 0x9370db}, {"mediumseagreen", 0x3cb371},
    {"mediumslateblue", 0x7b68ee}, {"mediumspringgreen", 0x00fa9a}, {"mediumturquoise", 0x48d1cc},
    {"mediumvioletred", 0xc71585}, {"midnightblue", 0x191970}, {"mintcream", 0xf5fffa}, {"mistyrose", 0xffe4e1},
    {"moccasin", 0xffe4b5}, {"navajowhite", 0xffdead}, {"navy", 0x000080}, {"oldlace", 0xfdf5e6},
    {"olive", 0x808000}, {"olivedrab", 0x6b8e23}, {"orange", 0xffa500}, {"orangered", 0xff4500},
    {"orchid", 0xda70d6}, {"palegoldenrod", 0xeee8aa}, {"palegreen", 0x98fb98}, {"paleturquoise", 0xafeeee},
    {"palevioletred", 0xdb7093}, {"papayawhip", 0xffefd5}, {"peachpuff", 0xffdab9}, {"peru", 0xcd853f},
    {"pink", 0xffc0cb}, {"plum", 0xdda0dd}, {"powderblue", 0xb0e0e6}, {"purple", 0x800080},
    {"rebeccapurple", 0x663399}, {"red", 0xff0000}, {"rosybrown", 0xbc8f8f}, {"royalblue", 0x4169e1},
    {"saddlebrown", 0x8b4513}, {"salmon", 0xfa8072}, {"sandybrown", 0xf4a460}, {"seagreen", 0x2e8b57},
    {"seashell", 0xfff5ee}, {"sienna", 0xa0522d}, {"silver", 0xc0c0c0}, {"skyblue", 0x87ceeb},
    {"slateblue", 0x6a5acd}, {"slategray", 0x708090}, {"slategrey", 0x708090}, {"snow", 0xfffafa},
    {"springgreen", 0x00ff7f}, {"steelblue", 0x4682b4}, {"tan", 0xd2b48c}, {"teal", 0x008080},
    {"thistle", 0xd8bfd8}, {"tomato", 0xff6347}, {"turquoise", 0x40e0d0}, {"violet", 0xee82ee},
    {"wheat", 0xf5deb3}, {"white", 0xffffff}, {"whitesmoke", 0xf5f5f5}, {"yellow", 0xffff00},
    {"yellowgreen", 0x9acd32},
}};

Rgba fromHex(std::uint32_t rgb, double a = 1) {
  return {((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0, a};
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<Rgba> parseHex(std::string_view h) {
  int d[8];
  if (h.size() != 3 && h.size() != 4 && h.size() != 6 && h.size() != 8) return std::nullopt;
  for (size_t i = 0; i < h.size(); ++i)
    if ((d[i] = hexDigit(h[i])) < 0) return std::nullopt;
  if (h.size() <= 4) {
    Rgba c{d[0] * 17 / 255.0, d[1] * 17 / 255.0, d[2] * 17 / 255.0, 1};
    if (h.size() == 4) c.a = d[3] * 17 / 255.0;
    return c;
  }
  Rgba c{(d[0] * 16 + d[1]) / 255.0, (d[2] * 16 + d[3]) / 255.0, (d[4] * 16 + d[5]) / 255.0, 1};
  if (h.size() == 8) c.a = (d[6] * 16 + d[7]) / 255.0;
  return c;
}

// One component of a functional notation: a number with an optional unit.
struct Token {
  double value = 0;
  std::string unit;  // "", "%", "deg", "rad", "grad", "turn"
};

// One token "12.5%", "-3e2deg": a CSS number and an optional unit, nothing else.
bool parseToken(std::string_view w, Token& t) {
  size_t i = 0;
  if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
  size_t digits = 0;
  while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i, ++digits;
  if (i < w.size() && w[i] == '.') {
    ++i;
    while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i + 1 < w.size() && w[i] == 'e') {
    size_t j = i + 1;
    if (w[j] == '+' || w[j] == '-') ++j;
    if (j < w.size() && std::isdigit(static_cast<unsigned char>(w[j]))) {
      i = j;
      while (i < w.size() && std::isdigit(static_cast<unsigned char>(w[i]))) ++i;
    }
  }
  t.value = std::strtod(std::string(w.substr(0, i)).c_str(), nullptr);
  t.unit = std::string(w.substr(i));
  if (!std::isfinite(t.value)) return false;
  for (char ch : t.unit)
    if (!std::isalpha(static_cast<unsigned char>(ch)) && ch != '%') return false;
  return t.unit.empty() || t.unit == "%" || t.unit == "deg" || t.unit == "rad" || t.unit == "grad" ||
         t.unit == "turn";
}

std::vector<std::string_view> splitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t st = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > st) out.push_back(s.substr(st, i - st));
  }
  return out;
}

// The arguments of rgb()/hsl(): "a, b, c[, d]" or "a b c[ / d]" (never a mix).
bool tokenize(std::string_view body, std::vector<Token>& out) {
  std::vector<std::string_view> items;
  if (body.find(',') != std::string_view::npos) {
    if (body.find('/') != std::string_view::npos) return false;
    for (auto part : splitOn(body, ',')) {
      auto w = words(part);
      if (w.size() != 1) return false;
      items.push_back(w[0]);
    }
    if (items.size() != 3 && items.size() != 4) return false;
  } else {
    auto halves = splitOn(body, '/');
    if (halves.size() > 2) return false;
    items = words(halves[0]);
    if (items.size() != 3) return false;
    if (halves.size() == 2) {
      auto w = words(halves[1]);
      if (w.size() != 1) return false;
      items.push_back(w[0]);
    }
  }
  for (auto w : items) {
    Token t;
    if (!parseToken(w, t)) return false;
    out.push_back(std::move(t));
  }
  return true;
}

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

// An alpha: a number (0–1) or a percentage.
std::optional<double> alphaOf(const Token& t) {
  if (t.unit == "%") return clamp01(t.value / 100);
  if (t.unit.empty()) return clamp01(t.value);
  return std::nullopt;
}

std::optional<Rgba> parseRgb(std::string_view body) {
  std::vector<Token> ts;
  if (!tokenize(body, ts)) return std::nullopt;
  // The three channels: all numbers (0–255) or all percentages (CSS 3; CSS 4 allows a mix, as browsers do).
  double ch[3];
  for (int k = 0; k < 3; ++k) {
    if (ts[k].unit == "%") ch[k] = clamp01(ts[k].value / 100);
    else if (ts[k].unit.empty()) ch[k] = clamp01(ts[k].value / 255);
    else return std::nullopt;
  }
  Rgba c{ch[0], ch[1], ch[2], 1};
  if (ts.size() == 4) {
    auto a = alphaOf(ts[3]);
    if (!a) return std::nullopt;
    c.a = *a;
  }
  return c;
}

double hueToRgb(double p, double q, double t) {
  if (t < 0) t += 1;
  if (t > 1) t -= 1;
  if (t < 1.0 / 6) return p + (q - p) * 6 * t;
  if (t < 1.0 / 2) return q;
  if (t < 2.0 / 3) return p + (q - p) * (2.0 / 3 - t) * 6;
  return p;
}

std::optional<Rgba> parseHsl(std::string_view body) {
  std::vector<Token> ts;
  if (!tokenize(body, ts)) return std::nullopt;
  double h = ts[0].value;  // degrees
  const auto& u = ts[0].unit;
  if (u == "rad") h = h * 180 / M_PI;
  else if (u == "grad") h = h * 0.9;
  else if (u == "turn") h = h * 360;
  else if (!u.empty() && u != "deg") return std::nullopt;
  h = std::fmod(h, 360.0);
  if (h < 0) h += 360;
  // Saturation and lightness: percentages (CSS 4 also takes plain numbers, 0–100).
  double sl[2];
  for (int k = 0; k < 2; ++k) {
    if (ts[k + 1].unit != "%" && !ts[k + 1].unit.empty()) return std::nullopt;
    sl[k] = clamp01(ts[k + 1].value / 100);
  }
  const double s = sl[0], l = sl[1], hh = h / 360;
  Rgba c{l, l, l, 1};
  if (s > 0) {
    const double q = l < 0.5 ? l * (1 + s) : l + s - l * s;
    const double p = 2 * l - q;
    c = {hueToRgb(p, q, hh + 1.0 / 3), hueToRgb(p, q, hh), hueToRgb(p, q, hh - 1.0 / 3), 1};
  }
  if (ts.size() == 4) {
    auto a = alphaOf(ts[3]);
    if (!a) return std::nullopt;
    c.a = *a;
  }
  return c;
}

}  // namespace

std::optional<Rgba> parseColour(std::string_view text) {
  if (text.size() > 256) return std::nullopt;
  std::string s;
  s.reserve(text.size());
  for (char ch : text) s += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto isSpace = [](char ch) { return std::isspace(static_cast<unsigned char>(ch)) != 0; };
  while (!s.empty() && isSpace(s.back())) s.pop_back();
  size_t b = 0;
  while (b < s.size() && isSpace(s[b])) ++b;
  std::string_view v = std::string_view(s).substr(b);
  if (v.empty()) return std::nullopt;
  if (v[0] == '#') return parseHex(v.substr(1));
  if (v == "transparent") return Rgba{0, 0, 0, 0};
  const auto open = v.find('(');
  if (open != std::string_view::npos) {
    if (v.back() != ')') return std::nullopt;
    const auto name = v.substr(0, open);
    const auto body = v.substr(open + 1, v.size() - open - 2);
    if (body.find_first_of("()") != std::string_view::npos) return std::nullopt;
    if (name == "rgb" || name == "rgba") return parseRgb(body);
    if (name == "hsl" || name == "hsla") return parseHsl(body);
    return std::nullopt;
  }
  const auto it = std::lower_bound(kNamed.begin(), kNamed.end(), v,
                                   [](const auto& e, std::string_view key) { return e.first < key; });
  if (it != kNamed.end() && it->first == v) return fromHex(it->second);
  return std::nullopt;
}

std::string serializeColour(const Rgba& c) {
  const auto byte = [](double v) { return static_cast<int>(std::lround(clamp01(v) * 255)); };
  char buf[64];
  if (c.a >= 1) {
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", byte(c.r), byte(c.g), byte(c.b));
  } else {
    // The alpha as browsers print it: the shortest decimal that round-trips through a byte.
    double a = std::round(c.a * 255) / 255;
    char alpha[16];
    std::snprintf(alpha, sizeof alpha, "%.2f", a);
    if (std::round(std::strtod(alpha, nullptr) * 255) != std::round(a * 255)) std::snprintf(alpha, sizeof alpha, "%.3f", a);
    std::string as = alpha;
    while (as.size() > 1 && as.find('.') != std::string::npos && (as.back() == '0' || as.back() == '.')) {
      const bool dot = as.back() == '.';
      as.pop_back();
      if (dot) break;
    }
    std::snprintf(buf, sizeof buf, "rgba(%d, %d, %d, %s)", byte(c.r), byte(c.g), byte(c.b), as.c_str());
  }
  return buf;
}

}  // namespace m3m::draw
