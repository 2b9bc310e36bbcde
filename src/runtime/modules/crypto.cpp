// The `crypto` module: digests, HMAC, random values and password hashing,
// all from OpenSSL (EVP, HMAC, RAND_bytes, CRYPTO_memcmp) and, for passwords,
// the server's own Argon2id (a PasswordHasher from App: the runtime does
// not depend on the service layer). The JS wrapper checks the arguments
// (runtime/modules/wrapper_args.hpp) and adds the web-standard
// getRandomValues; bytes cross as themselves (Uint8Array ↔ binary Value).
#include <openssl/rand.h>

#include <string>
#include <vector>

#include "lib/base64.hpp"
#include "lib/digest.hpp"
#include "lib/hex.hpp"
#include "lib/random.hpp"
#include "runtime/modules/builtin_modules.hpp"
#include "runtime/modules/wrapper_args.hpp"
#include "runtime/typescript/printer.hpp"

namespace m3m::runtime {
namespace {

constexpr size_t kMaxRandomBytes = 1u << 20;
constexpr size_t kMaxPassword = 4096;     // bytes (UTF-8)
constexpr size_t kMaxPasswordHash = 1024;  // longer is no Argon2id string of ours: false

lib::DigestAlgorithm algorithmArg(const Args& a, size_t i) {
  auto alg = lib::digestAlgorithm(a.string(i));
  if (!alg) a.fail(i, "must be 'md5', 'sha1', 'sha256' or 'sha512'");
  return *alg;
}

// Raw bytes in the requested encoding ('bytes': a Uint8Array).
Value encoded(const std::string& raw, const Args& a, size_t i) {
  const auto enc = a.string(i);
  if (enc == "hex") return lib::hexEncode(raw);
  if (enc == "base64") return lib::base64Encode(raw);
  if (enc == "base64url") return lib::base64urlEncode(raw);
  if (enc == "bytes") return bytesValue(raw);
  a.fail(i, "must be 'hex', 'base64', 'base64url' or 'bytes'");
}

constexpr const char* kWrapperBody = R"js(
  const ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha512'];
  const encodingOf = (where, pos, e) => {
    if (e === undefined) return 'hex';
    if (e !== 'hex' && e !== 'base64' && e !== 'base64url' && e !== 'bytes')
      throw invalid(where, 'argument ' + pos + " (encoding) must be 'hex', 'base64', 'base64url' or 'bytes'");
    return e;
  };
  const digest = (alg) => ({ [alg](input, encoding) {
    const where = 'crypto.' + alg;
    const d = data(where, 1, 'data', input);
    return native.digest(alg, d, encodingOf(where, 2, encoding));
  } })[alg];
  function hmac(algorithm, key, input, encoding) {
    const where = 'crypto.hmac';
    if (!ALGORITHMS.includes(algorithm))
      throw invalid(where, "argument 1 (algorithm) must be 'md5', 'sha1', 'sha256' or 'sha512'");
    const k = data(where, 2, 'key', key);
    const d = data(where, 3, 'data', input);
    return native.hmac(algorithm, k, d, encodingOf(where, 4, encoding));
  }
  function randomBytes(n, encoding) {
    if (!Number.isInteger(n) || n < 0 || n > 1048576)
      throw invalid('crypto.randomBytes', 'argument 1 (n) must be an integer from 0 to 1048576');
    return native.randomBytes(n, encodingOf('crypto.randomBytes', 2, encoding));
  }
  const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    BigInt64Array, BigUint64Array];
  function getRandomValues(array) {
    if (!INTEGER_ARRAYS.some((C) => array instanceof C))
      throw invalid('crypto.getRandomValues', 'argument 1 (array) must be an integer typed array (Uint8Array, Int32Array…; not Float32Array, Float64Array or DataView)');
    if (array.byteLength > 65536)
      throw fail(RangeError, 'PAYLOAD_TOO_LARGE', "crypto.getRandomValues: the array's byte length (" + array.byteLength +
        ') exceeds the number of bytes of entropy available via this API (65536)', 'QuotaExceededError');
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(native.randomBytes(array.byteLength, 'bytes'));
    return array;
  }
  function timingSafeEqual(a, b) {
    return native.timingSafeEqual(data('crypto.timingSafeEqual', 1, 'a', a), data('crypto.timingSafeEqual', 2, 'b', b));
  }
  function hashPassword(password) {
    return native.hashPassword(text('crypto.hashPassword', 1, 'password', password));
  }
  function verifyPassword(password, hash) {
    return native.verifyPassword(text('crypto.verifyPassword', 1, 'password', password),
      text('crypto.verifyPassword', 2, 'hash', hash));
  }
  return Object.freeze({
    md5: digest('md5'), sha1: digest('sha1'), sha256: digest('sha256'), sha512: digest('sha512'),
    hmac, randomBytes, randomUUID: () => native.randomUUID(), getRandomValues, timingSafeEqual,
    hashPassword, verifyPassword,
  });
})js";

