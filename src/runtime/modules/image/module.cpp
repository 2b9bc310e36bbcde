// The `image` module: info, resize, crop, convert, thumbnail, rotate and
// composite of images given as bytes or as paths in the project's storage,
// and image.open(src)…toBytes() for several steps at once. The JS wrapper
// (script.hpp) records the steps; one native call runs them as one libvips
// pipeline (runtime/image) on the image pool, never on the isolate:
//  - run: a waiting call (the project's other tasks run meanwhile);
//  - runAsync: a Promise settled by the pool (no thread waits for it).
// Limits: runtime.image.* (the pixel limit is checked on the header, before
// a pixel is decoded).
#include <condition_variable>
#include <mutex>
#include <stop_token>

#include "runtime/image/pipeline.hpp"
#include "runtime/image/plan.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/modules/image/job.hpp"
#include "runtime/modules/image/script.hpp"

namespace m3m::runtime {

namespace {

image::Pool& poolOf(const ImageSettings& s, const std::string& where) {
  if (!s.pool) throw Error(ErrorCode::UNAVAILABLE, where + ": not available in this runtime");
  return *s.pool;
}

std::string whereOf(const Value& spec) {
  return spec.is_object() && spec.contains("where") && spec["where"].is_string() ? spec["where"].get<std::string>()
                                                                                   : "image";
}

// The pool's answer, waited for with the isolate released.
Value runWaiting(CallContext& ctx, image::Pool& pool, image::Pool::Work work) {
  struct Answer {
    std::mutex m;
    std::condition_variable_any cv;
    bool done = false;
    std::exception_ptr error;
    Value value;
  };
  auto answer = std::make_shared<Answer>();  // outlives this call if the run ends first
  ctx.blocking([&](std::stop_token stop) {
    pool.submit(std::move(work), [answer](std::exception_ptr e, Value v) {
      {
        std::lock_guard lock(answer->m);
        answer->error = e;
        answer->value = std::move(v);
        answer->done = true;
      }
      answer->cv.notify_all();
    });
    std::unique_lock lock(answer->m);
    answer->cv.wait(lock, stop, [&] { return answer->done; });
  });
  std::lock_guard lock(answer->m);
  if (!answer->done) throw Error(ErrorCode::UNAVAILABLE, "image: the run ended before the image was made");
  if (answer->error) std::rethrow_exception(answer->error);
  return std::move(answer->value);
}

Error errorOf(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    return err;
  } catch (const std::exception& x) {
    return Error(ErrorCode::INTERNAL, std::string("image: ") + x.what());
  } catch (...) {
    return Error(ErrorCode::INTERNAL, "image: unknown failure");
  }
}

// Named types of the declarations (used by the hand-written overloads too).
struct Types {
  Type source = t::named("M3MImageSource", t::oneOf({t::string(), t::bytes()}),
                         "A path in the project's storage, or the image's bytes.");
  Type format = t::named("M3MImageFormat", t::enumOf({"png", "jpeg", "webp", "gif", "avif"}),
                         "Output formats ('jpg' is accepted for 'jpeg'). gif writes the first frame; avif needs an AV1 encoder "
                         "in the server's libheif.");
  Type fit = t::named("M3MImageFit", t::enumOf({"cover", "contain", "fill", "inside"}),
                      "cover: fill the box, cropping the overflow (centred); contain: fit inside and pad to the box with "
                      "the background; fill: stretch to the box; inside: fit inside, no padding.");
  Type colour = t::named("M3MImageColour", t::oneOf({t::string(), t::array(t::number())}),
                         "\"#rgb\", \"#rgba\", \"#rrggbb\", \"#rrggbbaa\" or [r, g, b, a?] with 0–255 components.");
  Type info = t::named("M3MImageInfo",
                       t::object({
                           t::field("width", t::integer(), "As stored (before the EXIF orientation is applied)."),
                           t::field("height", t::integer()),
                           t::field("format", t::string(), "The decoder's name: png, jpeg, webp, gif, avif, heif, tiff…"),
                           t::field("hasAlpha", t::boolean()),
                           t::field("orientation", t::integer(), "EXIF orientation 1–8 (1 when absent)."),
                       }));
  Type written = t::named("M3MImageWritten",
                          t::object({
                              t::field("path", t::string()),
                              t::field("width", t::integer()),
                              t::field("height", t::integer()),
                              t::field("format", t::string()),
                              t::field("size", t::integer(), "Bytes written."),
                          }),
                          "What an operation with {to} wrote to the project's storage.");
  std::vector<TypeField> outputFields() const {
    return {t::field("format", t::optional(format), "Default: the `to` extension, else the source's format (PNG when it cannot be written)."),
            t::field("quality", t::optional(t::integer()), "1–100 for jpeg, webp (default 80) and avif (default 50)."),
            t::field("to", t::optional(t::string()), "Write to this path in the project's storage instead of returning bytes.")};
  }
  Type output = t::named("M3MImageOutput", t::object(outputFields()));
  Type resizeOptions = t::named("M3MImageResizeOptions", [this] {
    auto f = outputFields();
    f.insert(f.begin(), {t::field("fit", t::optional(fit), "Default 'cover'."),
                         t::field("background", t::optional(colour), "contain's padding (default opaque black).")});
    return t::object(f);
  }());
  Type rotateOptions = t::named("M3MImageRotateOptions", [this] {
    auto f = outputFields();
    f.insert(f.begin(), t::field("background", t::optional(colour), "The corners of other angles than multiples of 90 (default transparent)."));
    return t::object(f);
  }());
  Type compositeOptions = t::named("M3MImageCompositeOptions", [this] {
    auto f = outputFields();
    f.insert(f.begin(), {t::field("x", t::optional(t::integer()), "Default 0 (may be negative)."),
                         t::field("y", t::optional(t::integer()), "Default 0."),
                         t::field("opacity", t::optional(t::number()), "0–1 (default 1).")});
    return t::object(f);
  }());
};

// Two overloads per function: with {to} it returns what it wrote, else the bytes; and the Async twin.
std::string overloads(const std::string& name, const std::string& params, const std::string& options) {
  const std::string head = params.empty() ? "" : params + ", ";
  return name + "(" + head + "options: " + options + " & { to: string }): M3MImageWritten;\n" +
         name + "(" + head + "options?: " + options + "): Uint8Array;\n" +
         name + "Async(" + head + "options: " + options + " & { to: string }): Promise<M3MImageWritten>;\n" +
         name + "Async(" + head + "options?: " + options + "): Promise<Uint8Array>;";
}

}  // namespace

