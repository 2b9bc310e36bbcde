#include "runtime/engine.hpp"

#include <libplatform/libplatform.h>
#include <v8.h>

#include <stdexcept>

namespace m3m::runtime {

Engine::Engine() {
  // NewDefaultPlatform, not node's MultiIsolatePlatform (that one makes a
  // plain Isolate::New abort: DESIGN pitfall).
  platform_ = v8::platform::NewDefaultPlatform();
  v8::V8::InitializePlatform(platform_.get());
  if (!v8::V8::Initialize()) throw std::runtime_error("V8 failed to initialize");
}

Engine::~Engine() {
  v8::V8::Dispose();
  v8::V8::DisposePlatform();
}

}  // namespace m3m::runtime
