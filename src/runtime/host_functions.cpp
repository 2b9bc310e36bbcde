// Host functions bound into a run's context: every SDK module function goes
// through callModule (JS values → m3m::Value → the module → back), and a JS
// function passed to a module becomes an SDK Callback (jsCallback).
#include <exception>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/detail/project_impl.hpp"
#include "runtime/host_scripts.hpp"
#include "runtime/io_pool.hpp"
#include "runtime/typescript/type_check.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

namespace {

// Thrown through a module when a JS callback it called did not return.
struct JsCallbackFailed : std::exception {
  std::shared_ptr<v8::Global<v8::Value>> exception;  // empty when terminated
  const char* what() const noexcept override { return "a JavaScript callback threw"; }
};

// `fn` as an SDK Callback. Valid only during the module call that received
// it (the Local lives in that call's handle scope).
Callback jsCallback(v8::Isolate* isolate, v8::Local<v8::Function> fn) {
  return [isolate, fn](const std::vector<Value>& args) -> Value {
    v8::HandleScope scope(isolate);
    auto context = isolate->GetCurrentContext();
    std::vector<v8::Local<v8::Value>> argv;
    for (const auto& a : args) argv.push_back(fromValue(isolate, a));
    v8::TryCatch tc(isolate);
    v8::Local<v8::Value> result;
    if (fn->Call(context, v8::Undefined(isolate), static_cast<int>(argv.size()), argv.data()).ToLocal(&result)) {
      try {
        return toValue(isolate, result);
      } catch (const JsExceptionPending&) {
        // reading the result threw (a cycle): reported like the callback's own exception
      }
    }
    JsCallbackFailed failed;
    if (tc.HasCaught() && !tc.HasTerminated())
      failed.exception = std::make_shared<v8::Global<v8::Value>>(isolate, tc.Exception());
    throw failed;
  };
}

}  // namespace

bool ProjectRuntime::Impl::bindModules(v8::Local<v8::Context> context, std::string& error) {
  v8::TryCatch tc(isolate);
  auto global = context->Global();
  for (const auto& schema : *self.modules_) {
    auto obj = v8::Object::New(isolate);
    for (const auto& fn : schema.functions) {
      if (fn.visibility == FunctionSpec::Visibility::Script) continue;  // the wrapper's own
      auto call = std::make_unique<ModuleCall>(ModuleCall{&fn, schema.name + "." + fn.name});
      auto f = v8::Function::New(context, &Impl::callModule, v8::External::New(isolate, call.get()))
                   .ToLocalChecked();
      std::ignore = obj->Set(context, toV8(isolate, fn.name), f);
      moduleCalls.push_back(std::move(call));
    }
    v8::Local<v8::Value> api = obj;
    if (schema.jsWrapper.empty()) std::ignore = obj->SetIntegrityLevel(context, v8::IntegrityLevel::kFrozen);
    else {
      v8::Local<v8::Script> script;
      v8::Local<v8::Value> wrap;
      v8::Local<v8::Value> wrapArgs[] = {obj};
      if (!compileHostScript(context, "m3m:" + schema.name, "(" + schema.jsWrapper + ")").ToLocal(&script) ||
          !script->Run(context).ToLocal(&wrap) || !wrap->IsFunction() ||
          !wrap.As<v8::Function>()->Call(context, v8::Undefined(isolate), 1, wrapArgs).ToLocal(&api)) {
        error = "internal: module " + schema.name + " failed to load: " + describeException(isolate, tc.Exception());
        return false;
      }
      // What the declaration promises, the wrapper must define (the types cannot drift from it).
      if (!api->IsObject()) {
        error = "internal: module " + schema.name + ": its wrapper returned no object";
        return false;
      }
      auto missing = [&](const std::string& name, bool function) {
        v8::Local<v8::Value> member;
        if (!api.As<v8::Object>()->Get(context, toV8(isolate, name)).ToLocal(&member)) return true;
        return function ? !member->IsFunction() : member->IsUndefined();
      };
      for (const auto& fn : schema.functions)
        if (fn.visibility != FunctionSpec::Visibility::Internal && missing(fn.name, true)) {
          error = "internal: module " + schema.name + ": the wrapper does not define the declared function " + fn.name;
          return false;
        }
      for (const auto& prop : schema.properties)
        if (missing(prop.name, false)) {
          error = "internal: module " + schema.name + ": the wrapper does not define the declared property " + prop.name;
          return false;
        }
    }
    std::ignore = global->DefineOwnProperty(context, toV8(isolate, schema.name), api, v8::ReadOnly);
  }
  return true;
}

void ProjectRuntime::Impl::hostLog(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* impl = static_cast<Impl*>(info.GetIsolate()->GetData(0));
  v8::String::Utf8Value level(info.GetIsolate(), info[0]);
  v8::String::Utf8Value message(info.GetIsolate(), info[1]);
  impl->log(*level ? *level : "INFO", *message ? *message : "");
}

