// The `encoding` module and the web's atob/btoa globals: base64 and base64url
// (RFC 4648 §4, §5), hex (§8), JSON and URL percent-encoding. Base64 and hex
// run natively (lib/base64, lib/hex); JSON and URL encoding are V8's own
// JSON and encodeURIComponent/decodeURIComponent, wrapped so that errors
// carry .code like every module's. Bytes cross as themselves (Uint8Array ↔
// binary Value); the wrapper checks arguments (runtime/modules/wrapper_args.hpp).
#include <string>
#include <vector>

#include "lib/base64.hpp"
#include "lib/hex.hpp"
#include "lib/text.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/modules/wrapper_args.hpp"
#include "runtime/typescript/printer.hpp"

namespace m3m::runtime {
namespace {

struct Kind {
  const char* name;      // base64, base64url, hex
  const char* decoder;   // the public decoding function
  const char* expected;  // what the text must be
};

const Kind& kindArg(const Args& a, size_t i) {
  static const Kind kinds[] = {
      {"base64", "encoding.base64Decode", "base64 (A-Z a-z 0-9 + /, padding optional)"},
      {"base64url", "encoding.base64urlDecode", "base64url (A-Z a-z 0-9 - _, padding optional)"},
      {"hex", "encoding.hexDecode", "hex (an even number of 0-9 a-f A-F)"},
  };
  const auto name = a.string(i);
  for (const auto& k : kinds)
    if (name == k.name) return k;
  a.fail(i, "must be 'base64', 'base64url' or 'hex'");
}

constexpr const char* kWrapperBody = R"js(
  const outputOf = (where, o) => {
    if (o === undefined) return 'utf8';
    if (o !== 'utf8' && o !== 'bytes') throw invalid(where, "argument 2 (output) must be 'utf8' or 'bytes'");
    return o;
  };
  const encoder = (fn, kind) => ({ [fn](input) {
    return native.encode(kind, data('encoding.' + fn, 1, 'data', input));
  } })[fn];
  const decoder = (fn, kind) => ({ [fn](input, output) {
    const where = 'encoding.' + fn;
    const t = text(where, 1, 'text', input);
    const o = outputOf(where, output);
    return native.decode(kind, t, o);
  } })[fn];
  function jsonParse(input) {
    const t = text('encoding.jsonParse', 1, 'text', input);
    try {
      return JSON.parse(t);
    } catch (e) {
      throw fail(SyntaxError, 'INVALID_ARGUMENT', 'encoding.jsonParse: ' + e.message);
    }
  }
  function jsonStringify(value, indent) {
    const where = 'encoding.jsonStringify';
    if (indent !== undefined && typeof indent !== 'number' && typeof indent !== 'string')
      throw invalid(where, 'argument 2 (indent) must be a number or a string');
    let s;
    try {
      s = JSON.stringify(value, null, indent);
    } catch (e) {
      throw invalid(where, 'argument 1 (value) ' + e.message);
    }
    if (s === undefined) throw invalid(where, 'argument 1 (value) has no JSON form (undefined, a function or a symbol)');
    return s;
  }
  function urlEncode(input) {
    const t = text('encoding.urlEncode', 1, 'text', input);
    try {
      return encodeURIComponent(t).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    } catch (e) {
      throw invalid('encoding.urlEncode', 'argument 1 (text) holds a lone surrogate (not Unicode text)');
    }
  }
  function urlDecode(input) {
    const t = text('encoding.urlDecode', 1, 'text', input);
    try {
      return decodeURIComponent(t);
    } catch (e) {
      throw invalid('encoding.urlDecode', 'argument 1 (text) has a malformed %-escape or escapes bytes that are not UTF-8');
    }
  }
  // The web's atob/btoa (HTML, "Base64 utility methods"): "binary strings", one character per byte.
  const invalidCharacter = (message) => fail(Error, 'INVALID_ARGUMENT', message, 'InvalidCharacterError');
  function atob(input) {
    if (arguments.length === 0) throw invalid('atob', "1 argument required, but only 0 present");
    const s = String(input);
    if (s.length > MAX) throw tooLarge('atob', 'argument 1 (data)');
    const r = native.atob(s);
    if (r === null) throw invalidCharacter('atob: the string to be decoded is not correctly encoded');
    return r;
  }
  function btoa(input) {
    if (arguments.length === 0) throw invalid('btoa', "1 argument required, but only 0 present");
    const s = String(input);
    if (s.length > MAX) throw tooLarge('btoa', 'argument 1 (data)');
    const r = native.btoa(s);
    if (r === null) throw invalidCharacter('btoa: the string to be encoded contains characters outside of the Latin1 range');
    return r;
  }
  Object.defineProperties(globalThis, {
    atob: { value: atob, writable: true, configurable: true },
    btoa: { value: btoa, writable: true, configurable: true },
  });
  return Object.freeze({
    base64Encode: encoder('base64Encode', 'base64'), base64Decode: decoder('base64Decode', 'base64'),
    base64urlEncode: encoder('base64urlEncode', 'base64url'), base64urlDecode: decoder('base64urlDecode', 'base64url'),
    hexEncode: encoder('hexEncode', 'hex'), hexDecode: decoder('hexDecode', 'hex'),
    jsonParse, jsonStringify, urlEncode, urlDecode,
  });
})js";

