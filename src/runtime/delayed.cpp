// delayed.run(fn, ...args) / delayed.cancel(id): background tasks of the same
// realm. A task is queued like any other work of the project and runs when a
// thread of the project is free; it may wait in a loop for as long as the run
// lives (each stretch of JS between waits is bounded by runtime.timeout).
#include <memory>
#include <string>
#include <tuple>

#include "runtime/detail/project_impl.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

namespace {
constexpr const char* kIdPrefix = "task_";

std::string taskId(std::uint64_t n) { return kIdPrefix + std::to_string(n); }
}  // namespace

void ProjectRuntime::Impl::installDelayed(v8::Local<v8::Context> context) {
  auto api = v8::Object::New(isolate);
  std::ignore = api->Set(context, toV8(isolate, "run"), v8::Function::New(context, &Impl::delayedRunFn).ToLocalChecked());
  std::ignore = api->Set(context, toV8(isolate, "cancel"), v8::Function::New(context, &Impl::delayedCancelFn).ToLocalChecked());
  std::ignore = api->SetIntegrityLevel(context, v8::IntegrityLevel::kFrozen);
  std::ignore = context->Global()->DefineOwnProperty(context, toV8(isolate, "delayed"), api, v8::ReadOnly);
}

void ProjectRuntime::Impl::delayedRunFn(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  if (!info[0]->IsFunction()) {
    throwError(isolate, Error(ErrorCode::INVALID_ARGUMENT, "delayed.run: argument 1 (fn) must be a function"));
    return;
  }
  if (impl->delayed.size() >= impl->self.limits_.maxQueue) {
    throwError(isolate, Error(ErrorCode::LIMIT_EXCEEDED, "delayed.run: " + std::to_string(impl->delayed.size()) +
                                                              " tasks are already queued (runtime.max_queue)"));
    return;
  }
  const auto n = impl->nextDelayedId++;
  DelayedTask task;
  task.fn.Reset(isolate, info[0].As<v8::Function>());
  for (int i = 1; i < info.Length(); ++i) task.args.emplace_back(isolate, info[i]);
  impl->delayed.emplace(n, std::move(task));
  ++impl->tasksQueued;
  impl->self.post([impl, n] { impl->runDelayed(n); });
  info.GetReturnValue().Set(toV8(isolate, taskId(n)));
}

void ProjectRuntime::Impl::delayedCancelFn(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* isolate = info.GetIsolate();
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  bool cancelled = false;
  if (info[0]->IsString()) {
    v8::String::Utf8Value text(isolate, info[0]);
    std::string id = *text ? *text : "";
    if (id.rfind(kIdPrefix, 0) == 0) {
      try {
        size_t used = 0;
        auto n = std::stoull(id.substr(std::string(kIdPrefix).size()), &used);
        if (used + std::string(kIdPrefix).size() == id.size() && impl->delayed.erase(n)) {
          --impl->tasksQueued;
          cancelled = true;
        }
      } catch (const std::exception&) {
      }
    }
  }
  info.GetReturnValue().Set(cancelled);
}

void ProjectRuntime::Impl::runDelayed(std::uint64_t n) {
  auto it = delayed.find(n);
  if (it == delayed.end()) return;  // cancelled
  DelayedTask task = std::move(it->second);
  delayed.erase(it);
  --tasksQueued;
  ++tasksRunning;
  const std::string id = taskId(n);
  v8::TryCatch tc(isolate);
  auto fn = task.fn.Get(isolate);
  std::vector<v8::Local<v8::Value>> args;
  for (auto& a : task.args) args.push_back(a.Get(isolate));
  v8::Local<v8::Value> result;
  auto failed = [this, id](const std::string& why) {
    --tasksRunning;
    ++tasksFailed;
    log("ERROR", "delayed task " + id + " failed: " + why);
  };
  if (!fn->Call(ctx(), v8::Undefined(isolate), static_cast<int>(args.size()), args.data()).ToLocal(&result)) {
    if (tc.HasTerminated()) {
      terminationReported = true;
      if (ending() && !heapExceeded) {
        --tasksRunning;  // abandoned at stop: neither done nor failed
        return;
      }
      failed(terminationReason());
    } else {
      failed(describeException(isolate, tc.Exception()));
    }
    return;
  }
  if (!result->IsPromise()) {
    --tasksRunning;
    ++tasksDone;
    return;
  }
  // An async task runs until its promise settles.
  whenSettled(result.As<v8::Promise>(),
              new Settle{[this](v8::Local<v8::Value>) {
                           --tasksRunning;
                           ++tasksDone;
                         },
                         [failed, isolate = isolate](v8::Local<v8::Value> reason) {
                           failed(describeException(isolate, reason));
                         },
                         [this](int, const std::string&) { --tasksRunning; },
                         std::nullopt});
}

}  // namespace m3m::runtime
