// Bytes across the JSON-valued module boundary, for `crypto` and `encoding`.
// The wrappers hand bytes to the host as a "binary string" (one character
// U+0000–U+00FF per byte, as atob/btoa use) with a flag saying so, and take
// bytes back the same way: no base64 step in JS, and the native side's
// Latin-1 ↔ UTF-8 step is a plain loop. A string argument without the flag
// is text: its UTF-8 bytes.
#pragma once

#include <m3m/module.hpp>
#include <string>

#include "lib/text.hpp"

namespace m3m::runtime {

// Inputs and decoded outputs are capped (docs/runtime.md): a request for more
// throws PAYLOAD_TOO_LARGE rather than growing the isolate's heap without bound.
inline constexpr size_t kMaxBinaryInput = 64u << 20;

// Argument `i` as bytes: text as UTF-8, or a binary string when argument `flag` is true.
inline std::string bytesArg(const Args& a, size_t i, size_t flag, const std::string& publicName) {
  std::string s = a.string(i);
  if (a.boolean(flag)) {
    auto bytes = lib::utf8ToLatin1(s);
    if (!bytes) a.fail(i, "must be a binary string (one character U+0000-U+00FF per byte)");
    s = std::move(*bytes);
  }
  if (s.size() > kMaxBinaryInput)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, publicName + ": the input (" + std::to_string(s.size()) +
                                                  " bytes) is larger than 64 MiB");
  return s;
}

// The JS helpers shared by the two wrappers (pasted into each wrapper's body).
inline constexpr const char* kBinaryJs = R"js(
  // Errors as the host throws them: a class, .code and .fields.
  const fail = (Cls, code, message, name) => {
    const e = new Cls(message);
    if (name) Object.defineProperty(e, 'name', { value: name, writable: true, configurable: true });
    e.code = code;
    e.fields = {};
    return e;
  };
  const invalid = (where, message) => fail(TypeError, 'INVALID_ARGUMENT', where + ': ' + message);
  const MAX = 64 * 1024 * 1024;
  const tooLarge = (where, what) => fail(RangeError, 'PAYLOAD_TOO_LARGE', where + ': ' + what + ' is larger than 64 MiB');
  const viewOf = (x) => (x instanceof ArrayBuffer ? new Uint8Array(x)
    : ArrayBuffer.isView(x) ? new Uint8Array(x.buffer, x.byteOffset, x.byteLength) : null);
  const toBinary = (u8) => {
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
    return s;
  };
  const fromBinary = (s) => {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  };
  // A data argument → [string, isBinary].
  const data = (where, pos, name, x) => {
    if (typeof x === 'string') {
      if (x.length > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
      return [x, false];
    }
    const v = viewOf(x);
    if (!v) throw invalid(where, 'argument ' + pos + ' (' + name + ') must be a string, Uint8Array, ArrayBuffer or ArrayBufferView');
    if (v.length > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
    return [toBinary(v), true];
  };
  const text = (where, pos, name, x) => {
    if (typeof x !== 'string') throw invalid(where, 'argument ' + pos + ' (' + name + ') must be a string');
    if (x.length > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
    return x;
  };
)js";

}  // namespace m3m::runtime
