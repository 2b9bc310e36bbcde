// C++ continuations on JS promises (a phase's outcome, an async route's
// answer), request deadlines, and unhandled rejections.
#include <algorithm>
#include <memory>
#include <tuple>

#include "runtime/detail/project_impl.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

void ProjectRuntime::Impl::whenSettled(v8::Local<v8::Promise> promise, Settle* s) {
  settles.insert(s);
  auto data = v8::External::New(isolate, s);
  auto fulfilled = v8::Function::New(ctx(), &Impl::onSettled<true>, data).ToLocalChecked();
  auto rejected = v8::Function::New(ctx(), &Impl::onSettled<false>, data).ToLocalChecked();
  std::ignore = promise->Then(ctx(), fulfilled, rejected);
}

template <bool Fulfilled>
void ProjectRuntime::Impl::onSettled(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* s = static_cast<Settle*>(info.Data().As<v8::External>()->Value());
  auto* impl = static_cast<Impl*>(info.GetIsolate()->GetData(0));
  if (!impl->settles.erase(s)) return;
  std::unique_ptr<Settle> owned(s);
  if (Fulfilled) owned->onFulfilled(info[0]);
  else owned->onRejected(info[0]);
}

void ProjectRuntime::Impl::abortSettles(int status, const std::string& why) {
  auto pending = std::move(settles);
  settles.clear();
  for (Settle* s : pending) {
    std::unique_ptr<Settle> owned(s);
    if (owned->onAbort) owned->onAbort(status, why);
  }
}

void ProjectRuntime::Impl::expireDeadlines(std::chrono::steady_clock::time_point now) {
  std::vector<Settle*> expired;
  for (Settle* s : settles)
    if (s->deadline && *s->deadline <= now) expired.push_back(s);
  for (Settle* s : expired) {
    settles.erase(s);
    std::unique_ptr<Settle> owned(s);
    owned->onAbort(504, "the handler did not answer within runtime.request_timeout");
  }
}

void ProjectRuntime::Impl::promiseRejected(v8::PromiseRejectMessage msg) {
  auto promise = msg.GetPromise();
  auto* isolate = promise->GetIsolate();
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  if (msg.GetEvent() == v8::kPromiseRejectWithNoHandler) {
    impl->unhandled.emplace_back(v8::Global<v8::Promise>(isolate, promise), v8::Global<v8::Value>(isolate, msg.GetValue()));
  } else if (msg.GetEvent() == v8::kPromiseHandlerAddedAfterReject) {
    auto& u = impl->unhandled;
    u.erase(std::remove_if(u.begin(), u.end(), [&](const auto& e) { return e.first == promise; }), u.end());
  }
}

void ProjectRuntime::Impl::reportUnhandled() {
  if (unhandled.empty()) return;
  auto pending = std::move(unhandled);
  unhandled.clear();
  for (auto& [promise, reason] : pending)
    log("ERROR", "unhandled promise rejection: " + describeException(isolate, reason.Get(isolate)));
}

}  // namespace m3m::runtime