void ProjectRuntime::Impl::log(std::string_view level, std::string_view message) {
  // Only on the thread that holds this isolate (a module may log from elsewhere).
  if (isolate && v8::Isolate::GetCurrent() == isolate && isolate->InContext()) {
    v8::HandleScope scope(isolate);
    auto data = isolate->GetCurrentContext()->GetContinuationPreservedEmbedderData();
    if (data->IsString()) {
      v8::String::Utf8Value id(isolate, data);
      return self.log_->write(level, message, *id ? std::string_view(*id, id.length()) : std::string_view{});
    }
  }
  self.log_->write(level, message);
}

namespace {
// Blocking async work as a start: it runs on the shared I/O pool.
AsyncStart onIoPool(AsyncWork work) {
  return [work = std::move(work)](std::stop_token stop, Completion done) {
    IoPool::instance().submit([work, stop, done = std::move(done)] {
      try {
        done.resolve(work(stop));
      } catch (const Error& e) {
        done.reject(e);
      } catch (const std::exception& e) {
        done.reject(Error(ErrorCode::INTERNAL, e.what()));
      }
    });
  };
}
}  // namespace

// m3m::Error becomes a JS error with .code.
void ProjectRuntime::Impl::callModule(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  auto* call = static_cast<ModuleCall*>(info.Data().As<v8::External>()->Value());
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  try {
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(info.Length()));
    std::vector<Callback> callbacks;
    std::vector<bool> isFunction;
    for (int i = 0; i < info.Length(); ++i) {
      values.push_back(toValue(isolate, info[i]));
      if (!info[i]->IsFunction()) continue;
      callbacks.resize(static_cast<size_t>(info.Length()));
      isFunction.resize(static_cast<size_t>(info.Length()));
      callbacks[static_cast<size_t>(i)] = jsCallback(isolate, info[i].As<v8::Function>());
      isFunction[static_cast<size_t>(i)] = true;
    }
    // The declaration's types: checked here, once, for every module.
    checkArguments(*call->spec, call->qualifiedName, values, isFunction);
    Args args(call->qualifiedName, call->spec->params, std::move(values));
    args.setCallbacks(std::move(callbacks));
    if (call->spec->asyncImpl || call->spec->asyncStart) {
      // The work runs off the isolate; its outcome settles this promise in a
      // later task of the run (or nowhere, when the run ended meanwhile).
      auto resolver = v8::Promise::Resolver::New(isolate->GetCurrentContext()).ToLocalChecked();
      AsyncStart start = call->spec->asyncStart ? call->spec->asyncStart(*impl, args)
                                                : onIoPool(call->spec->asyncImpl(*impl, args));
      const auto id = impl->nextAsyncId++;
      impl->asyncCalls.emplace(id, v8::Global<v8::Promise::Resolver>(isolate, resolver));
      start(impl->self.stopWaits_.get_token(),
            Completion([mailbox = impl->self.mailbox_, id](Value value, std::optional<Error> error) {
              mailbox->deliver(id, std::make_shared<AsyncOutcome>(AsyncOutcome{std::move(value), std::move(error)}));
            }));
      info.GetReturnValue().Set(resolver->GetPromise());
      return;
    }
    // Depth tells a waiting call whether it runs inside another module's call.
    struct Depth {
      int& n;
      explicit Depth(int& d) : n(++d) {}
      ~Depth() { --n; }
    } depth(impl->moduleDepth);
    Value result = call->spec->impl(*impl, args);
    // A function declared void returns undefined, as its TypeScript says.
    if (call->spec->returns.kind != Type::Kind::Void) info.GetReturnValue().Set(fromValue(isolate, result));
  } catch (const WaitAbandoned&) {
    // The task was terminated (the watchdog, or the run is ending): that goes on.
  } catch (const JsExceptionPending&) {
    // V8 threw while reading an argument or a callback's result: that exception goes on.
  } catch (const JsCallbackFailed& f) {
    // The module unwound; the JS caller gets the callback's own exception
    // (none when the watchdog terminated the script: termination goes on).
    if (f.exception) isolate->ThrowException(f.exception->Get(isolate));
  } catch (const Error& e) {
    throwError(isolate, e);
  } catch (const std::exception& e) {
    throwError(isolate, Error(ErrorCode::INTERNAL, call->qualifiedName + ": " + e.what()));
  }
}

void ProjectRuntime::Impl::settleAsync(std::uint64_t id, const AsyncOutcome& outcome) {
  auto it = asyncCalls.find(id);
  if (it == asyncCalls.end()) return;
  auto resolver = it->second.Get(isolate);
  asyncCalls.erase(it);
  auto context = ctx();
  if (outcome.error) {
    std::ignore = resolver->Reject(context, makeError(isolate, *outcome.error));
    return;
  }
  v8::TryCatch tc(isolate);
  auto value = fromValue(isolate, outcome.value);
  if (tc.HasCaught() && !tc.HasTerminated()) std::ignore = resolver->Reject(context, tc.Exception());
  else if (!tc.HasCaught()) std::ignore = resolver->Resolve(context, value);
}

}  // namespace m3m::runtime
