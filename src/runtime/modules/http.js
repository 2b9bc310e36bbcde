// The `http` module's JS surface over its native `request` (modules/http.cpp):
// the seeds' synchronous API. Each call is a waiting call: the project's other
// tasks run while it waits.
(native) => {
  class HttpError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'HttpError';
      this.code = code;
    }
  }

  class Headers {
    constructor(pairs) { this._pairs = pairs.map(([k, v]) => [String(k).toLowerCase(), String(v)]); }
    get(name) {
      const n = String(name).toLowerCase();
      const values = this._pairs.filter(([k]) => k === n).map(([, v]) => v);
      if (!values.length) return null;
      return n === 'set-cookie' ? values[0] : values.join(', ');
    }
    getSetCookie() { return this._pairs.filter(([k]) => k === 'set-cookie').map(([, v]) => v); }
    has(name) { const n = String(name).toLowerCase(); return this._pairs.some(([k]) => k === n); }
    *entries() { yield* this._pairs.map((p) => [p[0], p[1]]); }
    *keys() { for (const [k] of this._pairs) yield k; }
    *values() { for (const [, v] of this._pairs) yield v; }
    forEach(fn, self) { for (const [k, v] of this._pairs) fn.call(self, v, k, this); }
    [Symbol.iterator]() { return this.entries(); }
    toJSON() { const o = {}; for (const [k, v] of this._pairs) o[k] = k in o ? o[k] + ', ' + v : v; return o; }
  }

  const decoder = new TextDecoder();
  class Response {
    constructor(r, body) {
      this.status = r.status;
      this.ok = r.status >= 200 && r.status <= 299;
      this.statusText = r.statusText;
      this.url = r.url;
      this.redirected = r.redirected;
      this.headers = new Headers(r.headers);
      this._body = body;
    }
    bytes() { return this._body; }
    text() { return decoder.decode(this._body); }
    json() { return JSON.parse(this.text()); }
    get cookies() {
      const out = {};
      for (const line of this.headers.getSetCookie()) {
        const pair = line.split(';', 1)[0];
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const name = pair.slice(0, eq).trim();
        if (!(name in out)) out[name] = pair.slice(eq + 1).trim();
      }
      return out;
    }
  }

  const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
  const plain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !isBytes(v);

  function encodePairs(obj) {
    const parts = [];
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v])
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(item === null ? '' : String(item)));
    }
    return parts.join('&');
  }

  // {multipart: parts | FormData} → {contentType, body}: encoded natively
  // (runtime/http/multipart.cpp); bytes go as extra arguments, {bytes: k}.
  const MULTIPART = Symbol.for('m3m.multipart'), BYTES = Symbol.for('m3m.bytes');
  function multipart(list) {
    const parts = list !== null && typeof list === 'object' && typeof list[MULTIPART] === 'function' ? list[MULTIPART]() : list;
    if (!Array.isArray(parts)) throw new TypeError('http: multipart must be an array of parts or a FormData');
    const bytes = [];
    const specs = parts.map((p) => {
      if (!plain(p)) return p;
      let c = p.content;
      if (c !== null && typeof c === 'object' && typeof c[BYTES] === 'function') c = c[BYTES]();
      if (!isBytes(c)) return p;
      bytes.push(c instanceof ArrayBuffer ? new Uint8Array(c) : c);
      return { ...p, content: { bytes: bytes.length - 1 } };
    });
    return native.multipart(specs, ...bytes);
  }

  function request(options) {
    if (!plain(options)) throw new TypeError('http.request: argument 1 (options) must be an object');
    const method = String(options.method || 'GET').toUpperCase();
    let url = options.url;
    if (typeof url !== 'string' || url === '') throw new TypeError('http.request: url must be a non-empty string');
    if (options.query !== undefined && options.query !== null) {
      if (!plain(options.query)) throw new TypeError('http.request: query must be an object');
      const q = encodePairs(options.query);
      if (q) url += (url.includes('?') ? '&' : '?') + q;
    }
    const headers = [];
    const has = (name) => headers.some(([k]) => k.toLowerCase() === name);
    if (options.headers !== undefined && options.headers !== null) {
      if (!plain(options.headers) && !(options.headers instanceof Headers))
        throw new TypeError('http.request: headers must be an object');
      const entries = options.headers instanceof Headers ? [...options.headers] : Object.entries(options.headers);
      for (const [k, v] of entries) if (v !== undefined && v !== null) headers.push([String(k), String(v)]);
    }
    if (options.cookies !== undefined && options.cookies !== null) {
      if (!plain(options.cookies)) throw new TypeError('http.request: cookies must be an object');
      const c = Object.entries(options.cookies).map(([k, v]) => `${k}=${v}`).join('; ');
      if (c) headers.push(['Cookie', c]);
    }
    let body = null;
    const b = options.body;
    if (b !== undefined && b !== null) {
      if (typeof b === 'string') {
        body = b;
        if (!has('content-type')) headers.push(['Content-Type', 'text/plain;charset=UTF-8']);
      } else if (isBytes(b)) {
        body = b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
        if (!has('content-type')) headers.push(['Content-Type', 'application/octet-stream']);
      } else if (plain(b) && Object.keys(b).length === 1 && plain(b.form)) {
        body = encodePairs(b.form);
        if (!has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
      } else if (plain(b) && Object.keys(b).length === 1 && 'multipart' in b) {
        const m = multipart(b.multipart);
        body = m.body;
        for (let i = headers.length - 1; i >= 0; i--) if (headers[i][0].toLowerCase() === 'content-type') headers.splice(i, 1);
        headers.push(['Content-Type', m.contentType]);
      } else {
        body = JSON.stringify(b);
        if (!has('content-type')) headers.push(['Content-Type', 'application/json']);
      }
    }
    if (options.redirect !== undefined && options.redirect !== 'follow' && options.redirect !== 'manual')
      throw new TypeError("http.request: redirect must be 'follow' or 'manual'");
    const spec = {
      method, url, headers,
      timeout: options.timeout === undefined ? null : options.timeout,
      maxBytes: options.maxBytes === undefined ? null : options.maxBytes,
      redirect: options.redirect || 'follow',
    };
    const r = native.request(spec, body);
    if (r.error) throw new HttpError(r.error.code, r.error.message);
    return new Response(r, r.body);
  }

  // --- fetch and its web-standard classes (Cloudflare Workers, Deno, Node) ---
  class WebHeaders {
    constructor(init) {
      this._map = new Map(); // lower-case name → [values]
      if (init instanceof WebHeaders) for (const [k, v] of init._all()) this.append(k, v);
      else if (Array.isArray(init)) for (const [k, v] of init) this.append(k, v);
      else if (init && typeof init === 'object') for (const [k, v] of Object.entries(init)) this.append(k, v);
    }
    append(name, value) {
      const n = String(name).toLowerCase();
      if (!this._map.has(n)) this._map.set(n, []);
      this._map.get(n).push(String(value));
    }
    set(name, value) { this._map.set(String(name).toLowerCase(), [String(value)]); }
    delete(name) { this._map.delete(String(name).toLowerCase()); }
    get(name) {
      const v = this._map.get(String(name).toLowerCase());
      return v ? v.join(', ') : null;
    }
    getSetCookie() { return [...(this._map.get('set-cookie') || [])]; }
    has(name) { return this._map.has(String(name).toLowerCase()); }
    _all() { const out = []; for (const [k, vs] of this._map) for (const v of vs) out.push([k, v]); return out; }
    *entries() {
      for (const k of [...this._map.keys()].sort()) {
        if (k === 'set-cookie') for (const v of this._map.get(k)) yield [k, v];
        else yield [k, this._map.get(k).join(', ')];
      }
    }
    *keys() { for (const [k] of this.entries()) yield k; }
    *values() { for (const [, v] of this.entries()) yield v; }
    forEach(fn, self) { for (const [k, v] of this.entries()) fn.call(self, v, k, this); }
    [Symbol.iterator]() { return this.entries(); }
  }

  const toBytes = (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const encoder = new TextEncoder();

  class Body {
    _consume() {
      if (this.bodyUsed) return Promise.reject(new TypeError('Body has already been consumed'));
      this.bodyUsed = true;
      return Promise.resolve(this._bytes || new Uint8Array(0));
    }
    arrayBuffer() { return this._consume().then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); }
    bytes() { return this._consume(); }
    text() { return this._consume().then((b) => decoder.decode(b)); }
    json() { return this.text().then((t) => JSON.parse(t)); }
  }

  class WebResponse extends Body {
    constructor(body, init = {}) {
      super();
      this.status = init.status === undefined ? 200 : init.status;
      this.statusText = init.statusText || '';
      this.ok = this.status >= 200 && this.status <= 299;
      this.headers = new WebHeaders(init.headers);
      this.url = init.url || '';
      this.redirected = !!init.redirected;
      this.type = 'basic';
      this.bodyUsed = false;
      this._bytes = body === undefined || body === null ? null : typeof body === 'string' ? encoder.encode(body) : toBytes(body);
    }
    clone() {
      if (this.bodyUsed) throw new TypeError('Response.clone: body has already been consumed');
      return new WebResponse(this._bytes, { status: this.status, statusText: this.statusText, headers: this.headers, url: this.url, redirected: this.redirected });
    }
    static json(data, init = {}) {
      const headers = new WebHeaders(init.headers);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      return new WebResponse(JSON.stringify(data), { ...init, headers });
    }
  }

  class WebRequest extends Body {
    constructor(input, init = {}) {
      super();
      const base = input instanceof WebRequest ? input : null;
      this.url = base ? base.url : String(input);
      this.method = String(init.method || (base && base.method) || 'GET').toUpperCase();
      this.headers = new WebHeaders(init.headers || (base && base.headers));
      this.redirect = init.redirect || (base && base.redirect) || 'follow';
      this.signal = init.signal || (base && base.signal) || null;
      const body = init.body !== undefined ? init.body : base ? base._bytes : null;
      this.bodyUsed = false;
      if (body === null || body === undefined) this._bytes = null;
      else if (typeof body === 'string') {
        this._bytes = encoder.encode(body);
        if (!this.headers.has('content-type')) this.headers.set('content-type', 'text/plain;charset=UTF-8');
      } else if (isBytes(body)) this._bytes = toBytes(body);
      else if (typeof body[MULTIPART] === 'function') { // FormData
        const m = multipart(body);
        this._bytes = m.body;
        this.headers.set('content-type', m.contentType);
      } else throw new TypeError('fetch: body must be a string, an ArrayBuffer, a typed array or a FormData');
    }
    clone() { return new WebRequest(this); }
  }

  class AbortSignal {
    constructor() { this.aborted = false; this.reason = undefined; this.onabort = null; this._listeners = []; }
    addEventListener(type, fn) { if (type === 'abort') this._listeners.push(fn); }
    removeEventListener(type, fn) { this._listeners = this._listeners.filter((l) => l !== fn); }
    throwIfAborted() { if (this.aborted) throw this.reason; }
    _abort(reason) {
      if (this.aborted) return;
      this.aborted = true;
      this.reason = reason === undefined ? abortError('This operation was aborted') : reason;
      const event = { type: 'abort', target: this };
      if (typeof this.onabort === 'function') this.onabort(event);
      for (const l of this._listeners) l(event);
    }
    static abort(reason) { const s = new AbortSignal(); s._abort(reason); return s; }
    static timeout(ms) {
      const s = new AbortSignal();
      setTimeout(() => { const e = new Error('The operation timed out'); e.name = 'TimeoutError'; s._abort(e); }, ms);
      return s;
    }
  }
  class AbortController {
    constructor() { this.signal = new AbortSignal(); }
    abort(reason) { this.signal._abort(reason); }
  }
  function abortError(message) { const e = new Error(message); e.name = 'AbortError'; return e; }

  let nextAbortId = 1;
  function fetch(input, init) {
    return new Promise((resolve, reject) => {
      const req = new WebRequest(input, init || {});
      if (req.signal && req.signal.aborted) return reject(req.signal.reason);
      const headers = [];
      for (const [k, v] of req.headers._all()) headers.push([k, v]);
      const redirect = req.redirect === 'manual' ? 'manual' : 'follow';
      const spec = { method: req.method, url: req.url, headers, timeout: null, maxBytes: null, redirect };
      const id = nextAbortId++;
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        native.abort(id);
        reject(req.signal.reason);
      };
      if (req.signal) req.signal.addEventListener('abort', onAbort);
      native.requestAsync(spec, req._bytes, id).then((r) => {
        if (req.signal) req.signal.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        if (r.error) {
          const cause = new HttpError(r.error.code, r.error.message);
          const e = new TypeError('fetch failed: ' + r.error.message, { cause });
          e.code = r.error.code;
          return reject(e);
        }
        if (req.redirect === 'error' && r.redirected) return reject(new TypeError('fetch failed: redirected with redirect: "error"'));
        resolve(new WebResponse(r.body, { status: r.status, statusText: r.statusText, headers: r.headers, url: r.url, redirected: r.redirected }));
      }, (e) => {
        if (settled) return;
        settled = true;
        reject(e);
      });
    });
  }
  for (const [name, value] of Object.entries({ fetch, Headers: WebHeaders, Request: WebRequest, Response: WebResponse, AbortController, AbortSignal }))
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

  const withBody = (method) => (url, body, options) => request({ ...(options || {}), method, url, body });
  const withoutBody = (method) => (url, options) => request({ ...(options || {}), method, url });
  return Object.freeze({
    request,
    get: withoutBody('GET'),
    head: withoutBody('HEAD'),
    delete: withoutBody('DELETE'),
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
    HttpError,
    Headers,
  });
}
