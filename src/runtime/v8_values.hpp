// Conversions at the one JS ↔ C++ boundary of the runtime, and the error
// mapping (m3m::Error → a JS error with .code, as node's ERR_* errors).
#pragma once

#include <m3m/error.hpp>
#include <m3m/module.hpp>
#include <optional>
#include <string>
#include <string_view>

#include <v8.h>

#include "runtime/project_runtime.hpp"

namespace m3m::runtime {

v8::Local<v8::String> toV8(v8::Isolate* isolate, std::string_view s);

// Thrown by toValue when V8 itself threw while reading the value (a cycle, a
// getter that throws): the JS exception is pending; the host call must unwind
// without acting on the value and let it propagate.
struct JsExceptionPending {};

// A data value (functions and undefined become null, as in JSON). Bytes — an
// ArrayBuffer, a SharedArrayBuffer or any ArrayBufferView (typed arrays,
// DataView) — become binary Values at any depth (nested ones once the context
// has installBytesToJson; the nested bytes of one value are capped by the
// isolate's heap limit: past it a RangeError PAYLOAD_TOO_LARGE is pending). Objects nested deeper than lib::JSON_MAX_DEPTH throw m3m::Error
// INVALID_ARGUMENT. fromValue turns binary Values back into Uint8Arrays.
Value toValue(v8::Isolate* isolate, v8::Local<v8::Value> v);
v8::Local<v8::Value> fromValue(v8::Isolate* isolate, const Value& v);
// Once per context, before the project's code: the toJSON on the prototypes of
// typed arrays, DataView and (Shared)ArrayBuffer through which toValue finds
// bytes nested in objects (it returns the object itself anywhere else, so
// JSON.stringify in the project's code is unchanged).
void installBytesToJson(v8::Local<v8::Context> context);

// "TypeError: boom\n    at service.js:3:9" (withStack = false: the message only).
std::string describeException(v8::Isolate* isolate, v8::Local<v8::Value> exception, bool withStack = true);
// "at line 3:9" of the message in a TryCatch, or "" when unknown.
std::string describeLocation(v8::Isolate* isolate, const v8::TryCatch& tc);

void throwTypeError(v8::Isolate* isolate, const std::string& message);
void throwError(v8::Isolate* isolate, const Error& e);
// The JS error throwError throws (with .code and .fields), to reject a promise with.
v8::Local<v8::Value> makeError(v8::Isolate* isolate, const Error& e);

// The prelude's normalized answer [status, text, k, v, …] → HttpReply; or
// nullopt and `problem` saying why it cannot go out as valid HTTP: a status
// outside 200–599, a header name that is not an RFC 7230 token, a header value
// with a control character (NUL, CR, LF…), a body over `maxBody` bytes.
std::optional<HttpReply> toReply(v8::Isolate* isolate, v8::Local<v8::Value> v, size_t maxBody, std::string& problem);
// The same answer as a native call's arguments (status, text, name, value, …):
// no array to read element by element through the API.
std::optional<HttpReply> toReply(const v8::FunctionCallbackInfo<v8::Value>& args, size_t maxBody, std::string& problem);
HttpReply errorReply(int status, const std::string& message);

}  // namespace m3m::runtime
