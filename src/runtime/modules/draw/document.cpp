#include "runtime/modules/draw/document.hpp"

#include <m3m/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <string_view>
#include <unordered_map>

#include "runtime/modules/draw/enums.hpp"

namespace m3m::draw {

namespace {

[[noreturn]] void bad(const std::string& what) { throw Error(ErrorCode::INVALID_ARGUMENT, "draw: " + what); }

struct Spec {
  Op op;
  int numbers;  // how many numbers follow the name (checked), -1 = parsed by hand
};

const std::unordered_map<std::string_view, Spec>& specs() {
  static const std::unordered_map<std::string_view, Spec> m = {
      {"save", {Op::Save, 0}},
      {"restore", {Op::Restore, 0}},
      {"translate", {Op::Translate, 2}},
      {"rotate", {Op::Rotate, 1}},
      {"scale", {Op::Scale, 2}},
      {"transform", {Op::Transform, 6}},
      {"setTransform", {Op::SetTransform, 6}},
      {"resetTransform", {Op::ResetTransform, 0}},
      {"fillStyle", {Op::FillStyle, -1}},
      {"strokeStyle", {Op::StrokeStyle, -1}},
      {"lineWidth", {Op::LineWidth, 1}},
      {"lineCap", {Op::LineCap, -1}},
      {"lineJoin", {Op::LineJoin, -1}},
      {"miterLimit", {Op::MiterLimit, 1}},
      {"globalAlpha", {Op::GlobalAlpha, 1}},
      {"lineDash", {Op::LineDash, -1}},
      {"lineDashOffset", {Op::LineDashOffset, 1}},
      {"font", {Op::Font, -1}},
      {"textAlign", {Op::TextAlign, -1}},
      {"textBaseline", {Op::TextBaseline, -1}},
      {"imageSmoothing", {Op::ImageSmoothing, -1}},
      {"globalCompositeOperation", {Op::Composite, -1}},
      {"beginPath", {Op::BeginPath, 0}},
      {"closePath", {Op::ClosePath, 0}},
      {"moveTo", {Op::MoveTo, 2}},
      {"lineTo", {Op::LineTo, 2}},
      {"bezierCurveTo", {Op::BezierCurveTo, 6}},
      {"quadraticCurveTo", {Op::QuadraticCurveTo, 4}},
      {"arc", {Op::Arc, -1}},
      {"arcTo", {Op::ArcTo, 5}},
      {"ellipse", {Op::Ellipse, -1}},
      {"rect", {Op::Rect, 4}},
      {"roundRect", {Op::RoundRect, 5}},
      {"fill", {Op::Fill, -1}},
      {"stroke", {Op::Stroke, 0}},
      {"clip", {Op::Clip, -1}},
      {"fillRect", {Op::FillRect, 4}},
      {"strokeRect", {Op::StrokeRect, 4}},
      {"clearRect", {Op::ClearRect, 4}},
      {"fillText", {Op::FillText, -1}},
      {"strokeText", {Op::StrokeText, -1}},
      {"textBox", {Op::TextBox, -1}},
      {"drawImage", {Op::DrawImage, -1}},
  };
  return m;
}

double number(const Value& cmd, size_t i, std::string_view name) {
  if (i >= cmd.size() || !cmd[i].is_number()) bad(std::string(name) + ": argument " + std::to_string(i) + " must be a number");
  return cmd[i].get<double>();
}

std::string string(const Value& cmd, size_t i, std::string_view name) {
  if (i >= cmd.size() || !cmd[i].is_string()) bad(std::string(name) + ": argument " + std::to_string(i) + " must be a string");
  return cmd[i].get<std::string>();
}

Rgba colourOf(const Value& v, std::string_view where) {
  if (!v.is_array() || v.size() != 4) bad(std::string(where) + ": a colour must be [r, g, b, a]");
  double c[4];
  for (int k = 0; k < 4; ++k) {
    if (!v[k].is_number()) bad(std::string(where) + ": a colour must be [r, g, b, a]");
    c[k] = std::clamp(v[k].get<double>(), 0.0, 1.0);
  }
  return {c[0], c[1], c[2], c[3]};
}

Paint paintOf(const Value& v, std::string_view where) {
  Paint p;
  if (v.is_array()) {
    p.colour = colourOf(v, where);
    return p;
  }
  if (!v.is_object() || !v.contains("type") || !v.contains("coords") || !v.contains("stops"))
    bad(std::string(where) + ": a style must be a colour or a gradient");
  const auto type = v["type"].is_string() ? v["type"].get<std::string>() : "";
  const auto& coords = v["coords"];
  if (type == "linear") p.kind = Paint::Kind::Linear;
  else if (type == "radial") p.kind = Paint::Kind::Radial;
  else bad(std::string(where) + ": unknown gradient type");
  const size_t n = p.kind == Paint::Kind::Linear ? 4 : 6;
  if (!coords.is_array() || coords.size() != n) bad(std::string(where) + ": bad gradient coordinates");
  for (size_t k = 0; k < n; ++k) {
    if (!coords[k].is_number() || !std::isfinite(coords[k].get<double>())) bad(std::string(where) + ": bad gradient coordinates");
    p.coords[k] = coords[k].get<double>();
  }
  if (!v["stops"].is_array() || v["stops"].size() > 10'000) bad(std::string(where) + ": bad gradient stops");
  for (const auto& s : v["stops"]) {
    if (!s.is_array() || s.size() != 2 || !s[0].is_number()) bad(std::string(where) + ": bad gradient stop");
    p.stops.emplace_back(std::clamp(s[0].get<double>(), 0.0, 1.0), colourOf(s[1], where));
  }
  return p;
}

std::uint8_t enumOf(const Value& cmd, std::string_view name, std::span<const std::string_view> values) {
  const auto s = string(cmd, 1, name);
  for (size_t k = 0; k < values.size(); ++k)
    if (values[k] == s) return static_cast<std::uint8_t>(k);
  bad(std::string(name) + ": unknown value \"" + s + "\"");
}

}  // namespace

void checkCanvasSize(double width, double height, const Limits& limits, const std::string& where) {
  if (!std::isfinite(width) || !std::isfinite(height) || width < 1 || height < 1 || width != std::floor(width) ||
      height != std::floor(height) || width > 32767 || height > 32767)
    throw Error(ErrorCode::INVALID_ARGUMENT,
                where + ": width and height must be whole numbers from 1 to 32767 (got " + Value(width).dump() + "×" +
                    Value(height).dump() + ")");
  const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
  if (pixels > limits.maxPixels)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, where + ": " + std::to_string(pixels) + " pixels is more than runtime.draw.max_pixels (" +
                                                  std::to_string(limits.maxPixels) + ")");
  if (pixels * 4 > limits.memoryBytes)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, where + ": a " + std::to_string(static_cast<long long>(width)) + "×" +
                                                  std::to_string(static_cast<long long>(height)) +
                                                  " canvas needs more memory than the project's limit (runtime.memory_limit_mb)");
}

