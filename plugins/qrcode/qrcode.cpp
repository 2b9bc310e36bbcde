// qrcode.png(text, {size, margin, ecc}) → PNG bytes: libqrencode makes the
// modules, libpng writes an 8-bit grayscale image (black on white).
#include <m3m/plugin.hpp>
#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <csetjmp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using m3m::sdk::Error;

constexpr int MAX_PIXELS = 4096;  // per side

void append(png_structp png, png_bytep data, png_size_t len) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), len);
}

// Writes rows to `out`; false when libpng failed (it longjmps here).
bool writePng(std::string* out, const std::vector<std::vector<png_byte>>* rows, int side) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return false;
  }
  png_set_write_fn(png, out, &append, nullptr);
  png_set_IHDR(png, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (const auto& row : *rows) png_write_row(png, row.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

int option(m3m::sdk::View options, const char* key, int fallback, int lo, int hi) {
  auto v = options.get(key);
  if (v.isNull()) return fallback;
  if (!v.isNumber() || v.number() != static_cast<int>(v.number()) || v.number() < lo || v.number() > hi)
    throw Error(M3M_ERR_INVALID_ARGUMENT, std::string("qrcode.png: options.") + key + " must be an integer from " +
                                              std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(v.number());
}

m3m::sdk::Bytes png(std::string text, std::optional<m3m::sdk::View> opts) {
  m3m::sdk::View options = opts.value_or(m3m::sdk::View());
  if (!options.isNull() && !options.isObject())
    throw Error(M3M_ERR_INVALID_ARGUMENT, "qrcode.png: argument 2 (options) must be an object");
  if (text.empty()) throw Error(M3M_ERR_INVALID_ARGUMENT, "qrcode.png: argument 1 (text) must not be empty");
  const int size = option(options, "size", 8, 1, 64);
  const int margin = option(options, "margin", 4, 0, 64);
  QRecLevel level = QR_ECLEVEL_M;
  if (auto e = options.get("ecc"); !e.isNull()) {
    const std::string s = e.isString() ? e.str() : "";
    if (s == "L") level = QR_ECLEVEL_L;
    else if (s == "M") level = QR_ECLEVEL_M;
    else if (s == "Q") level = QR_ECLEVEL_Q;
    else if (s == "H") level = QR_ECLEVEL_H;
    else throw Error(M3M_ERR_INVALID_ARGUMENT, "qrcode.png: options.ecc must be \"L\", \"M\", \"Q\" or \"H\"");
  }
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeData(static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, level),
      &QRcode_free);
  if (!qr) {
    if (errno == ERANGE) throw Error(M3M_ERR_INVALID_ARGUMENT, "qrcode.png: text too long for a QR code at this ecc level");
    throw Error(M3M_ERR_INTERNAL, "qrcode.png: encoding failed");
  }
  const long side = (static_cast<long>(qr->width) + 2L * margin) * size;
  if (side > MAX_PIXELS)
    throw Error(M3M_ERR_INVALID_ARGUMENT, "qrcode.png: the image would be " + std::to_string(side) +
                                              " pixels wide (at most " + std::to_string(MAX_PIXELS) + "); lower size or margin");
  std::vector<std::vector<png_byte>> rows(side, std::vector<png_byte>(side, 255));
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x)
      if (qr->data[y * qr->width + x] & 1)
        for (int dy = 0; dy < size; ++dy)
          for (int dx = 0; dx < size; ++dx) rows[(y + margin) * size + dy][(x + margin) * size + dx] = 0;
  m3m::sdk::Bytes out;
  if (!writePng(&out.data, &rows, static_cast<int>(side))) throw Error(M3M_ERR_INTERNAL, "qrcode.png: PNG encoding failed");
  return out;
}

}  // namespace

M3M_PLUGIN((m3m::sdk::Info{"qrcode", "1.0.0", "QR codes as PNG images (libqrencode, libpng).", "m3m",
                           "https://github.com/m3m"}),
           [](m3m::sdk::Init& init) {
             init.module("qrcode", "QR codes.")
                 .fn({"png",
                      "Encodes `text` (UTF-8) as a QR code PNG: `size` pixels per module (1–64, default 8), a quiet "
                      "zone of `margin` modules (default 4), error correction `ecc` (default \"M\").",
                      {{"text"}, {"options", "{ size?: number; margin?: number; ecc?: \"L\" | \"M\" | \"Q\" | \"H\" }"}}},
                     &png);
           })
