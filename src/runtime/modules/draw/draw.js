// The `draw` module's JS surface (modules/draw/module.cpp): a canvas is a JS
// object that records a display list of commands; toPNG/toJPEG/save send the
// list to ONE native call that replays it with cairo + Pango off the isolate
// (a waiting call). Colours and fonts are checked when they are set (a bad
// one throws at once, naming the property); everything else is checked and
// replayed natively, in order, so state (save/restore, transforms, clip)
// behaves as in a browser.
(native) => {
  'use strict';
  const fail = (Cls, code, message) => {
    const e = new Cls(message);
    e.code = code;
    e.fields = {};
    return e;
  };
  const invalid = (message) => fail(TypeError, 'INVALID_ARGUMENT', 'draw: ' + message);
  const outOfRange = (message) => fail(RangeError, 'INVALID_ARGUMENT', 'draw: ' + message);
  const finite = (...xs) => xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  const nums = (args) => Array.prototype.map.call(args, (x) => +x);

  // Colours: parsed by the host once each ({rgba: [r, g, b, a] in 0–1, css}).
  const colours = new Map();
  const colour = (value, where) => {
    if (typeof value !== 'string') throw invalid(where + ' must be a CSS colour string' + (where.endsWith('Style') ? ' or a gradient' : ''));
    let c = colours.get(value);
    if (!c) {
      c = native.colour(value, where);
      if (colours.size > 1000) colours.clear();
      colours.set(value, c);
    }
    return c;
  };

  // Fonts the project registered in this run: [{id, family}], sent with each render.
  let registered = [];
  const registerFont = (path, family) => {
    if (typeof path !== 'string') throw invalid('registerFont: argument 1 (path) must be a string');
    if (typeof family !== 'string' || !/^[^,;"'{}\\]{1,100}$/.test(family) || !family.trim())
      throw invalid('registerFont: argument 2 (family) must be a font family name (1–100 characters, no commas or quotes)');
    const id = native.registerFont(path);
    registered = registered.filter((f) => f.family !== family).concat([{ id, family: family.trim() }]);
  };

  const gradients = new WeakMap();  // gradient → {type, coords, stops, version}
  class CanvasGradient {
    constructor(type, coords) { gradients.set(this, { type, coords, stops: [], version: 0 }); }
    addColorStop(offset, color) {
      const g = gradients.get(this);
      if (!g) throw invalid('addColorStop: not a gradient');
      offset = +offset;
      if (!(offset >= 0 && offset <= 1)) throw outOfRange('addColorStop: offset must be between 0 and 1 (got ' + offset + ')');
      g.stops.push([offset, colour(color, 'addColorStop').rgba]);
      g.version++;
    }
  }
  const paintOf = (style) => {
    const g = gradients.get(style);
    return g ? { type: g.type, coords: g.coords, stops: g.stops.slice() } : style.rgba;
  };

  const KEYWORDS = {
    lineCap: ['butt', 'round', 'square'],
    lineJoin: ['miter', 'round', 'bevel'],
    textAlign: ['start', 'end', 'left', 'right', 'center'],
    textBaseline: ['alphabetic', 'top', 'hanging', 'middle', 'ideographic', 'bottom'],
    globalCompositeOperation: ['source-over', 'source-in', 'source-out', 'source-atop', 'destination-over',
      'destination-in', 'destination-out', 'destination-atop', 'lighter', 'copy', 'xor', 'multiply', 'screen',
      'overlay', 'darken', 'lighten', 'color-dodge', 'color-burn', 'hard-light', 'soft-light', 'difference',
      'exclusion', 'hue', 'saturation', 'color', 'luminosity'],
  };
  const BLACK = { css: '#000000', rgba: [0, 0, 0, 1] };
  const initialState = () => ({
    fillStyle: BLACK, strokeStyle: BLACK, lineWidth: 1, lineCap: 'butt', lineJoin: 'miter', miterLimit: 10,
    globalAlpha: 1, globalCompositeOperation: 'source-over', font: '10px sans-serif', textAlign: 'start',
    textBaseline: 'alphabetic', imageSmoothingEnabled: true, lineDash: [], lineDashOffset: 0,
  });
  const bytesLike = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x) ||
    (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer);
  const copyBytes = (x) => x instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer)
    ? new Uint8Array(x.slice(0)) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength).slice();

  const encoding = (where, options, format) => {
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object') throw invalid(where + ': options must be an object');
    const out = { format };
    if (options.quality !== undefined) {
      const q = options.quality;
      if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > 100) throw outOfRange(where + ': quality must be an integer from 1 to 100');
      out.quality = q;
    }
    if (options.background !== undefined) out.background = colour(options.background, where + ': background').rgba;
    return out;
  };
  const formatOf = (path) => {
    if (typeof path !== 'string') throw invalid('save: argument 1 (path) must be a string');
    const m = /\.(png|jpe?g)$/i.exec(path);
    if (!m) throw invalid('save: the path must end in .png, .jpg or .jpeg (got "' + path + '")');
    return m[1].toLowerCase() === 'png' ? 'png' : 'jpeg';
  };
  const later = (fn) => new Promise((resolve, reject) => {
    // From a timer task, the render's wait leaves the isolate (docs/runtime.md, "Concurrency").
    setTimeout(() => { try { resolve(fn()); } catch (e) { reject(e); } }, 0);
  });

  class Canvas {
    #width; #height; #background;
    #ops = [];
    #images = [];
    #imageIndex = new Map();
    #s = initialState();
    #stack = [];
    #sent = { fill: null, fillVersion: -1, stroke: null, strokeVersion: -1 };  // the styles the list has set

    constructor(width, height, background) {
      this.#width = width;
      this.#height = height;
      this.#background = background;
    }
    get width() { return this.#width; }
    get height() { return this.#height; }
    get canvas() { return this; }
    getContext(type) {
      if (type !== '2d') throw invalid('getContext: only "2d" is supported');
      return this;
    }

    // ---- state ----
    get fillStyle() { return gradients.has(this.#s.fillStyle) ? this.#s.fillStyle : this.#s.fillStyle.css; }
    set fillStyle(v) { this.#s.fillStyle = gradients.has(v) ? v : colour(v, 'fillStyle'); }
    get strokeStyle() { return gradients.has(this.#s.strokeStyle) ? this.#s.strokeStyle : this.#s.strokeStyle.css; }
    set strokeStyle(v) { this.#s.strokeStyle = gradients.has(v) ? v : colour(v, 'strokeStyle'); }
    get lineWidth() { return this.#s.lineWidth; }
    set lineWidth(v) { this.#number('lineWidth', v, (x) => x > 0); }
    get miterLimit() { return this.#s.miterLimit; }
    set miterLimit(v) { this.#number('miterLimit', v, (x) => x > 0); }
    get globalAlpha() { return this.#s.globalAlpha; }
    set globalAlpha(v) { this.#number('globalAlpha', v, (x) => x >= 0 && x <= 1); }
    get lineDashOffset() { return this.#s.lineDashOffset; }
    set lineDashOffset(v) { this.#number('lineDashOffset', v, () => true); }
    get lineCap() { return this.#s.lineCap; }
    set lineCap(v) { this.#keyword('lineCap', v); }
    get lineJoin() { return this.#s.lineJoin; }
    set lineJoin(v) { this.#keyword('lineJoin', v); }
    get textAlign() { return this.#s.textAlign; }
    set textAlign(v) { this.#keyword('textAlign', v); }
    get textBaseline() { return this.#s.textBaseline; }
    set textBaseline(v) { this.#keyword('textBaseline', v); }
    get globalCompositeOperation() { return this.#s.globalCompositeOperation; }
    set globalCompositeOperation(v) { this.#keyword('globalCompositeOperation', v); }
    get imageSmoothingEnabled() { return this.#s.imageSmoothingEnabled; }
    set imageSmoothingEnabled(v) {
      this.#s.imageSmoothingEnabled = !!v;
      this.#ops.push(['imageSmoothing', !!v]);
    }
    get font() { return this.#s.font; }
    set font(v) {
      if (typeof v !== 'string') throw invalid('font must be a string such as "bold 20px DejaVu Sans"');
      const css = native.font(v);
      this.#s.font = css;
      this.#ops.push(['font', css]);
    }
    setLineDash(segments) {
      if (!Array.isArray(segments)) throw invalid('setLineDash: argument 1 (segments) must be an array of numbers');
      const d = segments.map((x) => +x);
      if (!d.every((x) => Number.isFinite(x) && x >= 0)) return;  // ignored, as in a browser
      this.#s.lineDash = d.length % 2 ? d.concat(d) : d;
      this.#ops.push(['lineDash', d]);
    }
    getLineDash() { return this.#s.lineDash.slice(); }
    #number(name, v, ok) {
      v = +v;
      if (!Number.isFinite(v) || !ok(v)) return;  // ignored, as in a browser
      this.#s[name] = v;
      this.#ops.push([name, v]);
    }
    #keyword(name, v) {
      if (!KEYWORDS[name].includes(v))
        throw invalid(name + ' must be one of ' + KEYWORDS[name].map((k) => '"' + k + '"').join(', ') + ' (got ' + JSON.stringify(v) + ')');
      this.#s[name] = v;
      this.#ops.push([name, v]);
    }

    // save() keeps the drawing state; save(path[, options]) writes the image to the project's storage.
    save(path, options) {
      if (arguments.length > 0) return this.#saveFile(path, options);
      this.#stack.push({ s: Object.assign({}, this.#s), sent: Object.assign({}, this.#sent) });
      this.#ops.push(['save']);
    }
    restore() {
      const top = this.#stack.pop();
      if (!top) return;
      this.#s = top.s;
      this.#sent = top.sent;
      this.#ops.push(['restore']);
    }

    // ---- transforms ----
    translate(x, y) { this.#push('translate', 2, arguments); }
    rotate(angle) { this.#push('rotate', 1, arguments); }
    scale(x, y) { this.#push('scale', 2, arguments); }
    transform(a, b, c, d, e, f) { this.#push('transform', 6, arguments); }
    setTransform(a, b, c, d, e, f) {
      if (arguments.length === 0) return this.resetTransform();
      this.#push('setTransform', 6, arguments);
    }
    resetTransform() { this.#ops.push(['resetTransform']); }
    #push(name, n, args) {
      if (args.length < n) throw invalid(name + ': ' + n + ' arguments required, ' + args.length + ' given');
      const v = nums(Array.prototype.slice.call(args, 0, n));
      if (!finite(...v)) return;  // ignored, as in a browser
      this.#ops.push([name, ...v]);
    }

    // ---- paths ----
    beginPath() { this.#ops.push(['beginPath']); }
    closePath() { this.#ops.push(['closePath']); }
    moveTo(x, y) { this.#push('moveTo', 2, arguments); }
    lineTo(x, y) { this.#push('lineTo', 2, arguments); }
    bezierCurveTo(cp1x, cp1y, cp2x, cp2y, x, y) { this.#push('bezierCurveTo', 6, arguments); }
    quadraticCurveTo(cpx, cpy, x, y) { this.#push('quadraticCurveTo', 4, arguments); }
    rect(x, y, w, h) { this.#push('rect', 4, arguments); }
    roundRect(x, y, w, h, radius = 0) {
      const r = Array.isArray(radius) ? +radius[0] : +radius;
      if (!(r >= 0)) throw outOfRange('roundRect: radius must be a non-negative number');
      this.#push('roundRect', 5, [x, y, w, h, r]);
    }
    arc(x, y, radius, startAngle, endAngle, anticlockwise = false) {
      if (arguments.length < 5) throw invalid('arc: 5 arguments required, ' + arguments.length + ' given');
      const v = nums([x, y, radius, startAngle, endAngle]);
      if (!finite(...v)) return;
      if (v[2] < 0) throw outOfRange('arc: the radius must not be negative (got ' + v[2] + ')');
      this.#ops.push(['arc', ...v, !!anticlockwise]);
    }
    arcTo(x1, y1, x2, y2, radius) {
      if (arguments.length < 5) throw invalid('arcTo: 5 arguments required, ' + arguments.length + ' given');
      const v = nums([x1, y1, x2, y2, radius]);
      if (!finite(...v)) return;
      if (v[4] < 0) throw outOfRange('arcTo: the radius must not be negative (got ' + v[4] + ')');
      this.#ops.push(['arcTo', ...v]);
    }
    ellipse(x, y, radiusX, radiusY, rotation, startAngle, endAngle, anticlockwise = false) {
      if (arguments.length < 7) throw invalid('ellipse: 7 arguments required, ' + arguments.length + ' given');
      const v = nums([x, y, radiusX, radiusY, rotation, startAngle, endAngle]);
      if (!finite(...v)) return;
      if (v[2] < 0 || v[3] < 0) throw outOfRange('ellipse: the radii must not be negative');
      this.#ops.push(['ellipse', ...v, !!anticlockwise]);
    }
    fill(rule = 'nonzero') {
      this.#syncFill();
      this.#ops.push(['fill', this.#rule('fill', rule)]);
    }
    stroke() {
      this.#syncStroke();
      this.#ops.push(['stroke']);
    }
    clip(rule = 'nonzero') { this.#ops.push(['clip', this.#rule('clip', rule)]); }
    #rule(where, rule) {
      if (rule !== 'nonzero' && rule !== 'evenodd') throw invalid(where + ': the fill rule must be "nonzero" or "evenodd"');
      return rule;
    }

    // ---- rectangles ----
    fillRect(x, y, w, h) { this.#syncFill(); this.#push('fillRect', 4, arguments); }
    strokeRect(x, y, w, h) { this.#syncStroke(); this.#push('strokeRect', 4, arguments); }
    clearRect(x, y, w, h) { this.#push('clearRect', 4, arguments); }

    // ---- gradients ----
    createLinearGradient(x0, y0, x1, y1) {
      const v = nums([x0, y0, x1, y1]);
      if (arguments.length < 4 || !finite(...v)) throw invalid('createLinearGradient: 4 finite numbers required');
      return new CanvasGradient('linear', v);
    }
    createRadialGradient(x0, y0, r0, x1, y1, r1) {
      const v = nums([x0, y0, r0, x1, y1, r1]);
      if (arguments.length < 6 || !finite(...v)) throw invalid('createRadialGradient: 6 finite numbers required');
      if (v[2] < 0 || v[5] < 0) throw outOfRange('createRadialGradient: the radii must not be negative');
      return new CanvasGradient('radial', v);
    }

    // ---- text ----
    fillText(text, x, y, maxWidth) { this.#text('fillText', text, x, y, maxWidth); }
    strokeText(text, x, y, maxWidth) { this.#text('strokeText', text, x, y, maxWidth); }
    #text(name, text, x, y, maxWidth) {
      if (arguments.length < 4 || y === undefined) throw invalid(name + ': text, x and y are required');
      const v = nums([x, y]);
      if (!finite(...v)) return;
      if (name === 'fillText') this.#syncFill(); else this.#syncStroke();
      const cmd = [name, String(text), v[0], v[1]];
      if (maxWidth !== undefined) {
        const m = +maxWidth;
        if (!Number.isFinite(m)) return;
        cmd.push(m);
      }
      this.#ops.push(cmd);
    }
    measureText(text) { return native.measure(this.#s.font, String(text), registered); }
    #boxOptions(where, options) {
      if (options === undefined || options === null) options = {};
      if (typeof options !== 'object') throw invalid(where + ': options must be an object');
      const lineHeight = options.lineHeight === undefined ? 1.2 : options.lineHeight;
      const maxLines = options.maxLines === undefined ? 0 : options.maxLines;
      if (typeof lineHeight !== 'number' || !(lineHeight > 0 && lineHeight <= 100))
        throw outOfRange(where + ': lineHeight must be a number above 0 (a multiple of the font size)');
      if (!Number.isInteger(maxLines) || maxLines < 0) throw outOfRange(where + ': maxLines must be a whole number (0 = no limit)');
      return { lineHeight, maxLines };
    }
    #alignCode() {
      const a = this.#s.textAlign;
      return a === 'end' || a === 'right' ? 1 : a === 'center' ? 2 : 0;
    }
    measureTextBox(text, width, options) {
      const w = +width;
      if (!(w > 0 && Number.isFinite(w))) throw outOfRange('measureTextBox: width must be a number above 0');
      const o = this.#boxOptions('measureTextBox', options);
      return native.measureBox(this.#s.font, String(text), w, o.lineHeight, this.#alignCode(), o.maxLines, registered);
    }
    fillTextBox(text, x, y, width, options) {
      const v = nums([x, y, width]);
      if (!finite(...v) || !(v[2] > 0)) throw outOfRange('fillTextBox: x, y and a width above 0 are required');
      const o = this.#boxOptions('fillTextBox', options);
      this.#syncFill();
      this.#ops.push(['textBox', String(text), v[0], v[1], v[2], o.lineHeight, o.maxLines]);
      return native.measureBox(this.#s.font, String(text), v[2], o.lineHeight, this.#alignCode(), o.maxLines, registered);
    }

    // ---- images ----
    drawImage(image, ...rest) {
      let key = image;
      let entry;
      if (image instanceof Canvas) {
        key = null;
        entry = image.toPNG();
      } else if (typeof image === 'string') {
        entry = { path: image };
      } else if (bytesLike(image)) {
        entry = null;  // copied below, once per source object
      } else {
        throw invalid('drawImage: argument 1 (image) must be bytes (a Uint8Array of PNG, JPEG, WebP or GIF), a storage path or a canvas');
      }
      let index = key === null ? undefined : this.#imageIndex.get(key);
      if (index === undefined) {
        index = this.#images.length;
        this.#images.push(entry === null ? copyBytes(image) : entry);
        if (key !== null) this.#imageIndex.set(key, index);
      }
      const v = nums(rest);
      if (!finite(...v)) return;
      let cmd;
      if (v.length === 2) cmd = [0, 0, -1, -1, v[0], v[1], -1, -1];
      else if (v.length === 4) cmd = [0, 0, -1, -1, v[0], v[1], v[2], v[3]];
      else if (v.length === 8) cmd = v;
      else throw invalid('drawImage: takes (image, dx, dy), (image, dx, dy, dw, dh) or (image, sx, sy, sw, sh, dx, dy, dw, dh)');
      this.#ops.push(['drawImage', index, ...cmd]);
    }

    // ---- output ----
    toPNG() { return native.render(this.#document(), { format: 'png' }, null); }
    toJPEG(options) { return native.render(this.#document(), encoding('toJPEG', options, 'jpeg'), null); }
    toPNGAsync() {
      const doc = this.#document();
      return later(() => native.render(doc, { format: 'png' }, null));
    }
    toJPEGAsync(options) {
      let doc, enc;
      try { doc = this.#document(); enc = encoding('toJPEGAsync', options, 'jpeg'); } catch (e) { return Promise.reject(e); }
      return later(() => native.render(doc, enc, null));
    }
    #saveFile(path, options) {
      const format = formatOf(path);
      native.render(this.#document(), encoding('save', options, format), path);
    }
    saveAsync(path, options) {
      let doc, enc;
      try { enc = encoding('saveAsync', options, formatOf(path)); doc = this.#document(); } catch (e) { return Promise.reject(e); }
      return later(() => { native.render(doc, enc, path); });
    }
    #document() {
      return { width: this.#width, height: this.#height, background: this.#background, ops: this.#ops.slice(),
        images: this.#images.slice(), fonts: registered };
    }

    // The list only says which style to paint with when it changed since the
    // last paint (a gradient: also when stops were added since).
    #syncFill() {
      const f = this.#s.fillStyle, g = gradients.get(f), v = g ? g.version : 0;
      if (this.#sent.fill === f && this.#sent.fillVersion === v) return;
      this.#ops.push(['fillStyle', paintOf(f)]);
      this.#sent.fill = f;
      this.#sent.fillVersion = v;
    }
    #syncStroke() {
      const f = this.#s.strokeStyle, g = gradients.get(f), v = g ? g.version : 0;
      if (this.#sent.stroke === f && this.#sent.strokeVersion === v) return;
      this.#ops.push(['strokeStyle', paintOf(f)]);
      this.#sent.stroke = f;
      this.#sent.strokeVersion = v;
    }
  }
  Object.defineProperty(Canvas, 'name', { value: 'M3MCanvas' });

  const createCanvas = (width, height, options) => {
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object') throw invalid('createCanvas: argument 3 (options) must be an object');
    native.checkSize(width, height);
    const background = options.background === undefined ? null : colour(options.background, 'createCanvas: background').rgba;
    return new Canvas(width, height, background);
  };

  return Object.freeze({ createCanvas, registerFont });
}
