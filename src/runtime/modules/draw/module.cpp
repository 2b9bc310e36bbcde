// The `draw` module's declarations and natives. The JS wrapper (draw.js)
// records each canvas' display list; `render` parses it (document.cpp),
// reads the images it names while it holds the isolate, and replays it
// (render.cpp) in a waiting call.
#include "runtime/modules/draw/module.hpp"

#include <m3m/error.hpp>

#include <unistd.h>

#include <optional>
#include <string>

#include "runtime/modules/draw/colour.hpp"
#include "runtime/modules/draw/document.hpp"
#include "runtime/modules/draw/fonts.hpp"
#include "runtime/modules/draw/images.hpp"
#include "runtime/modules/draw/render.hpp"
#include "runtime/modules/draw/text.hpp"

extern const char* const M3M_DRAW_JS;  // generated from runtime/modules/draw/draw.js

namespace m3m::runtime {

namespace {

constexpr std::size_t kMaxImageBytes = 64u << 20;

constexpr const char* kDeclarations = R"ts(interface M3MCanvasGradient {
  /** A colour at `offset` (0–1) along the gradient. */
  addColorStop(offset: number, color: string): void;
}
interface M3MTextMetrics {
  width: number;
  actualBoundingBoxLeft: number;
  actualBoundingBoxRight: number;
  actualBoundingBoxAscent: number;
  actualBoundingBoxDescent: number;
  fontBoundingBoxAscent: number;
  fontBoundingBoxDescent: number;
}
interface M3MTextBoxOptions {
  /** Distance between baselines, in multiples of the font size (CSS unitless line-height). Default 1.2. */
  lineHeight?: number;
  /** At most this many lines; the last one ends with "…" (0 = no limit). */
  maxLines?: number;
}
interface M3MTextBoxMetrics {
  width: number;
  height: number;
  lines: number;
}
interface M3MEncodeOptions {
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
  /** JPEG: the colour transparent pixels become (default white). */
  background?: string;
}
/** Bytes of a PNG, JPEG, WebP or GIF image, a path in the project's storage, or another canvas. */
type M3MDrawImageSource = Uint8Array | ArrayBuffer | ArrayBufferView | string | M3MCanvas;
/**
 * A canvas and its 2D context in one object (getContext('2d') returns itself), after the HTML
 * Canvas 2D API. Drawing calls are recorded; toPNG/toJPEG/save render them (cairo + Pango).
 */
interface M3MCanvas {
  readonly width: number;
  readonly height: number;
  readonly canvas: M3MCanvas;
  getContext(type: '2d'): M3MCanvas;
  /** A CSS colour (names, #rgb, #rrggbb[aa], rgb()/rgba(), hsl()/hsla()) or a gradient; a bad colour throws. */
  fillStyle: string | M3MCanvasGradient;
  strokeStyle: string | M3MCanvasGradient;
  lineWidth: number;
  lineCap: 'butt' | 'round' | 'square';
  lineJoin: 'miter' | 'round' | 'bevel';
  miterLimit: number;
  lineDashOffset: number;
  globalAlpha: number;
  globalCompositeOperation: 'source-over' | 'source-in' | 'source-out' | 'source-atop' | 'destination-over' | 'destination-in' | 'destination-out' | 'destination-atop' | 'lighter' | 'copy' | 'xor' | 'multiply' | 'screen' | 'overlay' | 'darken' | 'lighten' | 'color-dodge' | 'color-burn' | 'hard-light' | 'soft-light' | 'difference' | 'exclusion' | 'hue' | 'saturation' | 'color' | 'luminosity';
  /** CSS font shorthand: "bold 32px DejaVu Sans", "italic 20px Noto Serif, serif". */
  font: string;
  textAlign: 'start' | 'end' | 'left' | 'right' | 'center';
  textBaseline: 'alphabetic' | 'top' | 'hanging' | 'middle' | 'ideographic' | 'bottom';
  imageSmoothingEnabled: boolean;
  setLineDash(segments: number[]): void;
  getLineDash(): number[];
  /** Pushes the drawing state (styles, line settings, font, transform, clip). */
  save(): void;
  /** Renders the canvas and writes it to the project's storage (.png, .jpg or .jpeg); a waiting call. */
  save(path: string, options?: M3MEncodeOptions): void;
  restore(): void;
  translate(x: number, y: number): void;
  rotate(angle: number): void;
  scale(x: number, y: number): void;
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  resetTransform(): void;
  beginPath(): void;
  closePath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  bezierCurveTo(cp1x: number, cp1y: number, cp2x: number, cp2y: number, x: number, y: number): void;
  quadraticCurveTo(cpx: number, cpy: number, x: number, y: number): void;
  arc(x: number, y: number, radius: number, startAngle: number, endAngle: number, anticlockwise?: boolean): void;
  arcTo(x1: number, y1: number, x2: number, y2: number, radius: number): void;
  ellipse(x: number, y: number, radiusX: number, radiusY: number, rotation: number, startAngle: number, endAngle: number, anticlockwise?: boolean): void;
  rect(x: number, y: number, w: number, h: number): void;
  roundRect(x: number, y: number, w: number, h: number, radius?: number | number[]): void;
  fill(fillRule?: 'nonzero' | 'evenodd'): void;
  stroke(): void;
  clip(fillRule?: 'nonzero' | 'evenodd'): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  clearRect(x: number, y: number, w: number, h: number): void;
  createLinearGradient(x0: number, y0: number, x1: number, y1: number): M3MCanvasGradient;
  createRadialGradient(x0: number, y0: number, r0: number, x1: number, y1: number, r1: number): M3MCanvasGradient;
  fillText(text: string, x: number, y: number, maxWidth?: number): void;
  strokeText(text: string, x: number, y: number, maxWidth?: number): void;
  measureText(text: string): M3MTextMetrics;
  /** Wrapped text in a box `width` wide whose top-left corner is (x, y), aligned by textAlign. */
  fillTextBox(text: string, x: number, y: number, width: number, options?: M3MTextBoxOptions): M3MTextBoxMetrics;
  measureTextBox(text: string, width: number, options?: M3MTextBoxOptions): M3MTextBoxMetrics;
  drawImage(image: M3MDrawImageSource, dx: number, dy: number): void;
  drawImage(image: M3MDrawImageSource, dx: number, dy: number, dw: number, dh: number): void;
  drawImage(image: M3MDrawImageSource, sx: number, sy: number, sw: number, sh: number, dx: number, dy: number, dw: number, dh: number): void;
  /** The canvas as PNG bytes; a waiting call (the project's other tasks run meanwhile). */
  toPNG(): Uint8Array;
  toJPEG(options?: M3MEncodeOptions): Uint8Array;
  /** The same from a timer task, as a Promise (its wait leaves the isolate even after an await). */
  toPNGAsync(): Promise<Uint8Array>;
  toJPEGAsync(options?: M3MEncodeOptions): Promise<Uint8Array>;
  saveAsync(path: string, options?: M3MEncodeOptions): Promise<void>;
}
)ts";

