// Argument checks shared by the `crypto` and `encoding` wrappers. Bytes cross
// the module boundary as themselves (m3m::Value's binary, a Uint8Array in JS:
// include/m3m/module.hpp): the wrappers only check types and sizes, so that
// errors name the public function, and hand strings and views to the host
// unchanged.
#pragma once

#include <m3m/module.hpp>
#include <string>
#include <string_view>

namespace m3m::runtime {

// Inputs and decoded outputs are capped (docs/runtime.md): a request for more
// throws PAYLOAD_TOO_LARGE rather than growing the isolate's heap without bound.
inline constexpr size_t kMaxBinaryInput = 64u << 20;

// Argument `i` as bytes (Args::bytes: binary as is, text as UTF-8), capped.
inline std::string_view bytesArg(const Args& a, size_t i, const std::string& publicName) {
  const auto bytes = a.bytes(i);
  if (bytes.size() > kMaxBinaryInput)
    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, publicName + ": the input (" + std::to_string(bytes.size()) +
                                                  " bytes) is larger than 64 MiB");
  return bytes;
}

// The JS helpers shared by the two wrappers (pasted into each wrapper's body).
inline constexpr const char* kWrapperArgsJs = R"js(
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
  // A data argument: a string (its UTF-8 bytes) or bytes, passed on as they are.
  const data = (where, pos, name, x) => {
    if (typeof x === 'string') {
      if (x.length > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
      return x;
    }
    if (!(x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer)))
      throw invalid(where, 'argument ' + pos + ' (' + name + ') must be a string, Uint8Array, ArrayBuffer or ArrayBufferView');
    if (x.byteLength > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
    return x;
  };
  const text = (where, pos, name, x) => {
    if (typeof x !== 'string') throw invalid(where, 'argument ' + pos + ' (' + name + ') must be a string');
    if (x.length > MAX) throw tooLarge(where, 'argument ' + pos + ' (' + name + ')');
    return x;
  };
)js";

}  // namespace m3m::runtime