// atob and btoa are globals (the web's), not members of the module: declared here by hand.
constexpr const char* kGlobalDeclarations = R"ts(/** Base64 of a "binary string" (characters U+0000–U+00FF); others throw an InvalidCharacterError. @example btoa('hello') // 'aGVsbG8=' */
declare function btoa(data: string): string;
/** Decodes base64 (whitespace skipped, padding optional) to a "binary string", one character per byte; bad input throws an InvalidCharacterError. @example atob('aGVsbG8=') // 'hello' */
declare function atob(data: string): string;
)ts";

}  // namespace

ModuleSchema encodingModule() {
  const Type data = t::oneOf({t::string(), t::bytes()});
  ModuleBuilder b("encoding",
                  "Base64, base64url, hex, JSON and URL encoding. Encoders take a string (encoded as its UTF-8 bytes) or\n"
                  "bytes (a Uint8Array, an ArrayBuffer or another view); decoders return UTF-8 text by default (and throw\n"
                  "when the bytes are not UTF-8) or, with 'bytes', a Uint8Array. At most 64 MiB in.\n"
                  "Errors: a TypeError with code 'INVALID_ARGUMENT' (jsonParse: a SyntaxError with that code).");
  // What projects call: the wrapper's functions (they check their arguments in JS).
  auto decoder = [&](const char* name, const char* doc) {
    const std::vector<Param> text = {param("text", t::string())};
    auto signature = [&](Param output, Type returns) {
      auto f = FunctionSpec::declared(name, text, std::move(returns), "");
      f.params.push_back(std::move(output));
      return printSignature(f);
    };
    b.scriptFunction(name, {param("text", t::string()), param("output", t::optional(t::enumOf({"utf8", "bytes"})))},
                     t::oneOf({t::string(), t::bytes()}), doc)
        .typescript(signature(param("output", t::optional(t::literal("utf8"))), t::string()) + "\n" +
                    signature(param("output", t::literal("bytes")), t::bytes()) + "\n" +
                    signature(param("output", t::enumOf({"utf8", "bytes"})), t::oneOf({t::string(), t::bytes()})));
  };
  b.scriptFunction("base64Encode", {param("data", data)}, t::string(),
                   "RFC 4648 base64, padded. @example encoding.base64Encode('héllo') // 'aMOpbGxv'");
  decoder("base64Decode", "Padding optional; no whitespace. @example encoding.base64Decode('aMOpbGxv') // 'héllo'");
  b.scriptFunction("base64urlEncode", {param("data", data)}, t::string(),
                   "RFC 4648 §5 (- and _ instead of + and /), without padding, as in JWTs. @example encoding.base64urlEncode(new Uint8Array([251, 255])) // '-_8'");
  decoder("base64urlDecode", "Padding optional. @example encoding.base64urlDecode('-_8', 'bytes') // Uint8Array [251, 255]");
  b.scriptFunction("hexEncode", {param("data", data)}, t::string(), "Lower case. @example encoding.hexEncode('hi') // '6869'");
  decoder("hexDecode", "Either case. @example encoding.hexDecode('DEADbeef', 'bytes') // Uint8Array [222, 173, 190, 239]");
  b.scriptFunction("jsonParse", {param("text", t::string())}, t::any(),
                   "JSON.parse; invalid JSON throws a SyntaxError with code 'INVALID_ARGUMENT'. @example encoding.jsonParse('{\"a\":1}').a // 1");
  b.scriptFunction("jsonStringify", {param("value", t::unknown()), param("indent", t::optional(t::oneOf({t::number(), t::string()})))},
                   t::string(),
                   "JSON.stringify; a value with no JSON form (undefined, a function) or a cycle throws. @example encoding.jsonStringify({ a: 1 }, 2)");
  b.scriptFunction("urlEncode", {param("text", t::string())}, t::string(),
                   "Percent-encodes UTF-8, keeping only A-Z a-z 0-9 - _ . ~ (RFC 3986 unreserved; stricter than encodeURIComponent). @example encoding.urlEncode('a b&c') // 'a%20b%26c'");
  b.scriptFunction("urlDecode", {param("text", t::string())}, t::string(),
                   "Decodes %XX escapes (UTF-8); '+' stays '+'. @example encoding.urlDecode('a%20b%26c') // 'a b&c'");
  // The natives under the wrapper.
  return b
      .function("encode", {param("kind", t::string()), param("data", data)}, t::string(), "",
                [](CallContext&, const Args& a) -> Value {
                  const auto& kind = kindArg(a, 0);
                  const auto bytes = bytesArg(a, 1, std::string("encoding.") + kind.name + "Encode");
                  if (kind.name == std::string_view("base64")) return lib::base64Encode(bytes);
                  if (kind.name == std::string_view("base64url")) return lib::base64urlEncode(bytes);
                  return lib::hexEncode(bytes);
                })
      .internal()
      .function("decode", {param("kind", t::string()), param("text", t::string()), param("output", t::string())},
                t::oneOf({t::string(), t::bytes()}), "",
                [](CallContext&, const Args& a) -> Value {
                  const auto& kind = kindArg(a, 0);
                  const auto text = a.string(1);
                  const auto output = a.string(2);
                  if (output != "utf8" && output != "bytes") a.fail(2, "must be 'utf8' or 'bytes'");
                  if (text.size() > kMaxBinaryInput)
                    throw Error(ErrorCode::PAYLOAD_TOO_LARGE, std::string(kind.decoder) + ": the input is larger than 64 MiB");
                  std::optional<std::string> bytes;
                  if (kind.name == std::string_view("hex")) bytes = lib::hexDecode(text);
                  else bytes = lib::base64DecodeLenient(text, kind.name == std::string_view("base64url")
                                                                  ? lib::Base64Alphabet::Url
                                                                  : lib::Base64Alphabet::Standard);
                  if (!bytes)
                    throw Error(ErrorCode::INVALID_ARGUMENT,
                                std::string(kind.decoder) + ": argument 1 (text) is not " + kind.expected);
                  if (output == "bytes") return bytesValue(*bytes);
                  if (!lib::isUtf8(*bytes))
                    throw Error(ErrorCode::INVALID_ARGUMENT,
                                std::string(kind.decoder) +
                                    ": the decoded bytes are not UTF-8 text (pass 'bytes' as argument 2 for a Uint8Array)");
                  return std::move(*bytes);
                })
      .internal()
      .function("atob", {param("data", t::string())}, t::nullable(t::string()), "",
                [](CallContext&, const Args& a) -> Value {
                  auto bytes = lib::base64DecodeForgiving(a.string(0));
                  if (!bytes) return nullptr;
                  return lib::latin1ToUtf8(*bytes);
                })
      .internal()
      .function("btoa", {param("data", t::string())}, t::nullable(t::string()), "",
                [](CallContext&, const Args& a) -> Value {
                  auto bytes = lib::utf8ToLatin1(a.string(0));
                  if (!bytes) return nullptr;
                  return lib::base64Encode(*bytes);
                })
      .internal()
      .declarations(kGlobalDeclarations)
      .wrapper(std::string("(native) => {\n  'use strict';") + kWrapperArgsJs + kWrapperBody)
      .build();
}

}  // namespace m3m::runtime
