// The `image` module's JS surface and its TypeScript: every public function
// records its operations and the output, and one native call (run, or
// runAsync for the *Async twins) executes them as one libvips pipeline on
// the image pool. image.open(src) builds the same record step by step.
#pragma once

namespace m3m::runtime::imaging {

inline constexpr const char* kWrapperJs = R"js((native) => {
  'use strict';
  const opt = (o, key) => (o !== null && typeof o === 'object' ? o[key] : undefined);
  const output = (o, extra) => Object.assign({ kind: 'bytes', format: opt(o, 'format'), quality: opt(o, 'quality'), to: opt(o, 'to') }, extra);
  const op = {
    resize: (width, height, o) => ({ op: 'resize', width, height, fit: opt(o, 'fit'), background: opt(o, 'background') }),
    crop: (x, y, width, height) => ({ op: 'crop', x, y, width, height }),
    rotate: (degrees, o) => ({ op: 'rotate', degrees, background: opt(o, 'background') }),
    thumbnail: (size) => ({ op: 'thumbnail', size }),
    composite: (overlay, o) => ({ op: 'composite', overlay, x: opt(o, 'x'), y: opt(o, 'y'), opacity: opt(o, 'opacity') }),
  };
  // Results in the documented key order (the host's objects come sorted).
  const shape = (r) => {
    if (r === null || typeof r !== 'object' || r instanceof Uint8Array) return r;
    if ('path' in r) return { path: r.path, width: r.width, height: r.height, format: r.format, size: r.size };
    return { width: r.width, height: r.height, format: r.format, hasAlpha: r.hasAlpha, orientation: r.orientation };
  };
  // The sync form is a waiting call; the async twin settles from the image pool.
  const run = (spec) => shape(native.run(spec));
  const runAsync = (spec) => {
    try { return native.runAsync(spec).then(shape); } catch (e) { return Promise.reject(e); }
  };
  const api = {};
  const define = (name, build) => {
    api[name] = (...args) => run(Object.assign({ where: 'image.' + name }, build(...args)));
    api[name + 'Async'] = (...args) => {
      let spec;
      try { spec = Object.assign({ where: 'image.' + name + 'Async' }, build(...args)); } catch (e) { return Promise.reject(e); }
      return runAsync(spec);
    };
  };
  define('info', (src) => ({ source: src, ops: [], output: { kind: 'info' } }));
  define('resize', (src, width, height, o) => ({ source: src, ops: [op.resize(width, height, o)], output: output(o) }));
  define('crop', (src, x, y, width, height, o) => ({ source: src, ops: [op.crop(x, y, width, height)], output: output(o) }));
  define('convert', (src, format, o) => ({ source: src, ops: [], output: output(o, { format }) }));
  define('thumbnail', (src, size, o) => ({ source: src, ops: [op.thumbnail(size)], output: output(o) }));
  define('rotate', (src, degrees, o) => ({ source: src, ops: [op.rotate(degrees, o)], output: output(o) }));
  define('composite', (base, overlay, o) => ({ source: base, ops: [op.composite(overlay, o)], output: output(o) }));

  // image.open(src): each step returns a new pipeline (the old one is unchanged);
  // nothing runs until toBytes / toFile / info.
  class ImagePipeline {
    #source; #ops;
    constructor(source, ops) { this.#source = source; this.#ops = ops; Object.freeze(this); }
    #with(step) { return new ImagePipeline(this.#source, this.#ops.concat([step])); }
    resize(width, height, o) { return this.#with(op.resize(width, height, o)); }
    crop(x, y, width, height) { return this.#with(op.crop(x, y, width, height)); }
    rotate(degrees, o) { return this.#with(op.rotate(degrees, o)); }
    thumbnail(size) { return this.#with(op.thumbnail(size)); }
    composite(overlay, o) { return this.#with(op.composite(overlay, o)); }
    #spec(where, out) { return { where: 'image.open().' + where, source: this.#source, ops: this.#ops, output: out }; }
    toBytes(format, o) { return run(this.#spec('toBytes', output(null, { format, quality: opt(o, 'quality') }))); }
    toBytesAsync(format, o) { return runAsync(this.#spec('toBytesAsync', output(null, { format, quality: opt(o, 'quality') }))); }
    toFile(path, o) { return run(this.#spec('toFile', output(o, { to: path }))); }
    toFileAsync(path, o) { return runAsync(this.#spec('toFileAsync', output(o, { to: path }))); }
  }
  api.open = (src) => new ImagePipeline(src, []);
  return Object.freeze(api);
})js";

// The pipeline is a class and the functions have overloads ({to} writes a
// file and returns its facts instead of the bytes): written by hand.
inline constexpr const char* kPipelineDts = R"ts(
/** image.open(src): steps recorded, then run as one libvips pipeline by toBytes / toFile. Each step returns a new pipeline. */
interface M3MImagePipeline {
  resize(width: number | null, height: number | null, options?: { fit?: M3MImageFit; background?: M3MImageColour }): M3MImagePipeline;
  crop(x: number, y: number, width: number, height: number): M3MImagePipeline;
  /** Clockwise; multiples of 90 are exact, other angles grow the canvas (corners: background, default transparent). */
  rotate(degrees: number, options?: { background?: M3MImageColour }): M3MImagePipeline;
  thumbnail(size: number): M3MImagePipeline;
  composite(overlay: M3MImageSource, options?: { x?: number; y?: number; opacity?: number }): M3MImagePipeline;
  /** The encoded result; format defaults to the source's (PNG when the source's cannot be written). */
  toBytes(format?: M3MImageFormat, options?: { quality?: number }): Uint8Array;
  toBytesAsync(format?: M3MImageFormat, options?: { quality?: number }): Promise<Uint8Array>;
  /** Writes to the project's storage; the format defaults to the path's extension. */
  toFile(path: string, options?: { format?: M3MImageFormat; quality?: number }): M3MImageWritten;
  toFileAsync(path: string, options?: { format?: M3MImageFormat; quality?: number }): Promise<M3MImageWritten>;
}
)ts";

}  // namespace m3m::runtime::imaging
