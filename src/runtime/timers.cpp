// setTimeout / setInterval: the timers live in Impl::timers. Also what is
// due by the clock — timers, request deadlines, schedule ticks — for the
// holder of the isolate (workers.cpp) to run one at a time.
#include <algorithm>
#include <string>
#include <tuple>

#include "runtime/detail/project_impl.hpp"
#include "runtime/v8_values.hpp"

namespace m3m::runtime {

void ProjectRuntime::Impl::installTimers(v8::Local<v8::Context> context) {
  auto global = context->Global();
  std::ignore = global->Set(context, toV8(isolate, "setTimeout"), v8::Function::New(context, &Impl::setTimeoutFn).ToLocalChecked());
  std::ignore = global->Set(context, toV8(isolate, "setInterval"), v8::Function::New(context, &Impl::setIntervalFn).ToLocalChecked());
  std::ignore = global->Set(context, toV8(isolate, "clearTimeout"), v8::Function::New(context, &Impl::clearTimerFn).ToLocalChecked());
  std::ignore = global->Set(context, toV8(isolate, "clearInterval"), v8::Function::New(context, &Impl::clearTimerFn).ToLocalChecked());
}

void ProjectRuntime::Impl::setTimer(const v8::FunctionCallbackInfo<v8::Value>& info, bool repeat) {
  auto* isolate = info.GetIsolate();
  auto* impl = static_cast<Impl*>(isolate->GetData(0));
  if (!info[0]->IsFunction()) {
    throwTypeError(isolate, std::string(repeat ? "setInterval" : "setTimeout") +
                                ": argument 1 (fn) must be a function");
    return;
  }
  double ms = info.Length() > 1 && info[1]->IsNumber() ? info[1].As<v8::Number>()->Value() : 0;
  if (!(ms >= 0) || ms > 2147483647.0) ms = 0;
  Timer t;
  t.id = impl->nextTimerId++;
  t.repeat = repeat;
  t.interval = milliseconds(std::max<long long>(repeat ? 1 : 0, static_cast<long long>(ms)));
  t.due = std::chrono::steady_clock::now() + t.interval;
  t.fn.Reset(isolate, info[0].As<v8::Function>());
  for (int i = 2; i < info.Length(); ++i) t.args.emplace_back(isolate, info[i]);
  auto id = t.id;
  impl->timers.emplace(id, std::move(t));
  info.GetReturnValue().Set(v8::Integer::NewFromUnsigned(isolate, id));
}

void ProjectRuntime::Impl::setTimeoutFn(const v8::FunctionCallbackInfo<v8::Value>& info) { setTimer(info, false); }
void ProjectRuntime::Impl::setIntervalFn(const v8::FunctionCallbackInfo<v8::Value>& info) { setTimer(info, true); }

void ProjectRuntime::Impl::clearTimerFn(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* impl = static_cast<Impl*>(info.GetIsolate()->GetData(0));
  if (info.Length() > 0 && info[0]->IsNumber())
    impl->timers.erase(static_cast<std::uint32_t>(info[0].As<v8::Number>()->Value()));
}

std::chrono::steady_clock::time_point ProjectRuntime::Impl::nextDue() const {
  auto next = nextDeadline();
  for (const auto& [id, t] : timers) next = std::min(next, t.due);
  for (const auto& [id, j] : jobs) next = std::min(next, j.due);
  return next;
}

void ProjectRuntime::Impl::fireDue(std::chrono::steady_clock::time_point now) {
  if (nextDeadline() <= now) {
    expireDeadlines(now);
    return;
  }
  if (self.fence_ && !self.fence_()) {
    // Not sure this node still owns the project: nothing fires; the node
    // either renews (the ticks run a little late) or ends the run.
    const auto retry = now + std::chrono::milliseconds(100);
    for (auto& [id, t] : timers) t.due = std::max(t.due, retry);
    for (auto& [id, j] : jobs) j.due = std::max(j.due, retry);
    return;
  }
  auto timer = timers.end();
  for (auto it = timers.begin(); it != timers.end(); ++it)
    if (it->second.due <= now && (timer == timers.end() || it->second.due < timer->second.due)) timer = it;
  auto job = jobs.end();
  for (auto it = jobs.begin(); it != jobs.end(); ++it)
    if (it->second.due <= now && (job == jobs.end() || it->second.due < job->second.due)) job = it;
  if (timer != timers.end() && (job == jobs.end() || timer->second.due <= job->second.due)) fireTimer(timer);
  else if (job != jobs.end()) tickJob(job, now);
}

std::string ProjectRuntime::Impl::terminationReason() const {
  if (heapExceeded) return "heap limit exceeded";
  if (ending()) return "the project stopped";
  return "CPU time limit exceeded (runtime.timeout)";
}

void ProjectRuntime::Impl::fireTimer(std::map<std::uint32_t, Timer>::iterator it) {
  Timer& t = it->second;
  v8::TryCatch tc(isolate);
  auto fn = t.fn.Get(isolate);
  std::vector<v8::Local<v8::Value>> args;
  for (auto& a : t.args) args.push_back(a.Get(isolate));
  if (t.repeat) t.due += t.interval;
  else {
    // Keep the function alive for the call, drop the timer first
    // (clearTimeout inside the callback must not touch a dead entry).
    timers.erase(it);
  }
  v8::Local<v8::Value> ignored;
  if (!fn->Call(ctx(), v8::Undefined(isolate), static_cast<int>(args.size()), args.data()).ToLocal(&ignored)) {
    if (tc.HasTerminated()) {
      terminationReported = true;
      if (!ending() || heapExceeded) self.log_->write("ERROR", "a timer failed: " + terminationReason());
    }
    else self.log_->write("ERROR", "uncaught exception in a timer: " + describeException(isolate, tc.Exception()));
  }
}

}  // namespace m3m::runtime