const Type kData = t::oneOf({t::string(), t::bytes()});
const Type kTextEncoding = t::enumOf({"hex", "base64", "base64url"});
const Type kEncoding = t::named("M3MCryptoEncoding", t::enumOf({"hex", "base64", "base64url", "bytes"}),
                                "How digests, MACs and random bytes come out: lower-case hex (the default), base64 "
                                "(padded), base64url (no padding), or the bytes as a Uint8Array.");
const Type kAlgorithm = t::named("M3MDigestAlgorithm", t::enumOf({"md5", "sha1", "sha256", "sha512"}));

// f(…, encoding?: 'hex' | 'base64' | 'base64url'): string, then 'bytes' →
// Uint8Array, then any encoding: the overloads printed from typed signatures.
std::string encodingOverloads(const std::string& name, const std::vector<Param>& lead) {
  auto signature = [&](Param encoding, Type returns) {
    auto f = FunctionSpec::declared(name, lead, std::move(returns), "");
    f.params.push_back(std::move(encoding));
    return printSignature(f);
  };
  return signature(param("encoding", t::optional(kTextEncoding)), t::string()) + "\n" +
         signature(param("encoding", t::literal("bytes")), t::bytes()) + "\n" +
         signature(param("encoding", kEncoding), t::oneOf({t::string(), t::bytes()}));
}

}  // namespace

