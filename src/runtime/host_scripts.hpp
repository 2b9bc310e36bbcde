// Compiling the host's own scripts (the prelude, SDK module wrappers) with a
// code cache shared by every isolate of the process.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include <v8.h>

namespace m3m::runtime {

v8::MaybeLocal<v8::Script> compileHostScript(v8::Local<v8::Context> context, const std::string& name,
                                             const std::string& source);

// A host script evaluated on first use: its value is an object whose
// properties `globals` name (e.g. the URL bundle → {URL, URLSearchParams}).
// Must outlive every isolate (a static).
struct LazyScript {
  std::string name;  // "m3m:url", for the code cache and stack traces
  const char* const* source;
  std::vector<std::string> globals;
};

// Defines each of `script.globals` on the context's global object as a lazy
// data property (writable, configurable, not enumerable, as web globals):
// the first read of any of them runs the script once in this context, and
// each property then holds its value. A context that never reads them pays
// nothing for the script.
void defineLazyGlobals(v8::Local<v8::Context> context, const LazyScript& script);

}  // namespace m3m::runtime