Document parseDocument(const Value& v, const Limits& limits) {
  if (!v.is_object()) bad("bad canvas");
  Document d;
  const auto& w = v.contains("width") ? v["width"] : Value();
  const auto& h = v.contains("height") ? v["height"] : Value();
  if (!w.is_number() || !h.is_number()) bad("bad canvas size");
  checkCanvasSize(w.get<double>(), h.get<double>(), limits, "draw");
  d.width = static_cast<int>(w.get<double>());
  d.height = static_cast<int>(h.get<double>());
  if (v.contains("background") && !v["background"].is_null()) d.background = colourOf(v["background"], "background");
  if (v.contains("images") && v["images"].is_array()) d.images = v["images"].get<std::vector<Value>>();
  if (v.contains("fonts") && v["fonts"].is_array())
    for (const auto& f : v["fonts"]) {
      if (!f.is_object() || !f.contains("id") || !f.contains("family") || !f["id"].is_string() || !f["family"].is_string())
        bad("bad registered font");
      d.registered.push_back({f["id"].get<std::string>(), f["family"].get<std::string>()});
    }
  const auto& ops = v.contains("ops") ? v["ops"] : Value();
  if (!ops.is_array()) bad("bad display list");
  if (ops.size() > limits.maxOps)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: more than " + std::to_string(limits.maxOps) + " drawing commands on one canvas");
  d.commands.reserve(ops.size());
  std::unordered_map<std::string, int> fontIndex;
  for (const auto& cmd : ops) {
    if (!cmd.is_array() || cmd.empty() || !cmd[0].is_string()) bad("bad display list entry");
    const auto& name = cmd[0].get_ref<const std::string&>();
    const auto it = specs().find(name);
    if (it == specs().end()) bad("unknown command \"" + name + "\"");
    Command c;
    c.op = it->second.op;
    if (it->second.numbers >= 0) {
      if (cmd.size() != static_cast<size_t>(it->second.numbers) + 1) bad(name + ": wrong number of arguments");
      for (int k = 0; k < it->second.numbers; ++k) c.n[k] = number(cmd, k + 1, name);
    } else {
      switch (c.op) {
        case Op::FillStyle:
        case Op::StrokeStyle:
          if (cmd.size() != 2) bad(name + ": wrong number of arguments");
          d.paints.push_back(paintOf(cmd[1], name));
          c.index = static_cast<int>(d.paints.size()) - 1;
          break;
        case Op::LineCap: c.flag = enumOf(cmd, name, kLineCaps); break;
        case Op::LineJoin: c.flag = enumOf(cmd, name, kLineJoins); break;
        case Op::TextAlign: c.flag = enumOf(cmd, name, kTextAligns); break;
        case Op::TextBaseline: c.flag = enumOf(cmd, name, kTextBaselines); break;
        case Op::Composite: c.flag = enumOf(cmd, name, kComposites); break;
        case Op::ImageSmoothing:
          if (cmd.size() != 2 || !cmd[1].is_boolean()) bad(name + ": must be a boolean");
          c.flag = cmd[1].get<bool>() ? 1 : 0;
          break;
        case Op::LineDash:
          if (cmd.size() != 2 || !cmd[1].is_array() || cmd[1].size() > 1024) bad(name + ": must be an array of numbers");
          for (const auto& x : cmd[1]) {
            if (!x.is_number() || !std::isfinite(x.get<double>()) || x.get<double>() < 0) bad(name + ": must be an array of numbers");
            c.dash.push_back(x.get<double>());
          }
          break;
        case Op::Font: {
          const auto f = string(cmd, 1, name);
          auto [pos, added] = fontIndex.emplace(f, static_cast<int>(d.fonts.size()));
          if (added) d.fonts.push_back(f);
          c.index = pos->second;
          break;
        }
        case Op::Arc:  // x y r a0 a1 [ccw]
          if (cmd.size() != 6 && cmd.size() != 7) bad(name + ": wrong number of arguments");
          for (int k = 0; k < 5; ++k) c.n[k] = number(cmd, k + 1, name);
          c.flag = cmd.size() == 7 && cmd[6].is_boolean() && cmd[6].get<bool>();
          break;
        case Op::Ellipse:  // x y rx ry rotation a0 a1 [ccw]
          if (cmd.size() != 8 && cmd.size() != 9) bad(name + ": wrong number of arguments");
          for (int k = 0; k < 7; ++k) c.n[k] = number(cmd, k + 1, name);
          c.flag = cmd.size() == 9 && cmd[8].is_boolean() && cmd[8].get<bool>();
          break;
        case Op::Fill:
        case Op::Clip:
          if (cmd.size() > 2) bad(name + ": wrong number of arguments");
          c.flag = cmd.size() == 2 && cmd[1].is_string() && cmd[1].get<std::string>() == "evenodd";
          break;
        case Op::FillText:
        case Op::StrokeText:  // text x y [maxWidth]
          if (cmd.size() != 4 && cmd.size() != 5) bad(name + ": wrong number of arguments");
          c.text = string(cmd, 1, name);
          c.n[0] = number(cmd, 2, name);
          c.n[1] = number(cmd, 3, name);
          if (cmd.size() == 5 && !cmd[4].is_null()) {
            c.n[2] = number(cmd, 4, name);
            c.flag = 1;
          }
          break;
        case Op::TextBox:  // text x y width lineHeight maxLines
          if (cmd.size() != 7) bad(name + ": wrong number of arguments");
          c.text = string(cmd, 1, name);
          for (int k = 0; k < 5; ++k) c.n[k] = number(cmd, k + 2, name);
          break;
        case Op::DrawImage:  // index sx sy sw sh dx dy dw dh (sw < 0: the whole image; dw < 0: its size)
          if (cmd.size() != 10) bad(name + ": wrong number of arguments");
          c.index = static_cast<int>(number(cmd, 1, name));
          if (c.index < 0 || static_cast<size_t>(c.index) >= d.images.size()) bad(name + ": unknown image");
          for (int k = 0; k < 8; ++k) c.n[k] = number(cmd, k + 2, name);
          break;
        default: bad("unknown command \"" + name + "\"");
      }
    }
    d.commands.push_back(std::move(c));
  }
  return d;
}

}  // namespace m3m::draw