ModuleSchema imageModule(ImageSettings settings, std::shared_ptr<StorageBackend> storage) {
  const Types ty;
  const auto src = param("src", ty.source);
  ModuleBuilder b("image",
                  "Images from the project's storage (a path) or bytes: info, resize, crop, convert, thumbnail, rotate, "
                  "composite, and image.open(src) to chain steps into one pipeline. Each call is a waiting call (other "
                  "tasks of the project run meanwhile); the *Async twins return Promises. The EXIF orientation is applied "
                  "first and metadata is not copied to the output. Images larger than runtime.image.max_pixels are "
                  "refused before decoding.\n"
                  "@example const small = image.resize('photos/cat.jpg', 800, null)\n"
                  "@example image.open('photos/cat.jpg').resize(400, 400).toFile('photos/cat-400.webp')");
  b.scriptFunction("info", {src}, ty.info, "Reads the header only.\n@example const { width, height } = image.info('photos/cat.jpg')")
      .scriptFunction("infoAsync", {src}, t::promise(ty.info), "");
  auto script = [&](const char* name, std::vector<Param> params, const std::string& ts, const char* doc) {
    b.scriptFunction(name, params, t::oneOf({t::bytes(), ty.written}), doc).typescript(ts);
  };
  script("resize", {src, param("width", t::nullable(t::integer())), param("height", t::nullable(t::integer())), param("options", t::optional(ty.resizeOptions))},
         overloads("resize", "src: M3MImageSource, width: number | null, height: number | null", "M3MImageResizeOptions"),
         "To width × height (one may be null: it follows the aspect ratio), by options.fit.\n"
         "@example const thumb = image.resize(bytes, 200, 200, { fit: 'cover', format: 'webp' })");
  script("crop", {src, param("x", t::integer()), param("y", t::integer()), param("width", t::integer()), param("height", t::integer()), param("options", t::optional(ty.output))},
         overloads("crop", "src: M3MImageSource, x: number, y: number, width: number, height: number", "M3MImageOutput"),
         "The area width × height whose top left corner is (x, y); it must lie inside the image.");
  script("convert", {src, param("format", ty.format), param("options", t::optional(ty.output))},
         overloads("convert", "src: M3MImageSource, format: M3MImageFormat", "M3MImageOutput"),
         "Re-encodes.\n@example storage.write('a.webp', image.convert('a.png', 'webp', { quality: 90 }))");
  script("thumbnail", {src, param("size", t::integer()), param("options", t::optional(ty.output))},
         overloads("thumbnail", "src: M3MImageSource, size: number", "M3MImageOutput"),
         "Fits the image in a size × size box, keeping its aspect ratio; never enlarges.");
  script("rotate", {src, param("degrees", t::number()), param("options", t::optional(ty.rotateOptions))},
         overloads("rotate", "src: M3MImageSource, degrees: number", "M3MImageRotateOptions"), "Clockwise.");
  script("composite", {param("base", ty.source), param("overlay", ty.source), param("options", t::optional(ty.compositeOptions))},
         overloads("composite", "base: M3MImageSource, overlay: M3MImageSource", "M3MImageCompositeOptions"),
         "Draws the overlay (its alpha respected, times opacity) over the base at (x, y).\n"
         "@example const marked = image.composite('photo.jpg', 'logo.png', { x: 10, y: 10, opacity: 0.5 })");
  b.scriptFunction("open", {src}, t::ts("M3MImagePipeline", t::any()),
                   "Starts a pipeline: its steps run together, once, when toBytes or toFile is called.\n"
                   "@example const png = image.open(bytes).rotate(90).crop(0, 0, 100, 100).toBytes('png')");

  const ImageSettings cfg = std::move(settings);
  return b
      .function("run", {param("spec", t::unknown())}, t::unknown(), "Runs one recorded pipeline (the wrapper's functions).",
                [cfg, storage](CallContext& ctx, const Args& a) -> Value {
                  const std::string where = whereOf(a.at(0));
                  auto& pool = poolOf(cfg, where);
                  auto work = imaging::makeWork(image::parsePlan(a.at(0)), storage, ctx.projectId(), cfg.maxPixels);
                  return runWaiting(ctx, pool, std::move(work));
                })
      .internal()
      .asyncStartFunction(
          "runAsync", {param("spec", t::unknown())}, t::unknown(), "The same as a Promise (the wrapper's *Async functions).",
          [cfg, storage](CallContext& ctx, const Args& a) -> AsyncStart {
            const std::string where = whereOf(a.at(0));
            poolOf(cfg, where);
            auto work = imaging::makeWork(image::parsePlan(a.at(0)), storage, ctx.projectId(), cfg.maxPixels);
            return [pool = cfg.pool, work = std::move(work)](std::stop_token, Completion done) mutable {
              try {
                pool->submit(std::move(work), [done](std::exception_ptr e, Value v) {
                  if (e) done.reject(errorOf(e));
                  else done.resolve(std::move(v));
                });
              } catch (...) {
                done.reject(errorOf(std::current_exception()));
              }
            };
          })
      .internal()
      .types({ty.source, ty.format, ty.fit, ty.colour, ty.info, ty.written, ty.output, ty.resizeOptions, ty.rotateOptions,
              ty.compositeOptions})
      .declarations(imaging::kPipelineDts)
      .wrapper(imaging::kWrapperJs)
      .build();
}

}  // namespace m3m::runtime
