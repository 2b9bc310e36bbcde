#include "runtime/image/plan.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace m3m::image {

namespace {

// Larger sides are refused before libvips sees them (its own ceiling is
// 10,000,000); runtime.image.max_pixels bounds the area at execution.
constexpr int kMaxSide = 100'000;

[[noreturn]] void invalid(const std::string& where, const std::string& what) {
  throw Error(ErrorCode::INVALID_ARGUMENT, where + ": " + what);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const Value& member(const Value& obj, const char* key) {
  static const Value null;
  if (!obj.is_object()) return null;
  auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

// A whole number in [lo, hi]; `name` is how the message names it.
int integer(const std::string& where, const Value& v, const std::string& name, int lo, int hi) {
  if (!v.is_number()) invalid(where, name + " must be a number");
  const double d = v.get<double>();
  if (!std::isfinite(d) || d != std::floor(d) || d < lo || d > hi)
    invalid(where, name + " must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(d);
}

int optionalSide(const std::string& where, const Value& v, const std::string& name) {
  if (v.is_null()) return 0;
  return integer(where, v, name, 1, kMaxSide);
}

Source source(const std::string& where, const Value& v, const std::string& name) {
  Source s;
  if (v.is_string()) {
    s.path = v.get<std::string>();
    if (s.path.empty()) invalid(where, name + " is an empty path");
  } else if (v.is_binary()) {
    const auto& b = v.get_binary();
    if (b.empty()) invalid(where, name + " is empty (0 bytes)");
    s.bytes.assign(b.begin(), b.end());
  } else {
    invalid(where, name + " must be a path in the project's storage or bytes (Uint8Array, ArrayBuffer)");
  }
  return s;
}

Fit fitNamed(const std::string& where, const Value& v) {
  if (v.is_null()) return Fit::Cover;
  const std::string s = v.is_string() ? v.get<std::string>() : "";
  if (s == "cover") return Fit::Cover;
  if (s == "contain") return Fit::Contain;
  if (s == "fill") return Fit::Fill;
  if (s == "inside") return Fit::Inside;
  invalid(where, "fit must be 'cover', 'contain', 'fill' or 'inside'");
}

Op parseOp(const std::string& where, const Value& v) {
  Op op;
  const Value& kind = member(v, "op");
  const std::string name = kind.is_string() ? kind.get<std::string>() : "";
  if (name == "resize") {
    op.kind = Op::Kind::Resize;
    op.width = optionalSide(where, member(v, "width"), "width");
    op.height = optionalSide(where, member(v, "height"), "height");
    if (!op.width && !op.height) invalid(where, "width and height cannot both be null");
    op.fit = fitNamed(where, member(v, "fit"));
    if (!member(v, "background").is_null()) op.background = parseColour(member(v, "background"), where + ": background");
  } else if (name == "crop") {
    op.kind = Op::Kind::Crop;
    op.x = integer(where, member(v, "x"), "x", 0, kMaxSide);
    op.y = integer(where, member(v, "y"), "y", 0, kMaxSide);
    op.width = integer(where, member(v, "width"), "width", 1, kMaxSide);
    op.height = integer(where, member(v, "height"), "height", 1, kMaxSide);
  } else if (name == "rotate") {
    op.kind = Op::Kind::Rotate;
    const Value& d = member(v, "degrees");
    if (!d.is_number() || !std::isfinite(d.get<double>())) invalid(where, "degrees must be a number");
    op.degrees = std::fmod(d.get<double>(), 360.0);
    if (op.degrees < 0) op.degrees += 360;
    if (!member(v, "background").is_null()) op.background = parseColour(member(v, "background"), where + ": background");
  } else if (name == "thumbnail") {
    op.kind = Op::Kind::Thumbnail;
    op.size = integer(where, member(v, "size"), "size", 1, kMaxSide);
  } else if (name == "composite") {
    op.kind = Op::Kind::Composite;
    op.overlay = source(where, member(v, "overlay"), "the overlay");
    op.x = member(v, "x").is_null() ? 0 : integer(where, member(v, "x"), "x", -kMaxSide, kMaxSide);
    op.y = member(v, "y").is_null() ? 0 : integer(where, member(v, "y"), "y", -kMaxSide, kMaxSide);
    const Value& o = member(v, "opacity");
    if (!o.is_null()) {
      if (!o.is_number() || !(o.get<double>() >= 0 && o.get<double>() <= 1)) invalid(where, "opacity must be from 0 to 1");
      op.opacity = o.get<double>();
    }
  } else {
    invalid(where, "unknown operation \"" + name + "\"");
  }
  return op;
}

bool hasExtension(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto base = slash == std::string::npos ? 0 : slash + 1;
  const auto dot = path.find_last_of('.');
  return dot != std::string::npos && dot > base;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::optional<Format> formatNamed(const std::string& name) {
  const std::string n = lower(name);
  if (n == "png") return Format::Png;
  if (n == "jpeg" || n == "jpg") return Format::Jpeg;
  if (n == "webp") return Format::Webp;
  if (n == "gif") return Format::Gif;
  if (n == "avif") return Format::Avif;
  return std::nullopt;
}

std::string formatName(Format f) {
  switch (f) {
    case Format::Png: return "png";
    case Format::Jpeg: return "jpeg";
    case Format::Webp: return "webp";
    case Format::Gif: return "gif";
    case Format::Avif: return "avif";
  }
  return "png";
}

std::optional<Format> formatOfPath(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  return formatNamed(path.substr(dot + 1));
}

Colour parseColour(const Value& v, const std::string& what) {
  auto bad = [&]() -> Colour {
    throw Error(ErrorCode::INVALID_ARGUMENT,
                what + " must be a colour: \"#rgb\", \"#rgba\", \"#rrggbb\", \"#rrggbbaa\" or [r, g, b, a?] (0–255)");
  };
  Colour c{0, 0, 0, 255};
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s.empty() || s[0] != '#') return bad();
    const std::string h = s.substr(1);
    for (char ch : h)
      if (hexDigit(ch) < 0) return bad();
    if (h.size() == 3 || h.size() == 4) {
      for (size_t i = 0; i < h.size(); ++i) c[i] = hexDigit(h[i]) * 17;
    } else if (h.size() == 6 || h.size() == 8) {
      for (size_t i = 0; i < h.size() / 2; ++i) c[i] = hexDigit(h[2 * i]) * 16 + hexDigit(h[2 * i + 1]);
    } else {
      return bad();
    }
    return c;
  }
  if (v.is_array() && (v.size() == 3 || v.size() == 4)) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_number()) return bad();
      const double d = v[i].get<double>();
      if (!(d >= 0 && d <= 255)) return bad();
      c[i] = static_cast<int>(std::lround(d));
    }
    return c;
  }
  return bad();
}

