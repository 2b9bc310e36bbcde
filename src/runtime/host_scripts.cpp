#include "runtime/host_scripts.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "runtime/v8_values.hpp"

namespace m3m::runtime {

// The host's own scripts are the same in every isolate: the first isolate
// compiles them eagerly and keeps V8's code cache, later ones deserialize it
// instead of parsing and compiling again (a cold start pays this per
// project). Keyed by name; V8 rejects a cache that does not match the source
// and compiles normally then.
v8::MaybeLocal<v8::Script> compileHostScript(v8::Local<v8::Context> context, const std::string& name,
                                             const std::string& source) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<const std::vector<uint8_t>>> caches;
  auto* isolate = context->GetIsolate();
  v8::ScriptOrigin origin(isolate, toV8(isolate, name));
  std::shared_ptr<const std::vector<uint8_t>> cached;
  {
    std::lock_guard lock(mutex);
    if (auto it = caches.find(name); it != caches.end()) cached = it->second;
  }
  if (cached) {
    auto* data = new v8::ScriptCompiler::CachedData(cached->data(), static_cast<int>(cached->size()),
                                                    v8::ScriptCompiler::CachedData::BufferNotOwned);
    v8::ScriptCompiler::Source src(toV8(isolate, source), origin, data);  // owns `data`
    return v8::ScriptCompiler::Compile(context, &src, v8::ScriptCompiler::kConsumeCodeCache);
  }
  v8::ScriptCompiler::Source src(toV8(isolate, source), origin);
  v8::Local<v8::Script> script;
  if (!v8::ScriptCompiler::Compile(context, &src, v8::ScriptCompiler::kEagerCompile).ToLocal(&script)) return {};
  std::unique_ptr<v8::ScriptCompiler::CachedData> data(v8::ScriptCompiler::CreateCodeCache(script->GetUnboundScript()));
  if (data && data->length > 0) {
    auto bytes = std::make_shared<const std::vector<uint8_t>>(data->data, data->data + data->length);
    std::lock_guard lock(mutex);
    caches.emplace(name, std::move(bytes));
  }
  return script;
}

}  // namespace m3m::runtime
