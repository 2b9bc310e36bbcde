// Blob, File and FormData: the web-standard classes fetch needs for a
// multipart/form-data body (as in Cloudflare Workers, Deno and Node), in
// memory only. Evaluated the first time a project reads one of the globals
// (host_scripts.cpp, defineLazyGlobals); the value is {Blob, File, FormData}.
// http.js turns a FormData into parts through Symbol.for('m3m.multipart')
// and reads a Blob's bytes through Symbol.for('m3m.bytes'); the encoding
// itself is native (runtime/http/multipart.cpp).
(() => {
  'use strict';
  const BYTES = Symbol.for('m3m.bytes');
  const MULTIPART = Symbol.for('m3m.multipart');
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const viewOf = (v) => (v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

  class Blob {
    #bytes;
    #type;
    constructor(parts = [], options = {}) {
      if (parts === null || typeof parts !== 'object' || typeof parts[Symbol.iterator] !== 'function')
        throw new TypeError("Blob: argument 1 (parts) must be an array of strings, ArrayBuffers, typed arrays or Blobs");
      const chunks = [];
      let size = 0;
      for (const part of parts) {
        let chunk;
        if (part instanceof Blob) chunk = part.#bytes;
        else if (part instanceof ArrayBuffer || ArrayBuffer.isView(part)) chunk = viewOf(part).slice();
        else chunk = encoder.encode(String(part));
        chunks.push(chunk);
        size += chunk.byteLength;
      }
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) { bytes.set(c, at); at += c.byteLength; }
      this.#bytes = bytes;
      const type = options && options.type !== undefined ? String(options.type) : '';
      this.#type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : '';
    }
    get size() { return this.#bytes.byteLength; }
    get type() { return this.#type; }
    slice(start = 0, end = this.size, type = '') {
      const n = this.size;
      const clamp = (i) => (i < 0 ? Math.max(n + i, 0) : Math.min(i, n));
      const from = clamp(Math.trunc(Number(start)) || 0);
      const to = clamp(Math.trunc(Number(end)) || 0);
      return new Blob([this.#bytes.subarray(from, Math.max(from, to))], { type });
    }
    arrayBuffer() { return Promise.resolve(this.#bytes.slice().buffer); }
    bytes() { return Promise.resolve(this.#bytes.slice()); }
    text() { return Promise.resolve(decoder.decode(this.#bytes)); }
    [BYTES]() { return this.#bytes; }
    get [Symbol.toStringTag]() { return 'Blob'; }
  }

  class File extends Blob {
    #name;
    #lastModified;
    constructor(parts, name, options = {}) {
      if (arguments.length < 2) throw new TypeError('File: 2 arguments required (parts, name)');
      super(parts, options);
      this.#name = String(name);
      const lm = options && options.lastModified !== undefined ? Number(options.lastModified) : Date.now();
      this.#lastModified = Number.isFinite(lm) ? Math.trunc(lm) : 0;
    }
    get name() { return this.#name; }
    get lastModified() { return this.#lastModified; }
    get [Symbol.toStringTag]() { return 'File'; }
  }

  // An entry's value: a string, or a File (a Blob becomes a File named "blob").
  function entryValue(value, filename, what) {
    if (value instanceof Blob) {
      if (filename !== undefined) return new File([value], String(filename), { type: value.type });
      return value instanceof File ? value : new File([value], 'blob', { type: value.type });
    }
    if (filename !== undefined) throw new TypeError(`FormData.${what}: a filename needs a Blob or File value`);
    return String(value);
  }

  class FormData {
    #entries = [];
    constructor(form) {
      if (form !== undefined) throw new TypeError('FormData: there are no HTML forms here; call new FormData() and append');
    }
    append(name, value, filename) {
      if (arguments.length < 2) throw new TypeError('FormData.append: 2 arguments required (name, value)');
      this.#entries.push([String(name), entryValue(value, filename, 'append')]);
    }
    set(name, value, filename) {
      if (arguments.length < 2) throw new TypeError('FormData.set: 2 arguments required (name, value)');
      const n = String(name);
      const entry = [n, entryValue(value, filename, 'set')];
      const i = this.#entries.findIndex(([k]) => k === n);
      if (i < 0) this.#entries.push(entry);
      else this.#entries = [...this.#entries.slice(0, i), entry, ...this.#entries.slice(i + 1).filter(([k]) => k !== n)];
    }
    get(name) {
      const n = String(name);
      const e = this.#entries.find(([k]) => k === n);
      return e ? e[1] : null;
    }
    getAll(name) { const n = String(name); return this.#entries.filter(([k]) => k === n).map(([, v]) => v); }
    has(name) { const n = String(name); return this.#entries.some(([k]) => k === n); }
    delete(name) { const n = String(name); this.#entries = this.#entries.filter(([k]) => k !== n); }
    *entries() { for (const [k, v] of this.#entries) yield [k, v]; }
    *keys() { for (const [k] of this.#entries) yield k; }
    *values() { for (const [, v] of this.#entries) yield v; }
    forEach(fn, self) { for (const [k, v] of this.#entries) fn.call(self, v, k, this); }
    [Symbol.iterator]() { return this.entries(); }
    get [Symbol.toStringTag]() { return 'FormData'; }
    // The parts of `http`'s {multipart: [...]} body, for http.js.
    [MULTIPART]() {
      return this.#entries.map(([name, v]) => (typeof v === 'string'
        ? { name, value: v }
        : { name, filename: v.name, content: v[BYTES](), contentType: v.type || undefined }));
    }
  }

  return { Blob, File, FormData };
})()