Plan parsePlan(const Value& spec) {
  Plan plan;
  const Value& where = member(spec, "where");
  plan.where = where.is_string() ? where.get<std::string>() : "image";
  plan.source = source(plan.where, member(spec, "source"), "the source");
  const Value& ops = member(spec, "ops");
  if (!ops.is_null() && !ops.is_array()) invalid(plan.where, "ops must be an array");
  if (ops.is_array()) {
    if (ops.size() > 100) invalid(plan.where, "at most 100 operations in one pipeline");
    for (const auto& op : ops) plan.ops.push_back(parseOp(plan.where, op));
  }
  const Value& out = member(spec, "output");
  const Value& kind = member(out, "kind");
  const std::string k = kind.is_string() ? kind.get<std::string>() : "bytes";
  const Value& to = member(out, "to");
  if (k == "info") {
    plan.output.kind = Output::Kind::Info;
  } else if (!to.is_null()) {
    if (!to.is_string() || to.get<std::string>().empty()) invalid(plan.where, "to must be a path in the project's storage");
    plan.output.kind = Output::Kind::File;
    plan.output.to = to.get<std::string>();
  }
  const Value& format = member(out, "format");
  if (!format.is_null()) {
    if (!format.is_string() || !formatNamed(format.get<std::string>()))
      invalid(plan.where, "format must be 'png', 'jpeg', 'webp', 'gif' or 'avif'");
    plan.output.format = formatNamed(format.get<std::string>());
  }
  const Value& quality = member(out, "quality");
  if (!quality.is_null()) plan.output.quality = integer(plan.where, quality, "quality", 1, 100);
  // "thumbs/a.bmp" names a format we do not write: say so rather than write PNG bytes under that name.
  if (plan.output.kind == Output::Kind::File && !plan.output.format && !formatOfPath(plan.output.to) &&
      hasExtension(plan.output.to))
    invalid(plan.where, "cannot tell the format from \"" + plan.output.to +
                            "\": name it .png, .jpg, .webp, .gif or .avif, or pass format");
  return plan;
}

Format outputFormat(const Plan& plan, const std::string& inputFormat) {
  if (plan.output.format) return *plan.output.format;
  if (plan.output.kind == Output::Kind::File)
    if (auto f = formatOfPath(plan.output.to)) return *f;
  if (auto f = formatNamed(inputFormat)) return *f;
  return Format::Png;  // TIFF, HEIC, … are read, and written as PNG
}

}  // namespace m3m::image
