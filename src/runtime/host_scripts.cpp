#include "runtime/host_scripts.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <tuple>
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

namespace {

// The getter of a lazy global: the script's value is kept per context under
// a private key, so the globals of one script share one evaluation.
void lazyGlobal(v8::Local<v8::Name> property, const v8::PropertyCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  auto context = isolate->GetCurrentContext();
  const auto* script = static_cast<const LazyScript*>(info.Data().As<v8::External>()->Value());
  auto key = v8::Private::ForApi(isolate, toV8(isolate, script->name));
  auto global = context->Global();
  v8::Local<v8::Value> exports;
  if (!global->GetPrivate(context, key).ToLocal(&exports)) return;
  if (!exports->IsObject()) {
    v8::Local<v8::Script> compiled;
    if (!compileHostScript(context, script->name, *script->source).ToLocal(&compiled) ||
        !compiled->Run(context).ToLocal(&exports))
      return;  // the exception (or termination) propagates to the reader
    if (!exports->IsObject()) {
      isolate->ThrowException(v8::Exception::Error(toV8(isolate, "internal: " + script->name + " has no exports")));
      return;
    }
    std::ignore = global->SetPrivate(context, key, exports);
  }
  v8::Local<v8::Value> value;
  if (exports.As<v8::Object>()->Get(context, property).ToLocal(&value)) info.GetReturnValue().Set(value);
}

}  // namespace

void defineLazyGlobals(v8::Local<v8::Context> context, const LazyScript& script) {
  auto* isolate = context->GetIsolate();
  auto data = v8::External::New(isolate, const_cast<LazyScript*>(&script));
  for (const auto& name : script.globals)
    std::ignore = context->Global()->SetLazyDataProperty(context, toV8(isolate, name).As<v8::Name>(), &lazyGlobal,
                                                         data, v8::DontEnum);
}

}  // namespace m3m::runtime
