// UTF-8 for the web's TextEncoder/TextDecoder (prelude.js), done by V8's own
// conversions: a lone surrogate encodes as U+FFFD, an invalid byte sequence
// decodes as U+FFFD per maximal subpart (the Encoding Standard's decoder);
// `fatal` is checked with ICU's strict UTF-8 conversion.
#pragma once

#include <v8.h>

namespace m3m::runtime {

// host.utf8Encode(string) → Uint8Array; host.utf8Decode(view, fatal) → string
// (throws a TypeError when fatal and the bytes are not UTF-8).
void addTextCodec(v8::Local<v8::Context> context, v8::Local<v8::Object> host);

}  // namespace m3m::runtime
