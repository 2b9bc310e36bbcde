// m3m runtime prelude: evaluated once per isolate before the service's code.
// It receives the global object and `host` (native functions) and returns the
// hooks the C++ side calls: runPhase(name) and dispatch(request).
(function (global, host) {
  'use strict';
  const RESPONSE = Symbol('m3m.response');

  const format = (args) => args.map((a) => {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return a.stack || String(a);
    try { const s = JSON.stringify(a); return s === undefined ? String(a) : s; } catch (e) { return String(a); }
  }).join(' ');

  // --- router ---------------------------------------------------------------
  const routes = [];
  function compile(pattern) {
    if (typeof pattern !== 'string' || pattern[0] !== '/') throw new TypeError('router: path must be a string starting with "/"');
    const segs = pattern.split('/').filter(Boolean);
    segs.forEach((s, i) => {
      if (s === '*' && i !== segs.length - 1) throw new TypeError('router: "*" must be the last segment in ' + pattern);
      if (s[0] === ':' && s.length === 1) throw new TypeError('router: empty parameter name in ' + pattern);
    });
    return segs;
  }
  function add(method, pattern, handler) {
    if (typeof handler !== 'function') throw new TypeError('router.' + method.toLowerCase() + ': argument 2 (handler) must be a function');
    routes.push({ method, segs: compile(pattern), handler });
  }
  // Specificity per segment: static 3 > :param 2 > * 1; the best match wins.
  function match(method, path) {
    const parts = path.split('/').filter(Boolean);
    let best = null;
    for (const r of routes) {
      if (r.method !== '*' && r.method !== method && !(method === 'HEAD' && r.method === 'GET')) continue;
      const params = {}; const score = [];
      let ok = true; let i = 0;
      for (; i < r.segs.length; i++) {
        const s = r.segs[i];
        if (s === '*') { params['*'] = parts.slice(i).join('/'); score.push(1); i = parts.length; break; }
        if (i >= parts.length) { ok = false; break; }
        if (s[0] === ':') { params[s.slice(1)] = parts[i]; score.push(2); }
        else if (s === parts[i]) score.push(3);
        else { ok = false; break; }
      }
      if (!ok || (i < parts.length)) continue;
      if (!best || compareScore(score, best.score) > 0) best = { route: r, params, score };
    }
    return best;
  }
  function compareScore(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i] || 0, y = b[i] || 0;
      if (x !== y) return x - y;
    }
    return 0;
  }

  const router = {
    get: (p, h) => add('GET', p, h),
    post: (p, h) => add('POST', p, h),
    put: (p, h) => add('PUT', p, h),
    patch: (p, h) => add('PATCH', p, h),
    delete: (p, h) => add('DELETE', p, h),
    all: (p, h) => add('*', p, h),
    response: (status, body, headers) => {
      // 1xx are not answers (101 would switch protocols): a route answers 200-599.
      if (!Number.isInteger(status) || status < 200 || status > 599) throw new RangeError('router.response: argument 1 (status) must be an HTTP status (200-599)');
      return { [RESPONSE]: true, status, body, headers: headers || {} };
    },
  };

  // --- service lifecycle -----------------------------------------------------
  const phases = { boot: [], start: [], shutdown: [] };
  const register = (name) => (fn) => {
    if (typeof fn !== 'function') throw new TypeError('service.' + name + ': argument 1 (fn) must be a function');
    phases[name].push(fn);
  };
  const service = Object.freeze({
    boot: register('boot'), start: register('start'), shutdown: register('shutdown'),
    project: Object.freeze({ ...host.project }),
  });

  // --- console, TextEncoder/TextDecoder --------------------------------------
  const console = {};
  for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG']]) {
    console[name] = (...args) => host.log(level, format(args));
  }

  // The Encoding Standard's UTF-8 (the only encoding here), by V8's own
  // conversions (runtime/text_codec.cpp): lone surrogates encode as U+FFFD,
  // invalid bytes decode as U+FFFD, `fatal` throws a TypeError instead.
  class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(input = '') { return host.utf8Encode(String(input)); }
    encodeInto(input, dest) {
      const bytes = host.utf8Encode(String(input));
      let n = Math.min(bytes.length, dest.length);
      while (n > 0 && n < bytes.length && (bytes[n] & 0xc0) === 0x80) n--;  // whole characters only
      dest.set(bytes.subarray(0, n));
      const read = new TextDecoderImpl().decode(bytes.subarray(0, n)).length;
      return { read, written: n };
    }
  }
  class TextDecoderImpl {
    constructor(label = 'utf-8', options = {}) {
      if (!/^\s*(unicode-1-1-)?utf-?8\s*$/i.test(String(label))) throw new RangeError(`TextDecoder: the encoding "${label}" is not supported (only utf-8)`);
      this._fatal = Boolean(options && options.fatal);
      this._ignoreBOM = Boolean(options && options.ignoreBOM);
    }
    get encoding() { return 'utf-8'; }
    get fatal() { return this._fatal; }
    get ignoreBOM() { return this._ignoreBOM; }
    decode(input, options) {
      if (input === undefined) return '';
      const s = host.utf8Decode(input, this._fatal);
      return !this._ignoreBOM && s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
    }
  }
  const TextDecoder = TextDecoderImpl;

  Object.defineProperties(global, {
    router: { value: Object.freeze(router), enumerable: true },
    service: { value: service, enumerable: true },
    console: { value: console, writable: true, configurable: true },
    TextEncoder: { value: TextEncoder, writable: true, configurable: true },
    TextDecoder: { value: TextDecoder, writable: true, configurable: true },
  });

  // --- hooks for the host ----------------------------------------------------
  async function runPhase(name) {
    for (const fn of phases[name]) await fn();
  }

  const headerProxy = (raw) => new Proxy(raw, {
    get: (t, k) => (typeof k === 'string' ? t[k.toLowerCase()] : t[k]),
    has: (t, k) => (typeof k === 'string' ? k.toLowerCase() in t : k in t),
  });

  function parseBody(contentType, raw) {
    if (raw === '') return null;
    const type = (contentType || '').split(';')[0].trim().toLowerCase();
    if (type === 'application/json' || type.endsWith('+json')) {
      try { return JSON.parse(raw); } catch (e) { return null; }
    }
    if (type === 'application/x-www-form-urlencoded') {
      const out = {};
      for (const [k, v] of URLSearchParamsLite(raw)) if (!(k in out)) out[k] = v;
      return out;
    }
    return raw;
  }
  function* URLSearchParamsLite(q) {
    for (const part of q.split('&')) {
      if (!part) continue;
      const i = part.indexOf('=');
      const dec = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } };
      yield i < 0 ? [dec(part), ''] : [dec(part.slice(0, i)), dec(part.slice(i + 1))];
    }
  }

  function normalize(result) {
    let status = 200, body = result, headers = {};
    if (result && typeof result === 'object' && result[RESPONSE]) ({ status, body, headers } = result);
    else if (result === undefined) status = 204;
    const out = [status, ''];
    let hasType = false;
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === 'content-type') hasType = true;
      out.push(k, String(headers[k]));
    }
    let text = '';
    if (body === undefined || body === null) text = '';
    else if (typeof body === 'string') { text = body; if (!hasType) out.push('Content-Type', 'text/plain; charset=utf-8'); }
    // Bytes go out as they are (the host copies them): a PNG from draw, a file from storage.readBytes.
    else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) { text = body; if (!hasType) out.push('Content-Type', 'application/octet-stream'); }
    else { text = JSON.stringify(body); if (text === undefined) text = ''; if (!hasType) out.push('Content-Type', 'application/json'); }
    out[1] = text;
    return out;
  }

  // The thrown value described for the run log; never throws itself (a user's
  // Error.prepareStackTrace, a .stack getter or toString may throw or return
  // a non-string).
  function describeError(e) {
    for (const f of [() => e && e.stack, () => String(e), () => Object.prototype.toString.call(e)]) {
      try { const s = f(); if (typeof s === 'string' && s) return s; } catch (_) { /* next */ }
    }
    return '(an exception that cannot be described)';
  }

  // The caller only learns that the handler failed and where to look.
  function failure(req, e) {
    host.log('ERROR', req.method + ' ' + req.path + ' failed (request ' + req.requestId + '): ' + describeError(e));
    return [500, JSON.stringify({ error: { code: 'INTERNAL', message: "the service's handler failed (request id " + req.requestId + '); details are in the run log', fields: {} } }), 'Content-Type', 'application/json'];
  }

  function parseHeaders(block) {
    const out = {};
    if (!block) return out;
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
    }
    return out;
  }

  // The request as the handler sees it. Query, headers and body are parsed on
  // first use: most handlers read one of them or none.
  class Context {
    constructor(method, path, params, rawQuery, rawHeaders, rawBody, requestId) {
      this.method = method; this.path = path; this.params = params;
      this.rawBody = rawBody; this.requestId = requestId;
      this._q = rawQuery; this._h = rawHeaders;
    }
    get query() {
      const query = {};
      for (const [k, v] of URLSearchParamsLite(this._q)) if (!(k in query)) query[k] = v;
      Object.defineProperty(this, 'query', { value: query, enumerable: true });
      return query;
    }
    get headers() {
      const headers = headerProxy(parseHeaders(this._h));
      Object.defineProperty(this, 'headers', { value: headers, enumerable: true });
      return headers;
    }
    get body() {
      const body = parseBody(this.headers['content-type'], this.rawBody);
      Object.defineProperty(this, 'body', { value: body, enumerable: true, writable: true });
      return body;
    }
  }

  const notFound = (method, path) => [404, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route for ' + method + ' ' + path + ' in this service', fields: {} } }), 'Content-Type', 'application/json'];

  // Arguments: method, path, raw query, raw headers ("name:value\n…", names
  // lower-case), raw body, request id. Returns [status, text, k, v, …] or a
  // Promise of it; never throws.
  function answer(method, path, rawQuery, rawHeaders, rawBody, requestId) {
    const m = match(method, path);
    if (!m) return notFound(method, path);
    const ctx = new Context(method, path, m.params, rawQuery, rawHeaders, rawBody, requestId);
    try {
      const r = m.route.handler(ctx);
      if (r && typeof r.then === 'function') return Promise.resolve(r).then(normalize, (e) => failure(ctx, e));
      return normalize(r);
    } catch (e) {
      return failure(ctx, e);
    }
  }
  // A synchronous answer goes to host.reply(status, text, k, v, …) (arguments
  // are cheaper for the host to read than an array's elements); a Promise is
  // returned. Reflect.apply is taken now: the service's code cannot swap it.
  const reply = host.reply;
  const ReflectApply = Reflect.apply;
  const isArray = Array.isArray;
  function dispatch(method, path, rawQuery, rawHeaders, rawBody, requestId) {
    const r = answer(method, path, rawQuery, rawHeaders, rawBody, requestId);
    if (!isArray(r)) return r;
    ReflectApply(reply, undefined, r);
  }

  return { runPhase, dispatch };
})
