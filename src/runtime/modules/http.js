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
        throw new HttpError('INVALID', 'http: multipart bodies are not supported yet');
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
