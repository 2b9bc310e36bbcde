// The UTF-8 TextEncoder/TextDecoder the URL bundle uses (esbuild `inject`:
// whatwg-url's references to these globals resolve here, not to the
// runtime's, which a project may replace). As the Encoding Standard says:
// a lone surrogate encodes as U+FFFD; an invalid byte sequence decodes as
// U+FFFD per maximal subpart (§8.1.1, the UTF-8 decoder); a BOM is kept
// (whatwg-url asks for ignoreBOM). Checked against Node's TextEncoder and
// TextDecoder on random input by tests/api/runtime_url.test.mjs.

export class TextEncoder {
  encode(input = '') {
    const s = String(input);
    const out = new Uint8Array(s.length * 3);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x80) {
        out[n++] = c;
      } else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 0x3f);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      }
    }
    return out.slice(0, n);
  }
}

export class TextDecoder {
  decode(input) {
    if (input === undefined) return '';
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let out = '';
    let points = [];
    const push = (cp) => {
      points.push(cp);
      if (points.length === 4096) {
        out += String.fromCodePoint(...points);
        points = [];
      }
    };
    let cp = 0;
    let needed = 0;
    let seen = 0;
    let lower = 0x80;
    let upper = 0xbf;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (needed === 0) {
        if (b <= 0x7f) push(b);
        else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
        else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          needed = 2;
          cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          needed = 3;
          cp = b & 0x07;
        } else push(0xfffd);
        continue;
      }
      if (b < lower || b > upper) {
        // The sequence ends here: U+FFFD, and this byte starts afresh.
        cp = needed = seen = 0;
        lower = 0x80;
        upper = 0xbf;
        push(0xfffd);
        i--;
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen === needed) {
        push(cp);
        cp = needed = seen = 0;
      }
    }
    if (needed) push(0xfffd);
    return out + String.fromCodePoint(...points);
  }
}