double numberArg(const Args& a, size_t i) { return a.number(i); }

std::vector<draw::FontRef> fontRefs(const Value& v) {
  std::vector<draw::FontRef> out;
  if (!v.is_array()) return out;
  for (const auto& f : v) {
    if (!f.is_object() || !f.contains("id") || !f["id"].is_string() || !f.contains("family") || !f["family"].is_string())
      throw Error(ErrorCode::INVALID_ARGUMENT, "draw: bad registered font");
    out.push_back({f["id"].get<std::string>(), f["family"].get<std::string>()});
  }
  return out;
}

draw::FontSpec fontArg(const Args& a, size_t i) {
  auto f = draw::parseFont(a.string(i));
  if (!f) throw Error(ErrorCode::INVALID_ARGUMENT, "draw: bad font \"" + a.string(i) + "\"");
  return *f;
}

std::filesystem::path defaultFontDir() {
  std::error_code ec;
  auto base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  return base / ("m3m-draw-fonts-" + std::to_string(::getuid()));
}

}  // namespace

ModuleSchema drawModule(DrawSettings settings, std::shared_ptr<StorageBackend> storage) {
  draw::Limits limits;
  limits.maxPixels = settings.maxPixels;
  limits.memoryBytes = settings.memoryBytes;
  limits.maxTime = settings.maxTime;
  auto fonts = std::make_shared<draw::FontRegistry>(settings.fontDir.empty() ? defaultFontDir() : settings.fontDir);
  auto backend = [storage]() -> StorageBackend& {
    if (!storage) throw Error(ErrorCode::UNAVAILABLE, "draw: storage is not available in this runtime");
    return *storage;
  };
  const Type canvasOptions = t::named("M3MCanvasOptions", t::object({t::field("background", t::optional(t::string()),
                                                                              "A CSS colour; default transparent.")}));
  return ModuleBuilder("draw",
                       "Canvases after the HTML Canvas 2D API, rendered with cairo and Pango (PNG, JPEG). Sizes are "
                       "capped by runtime.draw.max_pixels and the project's memory limit.")
      .scriptFunction("createCanvas",
                      {param("width", t::integer()), param("height", t::integer()),
                       param("options", t::optional(canvasOptions))},
                      t::ts("M3MCanvas"),
                      "A new canvas, transparent unless `background` is given. Too large a canvas throws a "
                      "RangeError (PAYLOAD_TOO_LARGE).\n"
                      "@example const c = draw.createCanvas(200, 100, {background: 'white'})")
      .scriptFunction("registerFont", {param("path", t::string()), param("family", t::string())}, t::void_(),
                      "Makes a font file of the project's storage (TTF, OTF, WOFF) usable as `family` in `font`, "
                      "for this project only, until the run ends.\n"
                      "@example draw.registerFont('fonts/Inter.ttf', 'Inter')")
      .declarations(kDeclarations)
      .function("colour", {param("value", t::unknown()), param("where", t::unknown())}, t::unknown(), "",
                [](CallContext&, const Args& a) -> Value {
                  const auto text = a.string(0);
                  const auto c = draw::parseColour(text);
                  if (!c)
                    throw Error(ErrorCode::INVALID_ARGUMENT,
                                "draw: " + a.string(1) + ": " + Value(text).dump() +
                                    " is not a CSS colour (a name, #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl() or hsla())");
                  return Value{{"rgba", {c->r, c->g, c->b, c->a}}, {"css", draw::serializeColour(*c)}};
                })
      .internal()
      .function("font", {param("value", t::unknown())}, t::unknown(), "",
                [](CallContext&, const Args& a) -> Value {
                  const auto f = draw::parseFont(a.string(0));
                  if (!f)
                    throw Error(ErrorCode::INVALID_ARGUMENT,
                                "draw: font: " + Value(a.string(0)).dump() +
                                    " is not a CSS font (e.g. \"bold 20px DejaVu Sans\": [style] [weight] size family)");
                  return draw::serializeFont(*f);
                })
      .internal()
      .function("checkSize", {param("width", t::unknown()), param("height", t::unknown())}, t::unknown(), "",
                [limits](CallContext&, const Args& a) -> Value {
                  if (!a.at(0).is_number() || !a.at(1).is_number())
                    throw Error(ErrorCode::INVALID_ARGUMENT, "draw.createCanvas: width and height must be numbers");
                  draw::checkCanvasSize(a.number(0), a.number(1), limits, "draw.createCanvas");
                  return nullptr;
                })
      .internal()
      .function("measure", {param("font", t::unknown()), param("text", t::unknown()), param("fonts", t::unknown())},
                t::unknown(), "",
                [fonts](CallContext& ctx, const Args& a) -> Value {
                  const auto spec = fontArg(a, 0);
                  const auto text = a.string(1);
                  auto lease = fonts->acquire(ctx.projectId(), fontRefs(a.at(2)));
                  draw::TextEngine engine(lease.map());
                  const auto m = engine.measure(spec, text);
                  return Value{{"width", m.width},
                               {"actualBoundingBoxLeft", m.actualBoundingBoxLeft},
                               {"actualBoundingBoxRight", m.actualBoundingBoxRight},
                               {"actualBoundingBoxAscent", m.actualBoundingBoxAscent},
                               {"actualBoundingBoxDescent", m.actualBoundingBoxDescent},
                               {"fontBoundingBoxAscent", m.fontBoundingBoxAscent},
                               {"fontBoundingBoxDescent", m.fontBoundingBoxDescent}};
                })
      .internal()
      .function("measureBox",
                {param("font", t::unknown()), param("text", t::unknown()), param("width", t::unknown()),
                 param("lineHeight", t::unknown()), param("align", t::unknown()), param("maxLines", t::unknown()),
                 param("fonts", t::unknown())},
                t::unknown(), "",
                [fonts](CallContext& ctx, const Args& a) -> Value {
                  const auto spec = fontArg(a, 0);
                  const auto text = a.string(1);
                  auto lease = fonts->acquire(ctx.projectId(), fontRefs(a.at(6)));
                  draw::TextEngine engine(lease.map());
                  const auto m = engine.measureBox(spec, text, numberArg(a, 2), numberArg(a, 3),
                                                   static_cast<int>(numberArg(a, 4)), static_cast<int>(numberArg(a, 5)));
                  return Value{{"width", m.width}, {"height", m.height}, {"lines", m.lines}};
                })
      .internal()
      .function("registerFont", {param("path", t::unknown())}, t::unknown(), "",
                [fonts, backend](CallContext& ctx, const Args& a) -> Value {
                  const auto bytes = backend().read(ctx.projectId(), a.string(0));
                  return fonts->add(ctx.projectId(), bytes);
                })
      .internal()
      .function("render", {param("canvas", t::unknown()), param("encoding", t::unknown()), param("path", t::unknown())},
                t::unknown(), "",
                [limits, fonts, backend](CallContext& ctx, const Args& a) -> Value {
                  // Everything is read while the isolate is held; the wait touches no JS value.
                  draw::Document doc = draw::parseDocument(a.at(0), limits);
                  const auto project = ctx.projectId();
                  for (const auto& img : doc.images) {
                    if (img.is_binary()) {
                      const auto& b = img.get_binary();
                      if (b.size() > kMaxImageBytes)
                        throw Error(ErrorCode::PAYLOAD_TOO_LARGE, "draw: drawImage: an image file is at most 64 MiB");
                      doc.imageBytes.emplace_back(reinterpret_cast<const char*>(b.data()), b.size());
                    } else if (img.is_object() && img.contains("path") && img["path"].is_string()) {
                      doc.imageBytes.push_back(backend().read(project, img["path"].get<std::string>()));
                    } else {
                      throw Error(ErrorCode::INVALID_ARGUMENT, "draw: drawImage: bad image");
                    }
                  }
                  doc.images.clear();
                  draw::Encoding enc;
                  const Value& e = a.at(1);
                  if (e.is_object()) {
                    if (e.contains("format") && e["format"] == "jpeg") enc.format = draw::Encoding::Format::Jpeg;
                    if (e.contains("quality") && e["quality"].is_number_integer())
                      enc.quality = std::clamp(e["quality"].get<int>(), 1, 100);
                    if (e.contains("background") && e["background"].is_array() && e["background"].size() == 4) {
                      const auto& b = e["background"];
                      for (int k = 0; k < 4; ++k)
                        if (!b[k].is_number()) throw Error(ErrorCode::INVALID_ARGUMENT, "draw: bad background");
                      enc.background = {b[0].get<double>(), b[1].get<double>(), b[2].get<double>(), b[3].get<double>()};
                    }
                  }
                  const auto path = a.optionalString(2);
                  std::string out;
                  ctx.blocking([&](std::stop_token stop) {
                    auto lease = fonts->acquire(project, doc.registered);
                    out = draw::render(doc, enc, lease.map(), limits, stop);
                  });
                  if (path) {
                    backend().write(project, *path, out);
                    return nullptr;
                  }
                  return bytesValue(out);
                })
      .internal()
      .wrapper(M3M_DRAW_JS)
      .build();
}

}  // namespace m3m::runtime
