// Loading a run into its fresh context: the prelude (router, service,
// console… and the hooks the host calls), the host's globals, then the
// service's code. Runs as the first task of the loop.
#include <string>
#include <tuple>

#include "runtime/text_codec.hpp"
#include "runtime/detail/project_impl.hpp"
#include "runtime/host_scripts.hpp"
#include "runtime/v8_values.hpp"

extern const char* const M3M_PRELUDE_JS;    // generated from runtime/prelude.js
extern const char* const M3M_URL_JS;        // runtime/js: WHATWG URL (npm whatwg-url, bundled by esbuild)
extern const char* const M3M_FORM_DATA_JS;  // generated from runtime/form_data.js

namespace m3m::runtime {

namespace {

// Web globals evaluated on first use (docs/runtime.md): a project that never
// reads them pays nothing for them.
const LazyScript kUrlScript{"m3m:url", &M3M_URL_JS, {"URL", "URLSearchParams"}};
const LazyScript kFormDataScript{"m3m:form-data", &M3M_FORM_DATA_JS, {"Blob", "File", "FormData"}};

}  // namespace

Outcome ProjectRuntime::Impl::load() {
  v8::TryCatch tc(isolate);
  auto context = ctx();
  auto fail = [](std::string what) { return Outcome{false, std::move(what)}; };
  const ProjectInfo& info = self.info_;
  // 0. Bytes nested in values passed to modules (v8_values.hpp).
  installBytesToJson(context);
  // 1. The prelude: router, service, console… and the hooks.
  v8::Local<v8::Script> prelude;
  v8::Local<v8::Value> preludeFn;
  if (!compileHostScript(context, "m3m:prelude", M3M_PRELUDE_JS).ToLocal(&prelude) ||
      !prelude->Run(context).ToLocal(&preludeFn) || !preludeFn->IsFunction())
    return fail("internal: the runtime prelude failed: " + describeException(isolate, tc.Exception()));
  auto host = v8::Object::New(isolate);
  auto project = v8::Object::New(isolate);
  std::ignore = project->Set(context, toV8(isolate, "id"), toV8(isolate, info.id));
  std::ignore = project->Set(context, toV8(isolate, "slug"), toV8(isolate, info.slug));
  std::ignore = project->Set(context, toV8(isolate, "url"), toV8(isolate, info.url));
  std::ignore = host->Set(context, toV8(isolate, "project"), project);
  std::ignore = host->Set(context, toV8(isolate, "log"), v8::Function::New(context, &Impl::hostLog).ToLocalChecked());
  std::ignore = host->Set(context, toV8(isolate, "reply"), v8::Function::New(context, &Impl::hostReply).ToLocalChecked());
  addTextCodec(context, host);
  v8::Local<v8::Value> argv[] = {context->Global(), host};
  v8::Local<v8::Value> hooks;
  if (!preludeFn.As<v8::Function>()->Call(context, v8::Undefined(isolate), 2, argv).ToLocal(&hooks) ||
      !hooks->IsObject())
    return fail("internal: the runtime prelude failed: " + describeException(isolate, tc.Exception()));
  auto hooksObj = hooks.As<v8::Object>();
  runPhase.Reset(isolate, hooksObj->Get(context, toV8(isolate, "runPhase")).ToLocalChecked().As<v8::Function>());
  dispatch.Reset(isolate, hooksObj->Get(context, toV8(isolate, "dispatch")).ToLocalChecked().As<v8::Function>());

  // 2. SDK modules, timers, delayed and schedule as globals.
  std::string error;
  if (!bindModules(context, error)) return fail(error);
  // WebAssembly (runtime.wasm, off by default): its memory and compiled
  // code live outside the ArrayBuffer allocator, and it compiles on V8's
  // worker threads, outside the CPU watchdog (docs/runtime.md, Limits).
  if (!self.limits_.wasm) std::ignore = context->Global()->Delete(context, toV8(isolate, "WebAssembly"));
  defineLazyGlobals(context, kUrlScript);
  defineLazyGlobals(context, kFormDataScript);
  installTimers(context);
  installDelayed(context);
  installSchedule(context);

  // 3. The service's code, compiled as a function body: top-level const/let
  // stay local to this run, and line numbers stay those of the editor.
  v8::ScriptOrigin origin(isolate, toV8(isolate, "service.js"));
  v8::ScriptCompiler::Source source(toV8(isolate, self.code_), origin);
  v8::Local<v8::Function> main;
  if (!v8::ScriptCompiler::CompileFunction(context, &source).ToLocal(&main))
    return fail("syntax error in service.js " + describeLocation(isolate, tc) + ": " +
                describeException(isolate, tc.Exception(), false));
  v8::Local<v8::Value> ignored;
  if (!main->Call(context, v8::Undefined(isolate), 0, nullptr).ToLocal(&ignored)) {
    if (tc.HasTerminated()) return fail(heapExceeded ? "heap limit exceeded while evaluating the code"
                                                     : "CPU time limit exceeded while evaluating the code");
    return fail("the code threw while loading " + describeLocation(isolate, tc) + ": " +
                describeException(isolate, tc.Exception()));
  }
  return {true, ""};
}

}  // namespace m3m::runtime