ModuleSchema cryptoModule(std::shared_ptr<PasswordHasher> passwords) {
  const Type out = t::oneOf({t::string(), t::bytes()});
  ModuleBuilder b("crypto",
                  "Hashes, HMAC, secure random values, constant-time comparison and Argon2id password hashing (OpenSSL).\n"
                  "`data` and `key` are a string (hashed as its UTF-8 bytes) or bytes: a Uint8Array, an ArrayBuffer or\n"
                  "another view (its raw bytes); at most 64 MiB. Wrong types throw a TypeError with code 'INVALID_ARGUMENT'.");
  // What projects call: the wrapper's functions (they check their arguments
  // in JS and call the natives below).
  const char* examples[][2] = {
      {"md5", "@example crypto.md5('abc') // '900150983cd24fb0d6963f7d28e17f72'"},
      {"sha1", "@example crypto.sha1('abc') // 'a9993e364706816aba3e25717850c26c9cd0d89d'"},
      {"sha256", "@example crypto.sha256('abc', 'base64url') // 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0'"},
      {"sha512", "@example crypto.sha512(new Uint8Array([1, 2, 3]), 'bytes').length // 64"},
  };
  for (const auto& [name, example] : examples)
    b.scriptFunction(name, {param("data", kData), param("encoding", t::optional(kEncoding))}, out, example)
        .typescript(encodingOverloads(name, {param("data", kData)}));
  b.scriptFunction("hmac",
                   {param("algorithm", kAlgorithm), param("key", kData), param("data", kData),
                    param("encoding", t::optional(kEncoding))},
                   out, "HMAC (RFC 2104) with a key of any length. @example crypto.hmac('sha256', env.get('SECRET') as string, body)")
      .typescript(encodingOverloads("hmac", {param("algorithm", kAlgorithm), param("key", kData), param("data", kData)}));
  b.scriptFunction("randomBytes", {param("n", t::integer()), param("encoding", t::optional(kEncoding))}, out,
                   "`n` (0 to 1048576) secure random bytes (RAND_bytes), hex by default. @example const token = crypto.randomBytes(32, 'base64url')")
      .typescript(encodingOverloads("randomBytes", {param("n", t::number())}));
  b.scriptFunction("randomUUID", {}, t::string(),
                   "A random (version 4) UUID, lower case. @example crypto.randomUUID() // '3f0c9a7e-5b1d-4c2e-9f3a-0d6b8e2a4c71'");
  b.scriptFunction("getRandomValues", {param("array", t::ts("T"))}, t::ts("T"),
                   "Web Crypto: fills `array` with secure random values in place and returns it; at most 65536 bytes (else a QuotaExceededError). @example crypto.getRandomValues(new Uint32Array(4))")
      .typescript("getRandomValues<T extends M3MIntegerArray>(array: T): T;");
  b.scriptFunction("timingSafeEqual", {param("a", kData), param("b", kData)}, t::boolean(),
                   "Whether a and b hold the same bytes, compared in constant time (CRYPTO_memcmp); false when their lengths differ. @example crypto.timingSafeEqual(crypto.hmac('sha256', key, body), signature)");
  b.scriptFunction("hashPassword", {param("password", t::string())}, t::string(),
                   "An Argon2id hash (PHC string, salted; as the server's own accounts: m=19 MiB, t=2, p=1). A waiting call. @example const hash = crypto.hashPassword(password) // '$argon2id$v=19$m=19456,t=2,p=1$…'");
  b.scriptFunction("verifyPassword", {param("password", t::string()), param("hash", t::string())}, t::boolean(),
                   "Whether `password` matches an Argon2id `hash` from hashPassword; false for a wrong password or a hash that does not parse. A waiting call. @example if (!crypto.verifyPassword(password, user.hash)) return router.response(401, { error: 'wrong password' })");
  b.types({kEncoding, t::named("M3MIntegerArray",
                               t::ts("Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array"),
                               "Integer typed arrays, as Web Crypto's getRandomValues takes (BigInt64Array and BigUint64Array work too).")});
  // The natives under the wrapper.
  return b
      .function("digest", {param("algorithm", t::string()), param("data", kData), param("encoding", t::string())}, out, "",
                [](CallContext&, const Args& a) -> Value {
                  const auto alg = algorithmArg(a, 0);
                  return encoded(lib::digest(alg, bytesArg(a, 1, "crypto." + a.string(0))), a, 2);
                })
      .internal()
      .function("hmac",
                {param("algorithm", t::string()), param("key", kData), param("data", kData), param("encoding", t::string())},
                out, "",
                [](CallContext&, const Args& a) -> Value {
                  const auto alg = algorithmArg(a, 0);
                  return encoded(lib::hmac(alg, bytesArg(a, 1, "crypto.hmac"), bytesArg(a, 2, "crypto.hmac")), a, 3);
                })
      .internal()
      .function("randomBytes", {param("n", t::number()), param("encoding", t::string())}, out, "",
                [](CallContext&, const Args& a) -> Value {
                  const double n = a.number(0);
                  if (!(n >= 0 && n <= static_cast<double>(kMaxRandomBytes)) || n != static_cast<double>(static_cast<size_t>(n)))
                    a.fail(0, "must be an integer from 0 to " + std::to_string(kMaxRandomBytes));
                  std::string raw(static_cast<size_t>(n), '\0');
                  if (!raw.empty() && RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1)
                    throw Error(ErrorCode::INTERNAL, "crypto.randomBytes: the random generator failed");
                  return encoded(raw, a, 1);
                })
      .internal()
      .function("randomUUID", {}, t::string(), "", [](CallContext&, const Args&) -> Value { return lib::uuid4(); })
      .internal()
      .function("timingSafeEqual", {param("a", kData), param("b", kData)}, t::boolean(), "",
                [](CallContext&, const Args& a) -> Value {
                  return lib::timingSafeEqual(bytesArg(a, 0, "crypto.timingSafeEqual"),
                                              bytesArg(a, 1, "crypto.timingSafeEqual"));
                })
      // Argon2id takes tens of milliseconds and 19 MiB: a waiting call, so
      // other tasks of the project run meanwhile (it ends by itself; the stop
      // token has nothing to cut short).
      .internal()
      .function("hashPassword", {param("password", t::string())}, t::string(), "",
                [passwords](CallContext& ctx, const Args& a) -> Value {
                  std::string password = a.string(0);
                  if (password.size() > kMaxPassword)
                    a.fail(0, "must be at most " + std::to_string(kMaxPassword) + " bytes");
                  if (!passwords) throw Error(ErrorCode::UNAVAILABLE, "crypto.hashPassword: not available in this runtime");
                  std::string hash;
                  ctx.blocking([&](std::stop_token) { hash = passwords->hash(password); });
                  return hash;
                })
      .internal()
      .function("verifyPassword", {param("password", t::string()), param("hash", t::string())}, t::boolean(), "",
                [passwords](CallContext& ctx, const Args& a) -> Value {
                  std::string password = a.string(0);
                  std::string hash = a.string(1);
                  if (password.size() > kMaxPassword)
                    a.fail(0, "must be at most " + std::to_string(kMaxPassword) + " bytes");
                  if (!passwords)
                    throw Error(ErrorCode::UNAVAILABLE, "crypto.verifyPassword: not available in this runtime");
                  if (hash.size() > kMaxPasswordHash || hash.rfind("$argon2id$", 0) != 0) return false;
                  bool ok = false;
                  ctx.blocking([&](std::stop_token) { ok = passwords->verify(password, hash); });
                  return ok;
                })
      .internal()
      .wrapper(std::string("(native) => {\n  'use strict';") + kWrapperArgsJs + kWrapperBody)
      .build();
}

}  // namespace m3m::runtime
