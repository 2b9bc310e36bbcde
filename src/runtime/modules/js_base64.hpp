// Bytes ↔ base64 inside a module's JS wrapper (storage, smtp): the wrappers
// hand bytes to the native side as base64 text. One copy, spliced into each
// wrapper's source (see kJsWrapperHead).
#pragma once

namespace m3m::runtime {

// Defines toBase64(u8), fromBase64(s) (well-formed, padded input only) and
// bytesOf(v) (a Uint8Array view of an ArrayBuffer or typed array, else null).
inline constexpr const char* kJsBase64 = R"js(
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const D = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) D[A.charCodeAt(i)] = i;
  const toBase64 = (u8) => {
    const parts = [];
    let s = '';
    const n = u8.length, full = n - (n % 3);
    for (let i = 0; i < full; i += 3) {
      const v = (u8[i] << 16) | (u8[i + 1] << 8) | u8[i + 2];
      s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + A[v & 63];
      if (s.length >= 16384) { parts.push(s); s = ''; }
    }
    if (n - full === 1) { const v = u8[full] << 16; s += A[v >> 18] + A[(v >> 12) & 63] + '=='; }
    else if (n - full === 2) { const v = (u8[full] << 16) | (u8[full + 1] << 8); s += A[v >> 18] + A[(v >> 12) & 63] + A[(v >> 6) & 63] + '='; }
    parts.push(s);
    return parts.join('');
  };
  // The native side only ever hands out well-formed padded base64.
  const fromBase64 = (s) => {
    const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    const out = new Uint8Array((s.length / 4) * 3 - pad);
    let o = 0;
    for (let i = 0; i < s.length; i += 4) {
      const v = (D[s.charCodeAt(i)] << 18) | (D[s.charCodeAt(i + 1)] << 12) |
        ((D[s.charCodeAt(i + 2)] & 63) << 6) | (D[s.charCodeAt(i + 3)] & 63);
      out[o++] = v >> 16;
      if (o < out.length) out[o++] = (v >> 8) & 255;
      if (o < out.length) out[o++] = v & 255;
    }
    return out;
  };
  const bytesOf = (content) => {
    if (content instanceof ArrayBuffer) return new Uint8Array(content);
    if (ArrayBuffer.isView(content)) return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
    return null;
  };
)js";

}  // namespace m3m::runtime
