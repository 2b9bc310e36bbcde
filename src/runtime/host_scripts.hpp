// Compiling the host's own scripts (the prelude, SDK module wrappers) with a
// code cache shared by every isolate of the process.
#pragma once

#include <string>

#include <v8.h>

namespace m3m::runtime {

v8::MaybeLocal<v8::Script> compileHostScript(v8::Local<v8::Context> context, const std::string& name,
                                             const std::string& source);

}  // namespace m3m::runtime
